"""Tests of geo.store.eventstore: GeoParquet parts round trip, staged appends committed as one version, failures
leave the store as it was."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from geo import settings
from geo.errors import DataFormatError, GeoError
from geo.store import parts as partfiles
from geo.store.eventstore import (
    AppendResult,
    StoreError,
    append_events,
    default_store_path,
    read_events,
    staged_events,
)
from geo.store.location import StoreLocation
from geo.store.maintenance import compact_store
from geo.store.query import EventFilter, EventQuery
from geo.store.schema import ADDED_COLUMNS, EVENT_COLUMNS, empty_events
from geo.store.snapshots import latest
from tests.rows import batch, event, events, placeless
from tests.stores import part_files, rewrite_only_part, snapshot_bytes, version


def leftovers(store: Path) -> list[str]:
    """What is in the store's folder besides the parts of its newest version, its log and its id index, and in
    the folder around it besides the store and its lock (empty staging folders aside)."""
    named = {part.name for part in latest(StoreLocation.of(store)).parts}
    inside = [
        p.name
        for p in store.iterdir()
        if p.name not in named | {"_log", "_index.sqlite", "_staging"} and not p.name.startswith("_index.sqlite-")
    ]
    staging = [p.name for p in (store / "_staging").glob("*/*")] if (store / "_staging").exists() else []
    beside = [p.name for p in store.parent.iterdir() if p.name not in {store.name, store.name + ".lock"}]
    return sorted(inside + staging + beside)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "events.parquet"


# -- paths --------------------------------------------------------------------------------------------------------


def test_default_store_path_honours_geo_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "mine.parquet"))
    assert default_store_path() == tmp_path / "mine.parquet"
    monkeypatch.setenv("GEO_STORE", "s3://bucket/events")
    assert default_store_path() == "s3://bucket/events"
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
    raw = gpd.read_parquet(path)  # the folder itself, as geopandas reads it from the parts' geo metadata
    assert raw.crs == "EPSG:4326"
    assert raw.dtypes.equals(empty_events().dtypes)
    assert raw["event_id"].tolist() == ["a", "b", "c"]
    assert len(part_files(path)) == 2 and version(path) == 2


def test_a_missing_store_reads_as_no_events(path: Path) -> None:
    assert read_events(path).empty
    assert tuple(read_events(path).columns) == EVENT_COLUMNS


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda part: part.write_bytes(b"not a parquet file"), id="garbage"),
        pytest.param(lambda part: part.write_bytes(part.read_bytes()[:-200]), id="truncated"),
        pytest.param(lambda part: pd.DataFrame({"x": [1]}).to_parquet(part), id="no-geo-metadata"),
        pytest.param(
            lambda part: gpd.GeoDataFrame({"x": [1]}, geometry=[None], crs=4326).to_parquet(part), id="other-schema"
        ),
        pytest.param(lambda part: part.unlink(), id="missing"),
    ],
)
def test_a_damaged_part_gives_a_store_error_naming_the_store(path: Path, damage: Any) -> None:
    append_events(path, batch("a", 3))
    damage(part_files(path)[0])
    with pytest.raises(StoreError, match=f"(?s)cannot read the event store at {re.escape(str(path))}: .*backup"):
        read_events(path)


def test_a_damaged_log_entry_gives_a_store_error(path: Path) -> None:
    append_events(path, batch("a", 3))
    (path / "_log" / "000000000001.json").write_text('{"parts": [{"name": "../../etc/passwd", "rows": 1}]}')
    with pytest.raises(StoreError, match="names a part that is not one of its own") as caught:
        read_events(path)
    assert isinstance(caught.value, GeoError) and isinstance(caught.value, OSError)
    (path / "_log" / "000000000001.json").write_text("{not json")
    with pytest.raises(StoreError, match=r"log entry .* is damaged"):
        append_events(path, batch("b", 1))


def test_appending_the_same_events_twice_adds_nothing_and_writes_nothing(path: Path) -> None:
    append_events(path, batch("a", 3))
    before = snapshot_bytes(path)
    assert append_events(path, batch("a", 3)) == AppendResult(added=0, skipped=3, total=3)
    assert snapshot_bytes(path) == before and version(path) == 1
    assert leftovers(path) == []


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


def test_lock_held_elsewhere_times_out_with_a_store_error(path: Path) -> None:
    with open(f"{path}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match=r"cannot lock the event store at .*held .*events\.parquet\.lock for over"):
            append_events(path, batch("a", 1), timeout=0.1)
    assert append_events(path, batch("a", 1)).added == 1


def test_the_append_reads_only_its_own_parts_to_check_ids(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    append_events(path, batch("old", 50))
    stored = {p.name for p in part_files(path)}
    read: list[str] = []
    real = pq.read_table

    def spy(source: Any, *args: Any, **kwargs: Any) -> pa.Table:
        read.append(str(source))
        return real(source, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", spy)
    monkeypatch.setattr(partfiles.pq, "read_table", spy)
    assert append_events(path, batch("new", 2)).added == 2
    assert read and not {Path(source).name for source in read} & stored, read  # its own parts, never stored ones


# -- staged appends -----------------------------------------------------------------------------------------------


def test_staged_batches_commit_as_one_version_in_order(path: Path) -> None:
    append_events(path, batch("old", 2))
    with staged_events(path) as staged:
        staged.add(batch("a", 3))
        staged.add(events(event("old-1"), event("b-0"), placeless("a-2")))  # a stored id and one staged before
        staged.add(events(placeless("c-0")))
        assert (staged.rows, staged.unplaced) == (7, 2)
        assert len(read_events(path)) == 2 and version(path) == 1  # nothing is visible before the commit
        assert len(gpd.read_parquet(path)) == 2  # not even to a reader of the plain folder
        result = staged.commit()
    assert result == AppendResult(added=5, skipped=2, total=7)
    assert version(path) == 2
    assert read_events(path)["event_id"].tolist() == ["old-0", "old-1", "a-0", "a-1", "a-2", "b-0", "c-0"]
    assert leftovers(path) == []


def test_leaving_without_a_commit_changes_nothing(path: Path) -> None:
    append_events(path, batch("old", 1))
    before = snapshot_bytes(path)
    with pytest.raises(RuntimeError, match="reading failed"), staged_events(path) as staged:
        staged.add(batch("new", 2))
        raise RuntimeError("reading failed")
    assert snapshot_bytes(path) == before
    assert leftovers(path) == []


def test_staged_events_are_committed_once(path: Path) -> None:
    with staged_events(path) as staged:
        staged.add(batch("a", 1))
        staged.commit()
        with pytest.raises(ValueError, match="already committed"):
            staged.add(batch("b", 1))
        with pytest.raises(ValueError, match="already committed"):
            staged.commit()
    assert read_events(path)["event_id"].tolist() == ["a-0"]


def test_parts_are_written_in_row_groups_and_read_back_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partfiles, "ROW_GROUP_ROWS", 3)
    append_events(path, batch("a", 4))
    append_events(path, batch("b", 5))
    sizes = [
        meta.row_group(i).num_rows
        for meta in (pq.ParquetFile(part).metadata for part in part_files(path))
        for i in range(meta.num_row_groups)
    ]
    assert sum(sizes) == 9 and max(sizes) == 3
    stored = read_events(path)
    assert stored["event_id"].tolist() == [f"a-{i}" for i in range(4)] + [f"b-{i}" for i in range(5)]
    assert stored.geometry.iloc[0] == shapely.Point(2.3522, 48.8566)


def test_a_full_disk_while_finishing_the_staged_part_is_a_store_error(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_events(path, batch("old", 1))
    before = snapshot_bytes(path)
    with staged_events(path) as staged:
        staged.add(batch("new", 2))
        close, failed = pq.ParquetWriter.close, []

        def full_once(writer: pq.ParquetWriter) -> None:
            if not failed:
                failed.append(True)
                _fill_the_disk(0)
            close(writer)

        monkeypatch.setattr(pq.ParquetWriter, "close", full_once)
        with pytest.raises(StoreError, match="disk full; free space or set GEO_STORE"):
            staged.commit()
    assert snapshot_bytes(path) == before
    assert leftovers(path) == []


STAGE_MANY = """
import resource, sys
from pathlib import Path
from geo.store.eventstore import staged_events
from tests.rows import event, events
size = int(sys.argv[2])
template = events(*(event(f"{i}", text="Flood waters rose in central Paris. " * 600) for i in range(250)))
with staged_events(Path(sys.argv[1])) as staged:
    for n in range(size):
        staged.add(template.assign(event_id=[f"{n}-{i}" for i in range(250)]))
    staged.commit()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(path: Path, batches: int) -> int:
    command = [sys.executable, "-c", STAGE_MANY, str(path), str(batches)]
    done = subprocess.run(command, cwd=settings.PROJECT_DIR, capture_output=True, text=True, check=True, timeout=300)
    return int(done.stdout)


def test_memory_of_a_staged_append_does_not_grow_with_its_size(tmp_path: Path) -> None:
    """5 MB of events per batch: 16 batches (80 MB) and 64 (320 MB) peak at about the same memory."""
    small = _peak_kib(tmp_path / "small.parquet", 16)
    large = _peak_kib(tmp_path / "large.parquet", 64)
    assert len(read_events(tmp_path / "large.parquet")) == 16_000
    assert large - small < 60 * 1024, f"peak {small / 1024:.0f} MB for 80 MB of events, {large / 1024:.0f} MB for 320"


# -- failures leave the previous version as it was ----------------------------------------------------------------


def test_a_crash_before_the_log_entry_leaves_the_store_and_no_part(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    append_events(path, batch("old", 2))
    before = snapshot_bytes(path)

    def crash(*args: object) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(StoreLocation, "create_exclusive", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        append_events(path, batch("new", 2))
    assert snapshot_bytes(path) == before
    assert read_events(path)["event_id"].tolist() == ["old-0", "old-1"]
    assert leftovers(path) == []
    assert len(gpd.read_parquet(path)) == 2  # the moved part was taken back out


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_store_gives_a_clear_store_error(path: Path) -> None:
    append_events(path, batch("old", 1))
    before = snapshot_bytes(path)
    path.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"permission denied; make .* writable or set GEO_STORE"):
            append_events(path, batch("new", 1))
    finally:
        path.chmod(0o700)
    assert snapshot_bytes(path) == before


def _refuse_temp_file(*args: object, **kwargs: object) -> Any:
    raise PermissionError(errno.EACCES, "Permission denied", "/read-only")


def _fill_the_disk(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("target", "failure", "message"),
    [
        (tempfile, ("NamedTemporaryFile", _refuse_temp_file), "permission denied; make .* writable or set GEO_STORE"),
        (StoreLocation, ("open_output", _refuse_temp_file), "permission denied; make .* writable or set GEO_STORE"),
        (os, ("fsync", _fill_the_disk), "disk full; free space or set GEO_STORE to another path"),
    ],
    ids=["read-only-log", "read-only-staging", "disk-full"],
)
def test_write_failures_give_a_clear_store_error_and_change_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch, target: Any, failure: tuple[str, Any], message: str
) -> None:
    append_events(path, batch("old", 1))
    before = snapshot_bytes(path)
    monkeypatch.setattr(target, *failure)
    with pytest.raises(
        StoreError, match=f"cannot write the event store at {re.escape(str(path))}: {message}"
    ) as caught:
        append_events(path, batch("new", 1))
    assert "(the store is unchanged)" in str(caught.value)
    monkeypatch.undo()
    assert snapshot_bytes(path) == before
    assert leftovers(path) == []
    assert append_events(path, batch("new", 1)).added == 1


# -- columns added to the schema ------------------------------------------------------------------------------


def test_a_store_written_before_columns_were_added_reads_appends_and_compacts(tmp_path: Path) -> None:
    store = tmp_path / "events.parquet"
    append_events(store, batch("old", 3))
    old = rewrite_only_part(store)
    rewrite_only_part(store, old.drop_columns(sorted(ADDED_COLUMNS)))  # as an earlier version wrote it
    assert not ADDED_COLUMNS & set(pq.read_schema(part_files(store)[0]).names)
    stored = read_events(store)
    assert len(stored) == 3 and stored[sorted(ADDED_COLUMNS)].isna().all().all()
    found = EventQuery(store).event("old-0")  # no part has the added columns yet: they are read as nulls
    assert found is not None and all(found[name] is None for name in ADDED_COLUMNS)
    append_events(store, events(event("new", killed=2, missing=1, deaths=3, place_precision="city")))
    assert EventQuery(store).count(EventFilter()) == 4
    compact_store(store)
    merged = read_events(store).set_index("event_id")
    assert merged.loc["new", ["killed", "missing", "place_precision"]].tolist() == [2, 1, "city"]
    assert pd.isna(merged.loc["old-0", "killed"]) and len(merged) == 4
