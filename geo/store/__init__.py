"""The event table: its schema, the GeoParquet store (staged, atomic appends under a lock) and exports to
CSV and GeoJSON. It knows nothing of the page."""

from __future__ import annotations

from typing import Any

from geo import lazy_export

__all__ = [
    "COLUMNS",
    "CRS",
    "EVENT_COLUMNS",
    "AppendResult",
    "StagedEvents",
    "StoreError",
    "append_events",
    "conform",
    "default_store_path",
    "empty_events",
    "export_events",
    "read_events",
    "staged_events",
    "to_csv",
    "to_geojson",
]

_HOMES = {
    "COLUMNS": "schema",
    "CRS": "schema",
    "EVENT_COLUMNS": "schema",
    "conform": "schema",
    "empty_events": "schema",
    "AppendResult": "eventstore",
    "StagedEvents": "eventstore",
    "StoreError": "eventstore",
    "append_events": "eventstore",
    "default_store_path": "eventstore",
    "read_events": "eventstore",
    "staged_events": "eventstore",
    "export_events": "export",
    "to_csv": "export",
    "to_geojson": "export",
}


def __getattr__(name: str) -> Any:
    return lazy_export(__name__, _HOMES, name)
