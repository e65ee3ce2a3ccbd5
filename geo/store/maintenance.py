"""What ``geo store`` does: describe a store, merge its parts, turn a single-file store into a folder."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from geo.store.compaction import CompactResult, compact
from geo.store.eventstore import LOCK_TIMEOUT, StorePath
from geo.store.location import StoreError, StoreLocation
from geo.store.migration import migrate_single_file
from geo.store.parts import write_failure
from geo.store.snapshots import latest

__all__ = ["StoreInfo", "compact_store", "migrate_store", "store_info"]


@dataclass(frozen=True, slots=True)
class StoreInfo:
    """A store at a glance: its newest version, parts, rows and bytes on disk."""

    name: str
    version: int
    parts: int
    rows: int
    size: int
    single_file: bool

    def lines(self) -> list[str]:
        """The description, one fact a line."""
        layout = "one file (the next append turns it into a folder)" if self.single_file else "folder of parts"
        return [
            f"store    {self.name}",
            f"layout   {layout}",
            f"version  {self.version}",
            f"parts    {self.parts:,}",
            f"events   {self.rows:,}",
            f"size     {self.size / 1e6:,.1f} MB",
        ]


def store_info(path: StorePath) -> StoreInfo:
    """The store at ``path`` at a glance."""
    location = StoreLocation.of(path)
    snapshot = latest(location)
    try:
        size = sum(location.size(file) for file in snapshot.files(location))
    except OSError as err:
        raise StoreError(f"cannot read the event store at {location.name}: {err}") from err
    return StoreInfo(
        location.name, snapshot.version, len(snapshot.parts), snapshot.rows, size, snapshot.single is not None
    )


def compact_store(path: StorePath) -> CompactResult:
    """Merge the store's parts into parts of about a million rows (appends may go on meanwhile)."""
    location = StoreLocation.of(path)
    try:
        migrate_single_file(location, timeout=LOCK_TIMEOUT)
        return compact(location)
    except StoreError:
        raise
    except (OSError, ValueError, pa.ArrowException) as err:
        raise write_failure(location.name, err) from err


def migrate_store(path: StorePath) -> bool:
    """Turn a single-file store into a folder store now; whether it was one."""
    location = StoreLocation.of(path)
    try:
        return migrate_single_file(location, timeout=LOCK_TIMEOUT)
    except StoreError:
        raise
    except OSError as err:
        raise write_failure(location.name, err) from err
