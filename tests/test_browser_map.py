"""End to end, the map as people use it, in headless Chromium with the network cut: land and sea drawn offline at
world and country zoom, a click that keeps its place, the view and the selection in the URL through pans, zooms,
filter changes and links, the Share box, the keyboard, a phone-sized screen, the dark theme, the timeline, the
table and the offline HTML export."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from geo.ingest import ingest_sources
from geo.map.markers import SEVERITY_COLOURS
from geo.places.geoparse import Geoparser
from geo.store.eventstore import append_events, read_events
from geo.store.schema import conform
from tests.browser import MAP_FRAME, SAMPLE, Browser, browser_search, chromium_page, require_browser, serving
from tests.synthetic import events as synthetic_events

pytestmark = pytest.mark.browser

playwright_api = require_browser()

#: The palette of geomap.js: sea and land, light and dark.
LIGHT_SEA, LIGHT_LAND = (0xCD, 0xDF, 0xF0), (0xF6, 0xF3, 0xEC)
DARK_SEA, DARK_LAND = (0x16, 0x20, 0x2B), (0x35, 0x3A, 0x42)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, geoparser: Geoparser) -> Path:
    path = tmp_path_factory.mktemp("map") / "events.parquet"
    ingest_sources([str(SAMPLE)], path, geoparser)
    return path


@pytest.fixture(scope="module")
def big_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The dashboard over 3,000 events spread over the world."""
    path = tmp_path_factory.mktemp("big") / "events.parquet"
    append_events(path, conform(synthetic_events(3000)))
    with serving(path) as url:
        yield url


# -- the basemap ------------------------------------------------------------------------------------------------


def _pixel(browser: Browser, lat: float, lon: float) -> tuple[int, int, int]:
    """The median colour of a 5x5 patch of the map around (lat, lon), read from a screenshot of the map."""
    from PIL import Image

    x, y = browser.map(f"m => {{ const p = m.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }}")
    width, height = browser.map("m => [m.getSize().x, m.getSize().y]")
    assert 0 < x < width and 0 < y < height, "the point is off the map"
    shot = Image.open(io.BytesIO(browser.page.locator(f"{MAP_FRAME} >> nth=0").screenshot())).convert("RGB")
    ratio = shot.width / browser.map("m => m.getSize().x")
    patch = [shot.getpixel((int(x * ratio) + dx, int(y * ratio) + dy)) for dx in range(-2, 3) for dy in range(-2, 3)]
    return tuple(sorted(channel)[len(patch) // 2] for channel in zip(*patch, strict=True))  # type: ignore[return-value]


def _near(colour: tuple[int, int, int], expected: tuple[int, int, int], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=True))


#: Whether the map stands still with every basemap tile of its zoom drawn.
TILES_DRAWN = """m => {
  const tiles = Object.values(GeoMap.basemapLayer._tiles).filter(t => t.current);
  return !m._animatingZoom && !(m._panAnim && m._panAnim._inProgress) && tiles.length > 0 && tiles.every(t => t.loaded);
}"""


def _settled(browser: Browser) -> None:
    """Wait until every basemap tile on screen is drawn."""
    browser.map_frame()
    browser.wait_until(lambda: browser.map(TILES_DRAWN), "the basemap's tiles to be drawn")


@pytest.mark.parametrize(
    ("view", "land", "sea"),
    [
        ("lat=20&lon=0&zoom=2", (15.0, 20.0), (-20.0, -25.0)),  # the Sahara; the South Atlantic
        ("lat=45.5&lon=33&zoom=6", (45.3, 34.2), (44.6, 32.0)),  # Crimea; the Black Sea west of it
    ],
    ids=["world", "country"],
)
def test_land_and_sea_are_drawn_apart_offline(
    server: str, browser: Browser, view: str, land: tuple[float, float], sea: tuple[float, float]
) -> None:
    browser.page.goto(f"{server}/?{view}&q=no+such+story")  # no marker in the way
    _settled(browser)
    on_land, at_sea = _pixel(browser, *land), _pixel(browser, *sea)
    assert _near(on_land, LIGHT_LAND), on_land
    assert _near(at_sea, LIGHT_SEA), at_sea
    frame = browser.map_frame()
    assert frame.locator(".geo-label.geo-country").count() > 0
    labels = frame.locator(".geo-label").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
    )
    overlaps = [
        (a, b) for i, a in enumerate(labels) for b in labels[i + 1 :]
        if a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
    ]  # fmt: skip
    assert overlaps == []
    assert browser.blocked == [] and browser.errors == []


def test_the_dark_theme_darkens_the_map(store: Path, browser: Browser) -> None:
    with serving(store, "--theme.base", "dark") as url:
        browser.page.goto(f"{url}/?lat=20&lon=0&zoom=2&q=no+such+story")
        dark = "m => m.getContainer().classList.contains('geo-dark')"
        browser.wait_until(lambda: browser.map(dark), "the map to follow the dark theme")  # it looks every 1.5 s
        _settled(browser)  # the tiles repainted in the dark palette
        assert _near(_pixel(browser, -20.0, -25.0), DARK_SEA)
        assert _near(_pixel(browser, 15.0, 20.0), DARK_LAND)


# -- selection --------------------------------------------------------------------------------------------------


def _marker(browser: Browser, code: str) -> Any:
    return browser.map_frame().locator(".geo-ev", has_text=code).first


def test_a_click_keeps_the_view_and_the_popup_and_shows_the_details(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?lat=20&lon=-40&zoom=3")
    browser.map("m => { window.__same = 1; return 1; }")
    _marker(browser, "TC").click()
    page.get_by_text("Category: 5").wait_for(timeout=30_000)  # the details, beside the map
    assert browser.map("m => window.__same") == 1  # the same map: not rebuilt
    lat, lon, zoom = browser.view()
    assert zoom == 3 and abs(lat - 20) < 8 and abs(lon + 40) < 25  # at most nudged to show the popup
    assert browser.map("m => !!document.querySelector('.leaflet-popup')")
    assert browser.map("m => document.querySelector('.geo-ev.geo-selected').textContent") == "TC"
    selected = browser.url_view()["event"]
    assert selected == browser.map("m => GeoMap.selected")
    details = page.get_by_text("Hurricane Melissa tore through the Caribbean").first
    box, map_box = details.bounding_box(), page.locator(f"{MAP_FRAME} >> nth=0").bounding_box()
    assert box is not None and map_box is not None and box["x"] > map_box["x"] + map_box["width"] - 5  # beside
    assert browser.errors == []


def test_a_link_with_an_event_opens_it_selected_and_in_view(server: str, browser: Browser, store: Path) -> None:
    events = read_events(store)
    quake = events[events["title"].str.contains("Cebu")].iloc[0]
    browser.page.goto(f"{server}/?event={quake['event_id']}")
    browser.page.get_by_text("Deaths and missing: 69").wait_for(timeout=30_000)
    browser.wait_until(lambda: browser.map("m => GeoMap.selected") == quake["event_id"], "the event to be selected")
    assert browser.map(f"m => m.getBounds().contains([{quake['lat']}, {quake['lon']}])")
    assert browser.map("m => !!document.querySelector('.leaflet-popup')")


def test_a_table_row_selects_the_event_on_the_map(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?lat=0&lon=0&zoom=2")
    browser.map_frame()
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 16, box["y"] + 56)  # the first row's selection box: the most severe event
    page.wait_for_function("() => location.search.includes('event=')", timeout=30_000)
    chosen = browser.url_view()["event"]
    browser.wait_until(lambda: browser.map("m => GeoMap.selected") == chosen, "the row's event to be selected")
    assert browser.map(f"m => m.getBounds().contains(GeoMap.markers[{json.dumps(chosen)}].getLatLng())")


# -- the view in the URL ----------------------------------------------------------------------------------------


def _view_written(browser: Browser) -> bool:
    """Whether the address holds the map's view (its centre to the pixel, its zoom)."""
    written, (lat, lon, zoom) = browser.url_view(), browser.view()
    if "zoom" not in written or int(written["zoom"]) != zoom:
        return False
    tolerance = 2 * _pixel_degrees(zoom)
    return abs(float(written["lat"]) - lat) < tolerance and abs(float(written["lon"]) - lon) < tolerance


def _pixel_degrees(zoom: int) -> float:
    """Degrees of longitude a pixel spans at ``zoom`` (a map centre is placed to the pixel)."""
    return 360 / (256 * 2**zoom)


@pytest.mark.parametrize("zoom", [0, 2, 7, 8, 18])
def test_a_link_opens_at_its_view_whatever_the_store(big_server: str, browser: Browser, zoom: int) -> None:
    browser.page.goto(f"{big_server}/?lat=45.5&lon=10.25&zoom={zoom}")
    browser.wait_until(lambda: browser.map("m => GeoMap.loaded"), "the map to draw its view")
    lat, lon, found = browser.view()
    assert found == zoom
    if zoom >= 2:  # the centre snaps to a whole pixel
        assert abs(lat - 45.5) < _pixel_degrees(zoom) and abs(lon - 10.25) < _pixel_degrees(zoom)
    assert browser.url_view()["zoom"] == str(zoom)


@pytest.mark.parametrize("how", ["button", "wheel", "double click", "keyboard"])
def test_a_zoom_then_a_filter_change_keeps_the_view(server: str, browser: Browser, how: str) -> None:
    page = browser.page
    page.goto(f"{server}/?lat=30&lon=10&zoom=3")
    frame = browser.map_frame()
    container = frame.locator(".leaflet-container")
    if how == "button":
        frame.locator(".leaflet-control-zoom-in").click()
    elif how == "wheel":
        container.hover(position={"x": 300, "y": 300})
        page.mouse.wheel(0, -300)
    elif how == "double click":
        container.dblclick(position={"x": 60, "y": 420})
    else:
        container.focus()
        page.keyboard.press("Equal")  # "+" zooms in
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => !location.search.includes('zoom=3')", timeout=15_000)
    browser.wait_until(lambda: _view_written(browser), "the moved view to be written to the address")
    moved, asked = browser.url_view(), browser.answers("/view?")
    browser_search(page, "Nice", count=1)
    browser.wait_until(
        lambda: browser.answers("/view?") > asked and browser.answers("q=Nice") and browser.map("m => GeoMap.loaded"),
        "the map to draw its answer to the search",
    )
    assert {k: v for k, v in browser.url_view().items() if k != "event"} == moved
    lat, lon, zoom = browser.view()
    assert zoom == int(moved["zoom"])
    assert abs(lat - float(moved["lat"])) < _pixel_degrees(zoom) and abs(lon - float(moved["lon"])) < _pixel_degrees(
        zoom
    )


def test_the_share_box_shows_the_whole_current_link(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?severity=2")
    browser.map_frame().locator(".leaflet-control-zoom-in").click()
    page.wait_for_function("() => location.search.includes('zoom=')", timeout=15_000)
    share = page.frame_locator("iframe[title='st.iframe'], iframe[srcdoc*='Link to this view'] >> nth=0")
    value = browser.wait_until(
        lambda: (link := share.locator("#link").input_value()) == page.url and link, "the Share box to show the link"
    )
    assert value == page.url and value.startswith("http://127.0.0.1:") and "severity=2" in value and "zoom=" in value


#: Search words with every character an address gives a meaning to, and some it must encode.
SEARCHES = ["floods & storms #2", "a+b = 100% sure?", "Zürich / São Paulo – 東京", "  spaced   out  "]


def _share_link(browser: Browser) -> str:
    share = browser.page.frame_locator("iframe[title='st.iframe'], iframe[srcdoc*='Link to this view'] >> nth=0")
    return str(browser.wait_until(lambda: share.locator("#link").input_value(), "the Share box to show a link"))


def test_the_share_link_carries_search_words_of_any_characters(server: str, browser: Browser) -> None:
    page = browser.page
    for words in SEARCHES:
        page.goto(f"{server}/?severity=1")
        search = page.get_by_test_id("stSidebarUserContent").get_by_test_id("stTextInputField")
        search.fill(words)
        search.press("Enter")
        browser.wait_until(lambda: "q=" in page.url, "the search words to reach the address")
        link = browser.wait_until(lambda: (shown := _share_link(browser)) == page.url and shown, "the link to follow")
        query = parse_qs(urlparse(link).query, keep_blank_values=True)
        assert query["q"] == [words] and query["severity"] == ["1"], (words, link)
        page.goto(link)  # the link opens the same search
        search = page.get_by_test_id("stSidebarUserContent").get_by_test_id("stTextInputField")
        browser.wait_until(lambda: search.input_value() == words, f"the link to bring back {words!r}")  # noqa: B023


# -- keyboard, phone, time, table -------------------------------------------------------------------------------


def test_every_event_on_the_map_is_reachable_from_the_keyboard(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?lat=30&lon=0&zoom=2&type=tropical_cyclone&type=earthquake")
    frame = browser.map_frame()
    frame.locator(".leaflet-container").focus()
    page.keyboard.press("Tab")
    focused = browser.map(
        "m => document.activeElement.className + '|' + document.activeElement.getAttribute('aria-label')"
    )
    assert "geo-ev" in focused and "Severity" in focused
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('event=')", timeout=15_000)
    assert browser.map("m => GeoMap.selected") == browser.url_view()["event"]


def test_a_phone_screen_keeps_the_legend_and_the_sidebar_out_of_the_way(server: str) -> None:
    with chromium_page(390, 844) as phone:
        phone.page.goto(server)
        phone.map_frame().locator(".geo-legend details").first.wait_for(
            state="attached", timeout=30_000
        )  # from /summary
        assert phone.map("m => document.querySelector('.geo-legend details').open") is False
        assert phone.map("m => m.getSize().x") <= 390
        sidebar = phone.page.get_by_test_id("stSidebar")
        assert sidebar.get_attribute("data-collapsed") == "true"
        assert phone.errors == []


def test_dragging_across_the_timeline_sets_the_dates(big_server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{big_server}/?lat=0&lon=0&zoom=1")
    browser.map_frame()
    chart = page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] * 0.6
    page.mouse.move(box["x"] + box["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)
    page.mouse.up()
    page.wait_for_function("() => location.search.includes('from=') && location.search.includes('to=')", timeout=30_000)
    query = page.url
    start, end = re.search(r"from=([\d-]+)", query), re.search(r"to=([\d-]+)", query)
    assert start is not None and end is not None and start.group(1) < end.group(1)
    assert browser.events_count() < 3000


def test_the_timeline_and_the_player_use_the_map_s_colours(big_server: str, browser: Browser) -> None:
    browser.page.goto(big_server)
    browser.map_frame().locator(".geo-player button").click()
    browser.wait_until(
        lambda: browser.map("m => document.querySelector('.geo-player span').textContent").startswith("to week of "),
        "the player to step to a week",
    )
    spec = browser.page.evaluate("() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')].length")
    assert spec >= 1
    css = browser.map("m => getComputedStyle(document.querySelector('.geo-legend .geo-dot')).backgroundColor")
    assert css.replace(" ", "") == "rgb({},{},{})".format(*bytes.fromhex(SEVERITY_COLOURS[1][1:]))


def test_the_table_can_list_only_the_events_in_view(big_server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{big_server}/?lat=45&lon=10&zoom=4")
    browser.map_frame()
    page.get_by_text("Only the events in view").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        ".some(e => /^[0-9,]+ events? in view/.test(e.innerText) && parseInt(e.innerText.replace(/,/g, '')) < 3000)",
        timeout=30_000,
    )
    caption = page.get_by_text(re.compile(r"^[\d,]+ events? in view")).inner_text()
    shown = int(caption.split()[0].replace(",", ""))
    assert 0 < shown < 3000
    browser.map_frame().locator(".leaflet-control-zoom-out").click()  # a wider view lists more
    page.wait_for_function(
        f"() => [...document.querySelectorAll('[data-testid=\"stCaptionContainer\"]')]"
        f".some(e => / in view/.test(e.innerText) && parseInt(e.innerText.replace(/,/g, '')) > {shown})",
        timeout=30_000,
    )


def test_the_html_export_works_from_disk_with_no_network(server: str, browser: Browser, tmp_path: Path) -> None:
    page = browser.page
    page.goto(f"{server}/?type=earthquake")
    browser.map_frame()
    page.get_by_text("Prepare downloads").click()
    page.get_by_test_id("stDownloadButton").first.wait_for(timeout=60_000)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_test_id("stDownloadButton").filter(has_text="Map (HTML)").click()
    saved = tmp_path / "map.html"
    saved.write_bytes(Path(download.value.path()).read_bytes())
    offline = Browser(page.context.browser.new_page())  # the file opened on its own, the network still cut
    offline.page.goto(saved.as_uri())
    offline.page.wait_for_selector(".geo-ev, .geo-cluster", timeout=30_000)
    caption = offline.page.locator(".geo-caption").inner_text()
    assert "News event map" in caption and "Filters: earthquake" in caption and "Made " in caption
    assert offline.page.locator("canvas.geo-basetile").count() > 0
    assert offline.blocked == [] and offline.errors == []
