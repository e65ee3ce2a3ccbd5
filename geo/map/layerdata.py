"""The data of the map's background, density and places layers: plain numbers, no folium.

The graticule's lines, event counts on a grid, and the other places a story mentions, each returned as
lists or columns that :mod:`geo.map.view` hands to the map's layers.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["density_cells", "graticule", "secondary_places"]


def graticule(step: int = 30) -> dict[str, list[float]]:
    """Meridians and parallels every ``step`` degrees, as line columns ``lat1, lon1, lat2, lon2``."""
    lines = [(-85.0, float(lon), 85.0, float(lon)) for lon in range(-180, 181, step)]
    lines += [(float(lat), -180.0, float(lat), 180.0) for lat in range(-90 + step, 90, step)]
    return {key: [line[index] for line in lines] for index, key in enumerate(("lat1", "lon1", "lat2", "lon2"))}


def density_cells(
    lat: Sequence[float], lon: Sequence[float], *, sizes: Sequence[float], max_cells: int
) -> tuple[dict[str, list[float]], float]:
    """Counts of points per grid cell (columns ``south, west, count``) and the cell size in degrees.

    The first size in ``sizes`` whose grid has at most ``max_cells`` non-empty cells is used (else the last).
    """
    points = np.column_stack([np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)]).reshape(-1, 2)
    for size in sizes:
        cells, counts = np.unique(np.floor(points / size), axis=0, return_counts=True)
        if len(cells) <= max_cells:
            break
    columns = {"south": (cells[:, 0] * size).tolist(), "west": (cells[:, 1] * size).tolist()}
    return {**columns, "count": counts.tolist()}, size


def _coordinate(value: Any, limit: float) -> float | None:
    """A finite number within +-limit, else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and abs(value) <= limit else None


def secondary_places(places: str, lat: float, lon: float) -> list[tuple[str, float, float]]:
    """The places of a ``places`` JSON list other than the event's own point and derived ones, each once."""
    try:
        mentions = json.loads(places)
    except (TypeError, ValueError):
        return []
    found: dict[tuple[float, float], str] = {}
    own = (round(lat, 4), round(lon, 4))
    for mention in mentions if isinstance(mentions, list) else []:
        if not isinstance(mention, dict) or mention.get("derived"):
            continue
        place_lat, place_lon = _coordinate(mention.get("lat"), 90), _coordinate(mention.get("lon"), 180)
        if place_lat is None or place_lon is None:
            continue
        key = (round(place_lat, 4), round(place_lon, 4))
        if key != own:
            found.setdefault(key, str(mention.get("name") or ""))
    return [(name, place_lat, place_lon) for (place_lat, place_lon), name in found.items()]
