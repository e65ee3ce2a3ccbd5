"""The page over 100,000 events, in headless Chromium with the network cut: the map shows counts per area at world
zoom and the events themselves closer in, follows the filters of the address, keeps its view and selection in
the URL, and shows an event selected by a link even when it is not in view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geo.store.eventstore import append_events
from geo.store.query import EventFilter, EventQuery
from geo.store.schema import conform
from tests.browser import Browser, browser_search, require_browser
from tests.synthetic import events

pytestmark = [pytest.mark.browser, pytest.mark.slow]

playwright_api = require_browser()

SIZE = 100_000


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "events.parquet"
    for first in range(0, SIZE, 50_000):
        append_events(path, conform(events(50_000, seed=first // 50_000 + 1)))
    return path


def live(browser: Browser, script: str, until: str = "true") -> Any:
    """``script`` (an expression over ``GeoMap``) once the map has drawn what its view asked for and ``until``
    holds (or after 30 s: the assertion on ``script`` then says what was drawn)."""
    settled = "GeoMap.lastView && GeoMap.loaded && !GeoMap.view.controller"
    return browser.map(
        f"m => new Promise(done => {{ const end = Date.now() + 30000; const tick = () => "
        f"(({settled} && ({until})) || Date.now() > end) ? done({script}) : setTimeout(tick, 100); tick(); }})"
    )


def test_the_world_view_counts_by_area_and_a_closer_view_shows_the_events(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?lat=20&lon=0&zoom=2")
    assert browser.events_count() == SIZE
    mode, in_view, areas = live(browser, "[GeoMap.lastView.mode, GeoMap.lastView.inView, GeoMap.lastView.areas.count]")
    assert mode == "areas" and in_view > 50_000 and sum(areas) == in_view
    assert browser.map_frame().locator(".geo-area").count() > 10
    page.goto(f"{server}/?lat=45.76&lon=4.84&zoom=8")
    mode, markers = live(browser, "[GeoMap.lastView.mode, Object.keys(GeoMap.markers).length]")
    assert mode == "events" and 0 < markers <= 5_000
    assert browser.url_view() == {"lat": "45.76", "lon": "4.84", "zoom": "8"}
    assert browser.blocked == [] and browser.errors == []


def test_the_map_and_the_count_follow_the_filters(server: str, browser: Browser, store: Path) -> None:
    page = browser.page
    page.goto(f"{server}/?type=flood&severity=4&lat=20&lon=0&zoom=2")
    floods = EventQuery(store).count(EventFilter(types=("flood",), min_severity=4))
    assert browser.events_count() == floods
    drawn = live(browser, "GeoMap.lastView.inView")
    assert 0 < drawn <= floods
    browser_search(
        page, "water", count=EventQuery(store).count(EventFilter(types=("flood",), min_severity=4, text="water"))
    )
    filters = "GeoMap.view.fetched.filters"
    assert live(browser, filters, until=f"{filters}.includes('q=water')").count("q=water") == 1
    assert browser.url_view()["zoom"] == "2"  # the view stays where it was


def test_a_click_selects_an_event_and_a_link_brings_it_back(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?lat=45.76&lon=4.84&zoom=9")
    live(browser, "1")
    frame = browser.map_frame()
    index = live(
        browser,
        "(() => { const els = [...document.querySelectorAll('.geo-ev')], x = innerWidth / 2, y = innerHeight / 2;"
        " let best = 0, near = 1e9; els.forEach((e, i) => { const r = e.getBoundingClientRect();"
        " const d = Math.hypot(r.x - x, r.y - y); if (d < near) { near = d; best = i; } }); return best; })()",
    )
    marker = frame.locator(".geo-ev").nth(index)
    title = marker.get_attribute("aria-label").split(", ")[0]
    marker.click()
    page.wait_for_url("**event=**", timeout=30_000)
    page.get_by_text(title).first.wait_for(timeout=30_000)  # its details beside the map
    chosen = browser.url_view()["event"]
    page.goto(f"{server}/?lat=-30&lon=-60&zoom=6&event={chosen}")  # a view far from the event
    drawn = f"!!GeoMap.markers['{chosen}'] && GeoMap.selected === '{chosen}'"
    assert live(browser, drawn, until=drawn)
    page.get_by_text(title).first.wait_for(timeout=30_000)
    assert browser.url_view()["lat"] == "-30"  # the link's view is kept: the event is drawn, not flown to
    page.goto(f"{server}/?event={chosen}")  # no view: the map opens on the event
    centred = f"GeoMap.selected === '{chosen}' && !!GeoMap.markers['{chosen}']._map && m.getZoom() >= 6"
    assert live(browser, centred, until=centred)
    lat, lon, zoom = browser.view()
    assert zoom >= 6 and abs(lat - 45.76) < 15 and abs(lon - 4.84) < 15
