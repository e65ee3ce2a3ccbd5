"""Tests of geo.store.query: each filter alone and together, pushed down to DuckDB over a real store; the
search through the full-text index; facets, days, pages, areas; rows outside the schema; newer versions."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from geo.errors import DataFormatError
from geo.store.arrowio import arrow_schema, to_arrow
from geo.store.compaction import compact
from geo.store.eventstore import append_events
from geo.store.location import StoreLocation
from geo.store.query import Bounds, EventFilter, EventQuery, Facets
from geo.store.schema import conform
from tests import rows
from tests.stores import rewrite_only_part


def places(*names: str) -> str:
    """A places column value naming ``names``, as geo.ingest writes it."""
    return json.dumps(
        [
            {"start": 0, "end": 1, "name": name, "lat": 0.0, "lon": 0.0, "country_code": "FR", "feature": "city"}
            for name in names
        ],
        ensure_ascii=False,
    )


#: The rows of these tests: a severity 2 flood in Paris published on 2025-01-15, with no figures and no source.
QUIET_FLOOD: dict[str, Any] = {
    "text": "Water rose in the streets.",
    "url": None,
    "source": None,
    "published_at": "2025-01-15T12:00:00Z",
    "ingested_at": "2025-03-01T00:00:00Z",
    "secondary_types": "",
    "severity": 2,
    "severity_reason": "damage",
    "deaths": None,
    "displaced": None,
    "wind_kmh": None,
    "places": places("Paris"),
}


def event(event_id: str, /, **changes: Any) -> dict[str, Any]:
    """One valid event row: QUIET_FLOOD unless changed."""
    return rows.event(event_id, **(QUIET_FLOOD | changes))


def store_of(folder: Path, *rows: dict[str, Any]) -> EventQuery:
    """A store holding ``rows`` (one append) and a query object over it that sees every new version."""
    path = folder / "events.parquet"
    append_events(path, conform(pd.DataFrame(list(rows))))
    return EventQuery(path, refresh=0)


def ids(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["event_id"])


def found(query: EventQuery, **filters: Any) -> list[str]:
    return ids(query.rows(EventFilter(**filters), ("event_id",)))


@pytest.fixture
def events(tmp_path: Path) -> EventQuery:
    return store_of(
        tmp_path / "events",
        event("flood"),
        event("quake", event_type="earthquake", secondary_types="tsunami", severity=4, country_code="JP"),
        event("storm", event_type="storm", secondary_types="flood", severity=3, title="Gale", country_code="DE"),
        event("nowhere", event_type="other", severity=1, place_name=None, country_code=None, lat=None, lon=None),
    )


def test_no_filter_keeps_every_event(events: EventQuery) -> None:
    assert events.count() == 4
    assert found(events) == ["flood", "nowhere", "quake", "storm"]


def test_types_match_the_primary_type_only(events: EventQuery) -> None:
    assert found(events, types=("flood",)) == ["flood"]
    assert found(events, types=("earthquake", "storm")) == ["quake", "storm"]
    assert found(events, types=("tsunami",)) == []


@pytest.mark.parametrize(("level", "expected"), [(1, 4), (2, 3), (3, 2), (4, 1), (5, 0)])
def test_minimum_severity(events: EventQuery, level: int, expected: int) -> None:
    assert events.count(EventFilter(min_severity=level)) == expected


def test_countries_exclude_events_with_no_country_and_match_any_case(events: EventQuery, tmp_path: Path) -> None:
    assert found(events, countries=("DE", "FR")) == ["flood", "storm"]
    assert found(events, countries=("US",)) == []
    lower = store_of(tmp_path / "lower", event("a", country_code="fr"))
    assert found(lower, countries=("FR",)) == ["a"]


def test_placed_and_unplaced(events: EventQuery) -> None:
    assert found(events, placed=True) == ["flood", "quake", "storm"]
    assert found(events, placed=False) == ["nowhere"]


@pytest.fixture
def dated(tmp_path: Path) -> EventQuery:
    return store_of(
        tmp_path / "dated",
        event("before", published_at="2024-12-31T23:59:59Z"),
        event("first", published_at="2025-01-01T00:00:00Z"),
        event("last", published_at="2025-01-31T23:59:59.999Z"),
        event("offset", published_at="2025-02-01T01:00:00+02:00"),  # 2025-01-31 23:00 UTC
        event("after", published_at="2025-02-01T00:00:00Z"),
        event("ingested", published_at=None, ingested_at="2025-01-20T08:00:00Z"),
        event("ingested late", published_at=None, ingested_at="2025-03-01T08:00:00Z"),
    )


def test_date_range_is_inclusive_in_utc_days(dated: EventQuery) -> None:
    assert found(dated, date_from=date(2025, 1, 1), date_to=date(2025, 1, 31)) == [
        "first",
        "ingested",
        "last",
        "offset",
    ]
    assert found(dated, date_to=date(2024, 12, 31)) == ["before"]
    assert found(dated, date_from=date(2025, 2, 1)) == ["after", "ingested late"]
    assert found(dated, until=date(2025, 1, 1)) == ["before", "first"]  # the time player's last day
    assert dated.count(EventFilter(date_from=date(1, 1, 1), date_to=date(9999, 12, 31))) == 7


@pytest.fixture
def texts(tmp_path: Path) -> EventQuery:
    return store_of(
        tmp_path / "texts",
        event("title", title="Dam BURST upstream"),
        event("text", text="Officials said the levees were breached overnight."),
        event("place", place_name="Saint-Étienne", places=places("Saint-Étienne")),
        event("json name", place_name="NYC", places=places("New York City", 'Quote "Town" \\ Hall')),
        event("no place", place_name=None, country_code=None, lat=None, lon=None, places="[]"),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dam burst", ["title"]),
        ("DAM", ["title"]),
        ("levee", ["text"]),  # words are found by their start: "levee" finds "levees"
        ("breach overnight", ["text"]),
        ("vees", []),  # not inside a word
        ("saint-étienne", ["place"]),
        ("SAINT ETIENNE", ["place"]),  # accents and case do not matter
        ("new york", ["json name"]),
        ('"town" \\ hall', ["json name"]),
        ("city", ["json name"]),
        ("feature", []),  # a key of the places JSON, not a place name
        ("nyc", ["json name"]),
        ("dam levees", []),  # every word must be found in the same event
        (".*", []),  # no words at all: nothing
        ("[", []),
        ('" OR "', []),  # the search's own syntax is never read from the query
        ("NEAR(dam burst)", []),
    ],
)
def test_the_search_finds_events_with_every_word(texts: EventQuery, query: str, expected: list[str]) -> None:
    assert found(texts, text=query) == expected


def test_filters_combine(events: EventQuery, tmp_path: Path) -> None:
    chosen = EventFilter(types=("flood", "storm"), min_severity=2, countries=("DE", "FR"), text="flood")
    assert ids(events.rows(chosen, ("event_id",))) == ["flood"]
    many = store_of(tmp_path / "many", *(event(f"e{i}", severity=1 + i % 5, title=f"Flood {i % 3}") for i in range(20)))
    assert found(many, min_severity=5, text="flood 1") == ["e19", "e4"]


def test_bounds_keep_the_placed_events_in_a_box_across_the_antimeridian(tmp_path: Path) -> None:
    query = store_of(
        tmp_path,
        event("paris"),
        event("tokyo", lat=35.7, lon=139.7),
        event("fiji", lat=-17.7, lon=178.1),
        event("samoa", lat=-13.8, lon=-172.1),
        event("nowhere", lat=None, lon=None, place_name=None),
    )
    assert found(query, bounds=Bounds.of_view(40, -10, 55, 20)) == ["paris"]
    assert found(query, bounds=Bounds.of_view(-30, 170, 40, 200)) == ["fiji", "samoa"]  # a view that wraps
    assert found(query, bounds=Bounds.of_view(-30, -190, 40, -170)) == ["fiji", "samoa"]
    assert found(query, bounds=Bounds.of_view(-90, -500, 90, 500)) == ["fiji", "paris", "samoa", "tokyo"]
    with pytest.raises(DataFormatError, match="not a map view"):
        Bounds.of_view(10, 0, -10, 5)


def test_a_page_of_rows_in_order(tmp_path: Path) -> None:
    rows = [event(f"e{i}", severity=1 + i % 5, published_at=f"2025-01-{1 + i:02d}T00:00:00Z") for i in range(12)]
    query = store_of(tmp_path, *rows)
    newest = query.rows(EventFilter(), ("event_id", "severity"), limit=3)
    assert list(newest["event_id"]) == ["e11", "e10", "e9"]
    worst = query.rows(EventFilter(), ("event_id", "severity"), limit=4, offset=1, order="severity")
    assert list(worst["event_id"]) == ["e4", "e8", "e3", "e7"]  # most severe first, then the newest
    assert list(worst["severity"]) == [5, 4, 4, 3]
    with pytest.raises(ValueError, match="not columns of the store"):
        query.rows(EventFilter(), ("event_id", "secret; DROP TABLE"))
    with pytest.raises(ValueError, match="order"):
        query.rows(EventFilter(), ("event_id",), order="random()")


def test_facets_days_extent_and_one_event(events: EventQuery, dated: EventQuery) -> None:
    assert events.facets() == Facets(
        total=4,
        types=(("earthquake", 1), ("flood", 1), ("storm", 1), ("other", 1)),
        countries=(("DE", 1), ("FR", 1), ("JP", 1)),
        severities=((1, 1), (2, 1), (3, 1), (4, 1)),
        date_min=date(2025, 1, 15),
        date_max=date(2025, 1, 15),
        without_country=1,
    )
    summary = dated.facets()
    assert (summary.date_min, summary.date_max) == (date(2024, 12, 31), date(2025, 3, 1))
    days = dated.days(EventFilter())
    assert days["count"].sum() == 7 and set(days.columns) == {"day", "severity", "count"}
    assert events.extent() == [[48.8566, 2.3522], [48.8566, 2.3522]]
    assert events.extent(EventFilter(types=("other",))) is None
    row = events.event("quake")
    assert row is not None and row["event_type"] == "earthquake" and row["severity"] == 4
    assert events.event("no such event") is None
    assert list(events.table(EventFilter(types=("storm",)), limit=10)["event_id"]) == ["storm"]


def test_areas_count_events_with_their_levels_and_main_types(tmp_path: Path) -> None:
    query = store_of(
        tmp_path,
        event("a", severity=5, lat=10.5, lon=10.5, event_type="earthquake"),
        event("b", severity=2, lat=11.0, lon=11.0),
        event("c", severity=2, lat=12.0, lon=12.0),
        event("far", severity=1, lat=-40.0, lon=100.0),
    )
    cells = query.cells(EventFilter(), 10.0)
    first = cells.iloc[0]
    assert (first["count"], first["worst"], first["s2"], first["s5"]) == (3, 5, 2, 1)
    assert [(item["t"], item["n"]) for item in first["types"]] == [("flood", 2), ("earthquake", 1)]
    assert abs(first["lat"] - (10.5 + 11 + 12) / 3) < 1e-9
    assert list(cells["count"]) == [3, 1]


def test_rows_another_tool_wrote_outside_the_schema_are_left_out_and_counted(tmp_path: Path) -> None:
    query = store_of(tmp_path, event("a"), event("b"), event("c"))
    table = rewrite_only_part(tmp_path / "events.parquet")
    index = table.schema.get_field_index("severity")
    rewrite_only_part(
        tmp_path / "events.parquet",
        table.set_column(index, table.schema.field(index), pa.array([1, 9, 2], pa.int64())),
    )
    fresh = EventQuery(tmp_path / "events.parquet")
    assert fresh.count() == 2
    assert fresh.problems() == [
        "1 stored rows do not fit the event schema (written by another tool?): they are left out"
    ]
    assert query.problems() in ([], fresh.problems())


def test_a_newer_version_is_seen_and_a_merge_under_a_reader_is_survived(tmp_path: Path) -> None:
    query = store_of(tmp_path, event("a"))
    path = tmp_path / "events.parquet"
    append_events(path, conform(pd.DataFrame([event("b", title="Landslide")])))
    assert query.count() == 2 and found(query, text="landslide") == ["b"]
    stale = EventQuery(path, refresh=3600)
    assert stale.count() == 2
    compact(StoreLocation.of(path))  # deletes the parts the stale reader's version names
    append_events(path, conform(pd.DataFrame([event("c")])))
    assert stale.count(EventFilter(types=("flood",), min_severity=2)) == 3  # read again from the newest version


def test_a_single_file_store_is_queried_in_place(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "events.parquet"
    with pq.ParquetWriter(path, arrow_schema()) as writer:
        writer.write_table(to_arrow(conform(pd.DataFrame([event("a", title="Cyclone Freddy"), event("b")]))))
    query = EventQuery(path)
    assert query.count() == 2 and found(query, text="freddy") == ["a"]
    assert path.is_file()  # a reader never migrates


def test_an_empty_store_answers_with_nothing(tmp_path: Path) -> None:
    query = EventQuery(tmp_path / "none")
    assert query.count() == 0 and query.extent() is None and query.problems() == []
    assert query.facets() == Facets(0, (), (), (), None, None, 0)
    assert query.rows(EventFilter(text="x"), ("event_id",)).empty


WIRE_C = "https://www.Wire-C.example/story?id=3"


def test_the_stories_of_one_event_are_one_row_with_the_latest_toll(tmp_path: Path) -> None:
    query = store_of(
        tmp_path,
        event("first", cluster_id="first", deaths=12, severity=3, published_at="2024-05-01T10:00:00Z", source="A"),
        event("second", cluster_id="first", deaths=40, severity=4, published_at="2024-05-02T10:00:00Z", source="B"),
        event("third", cluster_id="first", severity=2, published_at="2024-05-03T10:00:00Z", source="B", url=WIRE_C),
        event("alone", published_at="2024-05-02T10:00:00Z"),  # a store written before clusters: its own event
    )
    assert query.count() == 2
    listed = query.rows(columns=["event_id", "deaths", "severity", "stories", "sources", "first_day", "last_day"])
    row = listed.set_index("event_id").loc["third"]
    assert (row["deaths"], row["severity"], row["stories"], row["sources"]) == (40, 4, 3, 3)  # B's story is C's
    assert (str(row["first_day"])[:10], str(row["last_day"])[:10]) == ("2024-05-01", "2024-05-03")
    assert query.event("first") is not None  # any story can still be shown
    assert list(query.reports("first")["event_id"]) == ["first", "second", "third"]
    assert query.count(EventFilter(min_severity=4)) == 1  # the filters pick stories; their event shows once
    assert len(query.table(limit=10)) == 4  # exports keep every story
