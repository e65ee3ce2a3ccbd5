"""End to end: `streamlit run dashboard.py` in headless Chromium, every request off localhost blocked: filters,
hostile articles, uploads, downloads.

Uses Debian's chromium (installed by .ci/run) through Playwright's ``executable_path``; skipped where
either is missing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.ingest import ingest_sources
from geo.places.geoparse import Geoparser
from geo.store.eventstore import read_events
from tests.browser import SAMPLE, Browser, browser_search, chromium_page, in_live_frames, require_browser, serving

pytestmark = pytest.mark.browser

HOSTILE_TITLE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2"> Flood hits Lyon'
HOSTILE_TEXT = 'Floods killed 3 people in Lyon, France. <img src=x onerror="window.__xss=3">'

playwright_api = require_browser()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, geoparser: Geoparser) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    hostile = folder / "hostile.jsonl"
    hostile.write_text(json.dumps({"title": HOSTILE_TITLE, "text": HOSTILE_TEXT, "url": "javascript:alert(1)"}) + "\n")
    path = folder / "events.parquet"
    ingest_sources([str(SAMPLE), str(hostile)], path, geoparser)
    return path


def _nothing_ran(page: object) -> bool:
    """True when no frame of the page has run the hostile article's script (frames replaced by a rerun are skipped)."""
    ran = in_live_frames(page, "() => window.__xss !== undefined")
    return ran != [] and not any(ran)


@pytest.fixture
def browser_page() -> Iterator[Browser]:
    with chromium_page() as page:
        yield page


def test_map_and_markers_render_offline(server: str, browser_page: Browser) -> None:
    browser_page.page.goto(server)
    assert browser_page.events_count() == 12
    frame = browser_page.map_frame()
    frame.locator(".geo-legend").wait_for(timeout=30_000)
    assert frame.locator("canvas.geo-basetile").count() > 0
    assert frame.locator(".geo-ev, .geo-cluster").count() > 0
    assert browser_page.blocked == [] and browser_page.errors == []


def test_url_filters_change_the_events_count(server: str, browser_page: Browser) -> None:
    browser_page.page.goto(f"{server}/?type=earthquake&type=tropical_cyclone")
    assert browser_page.events_count() == 3
    browser_page.page.goto(f"{server}/?severity=4")
    assert browser_page.events_count() == 3
    browser_page.page.goto(f"{server}/?country=UA")
    assert browser_page.events_count() == 2


def test_bad_url_values_give_a_notice_not_an_error(server: str, browser_page: Browser) -> None:
    browser_page.page.goto(f"{server}/?severity=abc&type=%3Cscript%3E&lat=999")
    assert browser_page.events_count() == 12
    assert browser_page.page.get_by_text("ignored severity").count() > 0
    assert browser_page.page.locator('[data-testid="stException"]').count() == 0


def test_a_changed_filter_shows_in_the_url(server: str, browser_page: Browser) -> None:
    page = browser_page.page
    page.goto(server)
    browser_page.events_count()
    browser_search(page, "Nice", count=1)


def test_hostile_article_runs_nothing(server: str, browser_page: Browser) -> None:
    page = browser_page.page
    page.goto(f"{server}/?q=Lyon")
    assert browser_page.events_count() == 1
    frame = browser_page.map_frame()
    frame.locator(".geo-ev").first.click()  # the only event: its popup opens
    popup = frame.locator(".leaflet-popup-content")
    popup.wait_for(timeout=15_000)
    assert "<script>window.__xss=1</script>" in popup.inner_text()  # shown as text, not run
    page.get_by_text("Open the article").wait_for(state="detached", timeout=5_000)  # javascript: is no link
    page.get_by_text("Floods killed 3 people in Lyon").first.wait_for(timeout=30_000)  # the details, drawn
    for where in (frame.locator("body"), page.locator("body")):  # no element made of the article's markup
        assert where.locator("img[src='x'], script:text('__xss')").count() == 0
    assert _nothing_ran(page)
    assert browser_page.dialogs == []
    assert browser_page.blocked == []


def test_a_markdown_image_in_the_url_loads_nothing(server: str, browser_page: Browser) -> None:
    browser_page.page.goto(f"{server}/?type=%21%5Bx%5D%28http%3A%2F%2Fevil.example%2Ft.png%29")
    assert browser_page.events_count() == 12
    notice = browser_page.page.get_by_text("ignored type", exact=False).first
    assert "![x](http://evil.example/t.png)" in notice.inner_text()  # the value shown as typed
    assert browser_page.page.locator("img[src*='evil.example']").count() == 0
    assert browser_page.blocked == []


UPLOADS = [
    ("good.jsonl", b'{"title": "Quake in Oslo", "text": "A quake shook Oslo, Norway, on Monday."}\n{"title": bad\n'),
    ("empty.txt", b""),
    ("noise.txt", bytes(range(256)) * 40),
    ("columns.csv", b"headline,body\nFlood,Water everywhere.\n"),
    (
        "laughs.xml",
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><rss><channel>'
        b"<item><title>Storm in Bergen &b;</title><description>A storm hit Bergen, Norway.</description></item>"
        b"</channel></rss>",
    ),
    (
        "page.html",
        b"<html><head><title>Flood in Lyon</title><script>alert(1)</script></head><body><p>Floods killed 3 people "
        b'in Lyon, France.</p><img src="http://evil.example/x.png" onerror="alert(2)"></body></html>',
    ),
    (
        "![x](http%3A%2F%2Fevil.example%2Fn.png).txt",
        b"Fire destroys homes in Porto\nA fire destroyed homes in Porto, Portugal.\n",
    ),
]


def test_uploads_of_bad_files_are_reported_and_the_good_stories_added(
    tmp_path: Path, geoparser: Geoparser, browser_page: Browser
) -> None:
    store = tmp_path / "events.parquet"
    ingest_sources([str(SAMPLE)], store, geoparser)
    page = browser_page.page
    with serving(store) as url:
        page.goto(url)
        assert browser_page.events_count() == 11
        page.get_by_text("Add news").click()
        files = [{"name": name, "mimeType": "application/octet-stream", "buffer": data} for name, data in UPLOADS]
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files)
        page.get_by_text(UPLOADS[0][0]).first.wait_for(timeout=30_000)
        browser_page.wait_until(lambda: browser_page.answers("/upload_file/") >= len(UPLOADS), "the uploads to end")
        page.get_by_role("button", name="Add", exact=True).click()
        try:
            page.get_by_text("added 4 events").wait_for(timeout=60_000)
            assert browser_page.events_count() == 15  # the map, the count and the table follow at once
        except playwright_api.TimeoutError:
            page.screenshot(path=str(tmp_path / "upload.png"), full_page=True)
            raise
        problems = page.get_by_test_id("stCode").last.inner_text()
        for name, fragment in [
            ("good.jsonl:2", "not JSON"),
            ("empty.txt", "empty"),
            ("noise.txt", "binary data"),
            ("columns.csv:1", "names neither"),
            ("laughs.xml", "declares XML entities"),
        ]:
            assert f"{name}: " in problems and fragment in problems, (name, problems)
    stored = read_events(store)
    assert len(stored) == 15
    titles = " | ".join(stored["title"])
    for title in ("Fire destroys homes in Porto", "Flood in Lyon", "Quake in Oslo", "Storm in Bergen"):
        assert title in titles
    texts = " ".join(stored["text"])
    assert "aaaa" not in texts and "alert" not in texts
    assert browser_page.dialogs == []
    assert browser_page.blocked == []


def test_downloads_are_prepared_on_demand_and_hold_the_shown_events(server: str, browser_page: Browser) -> None:
    page = browser_page.page
    page.goto(f"{server}/?q=Nice")
    assert browser_page.events_count() == 1
    assert page.get_by_test_id("stDownloadButton").count() == 0
    for _ in range(3):  # a click that lands while the page redraws itself is lost: click until the switch is on
        page.get_by_text("Prepare downloads").click()
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('input[type=checkbox]')].some(e => e.checked"
                " && (e.closest('label') || e.parentElement).innerText.includes('Prepare downloads'))",
                timeout=10_000,
            )
            break
        except playwright_api.TimeoutError:
            continue
    page.get_by_test_id("stDownloadButton").first.wait_for(timeout=60_000)
    with page.expect_download(timeout=30_000) as download:
        page.get_by_test_id("stDownloadButton").filter(has_text="CSV").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [row["place_name"] for row in rows] == ["Nice"]
    assert browser_page.blocked == []
