"""Helpers of the browser tests: the dashboard served on a free localhost port, and a headless Chromium page
whose requests off localhost are blocked and counted."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "news_page.txt"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: Set (to 1) where the browser tests must run, as CI does: a missing browser then fails the run instead of
#: skipping the tests.
REQUIRE_BROWSER = "GEO_TESTS_REQUIRE_BROWSER"
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def require_browser() -> Any:
    """Playwright's sync API, for a module of browser tests; without Playwright or Debian's Chromium the module is
    skipped, or, where ``GEO_TESTS_REQUIRE_BROWSER`` is set, the run fails."""
    missing = None
    try:
        import playwright.sync_api as api
    except ImportError:
        missing = "playwright is not installed"
    if missing is None and CHROMIUM is None:
        missing = "Debian's chromium is not installed (apt-get install chromium)"
    if missing is None:
        return api
    if os.environ.get(REQUIRE_BROWSER):
        pytest.fail(f"{missing}, and {REQUIRE_BROWSER} says the browser tests must run", pytrace=False)
    pytest.skip(missing, allow_module_level=True)


def wait_until(
    check: Callable[[], Any], what: str, seconds: float = 30, *, pause: Callable[[], object] = lambda: time.sleep(0.1)
) -> Any:
    """The first true answer of ``check()``, asked again after each ``pause`` until ``seconds`` have passed (then
    AssertionError saying ``what`` did not happen)."""
    deadline = time.monotonic() + seconds
    while not (answer := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what} (last answer: {answer!r})")
        pause()
    return answer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def serving(store: Path, *options: str) -> Iterator[str]:
    """``streamlit run app.py`` (the page and its map server) on a free localhost port over ``store`` (with more
    ``options``); its URL."""
    port = free_port()
    env = {**os.environ, "GEO_STORE": str(store)}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(
        [*command, *options], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_until(lambda: _listening(port) or proc.poll() is not None, "the dashboard to start", 60)
        if proc.poll() is not None:
            raise AssertionError(f"streamlit run app.py ended with status {proc.returncode} before serving")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


class Browser:
    """A page whose requests off localhost are blocked and counted, and whose dialogs and errors are counted."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.answered: list[str] = []
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.route("**/*", self._route)
        page.on("dialog", self._dialog)
        page.on("requestfinished", lambda request: self.answered.append(request.url))
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _route(self, route: Any) -> None:
        host = urlparse(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:", "about:", "file:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def wait_until(self, check: Callable[[], Any], what: str, seconds: float = 30) -> Any:
        """The first true answer of ``check()``, asked until ``seconds`` have passed (then AssertionError saying
        ``what`` did not happen); Playwright's events (requests answered, dialogs) are taken in between."""
        return wait_until(check, what, seconds, pause=lambda: self.page.wait_for_timeout(100))

    def answers(self, part: str) -> int:
        """How many requests whose address (path and query) holds ``part`` the page and its frames have had
        answered so far."""
        return sum(part in url.split("//", 1)[-1].split("/", 1)[-1] for url in self.answered)

    def events_count(self) -> int:
        metric = self.page.locator('[data-testid="stMetric"]').filter(has_text="Events")
        metric.wait_for(timeout=30_000)
        return int(metric.locator('[data-testid="stMetricValue"]').inner_text().strip().replace(",", ""))

    def map_frame(self) -> Any:
        """The map's frame, once its markers are drawn."""
        self.page.wait_for_selector(MAP_FRAME, timeout=30_000)
        frame = self.page.frame_locator(f"{MAP_FRAME} >> nth=0")
        frame.locator(".leaflet-container").wait_for(timeout=30_000)
        frame.locator(".geo-ev, .geo-cluster, .geo-area, .geo-legend").first.wait_for(timeout=30_000)
        return frame

    def map(self, script: str) -> Any:
        """``script`` (a function of ``map``, the Leaflet map) evaluated in the live map frame."""
        self.map_frame()
        deadline = time.monotonic() + 30
        while True:
            for frame in self.page.frames:
                if "st_folium" not in frame.url:
                    continue
                try:
                    if frame.evaluate("() => !!(window.GeoMap && GeoMap.group && GeoMap.group._map)"):
                        return frame.evaluate(f"() => {{ const map = GeoMap.group._map; return ({script})(map); }}")
                except Exception as err:  # a frame replaced by a rerun meanwhile: look again
                    if "detached" not in str(err) and "destroyed" not in str(err):
                        raise
            if time.monotonic() > deadline:
                raise AssertionError("no live map frame")
            time.sleep(0.2)

    def view(self) -> tuple[float, float, int]:
        """The map's centre and zoom."""
        lat, lon, zoom = self.map("m => [m.getCenter().lat, m.getCenter().lng, m.getZoom()]")
        return float(lat), float(lon), int(zoom)

    def url_view(self) -> dict[str, str]:
        """The lat, lon, zoom and event of the page address."""
        query = parse_qs(urlparse(self.page.url).query)
        return {key: values[0] for key, values in query.items() if key in ("lat", "lon", "zoom", "event")}


def in_live_frames(page: Any, script: str) -> list[Any]:
    """``script``'s result in every frame of the page; frames a rerun replaced meanwhile are skipped."""
    results = []
    for frame in [page.main_frame, *page.frames]:
        try:
            results.append(frame.evaluate(script))
        except Exception as err:
            if "detached" not in str(err) and "destroyed" not in str(err):
                raise
    return results


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000) -> Iterator[Browser]:
    """A new headless Chromium page of that size."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height})
        try:
            yield Browser(page)
        finally:
            browser.close()


def browser_search(page: Any, words: str, *, count: int) -> None:
    """Type ``words`` into the sidebar's search box and wait for the URL and the "Events" count to follow."""
    search = page.get_by_test_id("stSidebarUserContent").get_by_test_id("stTextInputField")
    search.fill(words)
    search.press("Enter")
    page.wait_for_url(f"**q={words}**", timeout=30_000)
    page.wait_for_function(
        "count => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')]"
        ".some(e => e.innerText.trim().replace(/,/g, '') == String(count))",
        arg=count,
        timeout=30_000,
    )
