"""The store's guarantees: concurrent writers lose nothing, a writer killed at any moment leaves a readable
version, compaction races appends safely, readers always see a whole version, a single-file store is migrated,
and the id index is only a cache."""

from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo import settings
from geo.store.arrowio import arrow_schema, to_arrow
from geo.store.compaction import AUTO_MERGE, compact
from geo.store.eventstore import append_events, read_events
from geo.store.index import INDEX_NAME
from geo.store.location import StoreLocation
from geo.store.migration import single_file_backup
from geo.store.snapshots import latest
from tests.killpoints import COMMITTED, MOMENTS
from tests.rows import batch
from tests.stores import part_files, stray_files, version


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "events.parquet"


def ids(store: Path) -> list[str]:
    return read_events(store)["event_id"].tolist()


# -- concurrent writers -------------------------------------------------------------------------------------------


def _append_many(path: str, prefix: str, batches: int) -> None:
    for number in range(batches):
        append_events(Path(path), batch(f"{prefix}-{number}", 2))


def _compact_repeatedly(path: str, seconds: float) -> None:
    location = StoreLocation.of(path)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if latest(location).version:
            compact(location, target=10_000)
        time.sleep(0.05)


def test_concurrent_appends_and_a_compaction_keep_every_row_once(path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), prefix, 20)) for prefix in ("p", "q")]
    workers.append(context.Process(target=_compact_repeatedly, args=(str(path), 8.0)))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0, 0]
    stored = ids(path)
    expected = {f"{prefix}-{n}-{i}" for prefix in ("p", "q") for n in range(20) for i in (0, 1)}
    assert set(stored) == expected and len(stored) == 80
    for prefix in ("p", "q"):  # each writer's rows in the order it appended them
        own = [event_id for event_id in stored if event_id.startswith(prefix)]
        assert own == sorted(own, key=lambda e: (int(e.split("-")[1]), int(e.split("-")[2])))
    assert stray_files(path) == []
    assert append_events(path, batch("p-3", 2)).added == 0  # the index knows every row, merged or not


def test_readers_see_whole_versions_while_appends_and_merges_run(path: Path) -> None:
    append_events(path, batch("base", 5))
    seen: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def read_until_done() -> None:
        while not done.is_set():
            try:
                stored = ids(path)
                assert len(stored) == len(set(stored)), "a row read twice"
                seen.append(len(stored))
            except BaseException as err:
                errors.append(err)
                return

    reader = threading.Thread(target=read_until_done)
    reader.start()
    try:
        for number in range(3 * AUTO_MERGE):  # enough appends for merges to run after some of them
            append_events(path, batch(f"n{number}", 3))
        compact(StoreLocation.of(path))
    finally:
        done.set()
        reader.join(timeout=60)
    assert errors == []
    assert seen and set(seen) <= {5 + 3 * n for n in range(3 * AUTO_MERGE + 1)}
    assert len(part_files(path)) == 1


# -- kill -9 at each moment of a commit or a merge ------------------------------------------------------------------

KILL_AT = """
import os, signal, sys
from pathlib import Path
from geo.store import eventstore
from tests.killpoints import install
from tests.rows import batch

moment, store = sys.argv[1], Path(sys.argv[2])
install(moment, lambda: os.kill(os.getpid(), signal.SIGKILL))
eventstore.append_events(store, batch("new", 300))
"""


@pytest.mark.parametrize("moment", MOMENTS)
def test_a_writer_killed_at_any_moment_leaves_a_whole_version(path: Path, moment: str) -> None:
    for number in range(AUTO_MERGE - 1):  # small parts: the next append merges them
        append_events(path, batch(f"old{number}", 2))
    before = ids(path)
    command = [sys.executable, "-c", KILL_AT, moment, str(path)]
    killed = subprocess.run(command, cwd=settings.PROJECT_DIR, capture_output=True, check=False, timeout=120)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    after = ids(path)
    new = [f"new-{i}" for i in range(300)]
    committed = moment in COMMITTED
    assert after == (before + new if committed else before)
    assert len(gpd.read_parquet(path)) >= len(after)  # the folder reads as a dataset, whatever was left in it
    assert append_events(path, batch("new", 300)).added == (0 if committed else 300)  # the index caught up
    assert append_events(path, batch("later", 1)).added == 1
    assert ids(path) == before + new + ["later-0"]
    assert stray_files(path) == []  # what the killed writer left was cleared by the next ones
    assert len(gpd.read_parquet(path)) == len(before) + 301


# -- compaction ---------------------------------------------------------------------------------------------------


def test_appends_merge_small_parts_as_they_pile_up(path: Path) -> None:
    for number in range(3 * AUTO_MERGE):
        append_events(path, batch(f"b{number}", 2))
    assert len(part_files(path)) < AUTO_MERGE
    assert ids(path) == [f"b{n}-{i}" for n in range(3 * AUTO_MERGE) for i in range(2)]
    assert [p.name for p in part_files(path)] == sorted(p.name for p in part_files(path))  # names keep the order


def test_compact_makes_parts_of_the_target_size_and_keeps_rows_and_order(path: Path) -> None:
    for number in range(5):
        append_events(path, batch(f"c{number}", 40))
    before = read_events(path)
    result = compact(StoreLocation.of(path), target=100)
    assert (result.parts_before, result.rows_rewritten) == (5, 160)
    assert [pq.read_metadata(p).num_rows for p in part_files(path)] == [80, 80, 40]
    assert result.parts_after == 3
    assert read_events(path).equals(before)
    assert gpd.read_parquet(path)["event_id"].tolist() == before["event_id"].tolist()


def test_geo_store_compact_and_info(path: Path, run_geo: object) -> None:
    for number in range(3):
        append_events(path, batch(f"d{number}", 10))
    done = run_geo("store", "compact", "--store", str(path))  # type: ignore[operator]
    assert done.returncode == 0, done.stderr
    assert "compacted" in done.stdout and "3 parts -> 1" in done.stdout and "events   30" in done.stdout
    assert len(part_files(path)) == 1


# -- migration from a single-file store ----------------------------------------------------------------------------


def _single_file_store(path: Path, rows: pa.Table) -> None:
    """A store as this project wrote it before stores were folders: one GeoParquet file."""
    with pq.ParquetWriter(path, arrow_schema()) as writer:
        writer.write_table(rows, row_group_size=1024)


def test_a_single_file_store_is_read_in_place_and_becomes_a_folder_on_the_next_append(path: Path) -> None:
    _single_file_store(path, to_arrow(batch("old", 3)))
    assert ids(path) == ["old-0", "old-1", "old-2"]  # read as it is: reading never writes
    assert path.is_file() and version(path) == -1
    assert append_events(path, batch("new", 2)).total == 5
    assert path.is_dir() and version(path) == 2
    assert ids(path) == ["old-0", "old-1", "old-2", "new-0", "new-1"]
    assert gpd.read_parquet(path)["event_id"].tolist() == ids(path)
    assert append_events(path, batch("old", 3)).added == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["events.parquet", "events.parquet.lock"]


def test_geo_store_migrate_turns_the_file_into_a_folder(path: Path, run_geo: object) -> None:
    _single_file_store(path, to_arrow(batch("old", 3)))
    done = run_geo("store", "migrate", "--store", str(path))  # type: ignore[operator]
    assert done.returncode == 0, done.stderr
    assert "now a folder of parts" in done.stdout and "events   3" in done.stdout
    assert path.is_dir() and ids(path) == ["old-0", "old-1", "old-2"]


@pytest.mark.parametrize("renamed", [1, 2], ids=["file-moved-aside", "folder-in-place"])
def test_a_migration_killed_between_its_renames_is_finished_by_the_next_writer(path: Path, renamed: int) -> None:
    _single_file_store(path, to_arrow(batch("old", 3)))
    location = StoreLocation.of(path)
    backup = Path(single_file_backup(location))
    if renamed == 1:  # killed after moving the file aside, before the folder took its place
        path.rename(backup)
    else:  # killed after both renames, before deleting the file's old name
        append_events(path, batch("new", 1))
        _single_file_store(backup, to_arrow(batch("old", 3)))
    append_events(path, batch("later", 1))
    assert not backup.exists() and path.is_dir()
    expected = ["old-0", "old-1", "old-2"] + (["new-0"] if renamed == 2 else []) + ["later-0"]
    assert ids(path) == expected


def test_a_file_that_is_not_an_event_store_is_not_migrated(path: Path) -> None:
    pq.write_table(pa.table({"event_id": ["a-0"], "other": [1]}), path)
    with pytest.raises(OSError, match=r"not an event store: no column 'title'"):
        append_events(path, batch("a", 1))
    assert path.is_file()


# -- the id index is a cache ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["deleted", "garbage"])
def test_a_lost_or_damaged_id_index_is_rebuilt_from_the_store(path: Path, damage: str) -> None:
    append_events(path, batch("a", 5))
    index = path / INDEX_NAME
    if damage == "deleted":
        index.unlink()
    else:
        index.write_bytes(b"this is not a database" * 100)
    assert append_events(path, batch("a", 6)).added == 1
    assert ids(path) == [f"a-{i}" for i in range(6)]
