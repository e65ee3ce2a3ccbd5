"""End to end, the page following the store: another process commits events while the page is open, and the page
shows them within seconds (the count, the "Updated" line, the new markers) without a reload, keeping its map view,
its filters and the selected event; with auto-refresh off (``live=false``) nothing changes until it is switched on.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.store.eventstore import append_events
from tests.browser import Browser, chromium_page, require_browser, serving, wait_until
from tests.rows import event, events

pytestmark = pytest.mark.browser

playwright_api = require_browser()

#: Seconds within which a commit shows on the page.
WITHIN = 10.0
#: Events far enough apart (at zoom 5) that none is clustered with another: id, lat, lon, title.
FIRST = [
    ("paris", 48.86, 2.35, "Flood in Paris"),
    ("lyon", 45.76, 4.84, "Flood in Lyon"),
    ("madrid", 40.42, -3.70, "Flood in Madrid"),
    ("berlin", 52.52, 13.40, "Flood in Berlin"),
]
VIEW = {"lat": "47", "lon": "3", "zoom": "5"}


def _rows(listed: list[tuple[str, float, float, str]]) -> Any:
    return events(*(event(key, lat=lat, lon=lon, title=title) for key, lat, lon, title in listed))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("refresh") / "events.parquet"
    append_events(path, _rows(FIRST))
    return path


@pytest.fixture
def browser() -> Iterator[Browser]:
    with chromium_page() as page:  # tall enough for the whole map (a click on a cut-off map scrolls it)
        yield page


def _updated(browser: Browser) -> str:
    line = browser.page.get_by_text(re.compile(r"^Updated \d")).first
    line.wait_for(timeout=30_000)
    return str(line.inner_text())


def _has_marker(browser: Browser, event_id: str) -> bool:
    return bool(browser.map(f"m => !!(GeoMap.markers[{event_id!r}] && GeoMap.markers[{event_id!r}]._map)"))


def _wait(check: Any, seconds: float, what: str) -> float:
    """Seconds until ``check()`` holds (AssertionError after ``seconds``)."""
    start = time.monotonic()
    wait_until(check, what, seconds)
    return time.monotonic() - start


def _next_second() -> None:
    """Wait for the clock's next whole second: the "Updated" line counts whole seconds."""
    now = int(time.time())
    wait_until(lambda: int(time.time()) > now, "the next second", 5)


def _looks(browser: Browser, count: int) -> None:
    """Wait until the map has had ``count`` more answers to its look at the store's version."""
    seen = browser.answers("/version")
    browser.wait_until(lambda: browser.answers("/version") >= seen + count, f"{count} looks of the map at the store")


def _open_and_select(browser: Browser, server: str, extra: str = "") -> dict[str, str]:
    """Open the page, move the map, click Paris; the address's view and selection."""
    page = browser.page
    page.goto(f"{server}/?{extra}")
    browser.events_count()
    browser.map_frame()
    browser.wait_until(lambda: browser.map("m => GeoMap.loaded"), "the map to fit the events")
    view = f"[{VIEW['lat']}, {VIEW['lon']}], {VIEW['zoom']}, {{animate: false}}"
    browser.map(f"m => {{ m.setView({view}); return 1; }}")  # pan and zoom
    page.wait_for_function("() => location.search.includes('zoom=5')", timeout=15_000)
    browser.wait_until(lambda: browser.map("m => GeoMap.loaded"), "the map to draw the moved view")
    browser.map_frame().locator('.geo-ev[aria-label^="Flood in Paris"]').click()
    page.get_by_text("A flood hit central Paris.").first.wait_for(timeout=30_000)  # the details beside the map
    page.wait_for_function("() => location.search.includes('event=paris')", timeout=15_000)
    browser.map("m => { window.__same = 1; return 1; }")
    seen = browser.url_view()
    assert seen["zoom"] == VIEW["zoom"] and seen["event"] == "paris", seen
    return seen


def test_new_events_show_within_seconds_keeping_the_view_and_the_selection(
    server: str, store: Path, browser: Browser
) -> None:
    page = browser.page
    seen = _open_and_select(browser, server)
    before, updated = browser.events_count(), _updated(browser)
    assert updated.endswith(f"· {before} events")
    added = [(f"new{i}", lat, lon, f"Fresh flood {i}") for i, (lat, lon) in enumerate([(50.5, -1.0), (43.3, 8.0)])]
    _next_second()
    append_events(store, _rows(added))
    delay = _wait(lambda: browser.events_count() == before + 2, WITHIN, "the page to count the new events")
    on_map = _wait(lambda: all(_has_marker(browser, key) for key, *_ in added), WITHIN, "the new markers")
    print(f"\ncommit -> page count {delay:.1f} s, -> map markers {delay + on_map:.1f} s")
    assert _updated(browser) != updated and _updated(browser).endswith(f"· {before + 2} events")
    assert browser.url_view() == seen  # the view and the selection, kept in the address
    lat, lon, zoom = browser.view()
    assert zoom == 5 and abs(lat - float(seen["lat"])) < 1e-3 and abs(lon - float(seen["lon"])) < 1e-3  # unmoved
    assert browser.map("m => window.__same") == 1  # the same map: redrawn, not rebuilt
    assert browser.map("m => GeoMap.selected") == "paris"
    assert page.get_by_text("A flood hit central Paris.").count() > 0  # the details stay open
    page.screenshot(path="/tmp/refresh_live.png")
    assert browser.errors == [] and browser.blocked == []


def _switch(browser: Browser, on: bool) -> None:
    """Turn auto-refresh on or off in the sidebar, and wait for the address to say so."""
    page = browser.page
    for _ in range(3):  # a click that lands while the page redraws itself is lost: click until the switch follows
        page.get_by_test_id("stSidebarUserContent").get_by_text("Auto-refresh").click()
        try:
            page.wait_for_function(f"() => location.search.includes('live=false') === {str(not on).lower()}")
            return
        except playwright_api.TimeoutError:
            continue
    raise AssertionError("the switch does not follow")


def test_with_auto_refresh_off_the_page_stays_until_switched_on(server: str, store: Path, browser: Browser) -> None:
    page = browser.page
    seen = _open_and_select(browser, server)
    _switch(browser, on=False)
    assert browser.url_view() == seen
    looked = browser.answers("/version")
    before, updated = browser.events_count(), _updated(browser)
    _next_second()
    append_events(store, _rows([("late", 49.5, 6.0, "Late flood")]))
    witness = Browser(
        page.context.browser.new_page()
    )  # a page that follows the store shows the commit: so could this one
    witness.page.goto(server)
    _wait(lambda: witness.events_count() == before + 1, WITHIN, "a following page to show the commit")
    witness.map_frame()
    _looks(witness, 2)
    witness.page.close()
    assert (browser.events_count(), _updated(browser)) == (before, updated)
    assert not _has_marker(browser, "late")
    assert browser.answers("/version") <= looked + 1  # the map of this page stopped looking (one answer in flight)
    page.screenshot(path="/tmp/refresh_off.png")
    _switch(browser, on=True)
    _wait(lambda: browser.events_count() == before + 1 and _has_marker(browser, "late"), WITHIN, "the late event")
    assert browser.url_view() == seen
    assert page.get_by_text("A flood hit central Paris.").count() > 0
    assert browser.errors == [] and browser.blocked == []


def test_filters_of_a_link_and_a_moved_view_stay_through_a_refresh(server: str, store: Path, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?country=FR&lat=20&lon=0&zoom=3")  # the filter widgets show counts, which change
    before = browser.events_count()
    browser.wait_until(lambda: browser.map("m => GeoMap.loaded"), "the map to draw the link's view")
    browser.map("m => { m.setView([46, 4], 6, {animate: false}); return 1; }")
    page.wait_for_function("() => location.search.includes('zoom=6')", timeout=15_000)
    address = page.url
    append_events(store, _rows([("lille", 50.63, 3.06, "Flood in Lille")]))
    _wait(lambda: browser.events_count() == before + 1 and _has_marker(browser, "lille"), WITHIN, "Lille's event")
    _looks(browser, 2)  # another look at the store, and the browser's answer to it
    assert page.url == address  # the filter in codes, the moved view: not the older address of the link
    lat, lon, zoom = browser.view()
    assert (round(lat), round(lon), zoom) == (46, 4, 6)
    assert page.get_by_text("ignored country").count() == 0
    assert browser.errors == [] and browser.blocked == []


def test_a_page_opened_on_no_store_shows_the_first_commit(tmp_path: Path, browser: Browser) -> None:
    store = tmp_path / "events.parquet"
    with serving(store) as url:
        browser.page.goto(url)
        browser.page.get_by_text("No events yet").first.wait_for(timeout=30_000)
        append_events(store, _rows(FIRST))
        _wait(lambda: browser.page.get_by_text(re.compile(r"^Updated \d")).count() > 0, WITHIN, "the first commit")
        assert browser.events_count() == len(FIRST)
        browser.map_frame()
    assert browser.errors == [] and browser.blocked == []
