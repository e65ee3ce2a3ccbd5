"""The event store: a folder of GeoParquet parts and a log of versions (:mod:`geo.store.snapshots`), appended to
in time proportional to what is added, whatever the store holds.

An ingest stages its event tables as it builds them, in part files under ``_staging/`` in the store, so its
memory does not grow with the input (workers of a cluster may stage parts of their own). Committing checks
the staged ids against the id index (:mod:`geo.store.ids`, never the table), drops those already stored or
repeated, moves the parts into the store and writes the next log entry, which is the commit: readers see
the version before or the version after, never a part of a commit. A process killed at any moment leaves
the newest version as it was; what it staged or moved is cleared by a later writer. Small parts are merged
as they pile up (:mod:`geo.store.compaction`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Final

import geopandas as gpd
import pandas as pd

from geo import settings
from geo.errors import DataFormatError
from geo.read.records import Problem
from geo.store.arrowio import READ_ERRORS, from_arrow, to_arrow
from geo.store.commit import AppendResult, commit_parts
from geo.store.location import STORE_ENV, StoreError, StoreLocation, is_url
from geo.store.migration import migrate_single_file
from geo.store.parts import PART_ROWS, PartWriter, StagedPart, part_chunks, unreadable, write_failure
from geo.store.schema import conform, empty_events
from geo.store.snapshots import STAGING_DIR, latest, staged_file_name
from geo.store.staging import staging_folder_name

__all__ = [
    "AppendResult",
    "StagedEvents",
    "StagedPart",
    "StoreError",
    "StorePath",
    "append_events",
    "default_store_path",
    "read_events",
    "staged_events",
]

StorePath = str | Path
STORE_NAME: Final = "events.parquet"
#: Seconds a commit waits for another writer of the same machine (the lock dies with its process).
LOCK_TIMEOUT: Final = 600.0
#: Versions a reader tries when compaction deletes the parts of the one it is reading.
READ_ATTEMPTS: Final = 5


def default_store_path() -> StorePath:
    """The store: ``$GEO_STORE`` when set (a path or a URL), else ``events.parquet`` in the data directory."""
    named = os.environ.get(STORE_ENV, "").strip()
    if not named:
        return settings.DATA_DIR / STORE_NAME
    return named if is_url(named) else Path(named).expanduser()


# -- reading ------------------------------------------------------------------------------------------------------


def read_events(path: StorePath, *, problems: list[Problem] | None = None) -> gpd.GeoDataFrame:
    """The events of the store's newest version; an empty frame when nothing is stored yet.

    A stored geometry that is not valid WKB is rebuilt from the row's lat/lon. With ``problems`` given, a row
    that does not fit the schema (a part edited by another tool) is left out with a problem naming it, and
    the rest is read; without, StoreError."""
    location = StoreLocation.of(path)
    for attempt in range(READ_ATTEMPTS):
        try:
            tables = _read_newest(location, problems)
            break
        except FileNotFoundError as err:  # a compaction deleted a part of the version being read: read the newer
            if attempt == READ_ATTEMPTS - 1:
                raise unreadable(location.name, err) from err
        except (*READ_ERRORS, DataFormatError) as err:
            if isinstance(err, StoreError):
                raise
            raise unreadable(location.name, err) from err
    return conform(pd.concat(tables, ignore_index=True)) if tables else empty_events()


def _read_newest(location: StoreLocation, problems: list[Problem] | None) -> list[gpd.GeoDataFrame]:
    snapshot = latest(location)
    found = [] if problems is None else list(problems)
    tables = [
        from_arrow(chunk, found if problems is not None else None, where=location.name)
        for file in snapshot.files(location)
        for chunk in part_chunks(location, file)
    ]
    if problems is not None:
        problems[:] = found
    return tables


# -- staging ------------------------------------------------------------------------------------------------------


class StagedEvents:
    """Event tables staged in part files of the store until :meth:`commit` appends them."""

    def __init__(self, location: StoreLocation, path: StorePath | None = None) -> None:
        self.location = location
        #: The store as it was given.
        self.path: StorePath = location.name if path is None else path
        self.folder = location.path(STAGING_DIR, staging_folder_name())
        self._made = False
        self._parts: list[StagedPart] = []
        self._writer: PartWriter | None = None
        self._committed = False
        #: Rows staged, and those among them without a location.
        self.rows = 0
        self.unplaced = 0

    def new_part_path(self) -> str:
        """A path for one more staged part file (for a writer elsewhere, e.g. a Dask worker)."""
        if not self._made:
            self.location.make_folder(STAGING_DIR, self.folder.rsplit("/", 1)[-1])
            self._made = True
        return f"{self.folder}/{staged_file_name()}"

    def add(self, events: gpd.GeoDataFrame) -> None:
        """Stage events (checked against the schema first; DataFormatError if they do not fit)."""
        self._check_open()
        events = conform(events)
        if events.empty:
            return
        try:
            if self._writer is None:
                self._writer = PartWriter(self.location, self.new_part_path())
            self._writer.write(to_arrow(events))
            if self._writer.rows >= PART_ROWS:
                self._parts.append(self._writer.finish())
                self._writer = None
        except OSError as err:
            raise write_failure(self.location.name, err) from err
        self.rows += len(events)
        self.unplaced += int(events.geometry.isna().sum())

    def add_part(self, part: StagedPart, *, unplaced: int = 0) -> None:
        """Take a part another writer staged in this folder (see :meth:`new_part_path`), after what is staged."""
        self._check_open()
        if not part.path.startswith(self.folder + "/"):
            raise ValueError(f"{part.path} is not in this staging folder")
        self._close_writer()
        self._parts.append(part)
        self.rows += part.rows
        self.unplaced += unplaced

    def _check_open(self) -> None:
        if self._committed:
            raise ValueError("these staged events were already committed")

    def _close_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            try:
                self._parts.append(writer.finish())
            except OSError as err:
                raise write_failure(self.location.name, err) from err

    def close(self) -> None:
        """Finish the staged parts (nothing more can be added)."""
        self._close_writer()

    def discard(self) -> None:
        """Drop what was staged."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.abandon()
        if self._made:
            with suppress(OSError):
                self.location.delete(self.folder)

    def commit(self, *, timeout: float = LOCK_TIMEOUT) -> AppendResult:
        """Append the staged events whose id is not stored yet, as one new version of the store.

        Nothing is written when nothing is new. A failure leaves the store as it was and raises StoreError."""
        self._check_open()
        self.close()
        self._committed = True
        return commit_parts(self.location, self._parts, timeout=timeout)


@contextmanager
def staged_events(path: StorePath) -> Iterator[StagedEvents]:
    """A place in the store at ``path`` to stage events; what is not committed is dropped on exit."""
    location = StoreLocation.of(path)
    try:
        migrate_single_file(location, timeout=LOCK_TIMEOUT)
        staged = StagedEvents(location, path)
    except OSError as err:
        if isinstance(err, StoreError):
            raise
        raise write_failure(location.name, err) from err
    try:
        yield staged
    finally:
        staged.discard()


def append_events(path: StorePath, events: gpd.GeoDataFrame, *, timeout: float = LOCK_TIMEOUT) -> AppendResult:
    """Add the events whose id is not stored yet, as one new version of the store.

    Nothing is written when nothing is new. A failure leaves the store as it was and raises StoreError."""
    events = conform(events)
    with staged_events(path) as staged:
        staged.add(events)
        return staged.commit(timeout=timeout)
