"""Folium elements of the event map: layers drawn in the browser from compact columns, the legend, the style.

Every string that reaches these elements must already be HTML-escaped by the caller (:mod:`geo.map.view`,
with the popups and legend of :mod:`geo.map.markers`): the JavaScript here only joins escaped strings and
numbers into Leaflet tooltips and popups. The ``DRAW_*`` functions and ``MAP_CSS`` are that JavaScript and CSS.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

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
    "MAP_CSS",
    "DataLayer",
    "Legend",
    "ShowOnTileError",
    "UrlViewSync",
    "js_json",
]

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
