"""Tests of geo.map.basemap (deriving the compact basemap from Natural Earth layers) and geo.map.tiles (cutting it
into vector tiles), on tiny hand-made layers; and of the committed basemap itself."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from geo import settings
from geo.errors import DataFormatError
from geo.map import tiles
from geo.map.basemap import LAYERS, derive_basemap, read_basemap

SQUARE = [[[-10.0, -10.0], [10.0, -10.0], [10.0, 10.0], [-10.0, 10.0], [-10.0, -10.0]]]
LAKE = [[[2.0, 2.0], [4.0, 2.0], [4.0, 4.0], [2.0, 4.0], [2.0, 2.0]]]
BORDER = [[0.0, -10.0], [0.0, 10.0]]


def _write(folder: Path, name: str, features: list[dict[str, Any]]) -> None:
    with gzip.open(folder / f"ne_{name}.json.gz", "wt", encoding="utf-8") as out:
        json.dump({"type": "FeatureCollection", "features": features}, out)


def _feature(kind: str, coordinates: Any, **properties: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": {"type": kind, "coordinates": coordinates}, "properties": properties}


@pytest.fixture
def source(tmp_path: Path) -> Path:
    """A folder of tiny Natural Earth layers: one square island with a lake, a border across it, a river."""
    folder = tmp_path / "ne"
    folder.mkdir()
    names = {name for band in LAYERS.values() for name in band.values()}
    for name in names:
        if name.endswith("land"):
            _write(folder, name, [_feature("Polygon", SQUARE, scalerank=0)])
        elif name.endswith("lakes"):
            _write(folder, name, [_feature("Polygon", LAKE, scalerank=0, name="Lake")])
        else:
            _write(folder, name, [_feature("LineString", BORDER, scalerank=1)])
    _write(folder, "50m_admin_0_countries", [_feature("Polygon", SQUARE, NAME="Squareland", MIN_LABEL=2, LABELRANK=2)])
    triangle = [[[20, 0], [40, 0], [40, 20], [20, 0]]]
    sea = _feature("Polygon", triangle, name="Tri Sea", featurecla="sea", min_label=3, scalerank=1)
    _write(folder, "50m_geography_marine_polys", [sea])
    capital = _feature("Point", [1.0, 1.0], name="Capitol", adm0cap=1, min_zoom=4, scalerank=2)
    _write(folder, "10m_populated_places_simple", [capital])
    return folder


def test_derive_writes_every_band_and_the_labels(source: Path, tmp_path: Path) -> None:
    target = tmp_path / "basemap.json.gz"
    counts = derive_basemap(source, target)
    assert counts["labels"] == 3 and counts["10m"] > 0
    basemap = read_basemap(target)
    assert set(basemap["bands"]) == {"110m", "50m", "10m"}
    assert set(basemap["bands"]["10m"]) == {"land", "borders"}  # its lakes, divisions, rivers are the 50m ones
    kinds = {label[0]: label for label in basemap["labels"]}
    assert kinds["capital"][1:4] == ["Capitol", 1.0, 1.0] and kinds["capital"][4] == 3.0
    assert kinds["country"][1] == "Squareland" and -10 < kinds["country"][2] < 10
    assert kinds["sea"][1] == "Tri Sea"


def test_a_missing_layer_or_a_foreign_file_is_a_clear_error(source: Path, tmp_path: Path) -> None:
    (source / "ne_10m_land.json.gz").unlink()
    with pytest.raises(DataFormatError, match=r"ne_10m_land\.json\.gz .*--source DIR"):
        derive_basemap(source, tmp_path / "basemap.json.gz")
    foreign = tmp_path / "foreign.json.gz"
    foreign.write_bytes(gzip.compress(b'{"version": 99}'))
    with pytest.raises(DataFormatError, match="version 99, not 1: derive it again"):
        read_basemap(foreign)


def test_tiles_hold_the_shapes_that_cross_them_in_tile_coordinates(source: Path, tmp_path: Path) -> None:
    derived = tmp_path / "basemap.json.gz"
    derive_basemap(source, derived)
    out = tmp_path / "tiles"
    written = tiles.build_tiles(out, derived, max_zoom=3)
    index = json.loads((out / "index.json").read_text())
    assert index["extent"] == tiles.EXTENT and index["maxZoom"] == 3
    assert written == sum(len(cells) for cells in index["index"].values())
    assert index["index"]["0"] == [0]
    world = json.loads((out / "tiles" / "0" / "0" / "0.json").read_text())
    assert set(world) == {"land", "lakes", "coast"}  # no borders below zoom 1
    ring = world["land"][0][0]
    xs, ys = ring[0::2], ring[1::2]
    assert min(xs) == pytest.approx(tiles.EXTENT * 170 / 360, abs=2) and max(xs) == pytest.approx(
        tiles.EXTENT * 190 / 360, abs=2
    )
    assert all(isinstance(value, int) for value in ring) and min(ys) < tiles.EXTENT / 2 < max(ys)
    assert len(index["index"]["3"]) == 4  # the square straddles four tiles at zoom 3; the sea ones are not written
    labels = json.loads((out / "labels.json").read_text())
    assert [label[1] for label in labels][:1] == ["Capitol"]


def test_tiles_are_cut_again_only_when_the_basemap_changes(source: Path, tmp_path: Path) -> None:
    derived, out = tmp_path / "basemap.json.gz", tmp_path / "tiles"
    derive_basemap(source, derived)
    assert tiles.is_stale(out, derived)
    tiles.build_tiles(out, derived, max_zoom=1)
    assert not tiles.is_stale(out, derived)
    derived.write_bytes(derived.read_bytes() + b"")  # same bytes: still fresh
    assert not tiles.is_stale(out, derived)
    _write(source, "110m_land", [_feature("Polygon", [[[-5, -5], [5, -5], [5, 5], [-5, 5], [-5, -5]]])])
    derive_basemap(source, derived)
    assert tiles.is_stale(out, derived)
    assert not list(tmp_path.glob("tiles.*"))  # the build folder was moved into place


def test_the_html_export_gets_the_world_tiles_and_the_big_labels(source: Path, tmp_path: Path) -> None:
    derived = tmp_path / "basemap.json.gz"
    derive_basemap(source, derived)
    inline = tiles.inline_tiles(derived, max_zoom=1)
    assert set(inline["tiles"]) <= {"0/0/0", "1/0/0", "1/0/1", "1/1/0", "1/1/1"} and "0/0/0" in inline["tiles"]
    assert {label[0] for label in inline["labels"]} == {"country", "sea"}


def test_the_committed_basemap_covers_the_world() -> None:
    basemap = read_basemap(settings.BASEMAP_PATH)
    assert len(basemap["bands"]["10m"]["land"]) > 1000
    names = {label[1] for label in basemap["labels"]}
    assert {"France", "NORTH PACIFIC OCEAN", "Manila", "Black Sea"} <= names
    assert basemap["labels"][0][0] == "ocean"  # oceans are placed first
