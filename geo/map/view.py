"""The event map: the event table drawn with folium on a Leaflet page that needs no CDN and no tiles.

Events are circle markers coloured by type and sized by severity, clustered, with a legend, an optional
density layer and the other places each story mentions. This module chooses the view and the basemap and
puts the layers together: the events' records, look and HTML come from :mod:`geo.map.markers`, the numbers of
the background, density and places layers from :mod:`geo.map.layerdata`, the folium elements from
:mod:`geo.map.layers`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element

from geo.map.assets import AssetUrls, inline_assets
from geo.map.layerdata import density_cells, graticule, secondary_places
from geo.map.layers import (
    DRAW_DENSITY,
    DRAW_EVENT,
    DRAW_LABEL,
    DRAW_LINE,
    DRAW_PLACE,
    MAP_CSS,
    DataLayer,
    Legend,
    ShowOnTileError,
    UrlViewSync,
)
from geo.map.markers import (
    EVENT_COLOURS,
    RING_COLOUR,
    SELECTED_RING_COLOUR,
    SEVERITY_RADIUS,
    MapEvent,
    legend_html,
    map_events,
    popup_html,
    shorten_title,
    type_label,
)

__all__ = [
    "BASEMAPS",
    "LARGE_INPUT",
    "Basemap",
    "build_map",
    "map_html",
]

DENSITY_COLOUR: Final = "#c2185b"
#: Above this many placed events popups are left out (the tooltip and the dashboard's details remain).
LARGE_INPUT: Final = 20_000
MAX_ZOOM: Final = 18
#: The opening view: the world, or the selected event, or the events' bounds zoomed in no further than this.
WORLD_CENTER: Final = (20.0, 0.0)
DEFAULT_ZOOM: Final = 2
SELECTED_ZOOM: Final = 6
FIT_MAX_ZOOM: Final = 6
#: Density grid cell sizes (degrees), tried from the one that suits the events' extent up until the grid has
#: at most MAX_DENSITY_CELLS cells.
DENSITY_CELL_SIZES: Final = (0.25, 0.5, 1.0, 2.0, 5.0, 10.0)
MAX_DENSITY_CELLS: Final = 5_000


@dataclass(frozen=True, slots=True)
class Basemap:
    """An online tile layer: its URL template, attribution and deepest zoom with tiles of its own."""

    name: str
    url: str
    attribution: str
    subdomains: str = "abc"
    max_native_zoom: int = 19


_OSM = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
#: The basemaps to choose from; "plain" needs no tiles (and is what every basemap falls back to offline).
BASEMAPS: Final[dict[str, Basemap | None]] = {
    "plain": None,
    "osm": Basemap("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM),
    "carto-light": Basemap(
        "CARTO light",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        f'{_OSM} &copy; <a href="https://carto.com/attributions">CARTO</a>',
        subdomains="abcd",
        max_native_zoom=20,
    ),
}
_BACKGROUND_PANE = "background"


# -- layers -----------------------------------------------------------------------------------------------------

_TYPE_INDEX = {event_type: index for index, event_type in enumerate(EVENT_COLOURS)}


def _event_layer(events: list[MapEvent], urls: AssetUrls, *, name: str, cluster: bool, selected: bool) -> DataLayer:
    """The events as circle markers, with popups unless there are more than LARGE_INPUT of them."""
    large = len(events) > LARGE_INPUT
    columns: dict[str, list[Any]] = {
        "lat": [round(event.lat, 4) for event in events],
        "lon": [round(event.lon, 4) for event in events],
        "type": [_TYPE_INDEX[event.event_type] for event in events],
        "severity": [event.severity for event in events],
        "id": [html.escape(event.event_id) for event in events],
        "title": [html.escape(shorten_title(event.title, large)) for event in events],
    }
    if not large:
        columns["popup"] = [popup_html(event) for event in events]
    context = {
        "colours": list(EVENT_COLOURS.values()),
        "labels": [html.escape(type_label(event_type)) for event_type in EVENT_COLOURS],
        "radius": [0, *SEVERITY_RADIUS.values()],
        "ring": RING_COLOUR,
        "selectedRing": SELECTED_RING_COLOUR,
        "selected": selected,
    }
    js = [("leaflet_markercluster", urls.markercluster_js)]
    css = [("markercluster_css", urls.markercluster_css), ("markercluster_default_css", urls.markercluster_default_css)]
    options = {"chunkedLoading": True, "showCoverageOnHover": False, "maxClusterRadius": 50}
    if not cluster:
        js, css = [], []
    return DataLayer(
        columns, DRAW_EVENT, name=name, context=context, cluster=cluster, cluster_options=options, js=js, css=css
    )


def _background(m: folium.Map, labels: Iterable[tuple[str, float, float]], *, show: bool) -> folium.FeatureGroup:
    """The plain background (graticule and country names) drawn under the events when there are no tiles."""
    folium.map.CustomPane(_BACKGROUND_PANE, z_index=250, pointer_events=False).add_to(m)
    group = folium.FeatureGroup(name="Plain background", show=show)
    group.add_to(m)
    context = {"pane": _BACKGROUND_PANE}
    DataLayer(graticule(), DRAW_LINE, name="Graticule", context=context, control=False).add_to(group)
    names = _columns(("name", "lat", "lon"), [(html.escape(name), lat, lon) for name, lat, lon in labels])
    DataLayer(names, DRAW_LABEL, name="Country names", context=context, control=False).add_to(group)
    return group


def _density_layer(events: list[MapEvent]) -> DataLayer:
    """Event counts on a grid whose cells are about a fortieth of the events' extent (at least 0.25°)."""
    lat, lon = [event.lat for event in events], [event.lon for event in events]
    span = max(max(lat, default=0) - min(lat, default=0), max(lon, default=0) - min(lon, default=0))
    sizes = [size for size in DENSITY_CELL_SIZES if size >= span / 40] or [DENSITY_CELL_SIZES[-1]]
    cells, size = density_cells(lat, lon, sizes=sizes, max_cells=MAX_DENSITY_CELLS)
    context = {"size": size, "max": max(cells["count"], default=1), "colour": DENSITY_COLOUR}
    return DataLayer(cells, DRAW_DENSITY, name="Density", context=context)


def _places_layer(events: list[MapEvent]) -> DataLayer:
    """The other places each story mentions, linked to their event."""
    rows = [
        (event.lat, event.lon, lat, lon, _TYPE_INDEX[event.event_type], html.escape(name), html.escape(event.event_id))
        for event in events
        for name, lat, lon in secondary_places(event.places, event.lat, event.lon)
    ]
    columns = _columns(("fromLat", "fromLon", "lat", "lon", "type", "name", "id"), rows)
    return DataLayer(columns, DRAW_PLACE, name="Places mentioned", context={"colours": list(EVENT_COLOURS.values())})


def _columns(keys: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """Rows as columns; floats rounded to 4 decimals (11 m), which is all a map of news needs."""
    table = list(rows)
    return {
        key: [round(row[i], 4) if isinstance(row[i], float) else row[i] for row in table] for i, key in enumerate(keys)
    }


def _new_map(urls: AssetUrls, location: tuple[float, float], zoom: int) -> folium.Map:
    """A map with no tiles, drawing on a canvas, that loads Leaflet and jQuery from ``urls``."""
    m = folium.Map(location=location, zoom_start=zoom, tiles=None, prefer_canvas=True, control_scale=True)
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=1, world_copy_jump=True)
    m.default_js = [("leaflet", urls.leaflet_js), ("jquery", urls.jquery_js)]
    m.default_css = [("leaflet_css", urls.leaflet_css)]
    return m


def _view(
    events: list[MapEvent], chosen: MapEvent | None, center: tuple[float, float] | None, zoom: int | None
) -> tuple[tuple[float, float], int, list[list[float]] | None]:
    """Where the map opens: the given view, else the selected event, else the bounds of the events."""
    if center is not None:
        return center, DEFAULT_ZOOM if zoom is None else zoom, None
    if chosen is not None:
        return (chosen.lat, chosen.lon), SELECTED_ZOOM if zoom is None else zoom, None
    if not events:
        return WORLD_CENTER, DEFAULT_ZOOM if zoom is None else zoom, None
    lats, lons = [event.lat for event in events], [event.lon for event in events]
    middle = ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)
    if zoom is not None:
        return middle, zoom, None
    return middle, DEFAULT_ZOOM, [[min(lats), min(lons)], [max(lats), max(lons)]]


def build_map(
    events: gpd.GeoDataFrame | pd.DataFrame,
    *,
    urls: AssetUrls,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    basemap: str = "plain",
    cluster: bool = True,
    heat: bool = False,
    show_places: bool = False,
    selected: str | None = None,
    labels: Iterable[tuple[str, float, float]] = (),
    sync_url: bool = False,
) -> folium.Map:
    """The map of the events that have a place; ``labels`` are (name, lat, lon) of country names to draw.

    With ``sync_url`` the map writes its centre and zoom into the page address as the user moves it.

    Without ``center`` the map opens on the ``selected`` event, else on the bounds of the events. The
    selected event is drawn outside the clusters with a wide ring, so it shows at every zoom.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}: choose one of {', '.join(BASEMAPS)}")
    placed = map_events(events)
    chosen = next((event for event in placed if event.event_id == selected), None)
    location, start_zoom, bounds = _view(placed, chosen, center, zoom)
    m = _new_map(urls, location, start_zoom)
    provider = BASEMAPS[basemap]
    background = _background(m, labels, show=provider is None)
    if provider is not None:
        tiles = folium.TileLayer(
            provider.url,
            attr=provider.attribution,
            name=provider.name,
            subdomains=provider.subdomains,
            max_zoom=MAX_ZOOM,
            max_native_zoom=provider.max_native_zoom,
        )
        tiles.add_to(m)
        ShowOnTileError(tiles, background).add_to(m)
    if heat:
        _density_layer(placed).add_to(m)
    if show_places:
        _places_layer(placed).add_to(m)
    others = [event for event in placed if event is not chosen]
    _event_layer(others, urls, name="Events", cluster=cluster, selected=False).add_to(m)
    if chosen is not None:
        _event_layer([chosen], urls, name="Selected event", cluster=False, selected=True).add_to(m)
    if bounds is not None:
        m.fit_bounds(bounds, max_zoom=FIT_MAX_ZOOM, padding=(30, 30))
    Legend(legend_html(event.event_type for event in placed), css=MAP_CSS).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if sync_url:
        UrlViewSync().add_to(m)
    return m


def _asset_tags(m: folium.Map) -> list[str]:
    """The ``<script src>`` and ``<link>`` tags folium writes for the scripts and styles of the map's elements."""
    elements: list[Element] = [m]
    tags: list[str] = []
    while elements:
        element = elements.pop()
        tags += [f'<script src="{url}"></script>' for _, url in getattr(element, "default_js", [])]
        tags += [f'<link rel="stylesheet" href="{url}"/>' for _, url in getattr(element, "default_css", [])]
        elements.extend(element._children.values())
    return tags


def map_html(m: folium.Map) -> str:
    """The map as a standalone page that works opened from disk with no internet: the assets are inlined."""
    page = m.get_root().render()
    pieces = re.split("|".join(re.escape(tag) for tag in sorted(set(_asset_tags(m)))), page)
    return pieces[0] + inline_assets() + "".join(pieces[1:])
