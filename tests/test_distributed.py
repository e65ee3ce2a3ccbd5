"""Tests of geo.distributed: a Dask run gives the same event table as the single-process ingest."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from geo import settings
from geo.distributed import _worker_parser, ingest_distributed
from geo.ingest import IngestReport, ingest_sources
from geo.places.geoparse import Geoparser
from geo.store.eventstore import read_events
from tests.stores import part_files, version

RunGeo = Callable[..., subprocess.CompletedProcess[str]]

INGESTED_AT = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
STORIES = [
    ("Quake in Peru", "A magnitude 6.1 earthquake struck near Lima, Peru, killing 3 people."),
    ("Floods in Kenya", "Heavy rain flooded Nairobi on Monday, displacing 2,000 families."),
    ("Comet", "Astronomers tracked a comet beyond the orbit of Neptune."),
    ("Fire in Lyon", "A warehouse fire in Lyon, France injured 4 firefighters."),
    ("Storm in Manila", "Typhoon winds of 180 km/h hit Manila, Philippines."),
]


@pytest.fixture
def sources(tmp_path: Path) -> list[str]:
    """The sample page and a small JSONL file with a story repeated in a later batch and one bad line."""
    lines = [json.dumps({"title": title, "text": text, "source": "Wire"}) for title, text in STORIES]
    jsonl = tmp_path / "news.jsonl"
    jsonl.write_text("\n".join([*lines, "{not json", lines[0]]) + "\n", encoding="utf-8")
    return [str(settings.SAMPLE_PAGE), str(jsonl)]


@pytest.fixture
def expected(tmp_path: Path, sources: list[str], geoparser: Geoparser) -> tuple[IngestReport, gpd.GeoDataFrame]:
    """The single-process report and stored table for ``sources``."""
    report = ingest_sources(sources, tmp_path / "single.parquet", geoparser, ingested_at=INGESTED_AT)
    return report, read_events(report.store)


@pytest.fixture
def cluster() -> Iterator[LocalCluster]:
    """A running one-worker cluster on localhost, as a user would start with ``dask scheduler``/``dask worker``."""
    with LocalCluster(
        n_workers=1,
        processes=True,
        threads_per_worker=1,
        host="127.0.0.1",
        protocol="tcp",
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
    ) as running:
        yield running


def assert_same_run(
    report: IngestReport, expected: tuple[IngestReport, gpd.GeoDataFrame], *, in_order: bool = True
) -> None:
    """The same figures and the same table as one process (row for row, or, when the workers staged their own
    parts, the same rows in another order)."""
    single, table = expected
    assert (report.read, report.added, report.unplaced, sorted(map(str, report.problems))) == (
        single.read,
        single.added,
        single.unplaced,
        sorted(map(str, single.problems)),
    )
    stored = read_events(report.store)
    if not in_order:  # workers that stage their own parts leave the clusters to a later run (see README)
        assert stored["cluster_id"].isna().all()
        stored, table = (frame.sort_values("event_id", ignore_index=True) for frame in (stored, table))
        stored, table = stored.drop(columns="cluster_id"), table.drop(columns="cluster_id")
    pd.testing.assert_frame_equal(stored, table)


def test_local_cluster_gives_the_single_process_table(
    tmp_path: Path, sources: list[str], expected: tuple[IngestReport, gpd.GeoDataFrame]
) -> None:
    told: list[int] = []
    report = ingest_distributed(
        sources, tmp_path / "dask.parquet", workers=2, batch_size=2, progress=told.append, ingested_at=INGESTED_AT
    )
    assert_same_run(report, expected, in_order=False)  # the workers wrote the parts, in parallel
    assert len(part_files(tmp_path / "dask.parquet")) <= 2  # a part per worker, committed in one version
    assert version(tmp_path / "dask.parquet") == 1
    assert report.problems and report.added == report.read - 1  # the repeated story is read, then not stored
    assert sum(told) == report.read and max(told) == 2


def test_scheduler_by_address_loads_the_gazetteer_once_per_worker(
    tmp_path: Path,
    sources: list[str],
    expected: tuple[IngestReport, gpd.GeoDataFrame],
    cluster: LocalCluster,
) -> None:
    report = ingest_distributed(
        sources, tmp_path / "dask.parquet", scheduler=cluster.scheduler_address, batch_size=2, ingested_at=INGESTED_AT
    )
    assert_same_run(report, expected)
    with Client(cluster) as client:
        loads = client.run(_worker_parser.cache_info)
    batches = 6 + 3  # 11 stories of the page and 6 of the JSONL file, two a batch
    assert [(info.misses, info.misses + info.hits) for info in loads.values()] == [(1, batches)]


def test_workers_and_scheduler_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"either workers \(a local cluster\) or scheduler"):
        ingest_distributed([], tmp_path / "s.parquet", workers=2, scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="at least 1, not 0"):
        ingest_distributed([], tmp_path / "s.parquet", workers=0)


def test_cli_workers_gives_the_single_process_table(
    run_geo: RunGeo, tmp_path: Path, expected: tuple[IngestReport, gpd.GeoDataFrame]
) -> None:
    store = tmp_path / "cli.parquet"
    done = run_geo("ingest", str(settings.SAMPLE_PAGE), "--store", str(store), "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"read 11 stories, added 11 events, skipped 0, unplaced 1 -> {store}"
    table = expected[1]
    sample = table[table["source"] == settings.SAMPLE_PAGE.name].reset_index(drop=True)
    unlike = ["ingested_at", "cluster_id"]  # the workers staged their own parts: no clusters (see README)
    pd.testing.assert_frame_equal(read_events(store).drop(columns=unlike), sample.drop(columns=unlike))


def test_cli_refuses_workers_with_scheduler(run_geo: RunGeo, tmp_path: Path) -> None:
    done = run_geo("ingest", "x.jsonl", "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786")
    assert done.returncode == 2
    assert "not allowed with argument" in done.stderr
