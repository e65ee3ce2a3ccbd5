"""The store on object storage: an ``s3://`` store against a local S3 server (moto's, on 127.0.0.1, started
here), never the internet. Appends, re-ingest, concurrent writers, compaction, the page's queries and the
map's server, and ``geo ingest --workers`` writing its parts from the workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import fsspec
import geopandas as gpd
import pytest
from starlette.applications import Starlette

from geo import settings
from geo.map.api import API_PREFIX, map_routes
from geo.store.compaction import compact
from geo.store.eventstore import append_events, read_events
from geo.store.location import StoreLocation
from geo.store.query import EventFilter, EventQuery
from geo.store.snapshots import latest
from tests.map.test_api import get
from tests.rows import batch

moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A local S3 server with a bucket; the environment that points the AWS clients at it."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "XDG_CACHE_HOME": str(tmp_path_factory.mktemp("cache")),  # the index of a remote store lives here
    }
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        fsspec.filesystem("s3").mkdir("events-bucket")
        yield env
    server.stop()


@pytest.fixture
def url(s3: dict[str, str], request: pytest.FixtureRequest) -> str:
    return f"s3://events-bucket/{request.node.name}"


def test_appends_reads_and_re_ingest_on_s3(url: str) -> None:
    assert append_events(url, batch("a", 5)).added == 5
    assert append_events(url, batch("a", 7)).added == 2  # the id check needs no read of the stored parts
    assert read_events(url)["event_id"].tolist() == [f"a-{i}" for i in range(7)]
    location = StoreLocation.of(url)
    assert latest(location).version == 2
    assert len(gpd.read_parquet(url)) == 7  # plain GeoParquet on S3, as geopandas reads it


def test_queries_and_the_map_s_server_over_s3(url: str) -> None:
    append_events(url, batch("a", 4))
    query = EventQuery(url, refresh=0)
    assert query.count() == 4 and query.count(EventFilter(text="flood")) == 4
    assert query.facets().total == 4
    status, body, _ = get(Starlette(routes=map_routes(lambda: url)), f"{API_PREFIX}/view?bbox=-85,-180,85,180&zoom=2")
    assert status == 200 and sorted(body["events"]["id"]) == [f"a-{i}" for i in range(4)]
    append_events(url, batch("b", 1))
    assert query.count() == 5  # a newer version, seen


def test_compaction_on_s3_keeps_rows_and_order(url: str) -> None:
    for number in range(4):
        append_events(url, batch(f"c{number}", 3))
    before = read_events(url)["event_id"].tolist()
    result = compact(StoreLocation.of(url))
    assert (result.parts_before, result.parts_after) == (4, 1)
    assert read_events(url)["event_id"].tolist() == before
    files = fsspec.filesystem("s3").ls(url.removeprefix("s3://"), refresh=True)
    assert len([f for f in files if f.endswith(".parquet")]) == 1  # the merged parts were deleted


APPEND_MANY = """
import sys
from geo.store.eventstore import append_events
from tests.rows import batch
for number in range(int(sys.argv[3])):
    append_events(sys.argv[1], batch(f"{sys.argv[2]}-{number}", 2))
"""


def test_concurrent_writers_on_s3_lose_nothing(url: str, s3: dict[str, str]) -> None:
    """Two processes, no lock between them: the log's conditional writes order their commits."""
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND_MANY, url, prefix, "8"],
            cwd=settings.PROJECT_DIR,
            env={**os.environ, **s3},
            stderr=subprocess.PIPE,
        )
        for prefix in ("p", "q")
    ]
    for writer in writers:
        assert writer.wait(timeout=300) == 0, writer.stderr.read().decode() if writer.stderr else ""
    stored = read_events(url)["event_id"].tolist()
    assert sorted(stored) == sorted(f"{p}-{n}-{i}" for p in ("p", "q") for n in range(8) for i in (0, 1))


def test_geo_ingest_with_workers_writes_its_parts_to_s3(url: str, s3: dict[str, str], tmp_path: Path) -> None:
    feed = tmp_path / "news.jsonl"
    stories = [
        {"title": f"Floods in Lyon, report {i}", "text": f"Floods killed {i} people in Lyon, France, on day {i}."}
        for i in range(12)
    ]
    feed.write_text("\n".join(json.dumps(story) for story in stories) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "geo", "ingest", str(feed), "--store", url, "--workers", "2"]
    done = subprocess.run(
        command, cwd=settings.PROJECT_DIR, env={**os.environ, **s3}, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "added 12 events" in done.stdout
    stored = read_events(url)
    assert len(stored) == 12 and set(stored["title"]) == {story["title"] for story in stories}
    assert latest(StoreLocation.of(url)).version == 1  # the workers' parts, committed as one version
    again = subprocess.run(
        command, cwd=settings.PROJECT_DIR, env={**os.environ, **s3}, capture_output=True, text=True, timeout=300
    )
    assert "added 0 events" in again.stdout and len(read_events(url)) == 12
