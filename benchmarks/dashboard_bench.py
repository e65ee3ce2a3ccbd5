"""Dashboard figures in a real browser (Debian's chromium through Playwright), requests off localhost blocked.

Usage: python benchmarks/dashboard_bench.py [--sizes 11,10000,100000]

For each store size: seconds from requesting the page (server warm) to the map showing its first event (the
median of three loads), from a click on an event to its details beside the map, and from a filter change (the
search box) to the new "Events" count; the page's transferred size.
Stores of synthetic events are built with the real store schema; size 11 is the shipped sample page.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.events.lexicon import EVENT_TYPES  # noqa: E402
from geo.ingest import ingest_sources  # noqa: E402
from geo.places.geoparse import Geoparser  # noqa: E402
from geo.store.eventstore import append_events  # noqa: E402
from geo.store.schema import conform  # noqa: E402

MAP_FRAME = "iframe[title='streamlit_folium.st_folium'] >> nth=0"
#: As the machine's notes advise: no background connections (refused here, and slow to fail).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
METRIC = "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].map(e => e.innerText.trim())[0] || ''"


def _synthetic(n: int, seed: int = 7) -> pd.DataFrame:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        lat, lon = rng.uniform(-55, 70), rng.uniform(-170, 170)
        kind = rng.choice(EVENT_TYPES)
        rows.append(
            {
                "event_id": f"{i:016x}",
                "title": f"Synthetic {kind.replace('_', ' ')} report number {i}",
                "text": f"Synthetic {kind} story {i} for the benchmark.",
                "url": f"https://example.org/story/{i}",
                "source": "bench",
                "published_at": start + timedelta(hours=rng.randrange(24 * 365)),
                "ingested_at": start,
                "event_type": kind,
                "secondary_types": "",
                "severity": rng.randint(1, 5),
                "severity_reason": "synthetic",
                "deaths": None, "injured": None, "displaced": None, "magnitude": None, "category": None,
                "wind_kmh": None,
                "place_name": f"Place {i % 997}",
                "country_code": rng.choice(["FR", "US", "PH", "UA", "SD", "JM", "CL", "BR", "IN", "CN"]),
                "lat": lat,
                "lon": lon,
                "places": json.dumps([{"start": 0, "end": 5, "name": f"Place {i % 997}", "lat": lat, "lon": lon,
                                        "country_code": None, "feature": "city", "derived": False}]),
            }
        )  # fmt: skip
    return pd.DataFrame(rows)


def _store(size: int, folder: Path) -> Path:
    path = folder / f"events-{size}.parquet"
    if size <= 11:
        ingest_sources([str(ROOT / "data" / "sample" / "news_page.txt")], path, Geoparser.load())
    else:
        append_events(path, conform(_synthetic(size)))
    return path


def _size(response: object) -> int:
    try:
        return int(response.headers.get("content-length", 0))  # type: ignore[attr-defined]
    except (ValueError, AttributeError):
        return 0


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(store: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _port()
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
    env = {**os.environ, "GEO_STORE": str(store)}
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.3)
    return proc, f"http://127.0.0.1:{port}"


def _first_map(page: object) -> float:
    """Seconds from asking for the page to the first event drawn on the map."""
    started = time.perf_counter()
    page.goto(_measure.url)  # type: ignore[attr-defined]
    page.frame_locator(MAP_FRAME).locator(".geo-ev, .geo-cluster").first.wait_for(timeout=120_000)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def _map_frame(page: object) -> object:
    for frame in page.frames:  # type: ignore[attr-defined]
        if "st_folium" in frame.url:
            return frame
    raise RuntimeError("no map frame")


def _click_to_details(page: object) -> float:
    """Seconds from a click on an event to its title in the panel beside the map."""
    frame = _map_frame(page)
    title = frame.evaluate(  # type: ignore[attr-defined]
        """() => new Promise(done => {
            const marker = GeoMap.allMarkers[0];
            const reveal = () => GeoMap.loaded
                ? GeoMap.group.zoomToShowLayer(marker, () => done(marker.options.label.split(', ')[0]))
                : setTimeout(reveal, 200);  // the clusters are still taking in the markers
            reveal();
        })"""
    )
    page.wait_for_timeout(1500)  # type: ignore[attr-defined]
    frame = _map_frame(page)
    started = time.perf_counter()
    frame.evaluate("() => GeoMap.allMarkers[0]._icon.click()")  # type: ignore[attr-defined]
    page.get_by_text(title.rstrip("…")[:40]).nth(0).wait_for(timeout=60_000)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def _filter_change(page: object) -> float:
    """Seconds from typing a search to the new "Events" count."""
    before = page.evaluate(METRIC)  # type: ignore[attr-defined]
    box = page.get_by_test_id("stSidebarUserContent").get_by_test_id("stTextInputField")  # type: ignore[attr-defined]
    started = time.perf_counter()
    box.fill("report number 1")
    box.press("Enter")
    page.wait_for_function(  # type: ignore[attr-defined]
        f"() => ({METRIC})() !== {json.dumps(before)} && ({METRIC})() !== ''", timeout=60_000
    )
    page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=60_000)  # type: ignore[attr-defined]
    return time.perf_counter() - started


def _measure(url: str, chromium: str) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    transferred = [0]
    _measure.url = url  # type: ignore[attr-defined]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def route(r: object) -> None:
            request = r.request  # type: ignore[attr-defined]
            if (urlparse(request.url).hostname or "") in ("127.0.0.1", "localhost") or request.url.startswith("data:"):
                r.continue_()  # type: ignore[attr-defined]
            else:
                blocked.append(request.url)
                r.abort()  # type: ignore[attr-defined]

        page.route("**/*", route)
        page.goto(url)  # warm the server's caches
        page.frame_locator(MAP_FRAME).locator(".geo-ev, .geo-cluster").first.wait_for(timeout=120_000)
        page.close()
        firsts = []
        for _ in range(3):
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", route)
            page.on("response", lambda resp: transferred.__setitem__(0, transferred[0] + _size(resp)))
            firsts.append(_first_map(page))
            if len(firsts) < 3:
                page.close()
        click = _click_to_details(page)
        filter_change = _filter_change(page)
        browser.close()
    return {
        "first_map_s": sorted(firsts)[1],
        "click_s": click,
        "filter_s": filter_change,
        "blocked": len(blocked),
        "mb": transferred[0] / 3 / 1e6,
    }


def main() -> None:
    """Print the figures for each store size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="11,10000,100000")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium not found (apt-get install chromium): skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            store = _store(size, Path(tmp))
            proc, url = _serve(store)
            try:
                figures = _measure(url, chromium)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
            print(
                f"{size:>7} events: first map {figures['first_map_s']:.2f} s (median of 3), marker click to "
                f"details {figures['click_s']:.2f} s, filter change {figures['filter_s']:.2f} s, "
                f"{figures['mb']:.1f} MB transferred, {figures['blocked']:.0f} requests off localhost blocked"
            )


if __name__ == "__main__":
    main()
