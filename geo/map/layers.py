"""Folium elements of the event map: each writes one call into the page's own script, ``geomap.js``
(``GeoMap.basemap``, ``GeoMap.events``, ``GeoMap.legend``, ``GeoMap.keepView``, ``GeoMap.player``), or draws
a layer from compact columns (``DataLayer`` with a ``DRAW_*`` function).

Every string that reaches these elements must already be HTML-escaped by the caller (:mod:`geo.map.view`,
with the popups and legend of :mod:`geo.map.markers`): the JavaScript only joins escaped strings and numbers.
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
    "DRAW_PLACE",
    "ClientCall",
    "ClientScript",
    "DataLayer",
    "EventLayer",
    "ShowOnTileError",
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


class ShowOnTileError(MacroElement):
    """Shows the offline basemap the first time ``tiles`` fails to load a tile (no network, server down).

    The layer's name is looked up when the page is rendered: streamlit-folium renames the elements.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            {{ this.tiles.get_name() }}.once("tileerror", function () {
                GeoMap.showBasemap({{ this._parent.get_name() }});
            });
        {% endmacro %}
        """
    )

    def __init__(self, tiles: Layer) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ShowOnTileError"
        self.tiles = tiles


# -- how each layer's rows are drawn (``c``: the columns, ``i``: the row, ``ctx``: the layer's context) --------

#: A place a story mentions, and a cell of the density layer: drawn by the page's script (geomap.js).
DRAW_PLACE = "GeoMap.drawPlace"
DRAW_DENSITY = "GeoMap.drawDensity"


class ClientScript(JSCSSMixin, MacroElement):
    """Loads the page's own script and style (``geomap.js``, ``geomap.css``) after Leaflet and its plugins."""

    _template = Template("")

    def __init__(self, js: Link, css: Link) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ClientScript"
        self.default_js = [js]
        self.default_css = [css]


class ClientCall(MacroElement):
    """One call ``GeoMap.<function>(map, ...arguments)`` of the page's script, the arguments as JSON."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            GeoMap.{{ this.function }}({{ this._parent.get_name() }}
                {%- for value in this.arguments %}, {{ value }}{% endfor %});
        {% endmacro %}
        """
    )

    def __init__(self, function: str, *arguments: Any) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = f"GeoMap_{function}"
        self.function = function
        self.arguments = [js_json(value) for value in arguments]


class EventLayer(Layer):
    """The events, drawn by ``GeoMap.events`` from columns (one marker per row, clustered or not)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = GeoMap.events({{ this._parent.get_name() }}, {{ this.columns_json }},
                {{ this.context_json }});
        {% endmacro %}
        """
    )

    def __init__(self, columns: Mapping[str, Sequence[Any]], context: dict[str, Any], *, name: str) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "EventLayer"
        self.columns_json = js_json({key: list(values) for key, values in columns.items()})
        self.context_json = js_json(context)
