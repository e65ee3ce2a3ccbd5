"""Offline geoparsing of news and a map of the events it reports.

The stages, one module each: ``articles`` (read news), ``toponyms`` and ``resolve`` (find and place
locations; ``geoparse`` runs both), ``events`` and ``severity`` (what happened, how bad), ``location``
(where it happened), ``ingest`` (the event table), ``store`` (GeoParquet), ``mapview`` (the map),
``distributed`` (the same ingest on Dask). Public names are imported lazily, so ``import geo`` is cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__all__ = [
    "Article",
    "GeoError",
    "Geoparser",
    "Place",
    "classify",
    "ingest_sources",
    "read_articles",
    "read_events",
]

_HOMES = {
    "Article": "geo.records",
    "read_articles": "geo.articles",
    "Geoparser": "geo.geoparse",
    "GeoError": "geo.errors",
    "Place": "geo.records",
    "classify": "geo.events",
    "ingest_sources": "geo.ingest",
    "read_events": "geo.store",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'geo' has no attribute {name!r}")
