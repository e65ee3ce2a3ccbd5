"""Offline geoparsing of news and a map of the events it reports.

One subpackage per stage, data flowing one way: ``geo.read`` (news into articles), ``geo.places`` (find
and place locations), ``geo.events`` (what happened, how bad, where), ``geo.store`` (the event table in
GeoParquet), ``geo.map`` (what the page draws, the view in the URL). On top: ``geo.ingest`` and
``geo.distributed`` (the pipeline joining the stages, in one process or on Dask), ``geo.watch`` (following feeds
into the store) and the command line; beneath all: ``geo.settings``, ``geo.limits`` and ``geo.errors``. Public
names are imported lazily, so ``import geo`` is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from typing import Any

__all__ = [
    "Article",
    "GeoError",
    "Geoparser",
    "Place",
    "Watcher",
    "classify",
    "ingest_sources",
    "read_articles",
    "read_events",
]

_HOMES = {
    "Article": "read.records",
    "read_articles": "read.articles",
    "Geoparser": "places.geoparse",
    "GeoError": "errors",
    "Place": "places.place",
    "classify": "events.classifier",
    "ingest_sources": "ingest",
    "Watcher": "watch",
    "read_events": "store.eventstore",
}


def lazy_export(package: str, homes: Mapping[str, str], name: str) -> Any:
    """The public ``name`` of ``package``, imported from its home module (``homes[name]``) on first use."""
    if name in homes:
        return getattr(import_module(f"{package}.{homes[name]}"), name)
    raise AttributeError(f"module {package!r} has no attribute {name!r}")


def __getattr__(name: str) -> Any:
    return lazy_export(__name__, _HOMES, name)
