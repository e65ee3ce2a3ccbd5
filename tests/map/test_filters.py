"""Tests of geo.map.filters: each filter alone and together, over tiny event tables, and the facets."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from geo.errors import DataFormatError
from geo.map.filters import Facets, facets, filter_events
from geo.map.urlstate import ViewState
from geo.store.schema import conform, empty_events


def places(*names: str) -> str:
    """A places column value naming ``names``, as geo.ingest writes it."""
    return json.dumps(
        [
            {"start": 0, "end": 1, "name": name, "lat": 0.0, "lon": 0.0, "country_code": "FR", "feature": "city"}
            for name in names
        ],
        ensure_ascii=False,
    )


def event(event_id: str, /, **changes: Any) -> dict[str, Any]:
    """One valid event row: a severity 2 flood in Paris published on 2025-01-15 (unless changed)."""
    row: dict[str, Any] = {
        "event_id": event_id,
        "title": f"Flood {event_id}",
        "text": "Water rose in the streets.",
        "url": None,
        "source": None,
        "published_at": "2025-01-15T12:00:00Z",
        "ingested_at": "2025-03-01T00:00:00Z",
        "event_type": "flood",
        "secondary_types": "",
        "severity": 2,
        "severity_reason": "damage",
        "deaths": None,
        "injured": None,
        "displaced": None,
        "magnitude": None,
        "category": None,
        "wind_kmh": None,
        "place_name": "Paris",
        "country_code": "FR",
        "lat": 48.8566,
        "lon": 2.3522,
        "places": places("Paris"),
    }
    return row | changes


def table(*rows: dict[str, Any]) -> gpd.GeoDataFrame:
    return conform(pd.DataFrame(list(rows)))


def ids(frame: pd.DataFrame) -> list[str]:
    return list(frame["event_id"])


@pytest.fixture
def events() -> gpd.GeoDataFrame:
    return table(
        event("flood"),
        event("quake", event_type="earthquake", secondary_types="tsunami", severity=4, country_code="JP"),
        event("storm", event_type="storm", secondary_types="flood", severity=3, title="Gale", country_code="DE"),
        event("nowhere", event_type="other", severity=1, place_name=None, country_code=None, lat=None, lon=None),
    )


def test_the_default_view_keeps_every_event_in_a_new_frame_of_the_same_class(events: gpd.GeoDataFrame) -> None:
    kept = filter_events(events, ViewState())
    assert isinstance(kept, gpd.GeoDataFrame)
    assert kept is not events
    pd.testing.assert_frame_equal(kept, events)


def test_types_match_the_primary_type_only(events: gpd.GeoDataFrame) -> None:
    assert ids(filter_events(events, ViewState(types=("flood",)))) == ["flood"]
    assert ids(filter_events(events, ViewState(types=("earthquake", "storm")))) == ["quake", "storm"]
    assert ids(filter_events(events, ViewState(types=("tsunami",)))) == []


@pytest.mark.parametrize(("level", "expected"), [(1, 4), (2, 3), (3, 2), (4, 1), (5, 0)])
def test_minimum_severity(events: gpd.GeoDataFrame, level: int, expected: int) -> None:
    kept = filter_events(events, ViewState(min_severity=level))
    assert len(kept) == expected
    assert (kept["severity"] >= level).all()


def test_countries_exclude_events_with_no_country(events: gpd.GeoDataFrame) -> None:
    assert ids(filter_events(events, ViewState(countries=("DE", "FR")))) == ["flood", "storm"]
    assert ids(filter_events(events, ViewState(countries=("US",)))) == []


def test_stored_country_codes_match_in_any_case() -> None:
    assert ids(filter_events(table(event("a", country_code="fr")), ViewState(countries=("FR",)))) == ["a"]


@pytest.fixture
def dated() -> gpd.GeoDataFrame:
    return table(
        event("before", published_at="2024-12-31T23:59:59Z"),
        event("first", published_at="2025-01-01T00:00:00Z"),
        event("last", published_at="2025-01-31T23:59:59.999Z"),
        event("offset", published_at="2025-02-01T01:00:00+02:00"),  # 2025-01-31 23:00 UTC
        event("after", published_at="2025-02-01T00:00:00Z"),
        event("ingested", published_at=None, ingested_at="2025-01-20T08:00:00Z"),
        event("ingested late", published_at=None, ingested_at="2025-03-01T08:00:00Z"),
    )


def test_date_range_is_inclusive_in_utc_days(dated: gpd.GeoDataFrame) -> None:
    view = ViewState(date_from=date(2025, 1, 1), date_to=date(2025, 1, 31))
    assert ids(filter_events(dated, view)) == ["first", "last", "offset", "ingested"]


def test_one_sided_date_ranges(dated: gpd.GeoDataFrame) -> None:
    assert ids(filter_events(dated, ViewState(date_to=date(2024, 12, 31)))) == ["before"]
    assert ids(filter_events(dated, ViewState(date_from=date(2025, 2, 1)))) == ["after", "ingested late"]


def test_dates_outside_the_pandas_range_do_not_overflow(dated: gpd.GeoDataFrame) -> None:
    assert len(filter_events(dated, ViewState(date_from=date(1, 1, 1), date_to=date(9999, 12, 31)))) == len(dated)


@pytest.fixture
def texts() -> gpd.GeoDataFrame:
    return table(
        event("title", title="Dam BURST upstream"),
        event("text", text="Officials said a.b( was the code name."),
        event("near miss", text="Officials said axb( was the code name."),
        event("place", place_name="Saint-Étienne", places=places("Saint-Étienne")),
        event("json name", place_name="NYC", places=places("New York City", 'Quote "Town" \\ Hall')),
        event("no place", place_name=None, country_code=None, lat=None, lon=None, places="[]"),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("dam burst", ["title"]),
        ("A.B(", ["text"]),
        ("saint-étienne", ["place"]),
        ("SAINT-ÉTIENNE", ["place"]),
        ("new york", ["json name"]),
        ('"town" \\ hall', ["json name"]),
        ("feature", []),  # a key of the places JSON, not a place name
        ('"name": "', []),
        ("city", ["json name"]),
        (".*", []),
        ("[", []),
    ],
)
def test_text_search_is_literal_and_ignores_case(texts: gpd.GeoDataFrame, query: str, expected: list[str]) -> None:
    assert ids(filter_events(texts, ViewState(query=query))) == expected


def test_text_search_on_plain_object_columns() -> None:
    """Without pyarrow strings pandas runs the place-name pattern in Python's ``re``: same answers."""
    frame = pd.DataFrame(
        {
            "event_id": ["a", "b", "c"],
            "title": ["x", "x", "x"],
            "text": ["a.b( here", "axb( here", "nothing"],
            "place_name": [None, None, None],
            "places": [places("a"), places("São Paulo"), places('Quote "Town"')],
        },
        dtype=object,
    )
    assert ids(filter_events(frame, ViewState(query="A.B("))) == ["a"]
    assert ids(filter_events(frame, ViewState(query="são"))) == ["b"]
    assert ids(filter_events(frame, ViewState(query='"town"'))) == ["c"]
    assert ids(filter_events(frame, ViewState(query="name"))) == []


def test_filters_combine(events: gpd.GeoDataFrame) -> None:
    view = ViewState(types=("flood", "storm"), min_severity=2, countries=("DE", "FR"), query="flood")
    assert ids(filter_events(events, view)) == ["flood"]
    many = table(*(event(f"e{i}", severity=1 + i % 5, title=f"Flood {i % 3}") for i in range(20)))
    kept = filter_events(many, ViewState(min_severity=5, query="flood 1"))  # few rows left before the search
    assert ids(kept) == ["e4", "e19"]
    assert list(kept.index) == [4, 19]


def test_the_input_is_not_changed(events: gpd.GeoDataFrame) -> None:
    before = events.copy()
    view = ViewState(types=("flood",), min_severity=2, date_from=date(2025, 1, 1), countries=("FR",), query="paris")
    kept = filter_events(events, view)
    kept.loc[kept.index[0], "title"] = "changed"
    pd.testing.assert_frame_equal(events, before)


def test_empty_input_gives_an_empty_frame_of_the_schema() -> None:
    view = ViewState(types=("flood",), min_severity=3, date_to=date(2025, 1, 1), countries=("FR",), query="x")
    kept = filter_events(empty_events(), view)
    assert isinstance(kept, gpd.GeoDataFrame)
    assert kept.empty
    assert list(kept.columns) == list(empty_events().columns)


def test_only_the_columns_of_active_filters_are_needed() -> None:
    frame = pd.DataFrame({"event_type": ["flood", "storm"], "severity": [1, 4]})
    assert len(filter_events(frame, ViewState(types=("storm",), min_severity=2))) == 1
    with pytest.raises(DataFormatError, match=r"lack the column\(s\) published_at, ingested_at needed"):
        filter_events(frame, ViewState(date_from=date(2025, 1, 1)))


def test_facets(events: gpd.GeoDataFrame, dated: gpd.GeoDataFrame) -> None:
    assert facets(events) == Facets(
        total=4,
        types=(("earthquake", 1), ("flood", 1), ("storm", 1), ("other", 1)),
        countries=(("DE", 1), ("FR", 1), ("JP", 1)),
        severities=((1, 1), (2, 1), (3, 1), (4, 1)),
        date_min=date(2025, 1, 15),
        date_max=date(2025, 1, 15),
        without_country=1,
    )
    found = facets(dated)
    assert (found.date_min, found.date_max) == (date(2024, 12, 31), date(2025, 3, 1))
    assert found.countries == (("FR", 7),)


def test_facets_order_countries_by_count_then_code() -> None:
    rows = [event(f"{code}{i}", country_code=code) for code, n in (("DE", 1), ("US", 2), ("BR", 2)) for i in range(n)]
    assert facets(table(*rows)).countries == (("BR", 2), ("US", 2), ("DE", 1))


def test_facets_of_nothing() -> None:
    assert facets(empty_events()) == Facets(0, (), (), (), None, None, 0)
