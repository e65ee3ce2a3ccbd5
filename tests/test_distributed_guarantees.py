"""Guarantees of geo.distributed that the same-table tests do not show: a bounded window of batches in flight, a
store left byte for byte as it was when a batch fails on a worker, and no online geocoding on the workers.

The clusters here run their worker as threads of the test process, so that what a test installs (a probe around
a worker's task, a fake online geocoder) is what the worker runs. The probes are functions of this module, which
Dask sends by name, and they share :data:`PROBE` with the test."""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import sys
import threading
import unittest.mock
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import pandas as pd
import pytest
from distributed import Client, LocalCluster
from geopy.geocoders import Nominatim
from geopy.geocoders.base import Geocoder

import geo.distributed
from geo.distributed import ingest_distributed
from geo.ingest import StoryClusters
from geo.places import geocoders
from geo.places.gazetteer import Gazetteer
from geo.places.geocoders import ONLINE_FALLBACK_ENV, CachedGeocoder, geocoder_from_settings
from geo.read.articles import Upload
from geo.read.records import Article
from geo.store.eventstore import StagedEvents, StorePath, append_events, read_events
from geo.store.location import StoreError
from geo.store.parts import PartWriter
from tests.rows import batch

#: Seconds a probe waits for the run to reach the point it waits for.
WAIT: Final = 60.0
#: A place no gazetteer knows.
UNKNOWN_PLACE: Final = "Qarvellintown"

#: The worker's own tasks, before any probe is put in their place.
REAL_BUILD: Final = geo.distributed._build_batch
REAL_STAGE: Final = geo.distributed._stage_on_worker


@dataclass
class Probe:
    """What the probes on the worker are told (``hold``, ``fail``: titles of stories whose batch is held or fails)
    and what they saw (``built``: the threads that built batches; ``at_failure``: the store's files then)."""

    store: Path | None = None
    hold: str | None = None
    fail: str | None = None
    release: threading.Event = field(default_factory=threading.Event)
    built: list[str] = field(default_factory=list)
    at_failure: dict[str, str] = field(default_factory=dict)


#: The probe of the running test (a fresh one for each, by the ``probe`` fixture).
PROBE = Probe()


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Probe:
    """A fresh :data:`PROBE`; the worker's part writers of this test kept apart from other tests'."""
    fresh = Probe()
    monkeypatch.setattr(sys.modules[__name__], "PROBE", fresh)
    monkeypatch.setattr(geo.distributed, "_WRITING", {})
    monkeypatch.setattr(geo.distributed, "_FINISHED", {})
    return fresh


def threaded_cluster(threads: int) -> LocalCluster:
    """One worker of ``threads`` threads in this process, on localhost."""
    return LocalCluster(
        n_workers=1,
        processes=False,
        threads_per_worker=threads,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )


@pytest.fixture
def threaded_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ingest_distributed(workers=N)`` runs its local cluster as one worker of one thread in this process."""
    monkeypatch.setattr(geo.distributed, "local_cluster", lambda workers: threaded_cluster(1))


@pytest.fixture
def scheduler() -> Iterator[str]:
    """The address of a running cluster of one worker of two threads in this process."""
    with threaded_cluster(2) as cluster:
        yield cluster.scheduler_address


def jsonl(items: list[tuple[str, str]]) -> Upload:
    """A JSONL upload of (title, text) stories."""
    lines = [json.dumps({"title": title, "text": text}) for title, text in items]
    return Upload("news.jsonl", "\n".join(lines).encode())


def stories(count: int) -> Upload:
    """A JSONL upload of ``count`` stories in Lyon titled "Story 0", "Story 1"..."""
    return jsonl([(f"Story {n}", f"Floods hit Lyon, France, on day {n}.") for n in range(count)])


def store_files(store: Path) -> dict[str, str]:
    """Every file under the store's folder, by its path there, with the SHA-256 of its bytes."""
    return {
        path.relative_to(store).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(store.rglob("*"))
        if path.is_file()
    }


def titled(items: list[Article] | gpd.GeoDataFrame, title: str | None) -> bool:
    """Whether a batch (its articles or its event table) holds the story titled ``title``."""
    titles = [a.title for a in items] if isinstance(items, list) else items["title"].tolist()
    return title in titles


def noted_build(batch: list[Article], gazetteer: Path | None, ingested_at: datetime) -> Any:
    """The worker's build of a batch, noting its thread; the batch holding ``PROBE.hold`` waits for
    ``PROBE.release`` first."""
    PROBE.built.append(threading.current_thread().name)
    if titled(batch, PROBE.hold) and not PROBE.release.wait(WAIT):
        raise TimeoutError(f"the batch of {PROBE.hold!r} was not released within {WAIT:g} s")
    return REAL_BUILD(batch, gazetteer, ingested_at)


def _fail_here(error: Exception | None) -> None:
    """Note the store's files once a batch is staged (``PROBE.release``), then raise ``error`` (if any)."""
    if not PROBE.release.wait(WAIT):
        raise TimeoutError(f"no batch was staged within {WAIT:g} s")
    assert PROBE.store is not None
    PROBE.at_failure = store_files(PROBE.store)
    if error is not None:
        raise error


def failing_build(batch: list[Article], gazetteer: Path | None, ingested_at: datetime) -> Any:
    """The worker's build of a batch; the batch holding ``PROBE.fail`` raises."""
    if titled(batch, PROBE.fail):
        _fail_here(RuntimeError("a batch that cannot be built"))
    return REAL_BUILD(batch, gazetteer, ingested_at)


def failing_stage(events: gpd.GeoDataFrame, store: StorePath, folder: str) -> None:
    """The worker's staging of a batch, which sets ``PROBE.release`` once done; the batch holding ``PROBE.fail``
    finds the disk full."""
    if titled(events, PROBE.fail):
        _fail_here(None)
        with unittest.mock.patch.object(PartWriter, "write", side_effect=OSError(errno.ENOSPC, "No space left")):
            REAL_STAGE(events, store, folder)  # the writer finds the disk full
    REAL_STAGE(events, store, folder)
    PROBE.release.set()


@dataclass
class Flight:
    """Batches submitted to the cluster and those done with, and the most in flight (submitted, not yet done
    with) at any submission."""

    submitted: int = 0
    done: int = 0
    most: int = 0

    def submitting(self, submit: Callable[..., Any]) -> Callable[..., Any]:
        """``Client.submit``, counting."""

        def counted(client: Client, *args: Any, **kwargs: Any) -> Any:
            self.submitted += 1
            self.most = max(self.most, self.submitted - self.done)
            return submit(client, *args, **kwargs)

        return counted

    def finished(self, size: int = 0) -> None:
        """One more batch done with."""
        self.done += 1


def test_workers_that_stage_keep_three_batches_in_flight_per_thread(
    tmp_path: Path, probe: Probe, threaded_workers: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker thread: three batches are submitted before any is done, and never more are in flight."""
    flight = Flight()
    monkeypatch.setattr(Client, "submit", flight.submitting(Client.submit))
    report = ingest_distributed(
        [stories(12)], tmp_path / "e.parquet", workers=1, batch_size=1, progress=flight.finished
    )
    assert (report.read, report.added) == (12, 12)
    assert (flight.submitted, flight.done) == (12, 12)
    assert flight.most == 3


def test_batches_waiting_for_a_slow_one_count_in_the_window(
    tmp_path: Path, probe: Probe, scheduler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client stages in input order. The first batch is held on one thread until five later ones are done on
    the other: six in flight (three a thread), and no more submitted while the five wait for it to be staged."""
    flight = Flight()
    collected = itertools.count(1)

    def progress(size: int) -> None:
        if next(collected) == 5:
            probe.release.set()

    class StagedInOrder(StoryClusters):
        def assign(self, table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            flight.finished()
            return super().assign(table)

    probe.hold = "Story 0"
    monkeypatch.setattr(geo.distributed, "_build_batch", noted_build)
    monkeypatch.setattr(geo.distributed, "StoryClusters", StagedInOrder)
    monkeypatch.setattr(Client, "submit", flight.submitting(Client.submit))
    report = ingest_distributed(
        [stories(12)], tmp_path / "e.parquet", scheduler=scheduler, batch_size=1, progress=progress
    )
    assert (report.read, report.added) == (12, 12)
    assert (flight.submitted, flight.done) == (12, 12)
    assert len(set(probe.built)) == 2  # the held batch on one thread, the others on the other
    assert flight.most == 6


@pytest.mark.parametrize(
    ("staging", "failing", "error"),
    [
        ("workers", "stage", "disk full; free space or set GEO_STORE"),
        ("workers", "build", "a batch that cannot be built"),
        ("client", "build", "a batch that cannot be built"),
    ],
    ids=["disk-full-on-worker", "worker-build-fails", "worker-build-fails-client-stages"],
)
def test_a_batch_failing_on_a_worker_leaves_the_store_byte_for_byte(
    tmp_path: Path,
    probe: Probe,
    threaded_workers: None,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    staging: str,
    failing: str,
    error: str,
) -> None:
    """A story that fails is a problem and its batch commits (tests/test_hostile_pipeline.py); a batch whose task
    raises fails the run, and nothing of it, nor of the batches staged before it, is left in the store."""
    store = tmp_path / "events.parquet"
    append_events(store, batch("a", 3))
    before = store_files(store)
    real_add = StagedEvents.add

    def add(staged: StagedEvents, events: gpd.GeoDataFrame) -> None:
        real_add(staged, events)
        probe.release.set()

    probe.store, probe.fail = store, "Story 3"
    monkeypatch.setattr(StagedEvents, "add", add)  # the client stages
    monkeypatch.setattr(geo.distributed, "_stage_on_worker", failing_stage)  # the workers stage
    if failing == "build":
        monkeypatch.setattr(geo.distributed, "_build_batch", failing_build)
    cluster: dict[str, Any] = {"workers": 1}
    if staging == "client":
        cluster = {"scheduler": request.getfixturevalue("scheduler")}
    with pytest.raises((StoreError, RuntimeError), match=error):  # a full disk in words, as in one process
        ingest_distributed([stories(8)], store, batch_size=1, **cluster)
    assert any(name.startswith("_staging/") for name in set(probe.at_failure) - set(before))
    assert store_files(store) == before
    assert len(read_events(store)) == 3


def test_workers_never_geocode_online_even_with_the_fallback_on(
    tmp_path: Path, probe: Probe, threaded_workers: None, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []

    def online(self: object, query: str, *args: Any, **kwargs: Any) -> None:
        asked.append(query)

    monkeypatch.setenv(ONLINE_FALLBACK_ENV, "1")
    monkeypatch.setattr(geocoders, "GEOCODE_CACHE_PATH", tmp_path / "geocode.sqlite")
    monkeypatch.setattr(CachedGeocoder, "geocode", online)  # the fallback, before its cache
    monkeypatch.setattr(Nominatim, "geocode", online)
    monkeypatch.setattr(Geocoder, "_call_geocoder", online)  # any geopy service's request
    assert geocoder_from_settings(gazetteer=gazetteer).geocode(UNKNOWN_PLACE) is None
    assert asked == [UNKNOWN_PLACE]  # the fallback is on, and reaches the fake
    asked.clear()
    monkeypatch.setattr(geo.distributed, "_build_batch", noted_build)
    source = jsonl(
        [
            ("Floods in Lyon", "Floods hit Lyon, France, on Monday."),
            (f"Fire in {UNKNOWN_PLACE}", f"A fire destroyed the market of {UNKNOWN_PLACE} on Monday."),
        ]
    )
    report = ingest_distributed([source], tmp_path / "e.parquet", workers=1, batch_size=1)
    assert probe.built  # the worker built the batches in this process, where the fake is
    assert asked == []
    places = read_events(report.store).set_index("title")["place_name"]
    assert places["Floods in Lyon"] == "Lyon"
    assert pd.isna(places[f"Fire in {UNKNOWN_PLACE}"])
