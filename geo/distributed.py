"""Ingest on a Dask cluster: the same pure :func:`geo.ingest.build_events` over batches, on many processes.

The client reads the sources lazily and keeps only a few batches per worker in flight or waiting for an
earlier one, so its memory does not grow with the input. Each worker loads the gazetteer once, on its first
batch, and keeps it for the next ones.

Where the workers can write to the store (a local cluster, or a store on object storage), each worker writes
its batches' events into part files of its own under the ingest's staging folder, in parallel, and only
counts travel back; at the end the client takes the workers' parts and commits them in one version, so the
ingest is still atomic (a worker lost on the way makes it fail, committing nothing). Otherwise (a cluster
elsewhere, a store on this machine) the workers send their tables back and the client stages them in input
order, exactly as :func:`geo.ingest.ingest_sources` does, giving each story its event (``cluster_id``). Workers
that write their own parts cannot see each other's stories: theirs are stored with no cluster (each its own
event on the page). Either way the same events are stored; with the
client staging and the same ``ingested_at`` the two give the same table, row for row.

The pipeline geocodes offline only. Were the online fallback (:mod:`geo.places.geocoders`) ever called from it,
the calls would have to go through one rate-limited geocoder shared by the whole cluster (in the client,
or in a Dask actor), never one per worker: each worker's own limiter would multiply the request rate by
the number of workers.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import geopandas as gpd
from distributed import Client, Future, LocalCluster, as_completed

from geo.ingest import BATCH_SIZE, IngestReport, StoryClusters, article_batches, build_events, finish_ingest
from geo.places.geoparse import Geoparser
from geo.read.articles import Source
from geo.read.records import Article, Problem
from geo.store.arrowio import to_arrow
from geo.store.eventstore import StagedEvents, StorePath, staged_events
from geo.store.location import StoreError, StoreLocation, is_url
from geo.store.parts import PART_ROWS, PartWriter, StagedPart, write_failure
from geo.store.schema import conform
from geo.store.snapshots import staged_file_name

__all__ = ["IN_FLIGHT_PER_WORKER", "ingest_distributed"]

#: Batches submitted ahead per worker thread: enough to keep every worker busy, few enough to keep memory flat.
IN_FLIGHT_PER_WORKER: Final = 3

#: What a worker sends back for a batch: its event table and the stories it left out.
Built = tuple[gpd.GeoDataFrame, list[Problem]]


@functools.cache
def _worker_parser(gazetteer: Path | None) -> Geoparser:
    """The geoparser of this worker process, loaded on its first batch and kept for the next ones."""
    return Geoparser.load(gazetteer)


def _build_batch(
    batch: list[Article], gazetteer: Path | None, ingested_at: datetime
) -> tuple[gpd.GeoDataFrame, list[Problem]]:
    """The task run on a worker: the event table of one batch, and the stories it had to leave out."""
    problems: list[Problem] = []
    return build_events(batch, _worker_parser(gazetteer), ingested_at=ingested_at, problems=problems), problems


#: Part writers of this worker process, by staging folder: the one being written and those finished. The threads
#: of a worker share them, one at a time.
_WRITING: dict[str, PartWriter] = {}
_FINISHED: dict[str, list[StagedPart]] = {}
_WRITERS_LOCK: Final = threading.Lock()


def _stage_on_worker(events: gpd.GeoDataFrame, store: StorePath, folder: str) -> None:
    """Add a batch's events to this worker's part file in ``folder`` (a new part every PART_ROWS rows)."""
    table = to_arrow(conform(events))
    with _WRITERS_LOCK:
        try:
            writer = _WRITING.get(folder)
            if writer is not None and writer.rows >= PART_ROWS:
                _FINISHED.setdefault(folder, []).append(writer.finish())
                writer = None
            if writer is None:
                writer = _WRITING[folder] = PartWriter(StoreLocation.of(store), f"{folder}/{staged_file_name()}")
            writer.write(table)
        except OSError as err:  # a full disk says so in words, as it does in one process
            raise write_failure(StoreLocation.of(store).name, err) from err


def _finish_on_worker(folder: str) -> list[tuple[str, int]]:
    """The parts this worker wrote into ``folder``, finished (whole on storage)."""
    with _WRITERS_LOCK:
        writer = _WRITING.pop(folder, None)
        parts = _FINISHED.pop(folder, [])
        if writer is not None:
            try:
                parts.append(writer.finish())
            except OSError as err:
                raise write_failure(writer.location.name, err) from err
    return [(part.path, part.rows) for part in parts]


#: What a worker sends back for a batch it staged itself: rows, rows without a place, stories left out.
Staged = tuple[int, int, list[Problem]]


def _build_and_stage(
    batch: list[Article], gazetteer: Path | None, ingested_at: datetime, store: StorePath, folder: str
) -> Staged:
    """The task run on a worker that writes to the store: build a batch's events and stage them itself."""
    events, problems = _build_batch(batch, gazetteer, ingested_at)
    if not events.empty:
        _stage_on_worker(events, store, folder)
    return len(events), int(events.geometry.isna().sum()), problems


def _run_batches(
    client: Client,
    batches: Iterator[list[Article]],
    staged: StagedEvents,
    problems: list[Problem],
    *,
    gazetteer: Path | None,
    ingested_at: datetime,
    progress: Callable[[int], None] | None,
) -> int:
    """Stage the event tables of ``batches`` in input order, each story given its event (cluster) as in one
    process; the stories they held.

    At most ``IN_FLIGHT_PER_WORKER`` batches per worker thread are running or done but waiting for an
    earlier one, so a slow batch holds back new submissions rather than letting results pile up."""
    threads = sum(client.nthreads().values())
    window = IN_FLIGHT_PER_WORKER * max(threads, 1)
    clusters = StoryClusters(staged.path)
    numbered = enumerate(batches)
    pending: dict[Future[Built], tuple[int, int]] = {}
    waiting: dict[int, Built] = {}
    done = as_completed()
    next_index = read = 0

    def fill() -> None:
        while len(pending) + len(waiting) < window and (following := next(numbered, None)) is not None:
            index, batch = following
            future = client.submit(_build_batch, batch, gazetteer, ingested_at, pure=False)
            pending[future] = (index, len(batch))
            done.add(future)

    fill()
    for future in done:
        index, size = pending.pop(future)
        waiting[index] = future.result()
        future.release()
        read += size
        if progress is not None:
            progress(size)
        while next_index in waiting:
            events, left_out = waiting.pop(next_index)
            staged.add(clusters.assign(events))
            problems.extend(left_out)
            next_index += 1
        fill()
    return read


def _run_staging_batches(
    client: Client,
    batches: Iterator[list[Article]],
    staged: StagedEvents,
    problems: list[Problem],
    *,
    store: StorePath,
    gazetteer: Path | None,
    ingested_at: datetime,
    progress: Callable[[int], None] | None,
) -> int:
    """Have the workers build and stage the batches themselves, then take their parts; the stories read."""
    threads = sum(client.nthreads().values())
    window = IN_FLIGHT_PER_WORKER * max(threads, 1)
    folder = staged.new_part_path().rsplit("/", 1)[0]
    pending: dict[Future[Staged], int] = {}
    done = as_completed()
    read = rows = unplaced = 0

    def fill() -> None:
        while len(pending) < window and (batch := next(batches, None)) is not None:
            future = client.submit(_build_and_stage, batch, gazetteer, ingested_at, store, folder, pure=False)
            pending[future] = len(batch)
            done.add(future)

    fill()
    for future in done:
        size = pending.pop(future)
        built, without_place, left_out = future.result()
        future.release()
        read, rows, unplaced = read + size, rows + built, unplaced + without_place
        problems.extend(left_out)
        if progress is not None:
            progress(size)
        fill()
    written = [
        StagedPart(path, count) for parts in client.run(_finish_on_worker, folder).values() for path, count in parts
    ]
    if sum(part.rows for part in written) != rows:
        raise StoreError(
            f"cannot write the event store at {staged.path}: a worker was lost with the events it had staged; "
            "nothing was committed (run the ingest again)"
        )
    for number, part in enumerate(written):
        staged.add_part(part, unplaced=unplaced if number == 0 else 0)
    return read


def local_cluster(workers: int | None) -> LocalCluster:
    """A cluster of ``workers`` single-threaded processes (default: one per core) on this machine,
    listening on localhost only."""
    return LocalCluster(
        n_workers=workers,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        host="127.0.0.1",
        protocol="tcp",
        # No dashboard; its HTTP server (health, metrics) on a free port rather than 8787.
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    )


def ingest_distributed(
    sources: Iterable[Source],
    store: StorePath,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    ingested_at: datetime | None = None,
    gazetteer: Path | None = None,
    locale: str | None = None,
) -> IngestReport:
    """Like :func:`geo.ingest.ingest_sources`, on a Dask cluster; the same events, in one atomic commit.

    The cluster is the one at ``scheduler`` ("tcp://HOST:PORT") when given, else a local cluster of
    ``workers`` processes (default: one per core), closed on return. ``progress`` is told how many stories
    each batch held as batches finish. ``gazetteer`` is the index path on the workers (default: theirs).
    """
    if workers is not None and scheduler is not None:
        raise ValueError("give either workers (a local cluster) or scheduler (an existing one), not both")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    now = ingested_at or datetime.now(UTC)
    problems: list[Problem] = []
    batches = article_batches(sources, problems, size=batch_size, locale=locale)

    parallel = scheduler is None or is_url(store)  # the workers can reach the store

    with staged_events(store) as staged:

        def run(client: Client) -> int:
            if parallel:
                return _run_staging_batches(
                    client, batches, staged, problems, store=store, gazetteer=gazetteer, ingested_at=now,
                    progress=progress,
                )  # fmt: skip
            return _run_batches(
                client, batches, staged, problems, gazetteer=gazetteer, ingested_at=now, progress=progress
            )

        if scheduler is not None:
            with Client(scheduler) as client:
                read = run(client)
        else:
            with local_cluster(workers) as cluster, Client(cluster) as client:
                read = run(client)
        return finish_ingest(staged, problems, read=read)
