"""Tests of geo.map.view and geo.map.assets: render the map to HTML and assert on it, as folium's own tests do."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.map import assets
from geo.map import view as mapview
from geo.map.assets import ASSETS, Asset, AssetError, asset_urls, inline_assets, install_assets
from geo.map.layerdata import density_cells, secondary_places
from geo.map.markers import (
    MARKER_SIZES,
    SEVERITY_COLOURS,
    MapEvent,
    event_id_from_tooltip,
    events_without_place,
    legend_html,
    map_events,
    popup_html,
)
from geo.map.view import build_map, map_html
from geo.map.words import TYPE_CODES
from geo.store.schema import conform

URLS = asset_urls()
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
CDN_WORDS = ("cdn", "bootstrap", "awesome", "font-awesome", "code.jquery.com", "cloudflare")
PARIS = {"name": "Paris", "lat": 48.8566, "lon": 2.3522, "country_code": "FR", "feature": "capital"}


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
        "severity_reason": "deaths 12 -> 3",
        "deaths": 12,
        "injured": None,
        "displaced": None,
        "magnitude": None,
        "category": None,
        "wind_kmh": None,
        "place_name": "Paris",
        "country_code": "FR",
        "lat": 48.8566,
        "lon": 2.3522,
        "places": json.dumps([PARIS]),
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


def calls(page: str, function: str) -> list[list[Any]]:
    """The JSON arguments (after the map) of every ``GeoMap.<function>(map, ...)`` call of the page."""
    found = []
    for match in re.finditer(rf"GeoMap\.{function}\(map_\w+((?:,\s*.*?)*)\);\n", page, re.DOTALL):
        found.append(json.loads("[" + match.group(1).lstrip(",").strip() + "]") if match.group(1) else [])
    return found


def event_columns(page: str) -> dict[str, list[Any]]:
    """The columns of the events layer."""
    [[columns, _]] = calls(page, "events")
    result: dict[str, list[Any]] = columns
    return result


def data_layers(page: str) -> list[dict[str, list[Any]]]:
    """The columns of every data layer (density, places) of the page."""
    return [json.loads(found) for found in re.findall(r"var columns = (\{.*?\});\n", page)]


@pytest.fixture
def mixed() -> pd.DataFrame:
    """Five events of three types, one without a place, one placed on a country's centre."""
    france = {"name": "France", "lat": 46.6, "lon": 2.4, "country_code": "FR", "feature": "country"}
    return table(
        event("a"),
        event("b", event_type="earthquake", severity=5, magnitude=6.4, lat=38.0, lon=23.7, place_name="Athens"),
        event("c", event_type="earthquake", severity=1, lat=35.7, lon=139.7),
        event(
            "d", event_type="wildfire", severity=4, lat=46.6, lon=2.4, place_name="France", places=json.dumps([france])
        ),
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
        "geo/geomap.js",
        "geo/geomap.css",
    } <= files
    stamps = {path: path.stat().st_mtime_ns for path in target.rglob("*") if path.is_file()}
    (target / "leaflet" / "leaflet.js").write_text("damaged")
    install_assets(target)
    assert "damaged" not in (target / "leaflet" / "leaflet.js").read_text()
    unchanged = {path: path.stat().st_mtime_ns for path in stamps if path.name != "leaflet.js"}
    assert unchanged == {path: stamp for path, stamp in stamps.items() if path.name != "leaflet.js"}
    assert not list(target.rglob("*.tmp"))


def test_asset_urls_follow_the_base() -> None:
    urls = asset_urls("/custom/", "/tiles/")
    assert urls.leaflet_js == "/custom/leaflet/leaflet.js"
    assert urls.geomap_js == "/custom/geo/geomap.js"
    assert urls.basemap_base == "/tiles"
    vendored = {
        url.removeprefix("/app/static/vendor/") for key, url in asdict(asset_urls()).items() if key != "basemap_base"
    }
    assert {asset.target for asset in ASSETS if asset.kind != "dir"} == vendored


def test_a_missing_package_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(assets, "ASSETS", (Asset("xstatic.pkg.not_there", "x.js", "x/x.js", "js"),))
    with pytest.raises(AssetError, match=r"xstatic\.pkg\.not_there is not installed.*pip install -r requirements"):
        install_assets(tmp_path)


def test_inline_assets_embed_code_and_images_without_links() -> None:
    inline = inline_assets()
    assert inline.count("<script>/* ") == 3 and inline.count("<style>/* ") == 3
    assert "markerClusterGroup" in inline and "GeoMap" in inline
    assert "url(images/" not in inline and "data:image/png;base64," in inline
    assert "sourceMappingURL" not in inline
    assert "</script" not in inline.replace("\n</script>", "")


# -- the page: local assets, options, layers --------------------------------------------------------------------


@pytest.mark.parametrize("cluster", [True, False])
def test_assets_load_from_local_urls_and_no_cdn(mixed: pd.DataFrame, cluster: bool) -> None:
    page = render(mixed, cluster=cluster, heat=True, show_places=True, selected="b")
    assert f'<script src="{URLS.leaflet_js}"></script>' in page
    assert f'<script src="{URLS.geomap_js}"></script>' in page
    assert f'<link rel="stylesheet" href="{URLS.geomap_css}"/>' in page
    assert (f'<script src="{URLS.markercluster_js}"></script>' in page) is cluster
    assert re.findall(r"https?://", page.replace("https://www.naturalearthdata.com", "")) == []
    assert not [word for word in CDN_WORDS if word in page.lower()]


def test_the_offline_basemap_is_drawn_from_the_static_tiles(mixed: pd.DataFrame) -> None:
    page = render(mixed)
    [[options]] = calls(page, "basemap")
    assert options["base"] == URLS.basemap_base and options["show"] is True and options["inline"] is None
    assert "Natural Earth" in options["attribution"]
    assert calls(page, "followTheme") == [[]]
    assert "L.tileLayer(" not in page


@pytest.mark.parametrize(
    ("basemap", "hosts"),
    [
        ("osm", {"tile.openstreetmap.org", "www.openstreetmap.org"}),
        ("carto-light", {"basemaps.cartocdn.com", "www.openstreetmap.org", "carto.com"}),
    ],
)
def test_online_basemaps_fall_back_to_the_offline_one(mixed: pd.DataFrame, basemap: str, hosts: set[str]) -> None:
    page = render(mixed, basemap=basemap)
    found = {host.removeprefix("{s}.") for host in re.findall(r"https?://([^/\"'\\]+)", page)}
    assert found == hosts | {"www.naturalearthdata.com"}
    assert "L.tileLayer(" in page
    assert '.once("tileerror", function () {\n                GeoMap.showBasemap(' in page
    [[options]] = calls(page, "basemap")
    assert options["show"] is False


def test_map_zooms_from_0_to_18(mixed: pd.DataFrame) -> None:
    page = render(mixed)
    assert '"maxZoom": 18' in page and '"minZoom": 0' in page
    assert "L.control.layers(" in page


def test_one_marker_per_placed_event_with_its_severity_type_and_day(mixed: pd.DataFrame) -> None:
    columns = event_columns(render(mixed))
    assert columns["id"] == ["a", "b", "c", "d"]
    assert columns["sev"] == [3, 5, 1, 4]
    assert [EVENT_TYPES[index] for index in columns["type"]] == ["flood", "earthquake", "earthquake", "wildfire"]
    assert columns["day"] == [19844] * 4  # 2024-05-01
    assert columns["broad"] == [0, 0, 0, 1]
    assert len(columns["popup"]) == 4
    assert list(events_without_place(mixed)["event_id"]) == ["e"]


def test_markers_and_clusters_share_one_severity_scale(mixed: pd.DataFrame) -> None:
    assert list(SEVERITY_COLOURS) == list(MARKER_SIZES) == [1, 2, 3, 4, 5]
    assert list(MARKER_SIZES.values()) == sorted(MARKER_SIZES.values())
    [[_, context]] = calls(render(mixed), "events")
    assert context["colours"] == ["", *SEVERITY_COLOURS.values()]
    assert context["codes"] == [TYPE_CODES[kind] for kind in EVENT_TYPES]
    assert context["names"][EVENT_TYPES.index("tropical_cyclone")] == "Tropical cyclone"
    assert context["severityNames"][3] == "Severity 3 · significant"
    css = (Path(mapview.__file__).parent / "static" / "geomap.css").read_text()
    for level, colour in SEVERITY_COLOURS.items():
        assert f".geo-sev{level} {{ background: {colour}; }}" in css


def test_legend_is_compact_and_lists_the_types_present(mixed: pd.DataFrame) -> None:
    [[legend]] = calls(render(mixed), "legend")
    assert legend == legend_html(Counter(event.event_type for event in map_events(mixed)))
    assert "<details open><summary>Legend</summary>" in legend
    assert "5 catastrophic" in legend and "country or area centre" in legend and "selected" in legend
    types = legend.split("<summary>Types (3)</summary>")[1]
    assert "<code>FL</code> Flood (1)" in types and "<code>EQ</code> Earthquake (2)" in types
    assert "Storm" not in types


@pytest.mark.parametrize(("heat", "places"), [(False, False), (True, False), (False, True), (True, True)])
def test_density_and_places_layers_only_when_asked(heat: bool, places: bool) -> None:
    mentions = [
        PARIS,
        {"name": "Lyon", "lat": 45.764, "lon": 4.8357, "derived": False},
        {"name": "Lyon", "lat": 45.764, "lon": 4.8357, "derived": False},
        {"name": "France", "lat": 46.6, "lon": 2.4, "derived": True},
    ]
    page = render(table(event("a", places=json.dumps(mentions))), heat=heat, show_places=places)
    assert ('"Density" :' in page) is heat
    assert ('"Places mentioned" :' in page) is places
    place_layers = [columns for columns in data_layers(page) if "fromLat" in columns]
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


def test_the_map_page_does_not_depend_on_the_view_or_the_selection(mixed: pd.DataFrame) -> None:
    """The dashboard keeps one map per set of filters: the view and the selection live in the page address."""
    [[opening]] = calls(render(mixed), "keepView")
    assert opening["bounds"] == [[35.7, 2.3522], [48.8566, 139.7]]
    assert "initial" not in opening and "selected" not in opening
    [[given]] = calls(render(mixed, center=(10.0, 20.0), zoom=7, selected="b"), "keepView")
    assert given["initial"] == {"lat": 10.0, "lon": 20.0, "zoom": 7} and given["selected"] == "b"


def test_the_player_steps_through_the_days(mixed: pd.DataFrame) -> None:
    [[steps]] = calls(render(mixed), "player")
    assert steps == [[19844, "2024-05-01"]]
    assert calls(render(mixed, player=False), "player") == []


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
    for options in ({}, {"show_places": True, "heat": True, "selected": "plain", "popups": False}):
        page = render(events, **options)
        seen = js_strings(page)
        assert "<script>alert" not in seen and "<img src=x" not in seen and "<b><script" not in seen
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in seen
        assert "javascript:" not in seen
        assert "</script>" not in page.split("<script>", 2)[-1].split("</script>")[0]
    standalone = map_html(build_map(events, urls=URLS), title=SCRIPT, notes=[IMG])
    assert "&lt;img src=x onerror=alert(1)&gt;" in js_strings(standalone)
    assert "<img src=x" not in js_strings(standalone) and "<title><script>" not in standalone


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
        assert ">news.example.com</a>" in popup
    else:
        assert "Example &lt;News&gt;" in popup
        assert "href" not in popup


def test_popup_speaks_words_and_escapes_quotes() -> None:
    row = event("q", title='O\'Brien "quote"', magnitude=6.4, deaths=1200, wind_kmh=180.0, category=4)
    row |= {"url": "https://example.com/?a='b'&c=\"d\"", "severity_reason": "deaths 1200 -> 5", "severity": 5}
    (record,) = map_events(table(row))
    popup = popup_html(record, {"FR": "France"})
    assert "<b>O&#x27;Brien &quot;quote&quot;</b>" in popup
    assert "Severity 5 · catastrophic</span> Flood" in popup
    assert "1,000 deaths or more" in popup
    assert "Deaths and missing: 1,200 · Magnitude: 6.4 · Category: 4 · Wind: 180 km/h" in popup
    assert "Paris, France · 2024-05-01" in popup
    assert "href='https://example.com/?a=&#x27;b&#x27;&amp;c=&quot;d&quot;'" in popup
    assert ">example.com</a>" in popup


def test_an_event_on_a_country_centre_says_so(mixed: pd.DataFrame) -> None:
    broad = {event.event_id: event.broad for event in map_events(mixed)}
    assert broad == {"a": False, "b": False, "c": False, "d": True}
    popup = popup_html(next(event for event in map_events(mixed) if event.event_id == "d"))
    assert "placed at the centre of the country or area it names" in popup


def test_tooltip_names_the_event_for_streamlit_folium() -> None:
    script = (Path(mapview.__file__).parent / "static" / "geomap.js").read_text()
    assert 'return "<span hidden>event:" + c.id[i] + "\\n</span><b>" + c.title[i]' in script
    # streamlit-folium returns the tooltip's text content: the hidden line, then what the user sees
    assert event_id_from_tooltip("event:a\nFlood a\nFlood · severity 3") == "a"
    assert event_id_from_tooltip('  event:id"><b>\nTitle') == 'id"><b>'
    assert event_id_from_tooltip("12 events") is None
    assert event_id_from_tooltip(None) is None


def test_bad_input_is_refused_with_what_to_do() -> None:
    with pytest.raises(DataFormatError, match=r"lack the column\(s\) 'severity', 'lat'"):
        build_map(pd.DataFrame({"event_id": ["a"], "title": ["t"], "event_type": ["flood"], "lon": [0.0]}), urls=URLS)
    with pytest.raises(ValueError, match="unknown basemap 'satellite': choose one of offline, osm, carto-light"):
        build_map(table(event("a")), urls=URLS, basemap="satellite")


def test_no_events_still_draws_a_map() -> None:
    page = render(table(event("a", lat=None, lon=None)), heat=True, show_places=True)
    assert event_columns(page)["id"] == []
    [[legend]] = calls(page, "legend")
    assert "Types" not in legend and '"maxZoom": 18' in page


# -- standalone export and size ---------------------------------------------------------------------------------


def test_standalone_export_inlines_assets_basemap_and_says_what_it_shows(mixed: pd.DataFrame) -> None:
    inline = {"extent": 2048, "maxZoom": 2, "tiles": {"0/0/0": {"land": []}}, "labels": []}
    m = build_map(mixed, urls=URLS, cluster=True, inline_basemap=inline)
    page = map_html(m, title="Floods in France", notes=["Filters: flood", "4 events", "Made 29 November 2026"])
    assert "/app/static" not in page
    assert "<script src=" not in page and '<link rel="stylesheet"' not in page
    assert "markerClusterGroup" in page and "GeoMap" in page
    head = page.split("</head>")[0]
    assert head.index('charset=UTF-8"') < head.index("<script>/* leaflet.js */")
    assert head.index("/* leaflet.css */") < head.index("/* geomap.css */")
    assert "<title>Floods in France" in page
    caption = page.split("<div class='geo-caption'>")[1].split("</div></div>")[0]
    assert "<b>Floods in France</b>" in caption and "Filters: flood" in caption and "Made 29 November 2026" in caption
    [[options]] = calls(page, "basemap")
    assert options["inline"] == inline


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
            "ingested_at": pd.Timestamp("2024-05-01", tz="UTC"),
            "event_type": np.array(EVENT_TYPES)[rng.integers(0, len(EVENT_TYPES), count)],
            "severity": rng.integers(1, 6, count),
            "severity_reason": "deaths 3 -> 2",
            "deaths": 3,
            "place_name": "Somewhere",
            "country_code": "BR",
            "lat": rng.uniform(-60, 70, count),
            "lon": rng.uniform(-180, 180, count),
            "places": "[]",
        }
    )


def test_ten_thousand_events_make_a_small_page_without_popups() -> None:
    page = render(synthetic(10_000), heat=True, popups=False)
    assert len(page.encode()) < 2_500_000
    assert "popup" not in event_columns(page)


def test_a_hundred_thousand_events_stay_small() -> None:
    page = render(synthetic(100_000), heat=True)
    columns = event_columns(page)
    assert len(columns["id"]) == 100_000 and "popup" not in columns
    assert len(page.encode()) < 16_000_000


def test_large_inputs_drop_popups_but_keep_tooltips(monkeypatch: pytest.MonkeyPatch, mixed: pd.DataFrame) -> None:
    monkeypatch.setattr(mapview, "LARGE_INPUT", 2)
    columns = event_columns(render(mixed))
    assert "popup" not in columns and columns["title"] == ["Flood a", "Flood b", "Flood c", "Flood d"]


def test_the_stored_precision_decides_what_is_drawn_as_a_centre(mixed: pd.DataFrame) -> None:
    stored = mixed.assign(place_precision=["country", "region", "city", "point", None])
    broad = {event.event_id: event.broad for event in map_events(stored)}
    assert broad == {"a": True, "b": True, "c": False, "d": False}
    older = mixed.assign(place_precision=[None] * 5)  # a store written before the column
    assert [event.broad for event in map_events(older)] == [False, False, False, True]


def test_an_event_told_by_several_stories_says_so(mixed: pd.DataFrame) -> None:
    told = mixed.assign(stories=[3, 1, None, 1, 1], sources=[2, 1, None, 1, 1])
    events = {event.event_id: event for event in map_events(told)}
    assert events["a"].reports == "3 reports from 2 sources" and events["b"].reports is None
    assert "3 reports from 2 sources" in popup_html(events["a"])
    columns = mapview.event_columns(list(events.values()), [0] * len(events), popups=False, countries={})
    assert columns["reports"][0] == "3 reports from 2 sources" and columns["reports"][1] == ""
    single = mapview.event_columns([events["b"]], [0], popups=False, countries={})
    assert "reports" not in single  # no column when every event is one story
