"""Tests of geo.map.view and geo.map.assets: render the map to HTML and assert on it, as folium's own tests do."""

from __future__ import annotations

import json
import re
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.map import assets
from geo.map import markers as mapevents
from geo.map import view as mapview
from geo.map.assets import ASSETS, Asset, AssetError, asset_urls, inline_assets, install_assets
from geo.map.layerdata import density_cells, secondary_places
from geo.map.layers import js_json
from geo.map.markers import (
    EVENT_COLOURS,
    SEVERITY_RADIUS,
    MapEvent,
    event_id_from_tooltip,
    events_without_place,
    popup_html,
)
from geo.map.view import build_map, map_html
from geo.store.schema import conform

URLS = asset_urls()
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
CDN_WORDS = ("cdn", "bootstrap", "awesome", "font-awesome", "code.jquery.com", "cloudflare")


def event(event_id: str, /, **changes: Any) -> dict[str, Any]:
    """One event row of the store schema (a flood in Paris unless changed)."""
    row: dict[str, Any] = {
        "event_id": event_id,
        "title": f"Flood {event_id}",
        "text": "A flood hit central Paris.",
        "url": None,
        "source": None,
        "published_at": "2024-05-01T10:00:00Z",
        "ingested_at": "2024-05-02T10:00:00Z",
        "event_type": "flood",
        "secondary_types": "",
        "severity": 3,
        "severity_reason": "2 deaths",
        "deaths": 2,
        "injured": None,
        "displaced": None,
        "magnitude": None,
        "category": None,
        "wind_kmh": None,
        "place_name": "Paris",
        "country_code": "FR",
        "lat": 48.8566,
        "lon": 2.3522,
        "places": "[]",
    }
    return row | changes


def table(*rows: dict[str, Any]) -> pd.DataFrame:
    """The rows as the store holds them."""
    frame: pd.DataFrame = conform(pd.DataFrame(list(rows)))
    return frame


def render(events: pd.DataFrame, **options: Any) -> str:
    """The map's page, as the dashboard's iframe gets it."""
    return str(build_map(events, urls=URLS, **options).get_root().render())


def js_strings(page: str) -> str:
    """The page with the JSON escapes undone, i.e. the strings as the browser hands them to Leaflet."""
    return page.replace("<\\/", "</").replace("\\u003c", "<").replace('\\"', '"')


def layers(page: str) -> list[dict[str, list[Any]]]:
    """The columns of every data layer of the page."""
    return [json.loads(found) for found in re.findall(r"var columns = (\{.*?\});\n", page)]


def layer(page: str, name: str) -> dict[str, list[Any]]:
    """The columns of the data layer listed as ``name`` in the layer control."""
    variable = re.search(rf'"{name}" : (data_layer_\w+),', page)
    assert variable is not None, f"no layer {name!r}"
    found = re.search(rf"var {variable.group(1)} = \(function \(\) {{\s*var columns = (\{{.*?\}});\n", page)
    assert found is not None
    columns: dict[str, list[Any]] = json.loads(found.group(1))
    return columns


def event_columns(page: str) -> dict[str, list[Any]]:
    """The columns of the events layer."""
    return layer(page, "Events")


@pytest.fixture
def mixed() -> pd.DataFrame:
    """Five events of three types, one without a place."""
    return table(
        event("a"),
        event("b", event_type="earthquake", severity=5, magnitude=6.4, lat=38.0, lon=23.7, place_name="Athens"),
        event("c", event_type="earthquake", severity=1, lat=35.7, lon=139.7),
        event("d", event_type="wildfire", severity=4, lat=-33.9, lon=151.2),
        event("e", lat=None, lon=None, place_name=None),
    )


# -- assets -----------------------------------------------------------------------------------------------------


def test_install_assets_copies_every_file_and_is_idempotent(tmp_path: Path) -> None:
    target = install_assets(tmp_path / "vendor")
    files = {path.relative_to(target).as_posix() for path in target.rglob("*") if path.is_file()}
    assert {
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/images/layers.png",
        "markercluster/leaflet.markercluster.js",
        "markercluster/MarkerCluster.css",
        "markercluster/MarkerCluster.Default.css",
        "jquery/jquery.min.js",
    } <= files
    stamps = {path: path.stat().st_mtime_ns for path in target.rglob("*") if path.is_file()}
    (target / "leaflet" / "leaflet.js").write_text("damaged")
    install_assets(target)
    assert "damaged" not in (target / "leaflet" / "leaflet.js").read_text()
    unchanged = {path: path.stat().st_mtime_ns for path in stamps if path.name != "leaflet.js"}
    assert unchanged == {path: stamp for path, stamp in stamps.items() if path.name != "leaflet.js"}
    assert not list(target.rglob("*.tmp"))


def test_asset_urls_follow_the_base() -> None:
    urls = asset_urls("/custom/")
    assert urls.leaflet_js == "/custom/leaflet/leaflet.js"
    assert urls.markercluster_default_css == "/custom/markercluster/MarkerCluster.Default.css"
    assert {asset.target for asset in ASSETS if asset.kind != "dir"} == {
        url.removeprefix("/app/static/vendor/") for url in asdict(asset_urls()).values()
    }


def test_a_missing_package_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assets, "ASSETS", (Asset("xstatic.pkg.not_there", "x.js", "x/x.js", "js"),))
    with pytest.raises(AssetError, match=r"xstatic\.pkg\.not_there is not installed.*pip install -r requirements"):
        install_assets(tmp_path)


def test_inline_assets_embed_code_and_images_without_links() -> None:
    inline = inline_assets()
    assert inline.count("<script>/* ") == 3 and inline.count("<style>/* ") == 3
    assert "L.version" in inline or "Leaflet" in inline
    assert "markerClusterGroup" in inline
    assert "url(images/" not in inline and "data:image/png;base64," in inline
    assert "sourceMappingURL" not in inline
    assert "</script" not in inline.replace("\n</script>", "")


# -- the page: local assets, options, layers --------------------------------------------------------------------


@pytest.mark.parametrize("cluster", [True, False])
def test_assets_load_from_local_urls_and_no_cdn(mixed: pd.DataFrame, cluster: bool) -> None:
    page = render(mixed, cluster=cluster, heat=True, show_places=True, selected="b")
    assert f'<script src="{URLS.leaflet_js}"></script>' in page
    assert f'<link rel="stylesheet" href="{URLS.leaflet_css}"/>' in page
    assert f'<script src="{URLS.jquery_js}"></script>' in page
    assert (f'<script src="{URLS.markercluster_js}"></script>' in page) is cluster
    assert (URLS.markercluster_default_css in page) is cluster
    assert re.findall(r"https?://", page) == []
    assert not [word for word in CDN_WORDS if word in page.lower()]


@pytest.mark.parametrize(
    ("basemap", "hosts"),
    [
        ("osm", {"tile.openstreetmap.org", "www.openstreetmap.org"}),
        ("carto-light", {"basemaps.cartocdn.com", "www.openstreetmap.org", "carto.com"}),
    ],
)
def test_online_basemaps_add_only_tile_urls_and_keep_the_plain_fallback(
    mixed: pd.DataFrame, basemap: str, hosts: set[str]
) -> None:
    page = render(mixed, basemap=basemap)
    found = {host.removeprefix("{s}.") for host in re.findall(r"https?://([^/\"']+)", page)}
    assert found == hosts
    assert "L.tileLayer(" in page and 'attribution":' in page.replace(" ", "")
    assert '.once("tileerror"' in page
    assert '"Plain background"' in page
    assert re.findall(r"https?://", render(mixed)) == []


def test_map_has_max_zoom_and_no_tile_layer_when_plain(mixed: pd.DataFrame) -> None:
    page = render(mixed)
    assert '"maxZoom": 18' in page
    assert "L.tileLayer(" not in page
    assert "L.control.layers(" in page


def test_one_marker_per_placed_event(mixed: pd.DataFrame) -> None:
    columns = event_columns(render(mixed))
    assert sorted(columns["id"]) == ["a", "b", "c", "d"]
    assert len(columns["lat"]) == len(columns["popup"]) == 4
    assert list(events_without_place(mixed)["event_id"]) == ["e"]


def test_each_type_has_its_own_colour_and_markers_use_it(mixed: pd.DataFrame) -> None:
    assert list(EVENT_COLOURS) == list(EVENT_TYPES)
    assert len(set(EVENT_COLOURS.values())) == len(EVENT_TYPES) == 21
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", colour) for colour in EVENT_COLOURS.values())
    assert sorted(SEVERITY_RADIUS) == [1, 2, 3, 4, 5]
    assert list(SEVERITY_RADIUS.values()) == sorted(SEVERITY_RADIUS.values())
    page = render(mixed)
    columns = event_columns(page)
    types = dict(zip(mixed["event_id"], mixed["event_type"], strict=True))
    palette = list(EVENT_COLOURS.values())
    for event_id, index in zip(columns["id"], columns["type"], strict=True):
        assert palette[index] == EVENT_COLOURS[types[event_id]]
    assert js_json(palette) in page


def test_legend_lists_the_types_present(mixed: pd.DataFrame) -> None:
    page = js_strings(render(mixed))
    legend = re.search(r"box\.innerHTML = (\".*?\");\n", page)
    assert legend is not None
    assert "Flood (1)" in legend.group(1) and "Earthquake (2)" in legend.group(1) and "Wildfire (1)" in legend.group(1)
    assert "Storm" not in legend.group(1)
    assert "Severity" in legend.group(1)


@pytest.mark.parametrize(("heat", "places"), [(False, False), (True, False), (False, True), (True, True)])
def test_density_and_places_layers_only_when_asked(heat: bool, places: bool) -> None:
    mentions = [
        {"name": "Paris", "lat": 48.8566, "lon": 2.3522, "derived": False},
        {"name": "Lyon", "lat": 45.764, "lon": 4.8357, "derived": False},
        {"name": "Lyon", "lat": 45.764, "lon": 4.8357, "derived": False},
        {"name": "France", "lat": 46.6, "lon": 2.4, "derived": True},
    ]
    page = render(table(event("a", places=json.dumps(mentions))), heat=heat, show_places=places)
    assert ('"Density" :' in page) is heat
    assert ('"Places mentioned" :' in page) is places
    place_layers = [columns for columns in layers(page) if "fromLat" in columns]
    assert [columns["name"] for columns in place_layers] == ([["Lyon"]] if places else [])


def test_density_cells_count_events_per_cell() -> None:
    cells, size = density_cells([0.1, 0.2, 5.5, -0.5], [0.1, 0.9, 5.5, 0.5], sizes=(1.0,), max_cells=10)
    assert size == 1.0
    found = dict(zip(zip(cells["south"], cells["west"], strict=True), cells["count"], strict=True))
    assert found == {(0.0, 0.0): 2, (5.0, 5.0): 1, (-1.0, 0.0): 1}
    _, coarse = density_cells([i - 50.0 for i in range(100)], [0.0] * 100, sizes=(1.0, 10.0), max_cells=20)
    assert coarse == 10.0
    empty, _ = density_cells([], [], sizes=(1.0,), max_cells=10)
    assert empty == {"south": [], "west": [], "count": []}


@pytest.mark.parametrize("places", ["not json", "{}", "[1, 2]", '[{"name": "X", "lat": "1", "lon": 2}]'])
def test_secondary_places_ignore_odd_json(places: str) -> None:
    assert secondary_places(places, 0.0, 0.0) == []


def test_selected_event_is_drawn_apart_with_a_ring_and_opens_the_map(mixed: pd.DataFrame) -> None:
    page = render(mixed, selected="b")
    assert sorted(event_columns(page)["id"]) == ["a", "c", "d"]
    assert layer(page, "Selected event")["id"] == ["b"]
    assert '"selected":true' in page
    assert "center: [38.0, 23.7]" in page
    assert "center: [38.0, 23.7]" not in render(mixed, selected="missing")


def test_view_given_wins_and_no_view_fits_the_events(mixed: pd.DataFrame) -> None:
    page = render(mixed, center=(10.0, 20.0), zoom=7, selected="b")
    assert "center: [10.0, 20.0]" in page and '"zoom": 7' in page and "fitBounds" not in page
    assert "fitBounds" in render(mixed)


def test_country_labels_are_escaped(mixed: pd.DataFrame) -> None:
    page = render(mixed, labels=[("France", 46.6, 2.4), (IMG, 0.0, 0.0)])
    (labels,) = [columns for columns in layers(page) if "name" in columns and "fromLat" not in columns]
    assert labels["name"] == ["France", "&lt;img src=x onerror=alert(1)&gt;"]


# -- untrusted text ---------------------------------------------------------------------------------------------


def test_article_text_is_escaped_everywhere() -> None:
    hostile = event(
        f'id"><b>{SCRIPT}',
        title=f"{SCRIPT} and {IMG}",
        severity_reason=IMG,
        place_name=SCRIPT,
        country_code="<b>",
        source=IMG,
        url=f"https://example.com/?q={SCRIPT}&x='\"",
        places=json.dumps([{"name": IMG, "lat": 1.0, "lon": 1.0, "derived": False}]),
    )
    events = table(hostile, event("plain", title=SCRIPT, url="javascript:alert(1)", source="Src"))
    for options in ({}, {"show_places": True, "heat": True, "selected": "plain"}):
        page = render(events, **options)
        seen = js_strings(page)
        assert "<script>alert" not in seen and "<img src=x" not in seen and "<b><script" not in seen
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in seen
        assert "&lt;img src=x onerror=alert(1)&gt;" in seen
        assert "javascript:" not in seen
        assert "</script>" not in page.split("<script>", 2)[-1].split("</script>")[0]
    standalone = map_html(build_map(events, urls=URLS))
    assert "&lt;img src=x onerror=alert(1)&gt;" in js_strings(standalone)
    assert "<img src=x" not in js_strings(standalone)


@pytest.mark.parametrize(
    ("url", "linked"),
    [
        ("https://news.example.com/a", True),
        ("http://news.example.com/a", True),
        ("  HTTPS://news.example.com/a  ", True),
        ("javascript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("ftp://example.com/a", False),
        ("//example.com/a", False),
        ("https:///nohost", False),
        ("http://[::1", False),
        (None, False),
    ],
)
def test_source_link_only_for_http_urls_and_opens_safely(url: str | None, linked: bool) -> None:
    popup = popup_html(MapEvent("x", "Title", "flood", 3, 0.0, 0.0, url=url, source="Example <News>"))
    assert ("<a " in popup) is linked
    if linked:
        assert "target='_blank' rel='noopener noreferrer'" in popup
        assert ">Example &lt;News&gt;</a>" in popup
    else:
        assert "Example &lt;News&gt;" in popup
        assert "href" not in popup


def test_popup_carries_title_type_severity_facts_place_date_and_quotes_are_escaped() -> None:
    row = event("q", title='O\'Brien "quote"', magnitude=6.4, deaths=1200, wind_kmh=180.0, category=4)
    row["url"] = "https://example.com/?a='b'&c=\"d\""
    (record,) = mapevents.map_events(table(row))
    popup = popup_html(record)
    assert "<b>O&#x27;Brien &quot;quote&quot;</b>" in popup
    assert "Flood · severity 3: 2 deaths" in popup
    assert "deaths 1,200 · magnitude 6.4 · category 4 · wind 180 km/h" in popup
    assert "Paris, FR · 2024-05-01" in popup
    assert "href='https://example.com/?a=&#x27;b&#x27;&amp;c=&quot;d&quot;'" in popup


def test_tooltip_names_the_event_for_streamlit_folium(mixed: pd.DataFrame) -> None:
    page = render(mixed)
    assert 'bindTooltip("<span hidden>event:" + c.id[i] + "\\n</span>' in page
    # streamlit-folium returns the tooltip's text content: the hidden line, then what the user sees
    assert event_id_from_tooltip("event:a\nFlood a\nFlood · severity 3") == "a"
    assert event_id_from_tooltip('  event:id"><b>\nTitle') == 'id"><b>'
    assert event_id_from_tooltip("12 events") is None
    assert event_id_from_tooltip(None) is None


def test_bad_input_is_refused_with_what_to_do() -> None:
    with pytest.raises(DataFormatError, match=r"lack the column\(s\) 'severity', 'lat'"):
        build_map(pd.DataFrame({"event_id": ["a"], "title": ["t"], "event_type": ["flood"], "lon": [0.0]}), urls=URLS)
    with pytest.raises(ValueError, match="unknown basemap 'satellite': choose one of plain, osm, carto-light"):
        build_map(table(event("a")), urls=URLS, basemap="satellite")


def test_no_events_still_draws_a_map() -> None:
    page = render(table(event("a", lat=None, lon=None)), heat=True, show_places=True)
    assert event_columns(page)["id"] == []
    assert "No placed events" in page and '"maxZoom": 18' in page


# -- standalone export and size ---------------------------------------------------------------------------------


def test_standalone_export_inlines_assets(mixed: pd.DataFrame) -> None:
    page = map_html(build_map(mixed, urls=URLS, cluster=True))
    assert "/app/static" not in page
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page
    assert "markerClusterGroup" in page and "leaflet" in page.lower()
    head = page.split("</head>")[0]
    assert head.index('charset=UTF-8"') < head.index("<script>/* jquery.min.js */")
    assert head.index("/* leaflet.css */") < head.index(".geo-legend")


def synthetic(count: int, seed: int = 4) -> pd.DataFrame:
    """``count`` plausible events spread over the world (titles of news length, a URL each)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "event_id": [f"{i:016x}" for i in range(count)],
            "title": [f"Heavy rain floods streets and homes in the river valley, story {i}" for i in range(count)],
            "url": [f"https://news.example.com/2024/05/story-{i}" for i in range(count)],
            "source": "Example News",
            "published_at": pd.Timestamp("2024-05-01", tz="UTC"),
            "event_type": np.array(EVENT_TYPES)[rng.integers(0, len(EVENT_TYPES), count)],
            "severity": rng.integers(1, 6, count),
            "severity_reason": "3 deaths reported",
            "deaths": 3,
            "place_name": "Somewhere",
            "country_code": "BR",
            "lat": rng.uniform(-60, 70, count),
            "lon": rng.uniform(-180, 180, count),
            "places": "[]",
        }
    )


def test_ten_thousand_events_render_small_and_fast() -> None:
    started = time.perf_counter()
    page = render(synthetic(10_000), heat=True)
    assert time.perf_counter() - started < 10
    assert len(page.encode()) < 8_000_000
    assert len(event_columns(page)["popup"]) == 10_000


def test_a_hundred_thousand_events_stay_small() -> None:
    page = render(synthetic(100_000), heat=True)
    columns = event_columns(page)
    assert len(columns["id"]) == 100_000 and "popup" not in columns
    assert len(page.encode()) < 12_000_000


def test_large_inputs_drop_popups_but_keep_tooltips(monkeypatch: pytest.MonkeyPatch, mixed: pd.DataFrame) -> None:
    monkeypatch.setattr(mapview, "LARGE_INPUT", 2)
    page = render(mixed, selected="a")
    assert "popup" not in event_columns(page)
    assert "popup" in layer(page, "Selected event")
