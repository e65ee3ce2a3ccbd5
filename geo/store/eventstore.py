"""The event store: the events in one GeoParquet file, appended to atomically under an inter-process lock.

An ingest stages its event tables as it builds them in an anonymous temporary file beside the store, so
its memory does not grow with the input. Committing copies the stored rows and then the new ones, chunk
by chunk, into a temporary file, syncs it and renames it onto the store: readers see the old store or the
new one, never a part, and a process killed at any moment leaves the store as it was (the staging file
has no name and goes with the process).
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from filelock import FileLock, Timeout

from geo import settings
from geo.errors import DataFormatError, GeoError
from geo.read.records import Problem
from geo.store.arrowio import (
    CHUNK_ROWS,
    READ_ERRORS,
    arrow_schema,
    check_columns,
    chunks,
    from_arrow,
    rechunked,
    to_arrow,
)
from geo.store.schema import conform, empty_events

__all__ = [
    "AppendResult",
    "StagedEvents",
    "StoreError",
    "append_events",
    "default_store_path",
    "read_events",
    "staged_events",
    "store_file",
]

#: Environment variable naming the store file; unset, the store is ``settings.DATA_DIR / STORE_NAME``.
STORE_ENV: Final = "GEO_STORE"
STORE_NAME: Final = "events.parquet"
#: Seconds a commit waits for another writer. The lock dies with its process, so a held lock means a live
#: writer (copying a large store takes a while), and waiting beats losing the staged events.
LOCK_TIMEOUT: Final = 600.0
_TEMP_SUFFIX: Final = ".tmp"


class StoreError(GeoError, OSError):
    """The store file cannot be read, locked or written; the message names the file and how to fix it."""


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did: rows added, incoming rows skipped as already stored or repeated, rows now stored."""

    added: int
    skipped: int
    total: int


def default_store_path() -> Path:
    """The store file: ``$GEO_STORE`` when set, else ``events.parquet`` in the data directory."""
    named = os.environ.get(STORE_ENV, "").strip()
    return Path(named).expanduser() if named else settings.DATA_DIR / STORE_NAME


def _write_failure(path: Path, err: BaseException) -> StoreError:
    """A StoreError saying why ``path`` could not be written and what to do about it."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"disk full; free space or set {STORE_ENV} to another path"
    elif isinstance(err, PermissionError) or (isinstance(err, OSError) and err.errno == errno.EROFS):
        reason = f"permission denied; make {path.parent} writable or set {STORE_ENV} to another path"
    else:
        reason = f"{type(err).__name__}: {err}"
    return StoreError(f"cannot write the event store at {path}: {reason} (the store is unchanged)")


def _sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (skipped where the file system cannot sync directories)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _temp_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*{_TEMP_SUFFIX}"))


def _unreadable(path: Path, err: BaseException) -> StoreError:
    return StoreError(
        f"cannot read the event store at {path}: {type(err).__name__}: {err}\nIf the file is damaged or not "
        f"an event store, move it aside (the next append starts a new one) or set {STORE_ENV} to another path."
    )


def read_events(path: Path, *, problems: list[Problem] | None = None) -> gpd.GeoDataFrame:
    """The stored events; an empty frame when the file does not exist yet.

    A stored geometry that is not valid WKB is rebuilt from the row's lat/lon. With ``problems`` given, a row
    that does not fit the schema (a store edited by another tool) is left out with a problem naming it, and
    the rest is read; without, StoreError."""
    if not path.exists():
        return empty_events()
    try:
        source = pq.ParquetFile(path)
        check_columns(source.schema_arrow)
        tables = [from_arrow(chunk, problems, where=str(path)) for chunk in chunks(source)]
    except (*READ_ERRORS, DataFormatError) as err:
        raise _unreadable(path, err) from err
    return conform(pd.concat(tables, ignore_index=True)) if tables else empty_events()


def _stored_ids(path: Path) -> set[str]:
    """The ids in the store, after checking that the file has the store's columns."""
    if not path.exists():
        return set()
    try:
        check_columns(pq.read_schema(path))
        return set(pq.read_table(path, columns=["event_id"]).column("event_id").to_pylist())
    except READ_ERRORS as err:
        raise _unreadable(path, err) from err


def _stored_chunks(path: Path) -> Iterator[pa.Table]:
    """The stored rows in chunks, each checked against the schema."""
    if not path.exists():
        return
    try:
        for chunk in chunks(pq.ParquetFile(path)):
            yield to_arrow(from_arrow(chunk))
    except READ_ERRORS as err:
        raise _unreadable(path, err) from err


# -- writing ------------------------------------------------------------------------------------------------------


def _write_atomically(chunks: Iterable[pa.Table], path: Path) -> None:
    """Write the chunks beside ``path``, sync, then rename onto it: readers see the old store or the new."""
    temp: Path | None = None
    try:
        prefix = f".{path.name}."
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=prefix, suffix=_TEMP_SUFFIX, delete=False) as out:
            temp = Path(out.name)
            with pq.ParquetWriter(out, arrow_schema()) as writer:
                for chunk in rechunked(chunks):
                    writer.write_table(chunk, row_group_size=CHUNK_ROWS)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        os.replace(temp, path)
        temp = None
        _sync_directory(path.parent)
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _fresh_mask(ids: pa.ChunkedArray, seen: set[str]) -> pa.Array:
    """True for each id not in ``seen``, which learns them (so a repeat within ``ids`` is False too)."""
    keep = []
    for event_id in ids.to_pylist():
        keep.append(event_id not in seen)
        seen.add(event_id)
    return pa.array(keep, type=pa.bool_())


def _fresh(table: pa.Table, seen: set[str]) -> pa.Table:
    """The rows of ``table`` whose id is not in ``seen``, which learns them."""
    return table.filter(_fresh_mask(table.column("event_id"), seen))


class StagedEvents:
    """Event tables kept in an anonymous temporary file until :meth:`commit` appends them to the store."""

    def __init__(self, path: Path, staging: IO[bytes]) -> None:
        self.path = path
        self._staging = staging
        self._writer: pq.ParquetWriter | None = pq.ParquetWriter(staging, arrow_schema())
        #: Rows staged, and those among them without a location.
        self.rows = 0
        self.unplaced = 0

    def add(self, events: gpd.GeoDataFrame) -> None:
        """Stage events (checked against the schema first; DataFormatError if they do not fit)."""
        if self._writer is None:
            raise ValueError("these staged events were already committed")
        events = conform(events)
        if events.empty:
            return
        try:
            self._writer.write_table(to_arrow(events))
        except OSError as err:
            raise _write_failure(self.path, err) from err
        self.rows += len(events)
        self.unplaced += int(events.geometry.isna().sum())

    def close(self) -> None:
        """Finish the staging file (nothing more can be added)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def _staged_chunks(self) -> Iterator[pa.Table]:
        self._staging.seek(0)
        yield from chunks(pq.ParquetFile(self._staging))

    def _new_count(self, stored: set[str]) -> int:
        """How many staged rows have an id neither stored nor staged before them."""
        self._staging.seek(0)
        staged = pq.read_table(self._staging, columns=["event_id"]).column("event_id")
        return int(pc.sum(_fresh_mask(staged, set(stored))).as_py() or 0)

    def _append_locked(self) -> AppendResult:
        for leftover in _temp_files(self.path):  # left by a writer that was killed; no writer is running now
            leftover.unlink(missing_ok=True)
        stored = _stored_ids(self.path)
        new = self._new_count(stored)
        if new:
            seen = set(stored)
            chunks = (_fresh(chunk, seen) for chunk in self._staged_chunks())
            try:
                _write_atomically(_chain(_stored_chunks(self.path), chunks), self.path)
            except StoreError:
                raise
            except Exception as err:
                raise _write_failure(self.path, err) from err
        return AppendResult(added=new, skipped=self.rows - new, total=len(stored) + new)

    def commit(self, *, timeout: float = LOCK_TIMEOUT) -> AppendResult:
        """Append the staged events whose id is not stored yet, under the store's lock, in one atomic write.

        Nothing is written when nothing is new. A failure leaves the store as it was and raises StoreError.
        """
        if self._writer is None:
            raise ValueError("these staged events were already committed")
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.close()  # writes the staging file's footer: may meet a full disk
            with FileLock(lock_path, timeout=timeout):
                return self._append_locked()
        except Timeout as err:
            raise StoreError(
                f"cannot lock the event store at {self.path}: another process has held {lock_path} for over "
                f"{timeout:g} s; retry when it has finished, or pass a longer timeout"
            ) from err
        except OSError as err:
            if isinstance(err, StoreError):
                raise
            raise _write_failure(self.path, err) from err


def _chain(*parts: Iterable[pa.Table]) -> Iterator[pa.Table]:
    for part in parts:
        yield from part


def store_file(path: Path) -> Path:
    """The file the store at ``path`` is: a symbolic link is followed to its target, so that an append writes
    through the link (replacing the link itself would leave its target with the old rows)."""
    real = Path(os.path.realpath(path))
    if real.is_symlink():
        raise StoreError(f"the event store at {path} is a loop of symbolic links: point {STORE_ENV} at a file")
    return real


@contextmanager
def staged_events(path: Path) -> Iterator[StagedEvents]:
    """A place beside the store at ``path`` (a link's target) to stage events; what is not committed is dropped
    on exit."""
    path = store_file(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        staging = tempfile.TemporaryFile(dir=path.parent)  # noqa: SIM115 (closed below)
    except OSError as err:
        raise _write_failure(path, err) from err
    try:
        staged = StagedEvents(path, staging)
    except OSError as err:
        staging.close()
        raise _write_failure(path, err) from err
    try:
        yield staged
    finally:
        with suppress(OSError):  # what was not committed is dropped anyway; a full disk may refuse its flush
            staged.close()
        with suppress(OSError):
            staging.close()


def append_events(path: Path, events: gpd.GeoDataFrame, *, timeout: float = LOCK_TIMEOUT) -> AppendResult:
    """Add the events whose id is not stored yet, under an inter-process lock, replacing the file atomically.

    Nothing is written when nothing is new. A failure leaves the previous store as it was and raises StoreError.
    """
    events = conform(events)
    with staged_events(path) as staged:
        staged.add(events)
        return staged.commit(timeout=timeout)
