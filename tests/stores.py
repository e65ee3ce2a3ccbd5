"""Looking into a store folder in tests: its part files, its newest version, and its bytes."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from geo.store.location import StoreLocation
from geo.store.snapshots import latest


def part_files(store: Path) -> list[Path]:
    """The part files of the store's newest version, in the table's order."""
    location = StoreLocation.of(store)
    return [Path(path) for path in latest(location).files(location)]


def stray_files(store: Path) -> list[str]:
    """Files in the store's folder that no version names (its log, index and staging aside), staged files and
    half-written log entries: what killed writers left."""
    named = {p.name for p in part_files(store)}
    stray = [p.name for p in store.glob("*.parquet") if p.name not in named]
    staged = [str(p.relative_to(store)) for p in store.glob("_staging/*/*")]
    unlinked = [str(p.relative_to(store)) for p in store.glob("_log/.*")]
    return sorted(stray + staged + unlinked)


def version(store: Path) -> int:
    """The number of the store's newest version (0: nothing committed)."""
    return latest(StoreLocation.of(store)).version


def snapshot_bytes(store: Path) -> dict[str, bytes] | None:
    """Every file of the store's newest version and its log entry, by name (None when there is no store)."""
    if not store.exists():
        return None
    location = StoreLocation.of(store)
    newest = latest(location)
    files = {Path(p).name: Path(p).read_bytes() for p in newest.files(location)}
    entry = store / "_log" / f"{newest.version:012d}.json"
    return {**files, "log": entry.read_bytes() if entry.exists() else b""}


def rewrite_only_part(store: Path, change: pa.Table | None = None) -> pa.Table:
    """The table of a store of one part; with ``change``, that table is written over the part (as another tool
    editing the file in place would)."""
    [part] = part_files(store)
    if change is not None:
        pq.write_table(change, part)
    return pq.read_table(part)
