"""Tests of geo.ingest (articles to the event table) and of the ingest, classify and export commands."""

from __future__ import annotations

import csv
import json
import math
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from geopy.distance import distance, geodesic

from geo.ingest import build_events, ingest_sources, story_text
from geo.places.geoparse import Geoparser
from geo.read.articles import Upload, iter_articles
from geo.read.records import Article, Problem, article_id
from geo.store.eventstore import read_events
from geo.store.query import EventFilter, EventQuery
from geo.store.schema import EVENT_COLUMNS, empty_events
from tests.stores import snapshot_bytes

RunGeo = Callable[..., subprocess.CompletedProcess[str]]

SUMMARY = re.compile(
    r"^read (?P<read>\d+) stories, added (?P<added>\d+) events, skipped (?P<skipped>\d+), unplaced (?P<unplaced>\d+)"
)
CONTRACT_KEYS = {
    "id",
    "event_type",
    "severity",
    "severity_reason",
    "deaths",
    "injured",
    "displaced",
    "magnitude",
    "category",
    "wind_kmh",
}
INGESTED_AT = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
PUBLISHED_AT = datetime(2025, 10, 31, 8, 30, tzinfo=UTC)


def article(title: str, text: str, **fields: Any) -> Article:
    return Article(article_id(title, text), title, text, **fields)


QUAKE = article(
    "Quake in Peru",
    "A magnitude 6.1 earthquake struck near Lima, Peru, killing 3 people.",
    url="https://example.org/quake",
    source="Example Wire",
    published_at=PUBLISHED_AT,
)
COMET = article("Comet", "Astronomers tracked a comet beyond the orbit of Neptune.")


def summary(done: subprocess.CompletedProcess[str]) -> dict[str, int]:
    """The figures of the last stdout line of ``geo ingest``."""
    match = SUMMARY.match(done.stdout.splitlines()[-1])
    assert match is not None, done.stdout
    return {name: int(value) for name, value in match.groupdict().items()}


def plain(row: pd.Series) -> dict[str, Any]:
    """A row's cells as Python values, None for missing ones."""
    return {name: None if not isinstance(value, str) and pd.isna(value) else value for name, value in row.items()}


# -- story_text and build_events on inline articles -------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "text", "story"),
    [
        ("Quake in Peru", "A quake struck near Lima.", "Quake in Peru\nA quake struck near Lima."),
        ("A quake struck near Lima…", "A quake struck near Lima, Peru.", "A quake struck near Lima, Peru."),
        ("Quake in Peru", "", "Quake in Peru"),
        ("", "A quake struck near Lima.", "A quake struck near Lima."),
    ],
)
def test_story_text_joins_title_and_body_once(title: str, text: str, story: str) -> None:
    assert story_text(Article("x", title, text)) == story


def test_build_events_has_the_store_schema(geoparser: Geoparser) -> None:
    events = build_events([QUAKE, COMET], geoparser, ingested_at=INGESTED_AT)
    assert isinstance(events, gpd.GeoDataFrame)
    assert tuple(events.columns) == EVENT_COLUMNS
    assert events.crs == "EPSG:4326"
    assert events.dtypes.to_dict() == empty_events().dtypes.to_dict()


def test_build_events_gives_one_row_per_distinct_article(geoparser: Geoparser) -> None:
    events = build_events([QUAKE, COMET, QUAKE, COMET], geoparser, ingested_at=INGESTED_AT)
    assert list(events["event_id"]) == [QUAKE.id, COMET.id]


def test_build_events_fills_a_row_from_the_story(geoparser: Geoparser) -> None:
    row = plain(build_events([QUAKE], geoparser, ingested_at=INGESTED_AT).iloc[0])
    assert {name: row[name] for name in ("event_id", "url", "source", "event_type", "deaths", "country_code")} == {
        "event_id": QUAKE.id,
        "url": "https://example.org/quake",
        "source": "Example Wire",
        "event_type": "earthquake",
        "deaths": 3,
        "country_code": "PE",
    }
    assert (row["published_at"], row["ingested_at"]) == (PUBLISHED_AT, INGESTED_AT)
    assert (row["geometry"].x, row["geometry"].y) == (row["lon"], row["lat"])
    assert {p["name"] for p in json.loads(row["places"])} >= {"Lima", "Peru"}


def test_a_story_with_no_place_has_null_geometry(geoparser: Geoparser) -> None:
    row = plain(build_events([COMET], geoparser, ingested_at=INGESTED_AT).iloc[0])
    assert [row[name] for name in ("geometry", "lat", "lon", "place_name", "country_code")] == [None] * 5
    assert json.loads(row["places"]) == []


def test_build_events_of_no_articles_is_the_empty_schema(geoparser: Geoparser) -> None:
    events = build_events([], geoparser)
    assert events.empty
    assert tuple(events.columns) == EVENT_COLUMNS
    assert events.crs == "EPSG:4326"


# -- the sample page ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_events(sample_page: Path, geoparser: Geoparser) -> gpd.GeoDataFrame:
    problems: list[Problem] = []
    events = build_events(iter_articles(sample_page, problems), geoparser, ingested_at=INGESTED_AT)
    assert problems == []
    return events


def story(events: gpd.GeoDataFrame, fragment: str) -> dict[str, Any]:
    """The one row whose text contains ``fragment``."""
    rows = events[events["text"].str.contains(fragment, regex=False)]
    assert len(rows) == 1, f"{len(rows)} rows contain {fragment!r}"
    return plain(rows.iloc[0])


def test_the_sample_page_gives_one_row_per_story(sample_events: gpd.GeoDataFrame) -> None:
    assert 10 <= len(sample_events) <= 12
    assert sample_events["event_id"].is_unique


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        (
            "6.9-magnitude earthquake",
            {
                "event_type": "earthquake",
                "magnitude": 6.9,
                "deaths": 69,
                "injured": 150,
                "severity": 3,
                "place_name": "Cebu City",
                "country_code": "PH",
            },
        ),
        (
            "Drake Passage",  # at the point the text gives, not at the passage's centre on the Antarctic Peninsula
            {"event_type": "earthquake", "magnitude": 7.8, "place_name": "135 miles south of Puerto Williams"},
        ),
        (
            "Hurricane Melissa",
            {"event_type": "tropical_cyclone", "category": 5, "place_name": "Jamaica", "country_code": "JM"},
        ),
        ("el-Fasher", {"event_type": "armed_conflict", "severity": 4, "place_name": "El Fasher", "country_code": "SD"}),
        ("Pokrovsk", {"event_type": "armed_conflict", "place_name": "Pokrovsk", "country_code": "UA"}),
        (
            "A shooting in Nice",
            {"deaths": 2, "injured": 5, "severity": 2, "place_name": "Nice", "country_code": "FR"},
        ),
    ],
    ids=["cebu", "drake-passage", "melissa", "el-fasher", "pokrovsk", "nice"],
)
def test_sample_story(sample_events: gpd.GeoDataFrame, fragment: str, expected: dict[str, Any]) -> None:
    row = story(sample_events, fragment)
    assert {name: row[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("fragment", "column", "at_least"),
    [("Hurricane Melissa", "severity", 4), ("Hurricane Melissa", "deaths", 25)],
)
def test_sample_story_lower_bounds(sample_events: gpd.GeoDataFrame, fragment: str, column: str, at_least: int) -> None:
    assert story(sample_events, fragment)[column] >= at_least


def test_hundreds_killed_is_kept_vague_and_still_sets_severity(sample_events: gpd.GeoDataFrame) -> None:
    row = story(sample_events, "el-Fasher")
    assert pd.isna(row["deaths"]) and row["severity"] == 4
    assert row["severity_reason"] == "deaths about 100 (vague) -> 4"


@pytest.mark.parametrize(
    ("fragment", "precision"),
    [("Drake Passage", "point"), ("Cebu", "city"), ("Hurricane Melissa", "country"), ("el-Fasher", "city")],
)
def test_each_event_says_how_precisely_it_is_placed(
    sample_events: gpd.GeoDataFrame, fragment: str, precision: str
) -> None:
    assert story(sample_events, fragment)["place_precision"] == precision


def test_killed_and_missing_are_stored_apart(sample_events: gpd.GeoDataFrame) -> None:
    row = story(sample_events, "Hurricane Melissa")
    assert row["killed"] == row["deaths"] and pd.isna(row["missing"])


def test_the_drake_passage_quake_is_where_the_text_puts_it(sample_events: gpd.GeoDataFrame) -> None:
    row = story(sample_events, "Drake Passage")
    puerto_williams = (-54.9336, -67.6167)  # the town, as any atlas has it
    told = distance(miles=135).destination(puerto_williams, bearing=180)
    assert geodesic((row["lat"], row["lon"]), (told.latitude, told.longitude)).km < 100
    assert row["country_code"] == "CL"


def test_the_interstellar_object_has_no_geometry(sample_events: gpd.GeoDataFrame) -> None:
    row = story(sample_events, "object from another star")
    assert (row["geometry"], row["event_type"]) == (None, "other")


# -- the command line ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(run_geo: RunGeo, sample_page: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the sample page, written by ``geo ingest --store``."""
    store = tmp_path_factory.mktemp("store") / "events.parquet"
    done = run_geo("ingest", str(sample_page), "--store", str(store))
    assert done.returncode == 0, done.stderr
    figures = summary(done)
    assert figures["added"] == figures["read"] == len(read_events(store))
    assert figures["unplaced"] == 1
    return store


def test_ingesting_the_sample_again_adds_nothing(run_geo: RunGeo, sample_page: Path, sample_store: Path) -> None:
    before = snapshot_bytes(sample_store)
    done = run_geo("ingest", str(sample_page), env={"GEO_STORE": str(sample_store)})
    assert done.returncode == 0, done.stderr
    figures = summary(done)
    assert 10 <= figures["read"] <= 12
    assert (figures["added"], figures["skipped"]) == (0, figures["read"])
    assert snapshot_bytes(sample_store) == before


def test_a_bad_jsonl_line_is_reported_and_the_good_ones_added(run_geo: RunGeo, tmp_path: Path) -> None:
    source = tmp_path / "news.jsonl"
    source.write_text(
        json.dumps({"title": "Quake", "text": "A magnitude 6.1 earthquake struck near Lima, Peru."})
        + "\n{not json\n"
        + json.dumps({"title": "Flood", "text": "Floods in Dhaka, Bangladesh, displaced 20,000 people."})
        + "\n",
        encoding="utf-8",
    )
    store = tmp_path / "events.parquet"
    done = run_geo("ingest", str(source), "--store", str(store))
    assert done.returncode == 1
    assert f"{source}:2: not JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert summary(done)["added"] == 2
    assert sorted(read_events(store)["title"]) == ["Flood", "Quake"]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty: no articles"), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50, "binary data")],
    ids=["empty", "binary"],
)
@pytest.mark.parametrize("stored", [True, False], ids=["store-exists", "no-store"])
def test_an_empty_or_binary_file_leaves_the_store_alone(
    run_geo: RunGeo, sample_store: Path, tmp_path: Path, content: bytes, message: str, stored: bool
) -> None:
    source = tmp_path / "input.txt"
    source.write_bytes(content)
    store = tmp_path / "events.parquet"
    if stored:
        shutil.copytree(sample_store, store)
    before = snapshot_bytes(store)
    done = run_geo("ingest", str(source), "--store", str(store))
    assert done.returncode == 1
    assert f"geo ingest: {source}: {message}" in done.stderr
    assert "Traceback" not in done.stderr
    assert summary(done)["added"] == 0
    assert snapshot_bytes(store) == before


def test_classify_writes_one_line_per_input_line_in_order(run_geo: RunGeo) -> None:
    lines = [
        json.dumps({"id": 3, "text": "A magnitude 6.1 earthquake struck near Lima, Peru, killing 3 people."}),
        "{not json",
        json.dumps({"id": "b", "text": "The central bank raised interest rates as inflation rose."}),
        json.dumps({"id": 1, "text": "Hello world."}),
    ]
    done = run_geo("classify", stdin="\n".join(lines) + "\n")
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [record.get("id") for record in records] == [3, None, "b", 1]
    assert [record.get("event_type") for record in records] == ["earthquake", None, "economic", "other"]
    assert all(set(record) == CONTRACT_KEYS for i, record in enumerate(records) if i != 1)
    assert set(records[1]) == {"id", "error"}
    assert done.returncode == 1
    assert "line 2" in done.stderr
    assert "Traceback" not in done.stderr


def test_export_geojson_is_a_feature_collection_in_lon_lat_order(run_geo: RunGeo, sample_store: Path) -> None:
    done = run_geo("export", "--store", str(sample_store), "--format", "geojson")
    assert done.returncode == 0, done.stderr
    collection = json.loads(done.stdout)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert len(features) == len(read_events(sample_store))
    placed = [f for f in features if f["geometry"] is not None]
    assert len(features) - len(placed) == 1
    for feature in placed:
        props = feature["properties"]
        assert feature["id"] == props["event_id"]
        assert feature["geometry"]["type"] == "Point"
        assert feature["geometry"]["coordinates"] == pytest.approx([props["lon"], props["lat"]])
    cebu = next(f for f in placed if f["properties"]["place_name"] == "Cebu City")
    lon, lat = cebu["geometry"]["coordinates"]
    assert math.isclose(lon, 123.9, abs_tol=0.5) and math.isclose(lat, 10.3, abs_tol=0.5)


def test_export_csv_has_a_header_and_one_row_per_event(run_geo: RunGeo, sample_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    done = run_geo("export", "--format", "csv", "--out", str(out), env={"GEO_STORE": str(sample_store)})
    assert done.returncode == 0, done.stderr
    with out.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        rows = list(reader)
    assert reader.fieldnames == [name for name in EVENT_COLUMNS if name != "geometry"]
    assert len(rows) == len(read_events(sample_store))
    assert {row["event_id"] for row in rows} == set(read_events(sample_store)["event_id"])


# -- uploads (the page's "Add news": files given as bytes) ---------------------------------------------------------

GOOD_STORY = "Floods killed 3 people in Lyon, France, on Monday after the Rhone burst its banks."
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><rss><channel><title>Feed</title><item>'
    b"<title>Storm in Oslo &lol3;</title><description>A storm hit Oslo, Norway.</description></item></channel></rss>"
)
#: (upload name, bytes, a fragment of the problem it gives or None, how many stories it still yields)
BAD_UPLOADS = [
    ("empty.txt", b"", "empty: no articles", 0),
    ("noise.txt", bytes(range(256)) * 40, "binary data", 0),
    (
        "latin1.txt",
        "Séisme à Nice\nUn séisme a frappé Nice, en France, lundi matin.\n".encode("latin-1"),
        "not UTF-8",
        1,
    ),
    (
        "lines.jsonl",
        json.dumps({"title": "Flood in Lyon", "text": GOOD_STORY}).encode() + b'\n{"title": bad\n',
        ":2",
        1,
    ),
    ("columns.csv", b"headline,body\nFlood,Water everywhere in Lyon.\n", "names neither", 0),
    ("quotes.csv", b'title,text\nFlood in Lyon,"' + GOOD_STORY.encode() + b"\n", "never closed", 0),
    (
        "cut.xml",
        b"<rss><channel><item><title>Flood in Lyon</title><description>" + GOOD_STORY.encode(),
        "well-formed",
        1,
    ),
    ("laughs.xml", BILLION_LAUGHS, "declares XML entities", 1),
    (
        "script.html",
        b"<html><head><title>Flood in Lyon</title><script>alert(1)</script></head><body><p>"
        + GOOD_STORY.encode()
        + b"</p><script>document.write('pwned')</script></body></html>",
        None,
        1,
    ),
]


@pytest.mark.parametrize(("name", "data", "problem", "stories"), BAD_UPLOADS, ids=[u[0] for u in BAD_UPLOADS])
def test_every_bad_upload_is_reported_by_name_and_loses_nothing(
    geoparser: Geoparser, tmp_path: Path, name: str, data: bytes, problem: str | None, stories: int
) -> None:
    good = Upload("good.jsonl", json.dumps({"title": "Quake in Oslo", "text": "A quake shook Oslo, Norway."}).encode())
    store = tmp_path / "events.parquet"
    report = ingest_sources([Upload(f"C:\\Users\\me\\{name}", data), good], store, geoparser)
    stored = read_events(store)
    assert report.read == stories + 1 == len(stored)
    assert "Quake in Oslo" in stored["title"].tolist()
    texts = " ".join(stored["title"] + " " + stored["text"])
    assert "lollol" not in texts and "alert(1)" not in texts and "pwned" not in texts
    if problem is None:
        assert report.problems == ()
    else:
        assert any(p.where.startswith(name) and problem in str(p) for p in report.problems), report.problems


def test_uploads_with_nothing_readable_leave_the_store_unchanged(geoparser: Geoparser, tmp_path: Path) -> None:
    store = tmp_path / "events.parquet"
    ingest_sources(
        [Upload("first.jsonl", json.dumps({"title": "Flood in Lyon", "text": GOOD_STORY}).encode())], store, geoparser
    )
    before = snapshot_bytes(store)
    bad = [Upload(name, data) for name, data, _, stories in BAD_UPLOADS if stories == 0]
    report = ingest_sources(bad, store, geoparser)
    assert (report.read, report.added) == (0, 0)
    assert [p.where.split(":")[0] for p in report.problems] == [u.name for u in bad]
    assert snapshot_bytes(store) == before


# -- a source's locale --------------------------------------------------------------------------------------------


def _weather_reports(path: Path, locale: str | None = None) -> Path:
    """Two terse US weather reports, the second with its own locale field (or none)."""
    first = {"title": "Fog", "text": "Dense fog closed the road near Glasgow airport overnight."}
    second = {"title": "Snow", "text": "A plane slid off the icy runway at Sidney during the storm."}
    if locale is not None:
        second["locale"] = locale
    path.write_text("".join(json.dumps(record) + "\n" for record in (first, second)), encoding="utf-8")
    return path


def test_a_locale_field_prefers_its_country_s_places(tmp_path: Path, geoparser: Geoparser) -> None:
    store = tmp_path / "events.parquet"
    report = ingest_sources([str(_weather_reports(tmp_path / "in.jsonl", "us"))], store, geoparser)
    assert not report.problems
    places = read_events(store).set_index("title")["country_code"].to_dict()
    assert places == {"Fog": "GB", "Snow": "US"}  # only the second story says it is from the US


def test_geo_ingest_locale_is_the_default_of_every_story(run_geo: RunGeo, tmp_path: Path) -> None:
    store = tmp_path / "events.parquet"
    done = run_geo("ingest", str(_weather_reports(tmp_path / "in.jsonl")), "--store", str(store), "--locale", "us")
    assert done.returncode == 0, done.stderr
    assert set(read_events(store)["country_code"]) == {"US"}


def test_a_bad_locale_is_a_message(run_geo: RunGeo, tmp_path: Path) -> None:
    done = run_geo("ingest", str(_weather_reports(tmp_path / "in.jsonl")), "--locale", "USA")
    assert done.returncode == 2 and "not a two-letter country code" in done.stderr
    source = _weather_reports(tmp_path / "bad.jsonl", "U1")
    done = run_geo("ingest", str(source), "--store", str(tmp_path / "events.parquet"))
    assert "locale 'U1' is not a two-letter country code; left empty" in done.stderr


def _jsonl(*stories: tuple[str, str, str, str]) -> bytes:
    fields = ("title", "text", "published_at", "source")
    return "".join(json.dumps(dict(zip(fields, story, strict=True))) + "\n" for story in stories).encode()


def test_stories_of_one_event_share_a_cluster_across_runs(tmp_path: Path, geoparser: Geoparser) -> None:
    store = tmp_path / "events.parquet"
    first = ("Quake hits Padang", "A magnitude 6.9 earthquake strikes near Padang, Indonesia, killing 12 people.",
             "2024-05-01", "Wire A")  # fmt: skip
    other = ("Floods in Lyon", "Floods in Lyon, France, force 300 people from their homes.", "2024-05-02", "Wire A")
    later = ("Padang toll rises", "The death toll from the earthquake near Padang, Indonesia, rises to 40.",
             "2024-05-02", "Wire B")  # fmt: skip
    ingest_sources([Upload("a.jsonl", _jsonl(first, other))], store, geoparser)
    ingest_sources([Upload("b.jsonl", _jsonl(later))], store, geoparser)  # a later run reads the stored stories
    table = read_events(store).set_index("title")
    assert table.loc["Padang toll rises", "cluster_id"] == table.loc["Quake hits Padang", "cluster_id"]
    assert table.loc["Quake hits Padang", "cluster_id"] == table.loc["Quake hits Padang", "event_id"]
    assert table.loc["Floods in Lyon", "cluster_id"] == table.loc["Floods in Lyon", "event_id"]
    query = EventQuery(store, refresh=0)
    (deaths,) = query.rows(EventFilter(types=("earthquake",)), ["deaths"])["deaths"]
    assert query.count() == 2 and deaths == 40
