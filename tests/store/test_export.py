"""Tests of geo.store.export: RFC 7946 GeoJSON and CSV with formulas defused."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from geo.store import export
from geo.store.eventstore import append_events
from geo.store.export import export_events
from geo.store.schema import EVENT_COLUMNS
from tests.rows import batch, event, events, placeless


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "events.parquet"


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
    assert export._defuse(cell) == "'" + cell
    assert export._defuse("Flood in Paris") == "Flood in Paris"


def test_export_writes_to_a_file_when_asked(path: Path, tmp_path: Path) -> None:
    append_events(path, batch("a", 2))
    out = tmp_path / "events.geojson"
    assert export_events(path, "geojson", out) == out
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 2


def test_export_of_a_missing_store_is_empty(path: Path) -> None:
    assert json.loads(str(export_events(path, "geojson")))["features"] == []
    assert str(export_events(path, "csv")).startswith("event_id,title,")
