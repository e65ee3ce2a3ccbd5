"""The map: what the page draws (folium layers, markers, popups, legend, offline assets), what the live map
asks of the server, and the view held in the URL. The last stage: only the dashboard uses it."""

from __future__ import annotations

from typing import Any

from geo import lazy_export

__all__ = [
    "MapEvent",
    "Notice",
    "ViewState",
    "asset_urls",
    "build_map",
    "event_id_from_tooltip",
    "events_without_place",
    "install_assets",
    "live_map",
    "map_events",
    "map_html",
    "parse_query_params",
]

_HOMES = {
    "build_map": "view",
    "live_map": "view",
    "map_html": "view",
    "MapEvent": "markers",
    "map_events": "markers",
    "events_without_place": "markers",
    "event_id_from_tooltip": "markers",
    "ViewState": "urlstate",
    "Notice": "urlstate",
    "parse_query_params": "urlstate",
    "asset_urls": "assets",
    "install_assets": "assets",
}


def __getattr__(name: str) -> Any:
    return lazy_export(__name__, _HOMES, name)
