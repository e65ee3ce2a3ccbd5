"""Tests of geo.store: schema, GeoParquet round trip, atomic locked appends, failures, export."""

from __future__ import annotations

import csv
import errno
import fcntl
import io
import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import settings, store
from geo.errors import DataFormatError, GeoError
from geo.store import (
    EVENT_COLUMNS,
    AppendResult,
    StoreError,
    append_events,
    conform,
    default_store_path,
    empty_events,
    export_events,
    read_events,
)

PLACES = json.dumps(
    [
        {
            "start": 22,
            "end": 27,
            "name": "Paris",
            "lat": 48.8566,
            "lon": 2.3522,
            "country_code": "FR",
            "feature": "city",
            "derived": False,
        }
    ]
)


def event(event_id: str, /, **changes: Any) -> dict[str, Any]:
    """One valid event row (Paris unless changed)."""
    row: dict[str, Any] = {
        "event_id": event_id,
        "title": f"Flood {event_id}",
        "text": "A flood hit central Paris.",
        "url": f"https://example.org/{event_id}",
        "source": "Example News",
        "published_at": "2024-05-01T12:00:00Z",
        "ingested_at": "2024-05-02T08:30:00+00:00",
        "event_type": "flood",
        "secondary_types": "storm,rain",
        "severity": 3,
        "severity_reason": "2 deaths",
        "deaths": 2,
        "injured": None,
        "displaced": 150,
        "magnitude": None,
        "category": None,
        "wind_kmh": 85.5,
        "place_name": "Paris",
        "country_code": "FR",
        "lat": 48.8566,
        "lon": 2.3522,
        "places": PLACES,
    }
    return {**row, **changes}


def placeless(event_id: str) -> dict[str, Any]:
    """An event no place could be found for: null location, null optional fields."""
    return event(
        event_id,
        url=None,
        source=None,
        published_at=None,
        deaths=None,
        displaced=None,
        wind_kmh=None,
        place_name=None,
        country_code=None,
        lat=None,
        lon=None,
        secondary_types="",
        places="[]",
    )


def events(*rows: dict[str, Any]) -> gpd.GeoDataFrame:
    return conform(pd.DataFrame(list(rows)))


def batch(prefix: str, count: int) -> gpd.GeoDataFrame:
    return events(*(event(f"{prefix}-{i}") for i in range(count)))


def leftovers(directory: Path) -> list[str]:
    """Files in the store's folder other than the store and its lock."""
    return sorted(p.name for p in directory.iterdir() if p.name not in {"events.parquet", "events.parquet.lock"})


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "events.parquet"


# -- schema -------------------------------------------------------------------------------------------------------


def test_empty_events_has_the_schema() -> None:
    empty = empty_events()
    assert tuple(empty.columns) == EVENT_COLUMNS
    assert len(empty) == 0
    assert empty.crs == "EPSG:4326"
    assert empty.geometry.name == "geometry"
    assert str(empty["published_at"].dtype) == "datetime64[ns, UTC]"
    assert (str(empty["severity"].dtype), str(empty["deaths"].dtype), str(empty["lat"].dtype)) == (
        "int64",
        "Int64",
        "Float64",
    )


def test_conform_coerces_and_builds_geometry_from_lat_lon() -> None:
    frame = conform(pd.DataFrame([event("a", severity="4", deaths=2.0), placeless("b")]))
    assert tuple(frame.columns) == EVENT_COLUMNS
    assert frame.crs == "EPSG:4326"
    assert frame["severity"].tolist() == [4, 3]
    assert frame["published_at"].iloc[0] == pd.Timestamp("2024-05-01T12:00:00Z")
    assert pd.isna(frame["published_at"].iloc[1])
    point = frame.geometry.iloc[0]
    assert (point.x, point.y) == (2.3522, 48.8566)
    assert frame.geometry.iloc[1] is None


def test_conform_accepts_no_rows_and_a_repeated_index() -> None:
    assert conform(pd.DataFrame(columns=list(EVENT_COLUMNS))).dtypes.equals(empty_events().dtypes)
    stacked = pd.concat([pd.DataFrame([event("a")]), pd.DataFrame([placeless("b")])])
    assert conform(stacked)["event_id"].tolist() == ["a", "b"]


def test_conform_takes_naive_times_as_utc() -> None:
    frame = conform(pd.DataFrame([event("a", published_at="2024-05-01 12:00", ingested_at=pd.Timestamp(2024, 5, 2))]))
    assert frame["published_at"].iloc[0] == pd.Timestamp("2024-05-01T12:00Z")
    assert frame["ingested_at"].iloc[0] == pd.Timestamp("2024-05-02T00:00Z")


def test_conform_drops_extra_columns_and_leaves_the_input_alone() -> None:
    raw = pd.DataFrame([event("a", extra="x")])
    before = raw.copy()
    assert "extra" not in conform(raw).columns
    pd.testing.assert_frame_equal(raw, before)


def test_conform_collects_every_problem_in_one_error() -> None:
    raw = pd.DataFrame([event("a", severity=7, lat=123.0), event("b", deaths="many")]).drop(columns="title")
    with pytest.raises(DataFormatError) as caught:
        conform(raw)
    message = str(caught.value)
    assert "(4 problems)" in message
    assert "column 'title' is missing" in message
    assert "severity: outside 1..5 in rows 0 (first: 7)" in message
    assert "lat: outside -90..90 in rows 0 (first: 123.0)" in message
    assert "deaths: not a number in rows 1 (first: 'many')" in message
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"event_id": ""}, r"event_id: empty in rows 0"),
        ({"title": None}, r"title: missing in rows 0"),
        ({"title": 5}, r"title: not text in rows 0 \(first: 5\)"),
        ({"severity": 2.5}, r"severity: not a whole number in rows 0 \(first: 2.5\)"),
        ({"deaths": -1}, r"deaths: outside 0..inf"),
        ({"published_at": "yesterday"}, r"published_at: not an ISO 8601 date in rows 0 \(first: 'yesterday'\)"),
        ({"ingested_at": None}, r"ingested_at: missing in rows 0"),
        ({"lon": None}, r"lat/lon: one of the pair is missing in rows 0"),
        ({"magnitude": float("inf")}, r"magnitude: not finite"),
        ({"places": "{not json"}, r"places: not a JSON array of objects"),
        ({"places": '{"name": "Paris"}'}, r"places: not a JSON array of objects"),
    ],
)
def test_conform_names_the_bad_value(changes: dict[str, Any], problem: str) -> None:
    with pytest.raises(DataFormatError, match=problem):
        conform(pd.DataFrame([event("a", **changes)]))


def test_conform_rejects_a_geometry_that_disagrees_with_lat_lon() -> None:
    raw = gpd.GeoDataFrame([event("a")], geometry=[shapely.Point(48.8566, 2.3522)], crs="EPSG:4326")
    with pytest.raises(
        DataFormatError, match=r"geometry: not the Point \(lon, lat\) of its row, e\.g\. lat and lon swapped, in rows 0"
    ):
        conform(raw)


@pytest.mark.parametrize(
    ("geometry", "problem"),
    [
        ("POINT (2.3522 48.8566)", r"^- geometry: not shapely geometries"),
        (shapely.LineString([(0, 0), (1, 1)]), r"^- geometry: not a Point in rows 0 \(first: <LINESTRING"),
        (None, r"^- geometry: not the Point \(lon, lat\) of its row"),
    ],
)
def test_conform_checks_a_plain_geometry_column(geometry: Any, problem: str) -> None:
    raw = pd.DataFrame([event("a")]).assign(geometry=[geometry])
    with pytest.raises(DataFormatError, match="(?m)" + problem) as caught:
        conform(raw)
    assert "(1 problem)" in str(caught.value)


def test_conform_keeps_a_matching_geometry_and_rejects_another_crs() -> None:
    good = gpd.GeoDataFrame([event("a"), placeless("b")], geometry=[shapely.Point(2.3522, 48.8566), None], crs=4326)
    assert conform(good).geometry.iloc[0] == shapely.Point(2.3522, 48.8566)
    with pytest.raises(DataFormatError, match="geometry: CRS is EPSG:3857, expected EPSG:4326"):
        conform(good.to_crs(3857))


# -- paths --------------------------------------------------------------------------------------------------------


def test_default_store_path_honours_geo_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "mine.parquet"))
    assert default_store_path() == tmp_path / "mine.parquet"
    monkeypatch.delenv("GEO_STORE")
    assert default_store_path() == settings.DATA_DIR / "events.parquet"


# -- reading and appending ----------------------------------------------------------------------------------------


def test_round_trip_keeps_types_nulls_and_a_row_with_no_place(path: Path) -> None:
    written = events(event("a"), placeless("b"))
    assert append_events(path, written) == AppendResult(added=2, skipped=0, total=2)
    back = read_events(path)
    pd.testing.assert_frame_equal(pd.DataFrame(back), pd.DataFrame(written))
    assert back.crs == "EPSG:4326"
    assert back.geometry.iloc[1] is None
    append_events(path, events(event("c")))
    raw = gpd.read_parquet(path)  # the file itself, as geopandas reads it back from the geo metadata
    assert raw.crs == "EPSG:4326"
    assert raw.dtypes.equals(empty_events().dtypes)
    assert raw["event_id"].tolist() == ["a", "b", "c"]


def test_missing_store_reads_as_empty(path: Path) -> None:
    assert read_events(path).empty
    assert tuple(read_events(path).columns) == EVENT_COLUMNS


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"not a parquet file", id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-200]), id="truncated"),
        pytest.param(lambda p: pd.DataFrame({"x": [1]}).to_parquet(p), id="no-geo-metadata"),
        pytest.param(
            lambda p: gpd.GeoDataFrame({"x": [1]}, geometry=[None], crs=4326).to_parquet(p), id="other-schema"
        ),
    ],
)
def test_damaged_store_gives_a_store_error_naming_the_file(path: Path, content: Any) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        append_events(path, batch("a", 3))
        content(path)
    with pytest.raises(
        StoreError, match=f"(?s)cannot read the event store at {re.escape(str(path))}: .*move it aside"
    ) as caught:
        read_events(path)
    assert isinstance(caught.value, GeoError) and isinstance(caught.value, OSError)


def test_appending_the_same_events_twice_adds_nothing_and_writes_nothing(path: Path) -> None:
    append_events(path, batch("a", 3))
    before = (path.stat().st_mtime_ns, path.read_bytes())
    assert append_events(path, batch("a", 3)) == AppendResult(added=0, skipped=3, total=3)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_ids_repeated_in_a_batch_or_already_stored_are_skipped(path: Path) -> None:
    append_events(path, batch("a", 2))
    result = append_events(path, events(event("a-1"), event("b", title="first"), event("b", title="second")))
    assert result == AppendResult(added=1, skipped=2, total=3)
    stored = read_events(path)
    assert stored["event_id"].tolist() == ["a-0", "a-1", "b"]
    assert stored["title"].iloc[2] == "first"


def test_append_rejects_events_that_do_not_fit_the_schema(path: Path) -> None:
    with pytest.raises(DataFormatError, match="severity"):
        append_events(path, pd.DataFrame([event("a", severity=0)]))
    assert not path.exists()


def _append_many(path: str, prefix: str, batches: int) -> None:
    for number in range(batches):
        append_events(Path(path), events(event(f"{prefix}-{number}-0"), event(f"{prefix}-{number}-1")))


def test_concurrent_appends_from_two_processes_keep_every_row(path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), prefix, 15)) for prefix in ("p", "q")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    stored = read_events(path)
    expected = {f"{prefix}-{n}-{i}" for prefix in ("p", "q") for n in range(15) for i in (0, 1)}
    assert set(stored["event_id"]) == expected
    assert len(stored) == 60
    assert leftovers(path.parent) == []


def test_lock_held_elsewhere_times_out_with_a_store_error(path: Path) -> None:
    with open(f"{path}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match=r"cannot lock the event store at .*held .*events\.parquet\.lock for over"):
            append_events(path, batch("a", 1), timeout=0.1)
    assert append_events(path, batch("a", 1)).added == 1


# -- failures leave the previous store intact -----------------------------------------------------------------------


def test_a_crash_before_the_rename_leaves_the_store_and_no_temp_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_events(path, batch("old", 2))
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StoreError, match=r"cannot write the event store at .*RuntimeError: simulated crash"):
        append_events(path, batch("new", 2))
    assert path.read_bytes() == before
    assert read_events(path)["event_id"].tolist() == ["old-0", "old-1"]
    assert leftovers(path.parent) == []


KILL_WHILE_WRITING = """
import os, signal, sys
from pathlib import Path
from geo import store
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # die between writing the temp file and renaming
store.append_events(Path(sys.argv[1]), store.read_events(Path(sys.argv[2])))
"""


def test_a_writer_killed_mid_append_leaves_the_store_readable(
    path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    append_events(path, batch("old", 2))
    before = path.read_bytes()
    incoming = tmp_path_factory.mktemp("incoming") / "events.parquet"
    append_events(incoming, batch("new", 500))
    command = [sys.executable, "-c", KILL_WHILE_WRITING, str(path), str(incoming)]
    killed = subprocess.run(command, cwd=settings.PROJECT_DIR, capture_output=True, check=False, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert path.read_bytes() == before
    assert len(read_events(path)) == 2
    [temp] = leftovers(path.parent)  # the killed writer's temp file, hidden beside the store
    assert temp.startswith(".events.parquet.") and temp.endswith(".tmp")
    assert append_events(path, batch("later", 1)).total == 3
    assert leftovers(path.parent) == []  # the next append swept it


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_directory_gives_a_clear_store_error(path: Path) -> None:
    append_events(path, batch("old", 1))
    before = path.read_bytes()
    path.parent.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"permission denied; make .* writable or set GEO_STORE"):
            append_events(path, batch("new", 1))
    finally:
        path.parent.chmod(0o700)
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def _refuse_temp_file(*args: object, **kwargs: object) -> Any:
    raise PermissionError(errno.EACCES, "Permission denied", "/read-only")


def _fill_the_disk(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("target", "failure", "message"),
    [
        (tempfile, ("NamedTemporaryFile", _refuse_temp_file), "permission denied; make .* writable or set GEO_STORE"),
        (os, ("fsync", _fill_the_disk), "disk full; free space or set GEO_STORE to another path"),
    ],
    ids=["read-only", "disk-full"],
)
def test_write_failures_give_a_clear_store_error_and_change_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch, target: Any, failure: tuple[str, Any], message: str
) -> None:
    append_events(path, batch("old", 1))
    before = (path.stat().st_mtime_ns, path.read_bytes())
    monkeypatch.setattr(target, *failure)
    with pytest.raises(
        StoreError, match=f"cannot write the event store at {re.escape(str(path))}: {message}"
    ) as caught:
        append_events(path, batch("new", 1))
    assert "(the store is unchanged)" in str(caught.value)
    monkeypatch.undo()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert leftovers(path.parent) == []


# -- export -------------------------------------------------------------------------------------------------------


def test_geojson_export_is_rfc7946_with_lon_lat_order_and_null_geometry(path: Path) -> None:
    append_events(path, events(event("a"), placeless("b")))
    collection = json.loads(str(export_events(path, "geojson")))
    assert collection["type"] == "FeatureCollection"
    first, second = collection["features"]
    assert first["id"] == "a"
    assert first["geometry"] == {"type": "Point", "coordinates": [2.3522, 48.8566]}
    assert second["geometry"] is None
    assert set(first["properties"]) == set(EVENT_COLUMNS) - {"geometry"}
    assert first["properties"]["published_at"] == "2024-05-01T12:00:00+00:00"
    assert (first["properties"]["injured"], second["properties"]["lat"]) == (None, None)
    assert json.loads(first["properties"]["places"])[0]["name"] == "Paris"


def test_csv_export_defuses_formulas_in_text_columns_only(path: Path) -> None:
    append_events(path, events(event("a", title='=HYPERLINK("http://evil.example","x")', lon=-3.7), placeless("b")))
    rows = list(csv.DictReader(io.StringIO(str(export_events(path, "csv")))))
    assert list(rows[0]) == [name for name in EVENT_COLUMNS if name != "geometry"]
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil.example","x")'
    assert rows[0]["lon"] == "-3.7"
    assert rows[0]["published_at"] == "2024-05-01T12:00:00+00:00"
    assert (rows[1]["lat"], rows[1]["published_at"], rows[1]["url"]) == ("", "", "")


@pytest.mark.parametrize("cell", ["+1 234", "-2 dead", "@SUM(A1)", "\tx", "=1+1"])
def test_every_formula_prefix_is_defused(cell: str) -> None:
    assert store._defuse(cell) == "'" + cell
    assert store._defuse("Flood in Paris") == "Flood in Paris"


def test_export_writes_to_a_file_when_asked(path: Path, tmp_path: Path) -> None:
    append_events(path, batch("a", 2))
    out = tmp_path / "events.geojson"
    assert export_events(path, "geojson", out) == out
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 2


def test_export_of_a_missing_store_is_empty(path: Path) -> None:
    assert json.loads(str(export_events(path, "geojson")))["features"] == []
    assert str(export_events(path, "csv")).startswith("event_id,title,")
