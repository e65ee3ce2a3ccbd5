"""Derive the offline basemap from the Natural Earth layers in ``../shared/basemap``.

The raw layers are not shipped. This module reads them at build time and writes one compact file,
``data/basemap.json.gz`` (committed), holding for each of three scales the shapes the map draws, simplified
for the zooms that scale serves, and the labels (countries, seas, places) with the zoom they appear from.
:mod:`geo.map.tiles` cuts it into the tiles the page loads.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import shapely
from shapely.geometry import shape
from shapely.ops import polylabel

from geo.errors import DataFormatError

__all__ = ["BANDS", "LAYERS", "derive_basemap", "read_basemap"]

BASEMAP_VERSION: Final = 1
#: The scale each band of zooms is drawn from, and the tolerance (degrees) its shapes are simplified to: about
#: half a pixel at the band's deepest zoom.
BANDS: Final = {"110m": (0, 2, 0.05), "50m": (3, 4, 0.02), "10m": (5, 6, 0.008)}
#: Layer of each band -> the Natural Earth file it comes from. The 110m band borrows the 50m borders; the 10m
#: band's lakes, divisions and rivers are the 50m band's (Natural Earth has no finer ones here).
LAYERS: Final = {
    "110m": {"land": "110m_land", "lakes": "110m_lakes", "borders": "50m_admin_0_boundary_lines_land"},
    "50m": {
        "land": "50m_land",
        "lakes": "50m_lakes",
        "borders": "50m_admin_0_boundary_lines_land",
        "admin1": "50m_admin_1_states_provinces_lines",
        "rivers": "50m_rivers_lake_centerlines",
    },
    "10m": {"land": "10m_land", "borders": "10m_admin_0_boundary_lines_land"},
}
#: Kinds of label, drawn in this order of precedence when two would overlap.
LABEL_KINDS: Final = ("ocean", "country", "capital", "sea", "city")
_DECIMALS: Final = 3


def _features(source: Path, name: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(shapely geometry, properties) of each feature of ``ne_<name>.json.gz`` in ``source``."""
    path = source / f"ne_{name}.json.gz"
    if not path.exists():
        raise DataFormatError(f"Natural Earth layer not found: {path} (pass --source DIR)")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for feature in json.load(handle)["features"]:
            if feature.get("geometry"):
                yield shape(feature["geometry"]), feature.get("properties") or {}


def _flat(geometry: Any) -> list[Any]:
    """Polygons as lists of rings, lines as lists of points; every ring or line a flat [lon, lat, ...] list."""
    parts = getattr(geometry, "geoms", [geometry])
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return [[_coords(ring) for ring in (part.exterior, *part.interiors)] for part in parts]
    return [_coords(part) for part in parts]


def _coords(line: Any) -> list[float]:
    return [round(value, _DECIMALS) for point in line.coords for value in point]


def _layer(source: Path, name: str, tolerance: float, *, rank: int | None = None) -> list[Any]:
    """The shapes of one layer, simplified; with ``rank``, only features of at most that scalerank."""
    shapes = []
    for geometry, properties in _features(source, name):
        if rank is not None and int(properties.get("scalerank") or 0) > rank:
            continue
        simple = shapely.simplify(geometry, tolerance, preserve_topology=True)
        if not simple.is_empty:
            shapes += _flat(simple)
    return shapes


def _label_point(geometry: Any) -> tuple[float, float]:
    """Where a polygon's name goes: the pole of inaccessibility of its largest part."""
    largest = max(getattr(geometry, "geoms", [geometry]), key=lambda part: part.area)
    point = polylabel(largest, tolerance=0.05)
    return round(point.x, _DECIMALS), round(point.y, _DECIMALS)


def _labels(source: Path) -> list[list[Any]]:
    """[kind, name, lon, lat, min zoom, priority] of every label; a lower priority is placed first."""
    labels: list[list[Any]] = []
    for geometry, properties in _features(source, "50m_admin_0_countries"):
        lon, lat = _label_point(geometry)
        zoom = max(1.0, float(properties.get("MIN_LABEL") or 3) - 1)
        labels.append(["country", properties["NAME"], lon, lat, zoom, float(properties.get("LABELRANK") or 5)])
    for geometry, properties in _features(source, "50m_geography_marine_polys"):
        kind = "ocean" if properties.get("featurecla") == "ocean" else "sea"
        lon, lat = _label_point(geometry)
        zoom = max(1.0, float(properties.get("min_label") or 4) - 1)
        rank = -10.0 if kind == "ocean" else float(properties.get("scalerank") or 5)
        labels.append([kind, properties["name"], lon, lat, zoom, rank])
    for geometry, properties in _features(source, "10m_populated_places_simple"):
        capital = bool(properties.get("adm0cap"))
        zoom = max(2.0, float(properties.get("min_zoom") or 8) - 1)
        rank = float(properties.get("scalerank") or 10) - (3 if capital else 0)
        kind = "capital" if capital else "city"
        labels.append([kind, properties["name"], round(geometry.x, 3), round(geometry.y, 3), zoom, rank])
    order = {kind: index for index, kind in enumerate(LABEL_KINDS)}
    return sorted(labels, key=lambda label: (label[5], order[label[0]], label[1]))


def derive_basemap(source: Path, target: Path) -> dict[str, int]:
    """Write the compact basemap derived from the Natural Earth layers in ``source`` to ``target``; the number
    of points of each band and the number of labels."""
    bands: dict[str, dict[str, list[Any]]] = {}
    for band, (_, _, tolerance) in BANDS.items():
        bands[band] = {
            layer: _layer(source, name, tolerance, rank=5 if layer == "rivers" else None)
            for layer, name in LAYERS[band].items()
        }
    labels = _labels(source)
    payload = {"version": BASEMAP_VERSION, "bands": bands, "labels": labels}
    target.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=9) as out:
        json.dump(payload, out, separators=(",", ":"), ensure_ascii=False)
    counts = {band: _points(layers) for band, layers in bands.items()}
    return {**counts, "labels": len(labels)}


def _points(value: Any) -> int:
    if isinstance(value, dict):
        return sum(map(_points, value.values()))
    if value and isinstance(value[0], float):
        return len(value) // 2
    return sum(map(_points, value))


def read_basemap(path: Path) -> dict[str, Any]:
    """The derived basemap written by :func:`derive_basemap`."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            payload: dict[str, Any] = json.load(handle)
    except (OSError, ValueError) as err:
        raise DataFormatError(f"cannot read the derived basemap {path}: {err}") from err
    if payload.get("version") != BASEMAP_VERSION:
        raise DataFormatError(
            f"{path} is basemap version {payload.get('version')}, not {BASEMAP_VERSION}: derive it again"
        )
    return payload
