"""The event map: the event table drawn with folium on a Leaflet page that needs no CDN and no tile server.

Events are markers coloured by severity and marked with their type, clustered, over an offline Natural Earth
basemap (or online tiles), with a legend, a time player, an optional density layer and the other places each
story mentions. This module puts the layers together: the events' records, look and HTML come from
:mod:`geo.map.markers`, the numbers of the density and places layers from :mod:`geo.map.layerdata`, the folium
elements from :mod:`geo.map.layers`, and what runs in the browser from ``static/geomap.js``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

import folium
import geopandas as gpd
import pandas as pd
from branca.element import Element

from geo.events.lexicon import EVENT_TYPES
from geo.map.assets import AssetUrls, inline_assets
from geo.map.layerdata import density_cells, secondary_places
from geo.map.layers import (
    DRAW_DENSITY,
    DRAW_PLACE,
    ClientCall,
    ClientScript,
    DataLayer,
    EventLayer,
    ShowOnTileError,
)
from geo.map.markers import (
    BROAD_NOTE,
    MARKER_SIZES,
    SEVERITY_COLOURS,
    MapEvent,
    legend_html,
    map_events,
    popup_html,
    shorten_title,
)
from geo.map.timeline import day_numbers, event_days, player_steps
from geo.map.words import SEVERITY_NAMES, TYPE_CODES, type_label

__all__ = [
    "BASEMAPS",
    "LARGE_INPUT",
    "Basemap",
    "build_map",
    "event_columns",
    "export_notes",
    "live_map",
    "map_html",
    "place_columns",
]

DENSITY_COLOUR: Final = "#c2185b"
#: Above this many placed events popups are left out (the tooltip and the dashboard's details remain).
LARGE_INPUT: Final = 20_000
#: Above this many placed events titles are cut shorter, to keep the page small.
MANY_EVENTS: Final = 2_000
#: Characters of the titles in the tooltips: up to MANY_EVENTS, up to LARGE_INPUT, beyond.
TITLE_CHARS: Final = (120, 60, 40)
MAX_ZOOM: Final = 18
#: The opening view when the page address gives none: the selected event, else the events' bounds zoomed in
#: no further than FIT_MAX_ZOOM, else the world.
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
_NATURAL_EARTH = 'Made with <a href="https://www.naturalearthdata.com">Natural Earth</a>'
#: The basemaps to choose from; "offline" needs no network (and is what every basemap falls back to offline).
BASEMAPS: Final[dict[str, Basemap | None]] = {
    "offline": None,
    "osm": Basemap("OpenStreetMap", "https://tile.openstreetmap.org/{z}/{x}/{y}.png", _OSM),
    "carto-light": Basemap(
        "CARTO light",
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}{r}.png",
        f'{_OSM} &copy; <a href="https://carto.com/attributions">CARTO</a>',
        subdomains="abcd",
        max_native_zoom=20,
    ),
}


# -- layers -----------------------------------------------------------------------------------------------------

_TYPE_INDEX = {event_type: index for index, event_type in enumerate(EVENT_TYPES)}


def event_columns(
    events: list[MapEvent], days: Sequence[int], *, popups: bool, countries: Mapping[str, str]
) -> dict[str, list[Any]]:
    """The columns ``GeoMap.events`` draws the markers from (every string escaped). Full popups only with
    ``popups`` and up to ``LARGE_INPUT`` events; else the page makes a short one from the title and type."""
    large = len(events) > LARGE_INPUT
    limit = TITLE_CHARS[2] if large else TITLE_CHARS[1] if len(events) > MANY_EVENTS else TITLE_CHARS[0]
    titles = [html.escape(shorten_title(event.title, limit)) for event in events]
    decimals = 3 if large else 4  # 110 m or 11 m: a marker among 20,000 needs no finer
    columns: dict[str, list[Any]] = {
        "lat": [round(event.lat, decimals) for event in events],
        "lon": [round(event.lon, decimals) for event in events],
        "sev": [event.severity for event in events],
        "type": [_TYPE_INDEX[event.event_type] for event in events],
        "id": [html.escape(event.event_id) for event in events],
        "title": titles,
        "day": list(days),
        "broad": [int(event.broad) for event in events],
    }
    if any(event.reports for event in events):
        columns["reports"] = [html.escape(event.reports or "") for event in events]
    if popups and not large:
        columns["popup"] = [popup_html(event, countries) for event in events]
    return columns


def _event_context(*, cluster: bool, hint: str | None) -> dict[str, Any]:
    """What ``GeoMap.events`` needs besides the columns: codes, names, sizes and colours, by index."""
    return {
        "codes": [TYPE_CODES[kind] for kind in EVENT_TYPES],
        "names": [html.escape(type_label(kind)) for kind in EVENT_TYPES],
        "severityNames": ["", *(f"Severity {level} · {name}" for level, name in SEVERITY_NAMES.items())],
        "sizes": [0, *MARKER_SIZES.values()],
        "colours": ["", *SEVERITY_COLOURS.values()],
        "cluster": cluster,
        "broadNote": html.escape(BROAD_NOTE),
        "hint": html.escape(hint or ""),
    }


def _density_layer(events: list[MapEvent]) -> DataLayer:
    """Event counts on a grid whose cells are about a fortieth of the events' extent (at least 0.25°)."""
    lat, lon = [event.lat for event in events], [event.lon for event in events]
    span = max(max(lat, default=0) - min(lat, default=0), max(lon, default=0) - min(lon, default=0))
    sizes = [size for size in DENSITY_CELL_SIZES if size >= span / 40] or [DENSITY_CELL_SIZES[-1]]
    cells, size = density_cells(lat, lon, sizes=sizes, max_cells=MAX_DENSITY_CELLS)
    context = {"size": size, "max": max(cells["count"], default=1), "colour": DENSITY_COLOUR}
    return DataLayer(cells, DRAW_DENSITY, name="Density", context=context)


def place_columns(events: list[MapEvent]) -> dict[str, list[Any]]:
    """The other places each story mentions, each joined to its event (columns ``GeoMap.drawPlace`` reads)."""
    rows = [
        (event.lat, event.lon, lat, lon, event.severity, html.escape(name), html.escape(event.event_id))
        for event in events
        for name, lat, lon in secondary_places(event.places, event.lat, event.lon)
    ]
    return _columns(("fromLat", "fromLon", "lat", "lon", "sev", "name", "id"), rows)


def _places_layer(events: list[MapEvent]) -> DataLayer:
    """The other places each story mentions, linked to their event."""
    context = {"colours": ["", *SEVERITY_COLOURS.values()]}
    return DataLayer(place_columns(events), DRAW_PLACE, name="Places mentioned", context=context)


def _columns(keys: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> dict[str, list[Any]]:
    """Rows as columns; floats rounded to 4 decimals (11 m), which is all a map of news needs."""
    table = list(rows)
    return {
        key: [round(row[i], 4) if isinstance(row[i], float) else row[i] for row in table] for i, key in enumerate(keys)
    }


def _new_map(urls: AssetUrls, location: tuple[float, float], zoom: int) -> folium.Map:
    """A map with no tiles that loads Leaflet, its cluster plugin and the page's own script from ``urls``."""
    m = folium.Map(location=location, zoom_start=zoom, tiles=None, control_scale=True, attribution_control=True)
    m.options.update(max_zoom=MAX_ZOOM, min_zoom=0, world_copy_jump=True)
    m.default_js = [("leaflet", urls.leaflet_js)]
    m.default_css = [("leaflet_css", urls.leaflet_css)]
    ClientScript(("geomap_js", urls.geomap_js), ("geomap_css", urls.geomap_css)).add_to(m)
    return m


def _cluster_assets(urls: AssetUrls) -> ClientScript:
    """The marker-cluster plugin's script and styles (its default styles are replaced by geomap.css)."""
    return ClientScript(("leaflet_markercluster", urls.markercluster_js), ("markercluster_css", urls.markercluster_css))


def _bounds(events: list[MapEvent]) -> list[list[float]] | None:
    if not events:
        return None
    lats, lons = [event.lat for event in events], [event.lon for event in events]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _opening(
    events: list[MapEvent], center: tuple[float, float] | None, zoom: int | None, selected: str | None
) -> dict[str, Any]:
    """How ``GeoMap.keepView`` opens when the page address names no view: the given one, else the bounds."""
    view: dict[str, Any] = {"bounds": _bounds(events), "selectedZoom": SELECTED_ZOOM, "fitMaxZoom": FIT_MAX_ZOOM}
    if center is not None:
        view["initial"] = {"lat": center[0], "lon": center[1], "zoom": DEFAULT_ZOOM if zoom is None else zoom}
    if selected is not None:
        view["selected"] = html.escape(selected)
    return view


def _basemap(m: folium.Map, name: str, urls: AssetUrls, inline: dict[str, Any] | None) -> None:
    """The offline basemap, shown at once or when the online tiles of ``name`` fail."""
    provider = BASEMAPS[name]
    base = None if inline else urls.basemap_base
    options = {"base": base, "inline": inline, "show": provider is None, "attribution": _NATURAL_EARTH}
    ClientCall("followTheme").add_to(m)
    ClientCall("basemap", options).add_to(m)
    if provider is None:
        return
    tiles = folium.TileLayer(
        provider.url,
        attr=provider.attribution,
        name=provider.name,
        subdomains=provider.subdomains,
        max_zoom=MAX_ZOOM,
        max_native_zoom=provider.max_native_zoom,
    )
    tiles.add_to(m)
    ShowOnTileError(tiles).add_to(m)


def build_map(
    events: gpd.GeoDataFrame | pd.DataFrame,
    *,
    urls: AssetUrls,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    basemap: str = "offline",
    cluster: bool = True,
    heat: bool = False,
    show_places: bool = False,
    selected: str | None = None,
    inline_basemap: dict[str, Any] | None = None,
    player: bool = True,
    popups: bool = True,
    countries: Mapping[str, str] | None = None,
) -> folium.Map:
    """The map of the events that have a place.

    The view and the selected event live in the page address: the map opens on the ``lat``, ``lon``, ``zoom``
    and ``event`` it finds there, keeps them up to date as the user moves and clicks, and follows them when the
    page changes them. Only when the address names no view does it open on ``center``/``zoom``, else the
    ``selected`` event, else the bounds of the events; so the map of a set of filters is the same page whatever
    the view, and the dashboard can keep it across reruns. ``inline_basemap`` (:func:`geo.map.tiles.inline_tiles`)
    puts a world basemap inside the page, for a file opened with no server. Without ``popups`` a click shows a
    short popup (title, type, severity) and leaves the rest to the page around the map, which keeps it small.
    ``countries`` (code -> name) names the countries in the popups.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}: choose one of {', '.join(BASEMAPS)}")
    placed = map_events(events)
    m = _new_map(urls, center or WORLD_CENTER, DEFAULT_ZOOM if zoom is None else zoom)
    _basemap(m, basemap, urls, inline_basemap)
    if heat:
        _density_layer(placed).add_to(m)
    if show_places:
        _places_layer(placed).add_to(m)
    if cluster:
        _cluster_assets(urls).add_to(m)
    days = day_numbers(_days(events, placed))
    hint = None if popups else "Details beside the map"
    columns = event_columns(placed, days, popups=popups, countries=countries or {})
    EventLayer(columns, _event_context(cluster=cluster, hint=hint), name="Events").add_to(m)
    ClientCall("legend", legend_html(Counter(event.event_type for event in placed))).add_to(m)
    if player:
        ClientCall("player", player_steps(_days(events, placed))).add_to(m)
    ClientCall("keepView", _opening(placed, center, zoom, selected)).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def live_map(
    *,
    urls: AssetUrls,
    api: str,
    basemap: str = "offline",
    cluster: bool = True,
    heat: bool = False,
    show_places: bool = False,
    bounds: list[list[float]] | None = None,
) -> folium.Map:
    """A map that asks the page's server for what its view shows (``GeoMap.live``, served at ``api`` by
    :mod:`geo.map.api`): the events themselves when few enough are in view, else counts per area. It follows
    the filters, view and selection of the page address, so one map serves every set of filters; it opens on
    ``bounds`` (all the stored events) when the address names no view."""
    if basemap not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}: choose one of {', '.join(BASEMAPS)}")
    m = _new_map(urls, WORLD_CENTER, DEFAULT_ZOOM)
    _basemap(m, basemap, urls, None)
    if cluster:
        _cluster_assets(urls).add_to(m)
    options = {
        "api": api,
        "context": {**_event_context(cluster=cluster, hint="Details beside the map"), "densityColour": DENSITY_COLOUR},
        "density": heat,
        "places": show_places,
    }
    ClientCall("live", options).add_to(m)
    ClientCall("keepView", {"bounds": bounds, "selectedZoom": SELECTED_ZOOM, "fitMaxZoom": FIT_MAX_ZOOM}).add_to(m)
    return m


def _days(events: gpd.GeoDataFrame | pd.DataFrame, placed: list[MapEvent]) -> pd.Series:
    """The day of each placed event, in the order of ``placed``."""
    if not placed or "published_at" not in events.columns or "ingested_at" not in events.columns:
        return pd.Series([pd.NaT] * len(placed), dtype="datetime64[ns]")
    rows = events[(events["lat"].notna() & events["lon"].notna()).to_numpy()]
    return event_days(pd.DataFrame(rows)).reset_index(drop=True)


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


def _caption(title: str, notes: Sequence[str]) -> str:
    """A box over the map naming what it shows (everything escaped)."""
    lines = "".join(f"<div>{html.escape(note)}</div>" for note in notes)
    return f"<div class='geo-caption'><b>{html.escape(title)}</b>{lines}</div>"


def map_html(m: folium.Map, *, title: str = "News event map", notes: Sequence[str] = ()) -> str:
    """The map as a standalone page that works opened from disk with no internet: the assets are inlined, and a
    caption gives ``title`` and ``notes`` (the filters used, when it was made)."""
    page = m.get_root().render()
    pieces = re.split("|".join(re.escape(tag) for tag in sorted(set(_asset_tags(m)))), page)
    page = pieces[0] + inline_assets() + "".join(pieces[1:])
    page = page.replace("<head>", f"<head>\n    <title>{html.escape(title)}</title>", 1)
    head, body, rest = page.partition("<body>")
    return head + body + _caption(title, notes) + rest if body else page


def export_notes(filters: str, count: int, made: datetime) -> list[str]:
    """The caption of an exported map: the filters used, how many events, and when it was made."""
    noun = "event" if count == 1 else "events"
    return [f"Filters: {filters}", f"{count:,} {noun}", f"Made {made.astimezone(UTC).strftime('%d %B %Y, %H:%M UTC')}"]
