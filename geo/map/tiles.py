"""Cut the derived basemap into the vector tiles the page draws (``make data``; not committed).

Web Mercator tiles from zoom 0 to ``MAX_TILE_ZOOM``, each a small JSON file of the shapes that cross it, in
integer tile coordinates (0..``EXTENT``): ``land`` and ``lakes`` polygons (lists of rings), ``coast``,
``borders``, ``admin1`` and ``rivers`` lines. Deeper zooms draw the deepest tiles enlarged, which vector
shapes allow without blur. Tiles with nothing but sea are not written; ``index.json`` lists the others, and
``labels.json`` holds the labels. The page loads them from Streamlit's static folder.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from pathlib import Path
from typing import Any, Final

import numpy as np
import shapely

from geo.map.basemap import BANDS, read_basemap
from geo.settings import BASEMAP_PATH, TILE_DIR

__all__ = ["EXTENT", "MAX_TILE_ZOOM", "build_tiles", "inline_tiles", "is_stale", "tile_digest"]

TILES_VERSION: Final = 2
MAX_TILE_ZOOM: Final = 6
#: Tile coordinates run from 0 to this (a 256-pixel tile drawn 8 times enlarged is still exact to the pixel).
EXTENT: Final = 2048
#: Shapes are cut this far (a fraction of a tile) beyond each tile, so strokes do not stop at its edge.
_MARGIN: Final = 8 / 256
MAX_LAT: Final = 85.0511287798
#: The zoom from which each layer is drawn.
_LAYER_ZOOM: Final = {"land": 0, "lakes": 0, "coast": 0, "borders": 1, "admin1": 3, "rivers": 4}
_POLYGONS: Final = ("land", "lakes")


def _band(zoom: int) -> str:
    return next(band for band, (low, high, _) in BANDS.items() if low <= zoom <= high or band == "10m")


def _geometries(bands: dict[str, dict[str, list[Any]]], band: str, layer: str) -> np.ndarray:
    """The layer's shapes in ``band`` (the 50m ones where the band has none) as an array of shapely geometries."""
    if layer == "coast":
        coast: np.ndarray = shapely.boundary(_geometries(bands, band, "land"))
        return coast
    shapes = bands[band].get(layer, bands["50m"].get(layer, []))
    if layer in _POLYGONS:  # rounding the coordinates can make a ring touch itself: mended, not dropped
        made = [shapely.Polygon(_pairs(rings[0]), [_pairs(ring) for ring in rings[1:]]) for rings in shapes]
        made = [shape if shape.is_valid else shapely.make_valid(shape) for shape in made]
    else:
        made = [shapely.LineString(_pairs(line)) for line in shapes if len(line) >= 4]
    return np.asarray(made, dtype=object)


def _pairs(flat: list[float]) -> np.ndarray:
    return np.asarray(flat, dtype=float).reshape(-1, 2)


def _lat(y: float, n: int) -> float:
    """The latitude of tile row coordinate ``y`` at a zoom of ``n`` tiles a side."""
    return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))


def _to_tile(coords: np.ndarray, x: int, y: int, n: int) -> np.ndarray:
    """Longitude/latitude pairs as integer coordinates of tile (x, y), consecutive repeats removed."""
    lat = np.radians(np.clip(coords[:, 1], -MAX_LAT, MAX_LAT))
    tx = (coords[:, 0] + 180.0) / 360.0 * n - x
    ty = (1.0 - np.log(np.tan(lat) + 1.0 / np.cos(lat)) / math.pi) / 2.0 * n - y
    points: np.ndarray = np.rint(np.column_stack([tx, ty]) * EXTENT).astype(np.int64)
    keep = np.ones(len(points), dtype=bool)
    keep[1:] = np.any(points[1:] != points[:-1], axis=1)
    kept: np.ndarray = points[keep]
    return kept


def _encode(geometry: Any, x: int, y: int, n: int, polygon: bool) -> list[Any]:
    """The parts of a clipped shape in tile coordinates: rings per polygon, or one list per line."""
    out: list[Any] = []
    for part in _parts(geometry):
        if part.is_empty:
            continue
        if polygon and part.geom_type == "Polygon":
            rings = [_to_tile(np.asarray(ring.coords), x, y, n) for ring in (part.exterior, *part.interiors)]
            rings = [ring for ring in rings if len(ring) >= 4]
            if rings:
                out.append([ring.ravel().tolist() for ring in rings])
        elif not polygon and part.geom_type == "LineString":
            line = _to_tile(np.asarray(part.coords), x, y, n)
            if len(line) >= 2:
                out.append(line.ravel().tolist())
    return out


def _parts(geometry: Any) -> list[Any]:
    """The simple shapes of a (multi) shape or a collection, collections flattened."""
    if hasattr(geometry, "geoms"):
        return [part for child in geometry.geoms for part in _parts(child)]
    return [geometry]


def _tile(layers: dict[str, tuple[np.ndarray, shapely.STRtree]], x: int, y: int, n: int) -> dict[str, list[Any]]:
    """The shapes of every layer that cross tile (x, y), cut at its edges (plus a margin)."""
    west, east = (x - _MARGIN) / n * 360 - 180, (x + 1 + _MARGIN) / n * 360 - 180
    north, south = _lat(max(y - _MARGIN, 0), n), _lat(min(y + 1 + _MARGIN, n), n)
    tile: dict[str, list[Any]] = {}
    for name, (geometries, tree) in layers.items():
        hits = tree.query(shapely.box(west, south, east, north))
        if not len(hits):
            continue
        clipped = shapely.clip_by_rect(geometries[hits], west, south, east, north)
        parts = [part for shape in clipped for part in _encode(shape, x, y, n, name in _POLYGONS)]
        if parts:
            tile[name] = parts
    return tile


def tile_digest(path: Path = BASEMAP_PATH) -> str:
    """What the tiles are cut from: this module's version and the derived basemap's bytes."""
    digest = hashlib.sha256(f"tiles-v{TILES_VERSION}-extent{EXTENT}-zoom{MAX_TILE_ZOOM}".encode())
    digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()


def is_stale(out: Path = TILE_DIR, path: Path = BASEMAP_PATH) -> bool:
    """Whether the tiles in ``out`` are missing or were cut from another basemap."""
    stamp = out / "digest"
    return not stamp.exists() or stamp.read_text().strip() != tile_digest(path)


def _zoom_layers(bands: dict[str, Any], zoom: int) -> dict[str, tuple[np.ndarray, shapely.STRtree]]:
    band = _band(zoom)
    layers = {}
    for name, first in _LAYER_ZOOM.items():
        if zoom >= first:
            geometries = _geometries(bands, band, name)
            layers[name] = (geometries, shapely.STRtree(geometries))
    return layers


def build_tiles(out: Path = TILE_DIR, path: Path = BASEMAP_PATH, *, max_zoom: int = MAX_TILE_ZOOM) -> int:
    """Cut the tiles of the basemap at ``path`` into ``out`` (replacing what was there); the tiles written."""
    basemap = read_basemap(path)
    building = out.with_name(out.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    index: dict[str, list[int]] = {}
    for zoom in range(max_zoom + 1):
        layers, n = _zoom_layers(basemap["bands"], zoom), 2**zoom
        for x in range(n):
            for y in range(n):
                tile = _tile(layers, x, y, n)
                if not tile:
                    continue
                index.setdefault(str(zoom), []).append(x * n + y)
                target = building / "tiles" / str(zoom) / str(x) / f"{y}.json"
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(tile, separators=(",", ":")), encoding="utf-8")
    meta = {"extent": EXTENT, "maxZoom": max_zoom, "index": index}
    (building / "index.json").write_text(json.dumps(meta, separators=(",", ":")), encoding="utf-8")
    labels = json.dumps(basemap["labels"], separators=(",", ":"), ensure_ascii=False)
    (building / "labels.json").write_text(labels, encoding="utf-8")
    (building / "digest").write_text(tile_digest(path), encoding="utf-8")
    _replace(building, out)
    return sum(map(len, index.values()))


def _replace(building: Path, out: Path) -> None:
    """Put the freshly cut folder in place of the old one (a page loading tiles meanwhile sees one or the other)."""
    old = out.with_name(out.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(building, out)
    shutil.rmtree(old, ignore_errors=True)


def inline_tiles(path: Path = BASEMAP_PATH, *, max_zoom: int = 2) -> dict[str, Any]:
    """The tiles up to ``max_zoom`` and the country and sea labels, in one object, for a page that must work from
    disk (the HTML export draws deeper zooms from these, enlarged)."""
    basemap = read_basemap(path)
    tiles = {}
    for zoom in range(max_zoom + 1):
        layers, n = _zoom_layers(basemap["bands"], zoom), 2**zoom
        for x in range(n):
            for y in range(n):
                tile = _tile(layers, x, y, n)
                if tile:
                    tiles[f"{zoom}/{x}/{y}"] = tile
    labels = [label for label in basemap["labels"] if label[0] in ("country", "ocean", "sea")]
    return {"extent": EXTENT, "maxZoom": max_zoom, "tiles": tiles, "labels": labels}
