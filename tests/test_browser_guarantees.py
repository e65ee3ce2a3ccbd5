"""End to end, promises of the page that no other browser test holds, in headless Chromium with the network cut:
an article's HTML and Markdown shown as plain text beside the map, a table row that selects its event and centres
the map on it, a timeline drawn for the events shown that follows the filters, a damaged store reported in words
with nothing lost, and news added by pasted text and by a feed's URL.

Every wait is on a condition with a deadline."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geo.store.eventstore import append_events, read_events
from tests import feeds
from tests.browser import Browser, browser_search, require_browser, serving
from tests.rows import event, events
from tests.stores import part_files

pytestmark = pytest.mark.browser

playwright_api = require_browser()


#: HTML and Markdown an article may hold: shown, each character, as typed.
HOSTILE = "<b>bold</b> <img src=x onerror=alert(1)> **stars** [link](http://example.org)"
#: The stored events: id, title, type, severity, lat, lon, place, country, day. Far apart, so that none is
#: clustered with another at country zoom; the table lists Wellington first, then Lima.
EVENTS = [
    ("wellington", "Quake in Wellington", "earthquake", 5, -41.29, 174.78, "Wellington", "NZ", "2024-05-03"),
    ("lima", "Flood in Lima", "flood", 4, -12.05, -77.04, "Lima", "PE", "2024-05-05"),
    ("nairobi", "Flood in Nairobi", "flood", 1, -1.29, 36.82, "Nairobi", "KE", "2024-05-01"),
    ("hostile", f"Flood {HOSTILE}", "flood", 1, 45.76, 4.84, "Lyon", "FR", "2024-05-01"),
]
#: The timeline's bars for EVENTS: (day, severity, events).
BARS = [("May 01, 2024", "1 minimal", 2), ("May 03, 2024", "5 catastrophic", 1), ("May 05, 2024", "4 severe", 1)]
#: A view of the North Atlantic, where no event is.
EMPTY_VIEW = "lat=60&lon=-30&zoom=5"
#: A story pasted into "Add news", far from the feed's stories and EVENTS.
PASTED = "Floods killed 3 people in Porto, Portugal, on Monday."


def _rows(listed: list[tuple[str, str, str, int, float, float, str, str, str]]) -> Any:
    """The event table of ``listed`` (see EVENTS); the hostile event has its text and source from HOSTILE."""
    return events(
        *(
            event(key, title=title, event_type=kind, severity=level, lat=lat, lon=lon, place_name=place,
                  country_code=country, published_at=f"{day}T10:00:00Z", places="[]", url=None,
                  text=f"Floods in Lyon. {HOSTILE}" if key == "hostile" else f"{title}.",
                  source=HOSTILE if key == "hostile" else "Example News")
            for key, title, kind, level, lat, lon, place, country, day in listed
        )
    )  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """EVENTS, in two commits (two parts, two log entries); the page only reads it."""
    path = tmp_path_factory.mktemp("guarantees") / "events.parquet"
    append_events(path, _rows(EVENTS[:2]))
    append_events(path, _rows(EVENTS[2:]))
    return path


@pytest.fixture(scope="module")
def adding_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Wellington and Lima, to which the "Add news" tests add."""
    path = tmp_path_factory.mktemp("adding") / "events.parquet"
    append_events(path, _rows(EVENTS[:2]))
    return path


@pytest.fixture(scope="module")
def adding_server(adding_store: Path) -> Iterator[str]:
    """The dashboard with its map server over ``adding_store``."""
    with serving(adding_store) as url:
        yield url


@pytest.fixture(scope="module")
def feed_server() -> Iterator[feeds.FeedServer]:
    """Feeds served on localhost."""
    with feeds.serving() as server:
        yield server


def _details(browser: Browser) -> Any:
    """The panel beside the map that shows the selected event (the column of its "Clear the selection" button)."""
    panel = browser.page.locator("[data-testid='stColumn']:has(.st-key-clear)")
    panel.wait_for(timeout=30_000)
    return panel


# -- the details: plain text --------------------------------------------------------------------------------------


def test_an_article_s_html_and_markdown_show_as_plain_text_in_the_details(server: str, browser: Browser) -> None:
    browser.page.goto(f"{server}/?event=hostile")
    panel = _details(browser)
    panel.get_by_text("Floods in Lyon.").wait_for(timeout=30_000)
    shown = panel.inner_text().replace("\u2060", "")  # the invisible word joiner that keeps an address no link
    assert shown.count(HOSTILE) == 3, shown  # the title, the source and the text, every character as stored
    assert panel.locator("b, img, script, iframe").count() == 0
    assert panel.locator("strong, em").filter(has_text=re.compile(r"^(bold|stars)$")).count() == 0
    popup = browser.map_frame().locator(".leaflet-popup-content")
    popup.wait_for(timeout=30_000)
    assert HOSTILE in popup.inner_text() and popup.locator("img, a").count() == 0
    assert browser.dialogs == [] and browser.errors == [] and browser.blocked == []


def test_an_address_in_an_article_is_no_link_in_the_details(server: str, browser: Browser) -> None:
    browser.page.goto(f"{server}/?event=hostile")
    panel = _details(browser)
    panel.get_by_text("Floods in Lyon.").wait_for(timeout=30_000)
    assert panel.locator("a[href*='example.org']").count() == 0


# -- a table row selects and centres --------------------------------------------------------------------------------


def _click_row(browser: Browser, index: int) -> None:
    """Click the selection box of the table's row ``index`` (0: the first, below the header)."""
    grid = browser.page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    browser.page.mouse.click(box["x"] + 16, box["y"] + 56 + 35 * index)  # rows of 35 px below a header of 35


def _off_centre(browser: Browser, lat: float, lon: float) -> float:
    """Pixels between (lat, lon) and the centre of the map."""
    script = f"m => {{ const p = m.latLngToContainerPoint([{lat}, {lon}]), s = m.getSize(); "
    script += "return Math.hypot(p.x - s.x / 2, p.y - s.y / 2); }"
    return float(browser.map(script))


def test_a_table_row_selects_its_event_and_centres_the_map_on_it(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(f"{server}/?{EMPTY_VIEW}")
    _, _, _, _, lat, lon, *_ = EVENTS[1]  # Lima, the second row
    assert not browser.map(f"m => m.getBounds().contains([{lat}, {lon}])")  # the map must move to show it
    _click_row(browser, 1)
    page.wait_for_function("() => location.search.includes('event=lima')", timeout=30_000)
    browser.wait_until(lambda: _off_centre(browser, lat, lon) < 3, "the map to centre on the row's event")
    assert browser.map("m => GeoMap.selected") == "lima"
    assert browser.map("m => document.querySelector('.geo-ev.geo-selected').getAttribute('aria-label')").startswith(
        "Flood in Lima"
    )
    browser.wait_until(lambda: abs(float(browser.url_view().get("lat", 99)) - lat) < 0.01, "the address to follow")
    view = browser.url_view()
    assert view["event"] == "lima" and abs(float(view["lon"]) - lon) < 0.01  # the address holds both
    _details(browser).get_by_text("Flood in Lima").first.wait_for(timeout=30_000)
    assert browser.errors == [] and browser.blocked == []


# -- the timeline -----------------------------------------------------------------------------------------------


def _bars(browser: Browser) -> list[tuple[str, str, int]]:
    """The timeline's bars that hold events: (day, severity, events), as the chart describes them to a screen
    reader."""
    labels = browser.page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"] .mark-rect path[aria-label]')]"
        ".map(e => e.getAttribute('aria-label'))"
    )
    found = (re.search(r"Day: ([^;]+); Severity: ([^;]+); Events: (\d+)", label) for label in labels)
    return sorted((m.group(1), m.group(2), int(m.group(3))) for m in found if m and int(m.group(3)) > 0)


def test_the_timeline_counts_the_shown_events_by_day_and_follows_a_filter(server: str, browser: Browser) -> None:
    page = browser.page
    page.goto(server)
    assert browser.events_count() == len(EVENTS)
    browser.wait_until(lambda: _bars(browser) == BARS, "the timeline's bars")
    page.get_by_text("Events per day").first.wait_for(timeout=30_000)
    browser_search(page, "Nairobi", count=1)
    browser.wait_until(lambda: _bars(browser) == [("May 01, 2024", "1 minimal", 1)], "the filtered bars")
    assert browser.errors == [] and browser.blocked == []


# -- a damaged store ----------------------------------------------------------------------------------------------


def _damage(store: Path, what: str) -> tuple[Path, bytes]:
    """Overwrite the newest log entry or the first part of ``store`` with garbage; that file and its bytes."""
    damaged = sorted((store / "_log").glob("*.json"))[-1] if what == "log entry" else part_files(store)[0]
    before = damaged.read_bytes()
    damaged.write_bytes(b"\x00garbage{" * 40)
    return damaged, before


def _store_bytes(store: Path) -> dict[str, bytes]:
    """Every part and log entry of ``store``, by name."""
    return {path.name: path.read_bytes() for path in [*store.glob("part-*.parquet"), *store.glob("_log/*.json")]}


@pytest.mark.parametrize(
    "what",
    [
        "log entry",
        "part file",
    ],
)
def test_a_damaged_store_is_reported_in_words_and_loses_nothing(tmp_path: Path, browser: Browser, what: str) -> None:
    store = tmp_path / "events.parquet"
    append_events(store, _rows(EVENTS[:2]))
    append_events(store, _rows(EVENTS[2:]))
    damaged, good = _damage(store, what)
    kept = _store_bytes(store)
    page = browser.page
    with serving(store) as url:
        page.goto(url)
        page.get_by_role("heading", name="News event map").wait_for(timeout=30_000)
        page.wait_for_function(  # a word about the damaged file, or Streamlit's exception box
            "name => document.body.innerText.includes(name) || !!document.querySelector('[data-testid=stException]')",
            arg=damaged.name,
            timeout=30_000,
        )
        assert page.locator("[data-testid='stException']").count() == 0  # no traceback
        said = page.locator("[data-testid='stAlert'], [data-testid='stCode']").all_inner_texts()
        assert any(damaged.name in text for text in said), said  # the message names the file that is wrong
        assert _store_bytes(store) == kept  # the page repaired nothing by throwing things away
        damaged.write_bytes(good)
        page.reload()
        assert browser.events_count() == len(EVENTS)  # every event back, once the file is
    assert browser.errors == [] and browser.blocked == []


# -- adding news --------------------------------------------------------------------------------------------------


def _add_news(browser: Browser, *, text: str = "", url: str = "") -> None:
    """Open "Add news", paste ``text`` or give ``url``, and press Add."""
    page = browser.page
    page.get_by_text("Add news").click()
    if text:
        page.get_by_label("Paste news text").fill(text)
    if url:
        page.get_by_label("Or a feed or page URL").fill(url)
    page.get_by_role("button", name="Add", exact=True).click()


def _new_events(store: Path, before: set[str]) -> dict[str, str]:
    """The events of ``store`` not in ``before``: id -> title."""
    stored = read_events(store)
    return {str(key): str(title) for key, title in zip(stored["event_id"], stored["title"], strict=True)
            if key not in before}  # fmt: skip


def _on_map(browser: Browser, event_ids: list[str]) -> None:
    """Wait until the live map has a marker for each of ``event_ids``."""
    script = f"m => {json.dumps(sorted(event_ids))}.filter(id => !GeoMap.markers[id])"
    browser.wait_until(lambda: browser.map(script) == [], "a marker for each new event")


def test_pasted_news_is_added_and_shown(adding_server: str, adding_store: Path, browser: Browser) -> None:
    browser.page.goto(adding_server)
    count, before = browser.events_count(), set(read_events(adding_store)["event_id"])
    _add_news(browser, text=PASTED)
    browser.page.get_by_text("added 1 event;").wait_for(timeout=90_000)
    browser.wait_until(lambda: browser.events_count() == count + 1, "the count to rise by one")
    added = _new_events(adding_store, before)
    assert len(added) == 1 and "Porto" in next(iter(added.values()))
    _on_map(browser, list(added))
    assert browser.dialogs == [] and browser.errors == [] and browser.blocked == []


def test_a_feed_url_adds_its_stories(
    adding_server: str, adding_store: Path, feed_server: feeds.FeedServer, browser: Browser
) -> None:
    wire = feed_server.feed("wire.xml", feeds.rss(list(feeds.STORIES)))
    browser.page.goto(adding_server)
    count, before = browser.events_count(), set(read_events(adding_store)["event_id"])
    _add_news(browser, url=wire)
    browser.page.get_by_text(f"added {len(feeds.STORIES)} events;").wait_for(timeout=90_000)
    assert feed_server.hits["/wire.xml"] == 1
    browser.wait_until(lambda: browser.events_count() == count + len(feeds.STORIES), "the count to rise")
    added = _new_events(adding_store, before)
    assert sorted(added.values()) == sorted(title for title, _ in feeds.STORIES)
    _on_map(browser, list(added))
    assert browser.dialogs == [] and browser.errors == [] and browser.blocked == []
