"""Following the store: its version as the map's server gives it, when that version was committed, and the
"Updated ..." line the page shows."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from starlette.applications import Starlette

from geo.map.api import API_PREFIX, map_routes
from geo.map.live import updated_words
from geo.store.eventstore import append_events
from geo.store.query import EventQuery
from tests.map.test_api import get
from tests.rows import batch

NOW = datetime(2026, 11, 29, 21, 50, tzinfo=UTC)
PARIS = timezone(timedelta(hours=1))


@pytest.mark.parametrize(
    ("committed", "events", "words"),
    [
        (datetime(2026, 11, 29, 21, 43, 5, 900_000, tzinfo=UTC), 12_345, "Updated 21:43:05 UTC · 12,345 events"),
        (datetime(2026, 11, 29, 22, 43, 5, tzinfo=PARIS), 0, "Updated 21:43:05 UTC · 0 events"),
        (datetime(2026, 11, 28, 23, 59, 59, tzinfo=UTC), 1, "Updated 2026-11-28 23:59:59 UTC · 1 event"),
        (datetime(2026, 11, 30, 0, 30, tzinfo=PARIS), 2, "Updated 23:30:00 UTC · 2 events"),
        (None, 3, "3 events · not updated yet"),
    ],
    ids=["today", "another zone", "yesterday", "today in UTC only", "never"],
)
def test_the_updated_line_says_when_in_utc_and_how_many(committed: datetime | None, events: int, words: str) -> None:
    assert updated_words(committed, events, now=NOW) == words


def test_the_commit_time_is_the_newest_version_s(tmp_path: Path) -> None:
    store = tmp_path / "events.parquet"
    query = EventQuery(store, refresh=0)
    assert query.committed_at() is None
    append_events(store, batch("a", 2))
    first = query.committed_at()
    assert first is not None and abs((datetime.now(UTC) - first).total_seconds()) < 5
    time.sleep(0.05)
    append_events(store, batch("b", 2))
    second = query.committed_at()
    assert second is not None and second > first


def test_the_version_route_changes_with_each_commit(tmp_path: Path) -> None:
    store = tmp_path / "events.parquet"
    append_events(store, batch("a", 2))
    app = Starlette(routes=map_routes(lambda: store))
    status, before, headers = get(app, f"{API_PREFIX}/version")
    assert status == 200 and headers["cache-control"] == "no-store"
    time.sleep(0.6)  # the shared query looks at the log at most every 0.5 s
    assert get(app, f"{API_PREFIX}/version")[1] == before
    append_events(store, batch("b", 1))
    time.sleep(0.6)
    status, after = get(app, f"{API_PREFIX}/version")[:2]
    assert status == 200 and after["token"] != before["token"]
    assert get(app, f"{API_PREFIX}/view?bbox=-85,-180,85,180&zoom=2")[1]["token"] == after["token"]
