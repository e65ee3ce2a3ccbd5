"""Tests of geo.store.schema: the columns, their dtypes, and conform's coercion and collected problems."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.errors import DataFormatError
from geo.store.schema import EVENT_COLUMNS, conform, empty_events
from tests.rows import event, placeless


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
