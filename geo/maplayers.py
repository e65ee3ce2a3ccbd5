"""Folium elements of the event map: layers drawn in the browser from compact columns, the legend, the style.

Every string that reaches these elements must already be HTML-escaped by the caller (:mod:`geo.mapview`):
the JavaScript here only joins escaped strings and numbers into Leaflet tooltips and popups.
"""

from __future__ import annotations

import html
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import numpy as np
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

__all__ = [
    "DRAW_DENSITY",
    "DRAW_EVENT",
    "DRAW_LABEL",
    "DRAW_LINE",
    "DRAW_PLACE",
    "EVENT_COLOURS",
    "MAP_CSS",
    "RING_COLOUR",
    "SELECTED_RING_COLOUR",
    "SEVERITY_RADIUS",
    "DataLayer",
    "Legend",
    "ShowOnTileError",
    "UrlViewSync",
    "density_cells",
    "graticule",
    "js_json",
    "legend_html",
    "secondary_places",
    "type_label",
]

#: One colour per event type: Kelly's 21 colours of maximum contrast (white left out).
EVENT_COLOURS: Final[dict[str, str]] = {
    "earthquake": "#882D17",
    "volcano": "#E25822",
    "tropical_cyclone": "#604E97",
    "tsunami": "#0067A5",
    "wildfire": "#F38400",
    "flood": "#A1CAF1",
    "landslide": "#654522",
    "storm": "#875692",
    "extreme_temperature": "#F6A600",
    "drought": "#C2B280",
    "epidemic": "#008856",
    "transport_accident": "#F3C300",
    "industrial_accident": "#DCD300",
    "terror_attack_shooting": "#222222",
    "armed_conflict": "#BE0032",
    "protest_unrest": "#F99379",
    "crime": "#B3446C",
    "diplomatic": "#8DB600",
    "political": "#E68FAC",
    "economic": "#2B3D26",
    "other": "#848482",
}
#: Marker radius in pixels by severity level; levels 4 and 5 also get a thick dark ring.
SEVERITY_RADIUS: Final[dict[int, int]] = {1: 4, 2: 6, 3: 8, 4: 10, 5: 13}
RING_COLOUR: Final = "#1a1a1a"
SELECTED_RING_COLOUR: Final = "#00b8d4"
_LABELS = {"terror_attack_shooting": "Terror attack or shooting", "protest_unrest": "Protest or unrest"}

Link = tuple[str, str]


def js_json(value: Any) -> str:
    """Compact JSON that cannot end or comment out the ``<script>`` element it is written into.

    Only ``</`` and ``<!`` need escaping there; escaping every ``<`` and ``&`` as folium does would double
    the size of the popups' markup.
    """
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    text = text.replace("</", "<\\/").replace("<!", "\\u003c!")
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


class DataLayer(JSCSSMixin, Layer):
    """A layer whose features a JavaScript ``draw(columns, i, context)`` makes, one per row of ``columns``.

    The data travel once as columns (``{"lat": [...], "lon": [...]}``) instead of one folium element per
    feature, which keeps a page of 100,000 events to a few megabytes. With ``cluster`` the features go into
    a Leaflet.markercluster group (the plugin's files must be in ``js``/``css``), else into a feature group.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = (function () {
                var columns = {{ this.columns_json }};
                var context = {{ this.context_json }};
                var draw = {{ this.draw }};
                var features = [];
                for (var i = 0; i < {{ this.size }}; i++) {
                    var feature = draw(columns, i, context);
                    if (feature) { features.push(feature); }
                }
                {%- if this.cluster %}
                var group = L.markerClusterGroup({{ this.cluster_options_json }});
                // Added once on the map: before, markercluster checks each marker against all the others.
                group.once("add", function () { group.addLayers(features); });
                {%- else %}
                var group = L.featureGroup(features);
                {%- endif %}
                return group;
            })();
        {% endmacro %}
        """
    )

    def __init__(
        self,
        columns: Mapping[str, Sequence[Any]],
        draw: str,
        *,
        name: str,
        context: dict[str, Any] | None = None,
        cluster: bool = False,
        cluster_options: dict[str, Any] | None = None,
        js: Sequence[Link] = (),
        css: Sequence[Link] = (),
        control: bool = True,
        show: bool = True,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "DataLayer"
        sizes = {len(values) for values in columns.values()}
        if len(sizes) > 1:
            raise ValueError(f"columns of different lengths: {sorted(sizes)}")
        self.size = sizes.pop() if sizes else 0
        self.columns_json = js_json({key: list(values) for key, values in columns.items()})
        self.context_json = js_json(context or {})
        self.draw = draw
        self.cluster = cluster
        self.cluster_options_json = js_json(cluster_options or {})
        self.default_js = list(js)
        self.default_css = list(css)


class Legend(MacroElement):
    """A box in a corner of the map holding ``html`` (built and escaped by the caller), and the map's CSS.

    The CSS goes into the page's head as a ``<style>`` element, which streamlit-folium keeps (it drops only
    the ``<script src>`` and ``<link>`` tags, loading those itself).
    """

    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <style>{{ this.css }}</style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
            (function () {
                var legend = L.control({position: {{ this.position_json }}});
                legend.onAdd = function () {
                    var box = L.DomUtil.create("div", "geo-legend");
                    box.innerHTML = {{ this.html_json }};
                    L.DomEvent.disableClickPropagation(box);
                    L.DomEvent.disableScrollPropagation(box);
                    return box;
                };
                legend.addTo({{ this._parent.get_name() }});
            })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, *, css: str = "", position: str = "bottomright") -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "Legend"
        self.html_json = js_json(html)
        self.css = css.replace("</", "<\\/")
        self.position_json = js_json(position)


class ShowOnTileError(MacroElement):
    """Adds ``fallback`` to the map the first time ``tiles`` fails to load a tile (no network, server down).

    The layers' names are looked up when the page is rendered: streamlit-folium renames the elements.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.tiles.get_name() }}.once("tileerror", function () {
                {{ this._parent.get_name() }}.addLayer({{ this.fallback.get_name() }});
            });
        {% endmacro %}
        """
    )

    def __init__(self, tiles: Layer, fallback: Layer) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ShowOnTileError"
        self.tiles = tiles
        self.fallback = fallback


def type_label(event_type: str) -> str:
    """The event type as shown to people: ``tropical_cyclone`` -> ``Tropical cyclone``."""
    return _LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def _swatch(colour: str, size: int, ring: str | None = None) -> str:
    border = f"border:2px solid {ring};" if ring else ""
    return f"<i class='geo-swatch' style='background:{colour};width:{size}px;height:{size}px;{border}'></i>"


def legend_html(event_types: Iterable[str]) -> str:
    """The legend: each event type present with its colour and count, then the marker size of each severity."""
    counts = Counter(event_types)
    types = [
        f"<div>{_swatch(colour, 10)}{html.escape(type_label(event_type))} ({counts[event_type]:,})</div>"
        for event_type, colour in EVENT_COLOURS.items()
        if counts[event_type]
    ]
    wide = " geo-wide" if len(types) > 8 else ""
    sizes = [
        f"<span>{_swatch('#9aa5ae', 2 * radius, RING_COLOUR if level >= 4 else None)}{level}</span>"
        for level, radius in SEVERITY_RADIUS.items()
    ]
    listed = "".join(types) or "<div>No placed events</div>"
    body = f"<b>Event type</b><div class='geo-types{wide}'>{listed}</div><b>Severity</b><div>{''.join(sizes)}</div>"
    return f"<details open><summary>Legend</summary>{body}</details>"


# -- how each layer's rows are drawn (``c``: the columns, ``i``: the row, ``ctx``: the layer's context) --------

#: An event: a circle coloured by type, sized by severity, ringed when severe or selected. The tooltip's
#: hidden first line ``event:<id>`` is what streamlit-folium returns as ``last_object_clicked_tooltip``.
DRAW_EVENT = """function (c, i, ctx) {
    var severity = c.severity[i], strong = severity >= 4;
    var marker = L.circleMarker([c.lat[i], c.lon[i]], {
        radius: ctx.radius[severity] + (ctx.selected ? 6 : 0),
        color: ctx.selected ? ctx.selectedRing : (strong ? ctx.ring : "#ffffff"),
        weight: ctx.selected ? 5 : (strong ? 3 : 1),
        fillColor: ctx.colours[c.type[i]],
        fillOpacity: 0.85,
        eventId: c.id[i]
    });
    marker.bindTooltip("<span hidden>event:" + c.id[i] + "\\n</span><b>" + c.title[i] + "</b><br>"
        + ctx.labels[c.type[i]] + " \\u00b7 severity " + severity);
    if (c.popup) { marker.bindPopup(c.popup[i], {maxWidth: 320}); }
    return marker;
}"""

#: A place a story mentions: a small dot joined to its event by a thin dashed line.
DRAW_PLACE = """function (c, i, ctx) {
    var colour = ctx.colours[c.type[i]];
    var line = L.polyline([[c.fromLat[i], c.fromLon[i]], [c.lat[i], c.lon[i]]],
        {color: colour, weight: 1, opacity: 0.7, dashArray: "4 4", interactive: false});
    var dot = L.circleMarker([c.lat[i], c.lon[i]],
        {radius: 3, color: colour, weight: 1.5, fillColor: "#ffffff", fillOpacity: 1});
    dot.bindTooltip("<span hidden>event:" + c.id[i] + "\\n</span>" + c.name[i]);
    return L.featureGroup([line, dot]);
}"""

#: A grid cell of the density layer, more opaque the more events it holds.
DRAW_DENSITY = """function (c, i, ctx) {
    var south = c.south[i], west = c.west[i];
    return L.rectangle([[south, west], [south + ctx.size, west + ctx.size]], {
        stroke: false, fillColor: ctx.colour, interactive: false,
        fillOpacity: 0.08 + 0.6 * Math.sqrt(c.count[i] / ctx.max)
    });
}"""

#: A line of the graticule.
DRAW_LINE = """function (c, i, ctx) {
    return L.polyline([[c.lat1[i], c.lon1[i]], [c.lat2[i], c.lon2[i]]],
        {color: "#b9c6d0", weight: 0.7, interactive: false, pane: ctx.pane});
}"""

#: A country name.
DRAW_LABEL = """function (c, i, ctx) {
    return L.marker([c.lat[i], c.lon[i]], {
        icon: L.divIcon({className: "geo-label", html: "<span>" + c.name[i] + "</span>", iconSize: [0, 0]}),
        interactive: false, keyboard: false, pane: ctx.pane
    });
}"""

MAP_CSS = """
html .leaflet-container { background: #f4f6f8; }
.geo-label span { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap;
    font: 10px/1.2 sans-serif; color: #7b8a97; letter-spacing: 0.04em; }
.geo-legend { background: rgba(255, 255, 255, 0.92); padding: 6px 8px; border-radius: 4px;
    font: 11px/1.5 sans-serif; color: #222; box-shadow: 0 1px 4px rgba(0, 0, 0, 0.3);
    max-height: 50vh; overflow-y: auto; }
.geo-legend b { display: block; margin-top: 2px; }
.geo-legend summary { cursor: pointer; font-weight: bold; }
.geo-legend .geo-wide { column-count: 2; column-gap: 12px; }
.geo-legend span { display: inline-block; margin-right: 6px; }
.geo-swatch { display: inline-block; box-sizing: border-box; border-radius: 50%; vertical-align: middle;
    margin-right: 4px; }
.geo-popup { font: 12px/1.45 sans-serif; }
.geo-popup b { font-size: 13px; }
.geo-popup .geo-swatch { width: 9px; height: 9px; }
"""


# -- the data of the background, density and places layers -------------------------------------------------------


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


class UrlViewSync(MacroElement):
    """Keeps the map's centre and zoom in the page address (lat, lon, zoom) as the user pans and zooms.

    It writes the top page's URL with history.replaceState, so the view is shareable without a rerun of
    the Streamlit script on every pan (the map iframe is served from the same origin). Where the parent
    page cannot be reached (a standalone export opened from disk), it does nothing.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                function sync() {
                    try {
                        var top = window.parent;
                        var url = new URL(top.location.href);
                        var c = map.getCenter();
                        url.searchParams.set("lat", c.lat.toFixed(4));
                        url.searchParams.set("lon", L.Util.wrapNum(c.lng, [-180, 180], true).toFixed(4));
                        url.searchParams.set("zoom", String(Math.max(1, Math.min(18, map.getZoom()))));
                        top.history.replaceState(top.history.state, "", url.toString());
                    } catch (e) { /* no parent page to update */ }
                }
                // The first moves are the map fitting its events; only the user's later moves are a view.
                setTimeout(function () { map.on("moveend", sync); }, 1500);
            })();
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "UrlViewSync"
