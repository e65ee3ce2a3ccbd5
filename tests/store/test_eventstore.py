"""Tests of geo.store.eventstore: GeoParquet round trip, staged atomic appends, failures leave the store intact."""

from __future__ import annotations

import errno
import fcntl
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from geo import settings
from geo.errors import DataFormatError, GeoError
from geo.store import arrowio as storefile
from geo.store import eventstore as store
from geo.store.eventstore import (
    AppendResult,
    StoreError,
    append_events,
    default_store_path,
    read_events,
    staged_events,
)
from geo.store.schema import EVENT_COLUMNS, empty_events
from tests.rows import batch, event, events, placeless


def leftovers(directory: Path) -> list[str]:
    """Files in the store's folder other than the store and its lock."""
    return sorted(p.name for p in directory.iterdir() if p.name not in {"events.parquet", "events.parquet.lock"})


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "events.parquet"


# -- paths --------------------------------------------------------------------------------------------------------


def test_default_store_path_honours_geo_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "mine.parquet"))
    assert default_store_path() == tmp_path / "mine.parquet"
    monkeypatch.delenv("GEO_STORE")
    assert default_store_path() == settings.DATA_DIR / "events.parquet"


# -- reading and appending ----------------------------------------------------------------------------------------


def test_round_trip_keeps_types_nulls_and_a_row_with_no_place(path: Path) -> None:
    written = events(event("a"), placeless("b"))
    assert append_events(path, written) == AppendResult(added=2, skipped=0, total=2)
    back = read_events(path)
    pd.testing.assert_frame_equal(pd.DataFrame(back), pd.DataFrame(written))
    assert back.crs == "EPSG:4326"
    assert back.geometry.iloc[1] is None
    append_events(path, events(event("c")))
    raw = gpd.read_parquet(path)  # the file itself, as geopandas reads it back from the geo metadata
    assert raw.crs == "EPSG:4326"
    assert raw.dtypes.equals(empty_events().dtypes)
    assert raw["event_id"].tolist() == ["a", "b", "c"]


def test_missing_store_reads_as_empty(path: Path) -> None:
    assert read_events(path).empty
    assert tuple(read_events(path).columns) == EVENT_COLUMNS


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"not a parquet file", id="garbage"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes()[:-200]), id="truncated"),
        pytest.param(lambda p: pd.DataFrame({"x": [1]}).to_parquet(p), id="no-geo-metadata"),
        pytest.param(
            lambda p: gpd.GeoDataFrame({"x": [1]}, geometry=[None], crs=4326).to_parquet(p), id="other-schema"
        ),
    ],
)
def test_damaged_store_gives_a_store_error_naming_the_file(path: Path, content: Any) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        append_events(path, batch("a", 3))
        content(path)
    with pytest.raises(
        StoreError, match=f"(?s)cannot read the event store at {re.escape(str(path))}: .*move it aside"
    ) as caught:
        read_events(path)
    assert isinstance(caught.value, GeoError) and isinstance(caught.value, OSError)


def test_appending_the_same_events_twice_adds_nothing_and_writes_nothing(path: Path) -> None:
    append_events(path, batch("a", 3))
    before = (path.stat().st_mtime_ns, path.read_bytes())
    assert append_events(path, batch("a", 3)) == AppendResult(added=0, skipped=3, total=3)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_ids_repeated_in_a_batch_or_already_stored_are_skipped(path: Path) -> None:
    append_events(path, batch("a", 2))
    result = append_events(path, events(event("a-1"), event("b", title="first"), event("b", title="second")))
    assert result == AppendResult(added=1, skipped=2, total=3)
    stored = read_events(path)
    assert stored["event_id"].tolist() == ["a-0", "a-1", "b"]
    assert stored["title"].iloc[2] == "first"


def test_append_rejects_events_that_do_not_fit_the_schema(path: Path) -> None:
    with pytest.raises(DataFormatError, match="severity"):
        append_events(path, pd.DataFrame([event("a", severity=0)]))
    assert not path.exists()


def _append_many(path: str, prefix: str, batches: int) -> None:
    for number in range(batches):
        append_events(Path(path), events(event(f"{prefix}-{number}-0"), event(f"{prefix}-{number}-1")))


def test_concurrent_appends_from_two_processes_keep_every_row(path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_append_many, args=(str(path), prefix, 15)) for prefix in ("p", "q")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    stored = read_events(path)
    expected = {f"{prefix}-{n}-{i}" for prefix in ("p", "q") for n in range(15) for i in (0, 1)}
    assert set(stored["event_id"]) == expected
    assert len(stored) == 60
    assert leftovers(path.parent) == []


def test_lock_held_elsewhere_times_out_with_a_store_error(path: Path) -> None:
    with open(f"{path}.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match=r"cannot lock the event store at .*held .*events\.parquet\.lock for over"):
            append_events(path, batch("a", 1), timeout=0.1)
    assert append_events(path, batch("a", 1)).added == 1


# -- staged appends -----------------------------------------------------------------------------------------------


def test_staged_batches_commit_as_one_append_in_order(path: Path) -> None:
    append_events(path, batch("old", 2))
    with staged_events(path) as staged:
        staged.add(batch("a", 3))
        staged.add(events(event("old-1"), event("b-0"), placeless("a-2")))  # a stored id and one staged before
        staged.add(events(placeless("c-0")))
        assert (staged.rows, staged.unplaced) == (7, 2)
        assert leftovers(path.parent) == []  # the staging file has no name
        assert len(read_events(path)) == 2  # nothing is visible before the commit
        result = staged.commit()
    assert result == AppendResult(added=5, skipped=2, total=7)
    assert read_events(path)["event_id"].tolist() == ["old-0", "old-1", "a-0", "a-1", "a-2", "b-0", "c-0"]
    assert leftovers(path.parent) == []


def test_leaving_without_a_commit_changes_nothing(path: Path) -> None:
    append_events(path, batch("old", 1))
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="reading failed"), staged_events(path) as staged:
        staged.add(batch("new", 2))
        raise RuntimeError("reading failed")
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def test_staged_events_are_committed_once(path: Path) -> None:
    with staged_events(path) as staged:
        staged.add(batch("a", 1))
        staged.commit()
        with pytest.raises(ValueError, match="already committed"):
            staged.add(batch("b", 1))
        with pytest.raises(ValueError, match="already committed"):
            staged.commit()
    assert read_events(path)["event_id"].tolist() == ["a-0"]


def test_a_commit_of_nothing_new_writes_nothing(path: Path) -> None:
    append_events(path, batch("a", 2))
    before = (path.stat().st_mtime_ns, path.read_bytes())
    with staged_events(path) as staged:
        staged.add(batch("a", 2))
        assert staged.commit() == AppendResult(added=0, skipped=2, total=2)
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_the_store_is_written_in_row_groups_and_reads_back_whole(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "CHUNK_ROWS", 3)
    monkeypatch.setattr(storefile, "CHUNK_ROWS", 3)
    append_events(path, batch("a", 4))
    append_events(path, batch("b", 5))
    meta = pq.ParquetFile(path).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sum(sizes) == 9 and max(sizes) == 3
    stored = read_events(path)
    assert stored["event_id"].tolist() == [f"a-{i}" for i in range(4)] + [f"b-{i}" for i in range(5)]
    assert stored.geometry.iloc[0] == shapely.Point(2.3522, 48.8566)


def test_a_full_disk_while_finishing_the_staging_file_is_a_store_error(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_events(path, batch("old", 1))
    before = path.read_bytes()
    with staged_events(path) as staged:
        staged.add(batch("new", 2))
        close, failed = pq.ParquetWriter.close, []

        def full_once(writer: pq.ParquetWriter) -> None:
            if not failed:
                failed.append(True)
                _fill_the_disk(0)
            close(writer)

        monkeypatch.setattr(pq.ParquetWriter, "close", full_once)
        with pytest.raises(StoreError, match="disk full; free space or set GEO_STORE"):
            staged.commit()
    assert path.read_bytes() == before


def test_a_foreign_parquet_file_is_not_taken_for_a_store(path: Path) -> None:
    pd.DataFrame({"event_id": ["a-0"], "other": [1]}).to_parquet(path)
    with pytest.raises(StoreError, match=r"not an event store: no column 'title'"):
        append_events(path, batch("a", 1))  # nothing new would be written, and still it is refused


STAGE_MANY = """
import resource, sys
from pathlib import Path
from geo.store.eventstore import staged_events
from tests.rows import event, events
size = int(sys.argv[2])
template = events(*(event(f"{i}", text="Flood waters rose in central Paris. " * 600) for i in range(250)))
with staged_events(Path(sys.argv[1])) as staged:
    for n in range(size):
        staged.add(template.assign(event_id=[f"{n}-{i}" for i in range(250)]))
    staged.commit()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kib(path: Path, batches: int) -> int:
    command = [sys.executable, "-c", STAGE_MANY, str(path), str(batches)]
    done = subprocess.run(command, cwd=settings.PROJECT_DIR, capture_output=True, text=True, check=True, timeout=300)
    return int(done.stdout)


def test_memory_of_a_staged_append_does_not_grow_with_its_size(tmp_path: Path) -> None:
    """5 MB of events per batch: 16 batches (80 MB) and 64 (320 MB) peak at about the same memory."""
    small = _peak_kib(tmp_path / "small.parquet", 16)
    large = _peak_kib(tmp_path / "large.parquet", 64)
    assert pq.ParquetFile(tmp_path / "large.parquet").metadata.num_rows == 16_000
    assert large - small < 60 * 1024, f"peak {small / 1024:.0f} MB for 80 MB of events, {large / 1024:.0f} MB for 320"


# -- failures leave the previous store intact -----------------------------------------------------------------------


def test_a_crash_before_the_rename_leaves_the_store_and_no_temp_file(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    append_events(path, batch("old", 2))
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise RuntimeError("simulated crash")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(StoreError, match=r"cannot write the event store at .*RuntimeError: simulated crash"):
        append_events(path, batch("new", 2))
    assert path.read_bytes() == before
    assert read_events(path)["event_id"].tolist() == ["old-0", "old-1"]
    assert leftovers(path.parent) == []


KILL_WHILE_WRITING = """
import os, signal, sys
from pathlib import Path
from geo.store import eventstore as store
os.replace = lambda *args: os.kill(os.getpid(), signal.SIGKILL)  # die between writing the temp file and renaming
store.append_events(Path(sys.argv[1]), store.read_events(Path(sys.argv[2])))
"""


def test_a_writer_killed_mid_append_leaves_the_store_readable(
    path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    append_events(path, batch("old", 2))
    before = path.read_bytes()
    incoming = tmp_path_factory.mktemp("incoming") / "events.parquet"
    append_events(incoming, batch("new", 500))
    command = [sys.executable, "-c", KILL_WHILE_WRITING, str(path), str(incoming)]
    killed = subprocess.run(command, cwd=settings.PROJECT_DIR, capture_output=True, check=False, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr.decode()
    assert path.read_bytes() == before
    assert len(read_events(path)) == 2
    [temp] = leftovers(path.parent)  # the killed writer's temp file, hidden beside the store
    assert temp.startswith(".events.parquet.") and temp.endswith(".tmp")
    assert append_events(path, batch("later", 1)).total == 3
    assert leftovers(path.parent) == []  # the next append swept it


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_directory_gives_a_clear_store_error(path: Path) -> None:
    append_events(path, batch("old", 1))
    before = path.read_bytes()
    path.parent.chmod(0o500)
    try:
        with pytest.raises(StoreError, match=r"permission denied; make .* writable or set GEO_STORE"):
            append_events(path, batch("new", 1))
    finally:
        path.parent.chmod(0o700)
    assert path.read_bytes() == before
    assert leftovers(path.parent) == []


def _refuse_temp_file(*args: object, **kwargs: object) -> Any:
    raise PermissionError(errno.EACCES, "Permission denied", "/read-only")


def _fill_the_disk(fd: int) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize(
    ("target", "failure", "message"),
    [
        (tempfile, ("NamedTemporaryFile", _refuse_temp_file), "permission denied; make .* writable or set GEO_STORE"),
        (tempfile, ("TemporaryFile", _refuse_temp_file), "permission denied; make .* writable or set GEO_STORE"),
        (os, ("fsync", _fill_the_disk), "disk full; free space or set GEO_STORE to another path"),
    ],
    ids=["read-only", "read-only-staging", "disk-full"],
)
def test_write_failures_give_a_clear_store_error_and_change_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch, target: Any, failure: tuple[str, Any], message: str
) -> None:
    append_events(path, batch("old", 1))
    before = (path.stat().st_mtime_ns, path.read_bytes())
    monkeypatch.setattr(target, *failure)
    with pytest.raises(
        StoreError, match=f"cannot write the event store at {re.escape(str(path))}: {message}"
    ) as caught:
        append_events(path, batch("new", 1))
    assert "(the store is unchanged)" in str(caught.value)
    monkeypatch.undo()
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before
    assert leftovers(path.parent) == []
