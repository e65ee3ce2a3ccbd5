"""Tests of the live map's server (geo.map.api over geo.map.live): what a view, a summary and an event answer,
called through the ASGI routes as the browser calls them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from starlette.applications import Starlette

from geo.map import live
from geo.map.api import API_PREFIX, map_routes
from geo.map.live import cell_size, parse_view_request
from geo.store.eventstore import append_events
from geo.store.schema import conform
from tests.rows import event

WORLD = "bbox=-85,-180,85,180&zoom=2"


def get(app: Starlette, path: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    """GET ``path`` from the ASGI ``app``: status, JSON body, headers."""
    target, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": target, "raw_path": target.encode(), "query_string": query.encode(), "headers": [],
        "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "root_path": "",
    }  # fmt: skip
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], json.loads(body), headers


@pytest.fixture
def app(tmp_path: Path) -> Starlette:
    store = tmp_path / "events.parquet"
    rows = [
        event("paris", title="Flood in <b>Paris</b>", severity=4),
        event("lyon", lat=45.76, lon=4.84, place_name="Lyon", event_type="storm", severity=2),
        event("tokyo", lat=35.7, lon=139.7, place_name="Tokyo", country_code="JP", event_type="earthquake"),
        event("nowhere", lat=None, lon=None, place_name=None, country_code=None),
    ]
    append_events(store, conform(pd.DataFrame(rows)))
    return Starlette(routes=map_routes(lambda: store))


def test_a_view_with_few_events_gets_the_events_escaped(app: Starlette) -> None:
    status, body, headers = get(app, f"{API_PREFIX}/view?{WORLD}")
    assert status == 200 and body["mode"] == "events" and body["inView"] == 3
    assert sorted(body["events"]["id"]) == ["lyon", "paris", "tokyo"]
    assert "Flood in &lt;b&gt;Paris&lt;/b&gt;" in body["events"]["title"]
    assert headers["cache-control"] == "no-store"


def test_the_page_s_filters_apply_and_a_box_keeps_its_events(app: Starlette) -> None:
    status, body, _ = get(app, f"{API_PREFIX}/view?type=storm&type=earthquake&severity=2&{WORLD}")
    assert status == 200 and sorted(body["events"]["id"]) == ["lyon", "tokyo"]
    status, body, _ = get(app, f"{API_PREFIX}/view?bbox=40,-10,55,20&zoom=6")
    assert sorted(body["events"]["id"]) == ["lyon", "paris"]
    status, body, _ = get(app, f"{API_PREFIX}/view?q=tokyo&{WORLD}")  # every text names Paris; one place, Tokyo
    assert body["events"]["id"] == ["tokyo"]


def test_a_view_wider_than_the_world_holds_every_event(app: Starlette) -> None:
    status, body, _ = get(app, f"{API_PREFIX}/view?bbox=-300,-1500,300,1500&zoom=0")  # zoom 0 on a wide screen
    assert status == 200 and sorted(body["events"]["id"]) == ["lyon", "paris", "tokyo"]


def test_a_view_with_many_events_gets_counts_per_area(app: Starlette, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "EVENTS_IN_VIEW", 2)
    status, body, _ = get(app, f"{API_PREFIX}/view?{WORLD}&density=1")
    assert status == 200 and body["mode"] == "areas" and body["inView"] == 3
    areas = body["areas"]
    assert sorted(areas["count"]) == [1, 2] and sum(areas["s4"]) == 1 and max(areas["worst"]) == 4
    assert body["size"] == cell_size(2) and sum(body["density"]["count"]) == 3


def test_the_summary_gives_the_count_the_player_and_the_legend(app: Starlette) -> None:
    status, body, _ = get(app, f"{API_PREFIX}/summary?type=flood")
    assert status == 200 and body["total"] == 1  # the placed floods (one has no place)
    assert "<code>FL</code> Flood (1)" in body["legend"] and "Storm" not in body["legend"]
    assert body["steps"] == [[19844, "2024-05-01"]] and body["bounds"] == [[48.8566, 2.3522], [48.8566, 2.3522]]


def test_one_event_and_its_absence(app: Starlette) -> None:
    status, body, _ = get(app, f"{API_PREFIX}/event?id=tokyo")
    assert status == 200 and body["events"]["id"] == ["tokyo"] and body["events"]["lat"] == [35.7]
    assert get(app, f"{API_PREFIX}/event?id=nowhere")[0] == 404  # stored, but not on the map
    assert get(app, f"{API_PREFIX}/event?id=unknown")[0] == 404
    status, body, _ = get(app, f"{API_PREFIX}/event?id=%3Cscript%3E")
    assert status == 400 and "not an event id" in body["error"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("bbox=1,2,3&zoom=2", "bbox: give south,west,north,east"),
        ("bbox=10,0,-10,5&zoom=2", "not a map view"),
        ("bbox=nan,0,10,5&zoom=2", "not a map view"),
        ("bbox=-10,0,10,1e9&zoom=2", "not a map view"),
        ("bbox=-10,0,10,5&zoom=99", "zoom"),
        ("bbox=-10,0,10,5", "zoom"),
        ("bbox=-10,0,10,5&zoom=3&until=yesterday", "until"),
    ],
)
def test_a_bad_view_is_a_400_saying_what_is_wrong(app: Starlette, query: str, message: str) -> None:
    status, body, _ = get(app, f"{API_PREFIX}/view?{query}")
    assert status == 400 and message in body["error"]


def test_filters_the_page_would_ignore_are_ignored(app: Starlette) -> None:
    status, body, _ = get(app, f"{API_PREFIX}/view?type=<script>&severity=99&country=XX&{WORLD}")
    assert status == 200 and body["inView"] == 0  # country XX is well formed: no such events
    status, body, _ = get(app, f"{API_PREFIX}/view?type=<script>&severity=99&{WORLD}")
    assert status == 200 and body["inView"] == 3


def test_an_overlong_request_is_refused(app: Starlette) -> None:
    assert get(app, f"{API_PREFIX}/view?q={'x' * 9000}&{WORLD}")[0] == 414


def test_an_unreadable_store_is_a_503(tmp_path: Path) -> None:
    store = tmp_path / "events.parquet"
    append_events(store, conform(pd.DataFrame([event("a")])))
    (store / "_log" / "000000000001.json").write_text("{damaged")
    status, body, _ = get(Starlette(routes=map_routes(lambda: store)), f"{API_PREFIX}/view?{WORLD}")
    assert status == 503 and "damaged" in body["error"]


def test_areas_are_sized_for_the_zoom() -> None:
    sizes = [cell_size(zoom) for zoom in range(19)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 45.0 and sizes[-1] == 0.01
    request = parse_view_request({"bbox": ["-10,170,10,200"], "zoom": ["5"], "places": ["1"]})
    assert request.bounds.west == 170 and request.bounds.east == -160 and request.places and not request.density
