"""Scale figures: the store and the page at 10,000, 100,000 and 1,000,000 events.

Usage: python benchmarks/scale_bench.py [--sizes 10000,100000,1000000] [--keep DIR] [--no-browser]

For each size, a store of synthetic events (tests/synthetic.py: every column, texts of 1.5-3 KB) is built
by appends of 100,000 events (kept in --keep DIR for the next run), then:
- append: seconds to ingest 100 new stories (read, geoparse, classify, commit; the gazetteer loaded before) into
  the store, and to commit 100 ready events, each the median of 3; the same on an empty store, and the ratio;
- queries: milliseconds of the page's questions of the store (count, facets, days, a table page, the areas of
  the world view, a search), each the median of 5 on a warm query object;
- page (Debian's chromium, requests off localhost blocked, server warm): seconds from asking for the page to the
  first marker or area on the map (median of 3), from a marker click to its details, from a search or a type
  chosen in the sidebar to the new count with the map redrawn, from a pan or zoom to the events of the new view
  (median of 3 moves); the server's peak resident memory (VmHWM of the streamlit process).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.ingest import ingest_sources  # noqa: E402
from geo.places.geoparse import Geoparser  # noqa: E402
from geo.store.eventstore import append_events  # noqa: E402
from geo.store.location import StoreLocation  # noqa: E402
from geo.store.query import Bounds, EventFilter, EventQuery  # noqa: E402
from geo.store.schema import conform  # noqa: E402
from geo.store.snapshots import latest  # noqa: E402
from tests.synthetic import events, stories  # noqa: E402

BUILD_STEP = 100_000
MAP_FRAME = "iframe[title='streamlit_folium.st_folium'] >> nth=0"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
METRIC = "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].map(e => e.innerText.trim())[0] || ''"
MOVES = [(45.76, 4.84, 6), (14.6, 121.0, 7), (20.0, 0.0, 3)]


def build_store(size: int, folder: Path) -> Path:
    """A store of ``size`` synthetic events in ``folder`` (reused when it is already there)."""
    store = folder / f"events-{size}"
    location = StoreLocation.of(store)
    if store.exists() and latest(location).rows >= size:
        return store
    shutil.rmtree(store, ignore_errors=True)
    started = time.perf_counter()
    for first in range(0, size, BUILD_STEP):
        append_events(store, conform(events(min(BUILD_STEP, size - first), seed=first // BUILD_STEP + 1)))
    print(f"  built {size:,} events in {time.perf_counter() - started:.0f} s", flush=True)
    return store


def _median_seconds(run: Callable[[int], object], times: int = 3) -> float:
    spent = []
    for attempt in range(times):
        started = time.perf_counter()
        run(attempt)
        spent.append(time.perf_counter() - started)
    return statistics.median(spent)


def append_figures(store: Path, parser: Geoparser, folder: Path, tag: str) -> tuple[float, float]:
    """Median seconds to ingest 100 new stories, and to commit 100 ready events."""
    feeds = []
    for attempt in range(3):
        feed = folder / f"stories-{tag}-{attempt}.jsonl"
        feed.write_text("\n".join(stories(100, seed=hash((tag, attempt)) % 10**6)) + "\n", encoding="utf-8")
        feeds.append(feed)
    ready = [conform(events(100, seed=1000 + attempt, prefix=f"r{tag}")) for attempt in range(3)]
    ingest = _median_seconds(lambda attempt: ingest_sources([str(feeds[attempt])], store, parser))
    commit = _median_seconds(lambda attempt: append_events(store, ready[attempt]))
    return ingest, commit


def query_figures(store: Path) -> dict[str, float]:
    """Milliseconds of each of the page's questions (median of 5, warm)."""
    query = EventQuery(store)
    world = EventFilter(bounds=Bounds.of_view(-85, -180, 85, 180))
    questions: dict[str, Callable[[], object]] = {
        "count": lambda: query.count(EventFilter(types=("flood",), min_severity=3)),
        "facets": query.facets,
        "days": lambda: query.days(EventFilter()),
        "page": lambda: query.rows(
            EventFilter(), ("event_id", "title", "severity"), limit=100, offset=500, order="severity"
        ),
        "areas": lambda: query.cells(world, 20.0),
        "search": lambda: query.count(EventFilter(text="water government")),
    }
    query.count()  # opens the search index
    figures = {}
    for name, ask in questions.items():
        spent = []
        for _ in range(5):
            query.forget_answers()  # each time from the store, not from the answers kept
            started = time.perf_counter()
            ask()
            spent.append(time.perf_counter() - started)
        figures[name] = statistics.median(spent) * 1000
    query.close()
    return figures


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(store: Path) -> tuple[subprocess.Popen[bytes], str]:
    """The dashboard (with its map server) on a free port of localhost, reading ``store``."""
    port = _port()
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    env = {**os.environ, "GEO_STORE": str(store)}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    return proc, f"http://127.0.0.1:{port}/"


def peak_memory_mb(pid: int) -> float:
    """The peak resident memory of process ``pid`` (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _frame(page: Any) -> Any:
    return next(frame for frame in page.frames if "st_folium" in frame.url)


def _map_ready(page: Any, timeout: float = 60_000) -> None:
    _frame(page).wait_for_function("() => window.GeoMap && GeoMap.lastView && GeoMap.loaded", timeout=timeout)


def _first_map(page: Any, url: str) -> float:
    started = time.perf_counter()
    page.goto(url)
    page.frame_locator(MAP_FRAME).locator(".geo-ev, .geo-cluster").first.wait_for(timeout=120_000)
    return time.perf_counter() - started


def _move(page: Any, lat: float, lon: float, zoom: int) -> float:
    frame = _frame(page)
    frame.evaluate("() => { GeoMap.lastView = null; }")
    started = time.perf_counter()
    frame.evaluate(  # returns nothing: serialising the map would cost Playwright seconds
        f"() => {{ Object.values(window).find(v => v && v._container && v.setView).setView([{lat}, {lon}], {zoom}); }}"
    )
    _map_ready(page)
    return time.perf_counter() - started


def _click_to_details(page: Any) -> float:
    """Seconds from a click on the event marker nearest the map's centre to its title beside the map."""
    frame = _frame(page)
    _move(page, 45.76, 4.84, 9)
    page.wait_for_timeout(800)
    index = frame.evaluate(
        """() => { const els = [...document.querySelectorAll('.geo-ev')], x = innerWidth / 2, y = innerHeight / 2;
        let best = 0, near = 1e9;
        els.forEach((e, i) => { const r = e.getBoundingClientRect(), d = Math.hypot(r.x - x, r.y - y);
                                 if (d < near) { near = d; best = i; } });
        return best; }"""
    )
    marker = page.frame_locator(MAP_FRAME).locator(".geo-ev").nth(index)
    title = marker.get_attribute("aria-label").split(", ")[0]
    started = time.perf_counter()
    marker.click()
    page.get_by_text(title[:40]).nth(0).wait_for(timeout=60_000)
    return time.perf_counter() - started


def _filtered(page: Any, change: Callable[[], None], wanted: str) -> float:
    """Seconds from a filter change to the new count with the map redrawn for the filters (``wanted`` in them)."""
    before = page.evaluate(METRIC)
    frame = _frame(page)
    started = time.perf_counter()
    change()
    page.wait_for_function(f"() => ({METRIC})() !== {before!r} && ({METRIC})() !== ''", timeout=60_000)
    frame.wait_for_function(
        f"() => GeoMap.view.fetched && GeoMap.view.fetched.filters.indexOf({wanted!r}) >= 0 && GeoMap.loaded",
        timeout=60_000,
    )
    return time.perf_counter() - started


def _search(page: Any) -> None:
    box = page.get_by_test_id("stSidebarUserContent").get_by_test_id("stTextInputField")
    box.fill("water")
    box.press("Enter")


def _open_types(page: Any) -> Any:
    """Open the type filter's list (before the clock starts); the option to click."""
    page.get_by_role("combobox", name="Event type").click()
    option = page.get_by_role("option", name=re.compile(r"^Flood \("))
    option.wait_for()
    return option


def browser_figures(url: str, chromium: str) -> dict[str, float]:
    """The page's figures in headless chromium."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)

        def new_page() -> Any:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})

            def route(r: Any) -> None:
                if (urlparse(r.request.url).hostname or "") in ("127.0.0.1", "localhost"):
                    r.continue_()
                else:
                    blocked.append(r.request.url)
                    r.abort()

            page.route("**/*", route)
            return page

        warm = new_page()
        _first_map(warm, url)  # warms the server's caches
        warm.close()
        firsts = []
        for _ in range(3):
            page = new_page()
            firsts.append(_first_map(page, url))
            _map_ready(page)
            if len(firsts) < 3:
                page.close()
        moves = [_move(page, *move) for move in MOVES]
        click = _click_to_details(page)
        search = _filtered(page, lambda: _search(page), "q=water")
        option = _open_types(page)
        typed = _filtered(page, option.click, "type=flood")
        browser.close()
    return {
        "first_map": statistics.median(firsts),
        "move": statistics.median(moves),
        "click": click,
        "search": search,
        "type": typed,
        "blocked": float(len(blocked)),
    }


def main() -> None:
    """Print the figures for each size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--keep", type=Path, default=None, help="build the stores here and reuse them")
    parser.add_argument("--no-browser", action="store_true", help="skip the page's figures")
    args = parser.parse_args()
    chromium = None if args.no_browser else shutil.which("chromium") or shutil.which("chromium-browser")
    geoparser = Geoparser.load()
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        empty_ingest = empty_commit = 0.0
        empty_runs = []
        for attempt in range(3):
            empty = Path(tmp) / f"empty-{attempt}"
            empty_runs.append(append_figures(empty, geoparser, Path(tmp), f"empty{attempt}"))
        empty_ingest = statistics.median(run[0] for run in empty_runs)
        empty_commit = statistics.median(run[1] for run in empty_runs)
        print(
            f"empty store: ingest 100 stories {empty_ingest:.2f} s, commit 100 events {empty_commit:.3f} s", flush=True
        )
        for size in (int(s) for s in args.sizes.split(",")):
            store = build_store(size, folder)
            ingest, commit = append_figures(store, geoparser, Path(tmp), f"s{size}")
            queries = query_figures(store)
            line = (
                f"{size:>9,} | ingest 100 {ingest:5.2f} s ({ingest / empty_ingest:.2f}x empty) | commit 100 "
                f"{commit:6.3f} s ({commit / empty_commit:.2f}x) | "
                + " ".join(f"{name} {ms:.0f}" for name, ms in queries.items())
                + " ms"
            )
            if chromium:
                proc, url = serve(store)
                try:
                    page = browser_figures(url, chromium)
                    memory = peak_memory_mb(proc.pid)
                finally:
                    proc.terminate()
                    proc.wait(timeout=30)
                line += (
                    f" | first map {page['first_map']:.2f} s, pan/zoom {page['move']:.2f} s, "
                    f"click {page['click']:.2f} s, "
                    f"search {page['search']:.2f} s, type {page['type']:.2f} s, server peak {memory:.0f} MB, "
                    f"{page['blocked']:.0f} requests off localhost blocked"
                )
            print(line, flush=True)
            rows.append(line)
    print("\n".join(["", "size | append | queries | page", *rows]))


if __name__ == "__main__":
    main()
