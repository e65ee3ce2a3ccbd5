"""Merging parts: small parts merge as they pile up after each append, and ``geo store compact`` merges
everything into parts of about TARGET_ROWS rows. The table's rows and their order are unchanged.

A merge writes the merged part under ``_staging/`` without holding anything, then commits a version that
names it instead of the parts it merged, exactly as an append commits; an append that commits meanwhile
only adds parts after them, so the two never conflict (if another merge took the same parts first, this one
is dropped). The merged parts are deleted after the commit: a reader of an older version that meets a
missing part reads the newest version instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Final

from geo.store.index import StoreIndex
from geo.store.location import StoreError, StoreLocation
from geo.store.parts import copy_rows
from geo.store.snapshots import STAGING_DIR, Part, Snapshot, commit_version, latest, merged_part_name, staged_file_name
from geo.store.staging import staging_folder_name

__all__ = ["AUTO_MERGE", "TARGET_ROWS", "CompactResult", "compact", "compact_small", "plan_small"]

#: Consecutive small parts merged at once after an append.
AUTO_MERGE: Final = 8
#: A part with fewer rows is small; a merge after an append writes at most AUTO_MERGE_ROWS rows.
SMALL_ROWS: Final = 32_768
AUTO_MERGE_ROWS: Final = 262_144
#: Merges after one append (each merge is cheap, and the parts left wait for the next append).
AUTO_MERGES_PER_COMMIT: Final = 2
#: Rows of the parts ``geo store compact`` makes.
TARGET_ROWS: Final = 1_000_000
_LOCK_TIMEOUT: Final = 600.0


@dataclass(frozen=True, slots=True)
class CompactResult:
    """What a compaction did: parts before and after, and the rows it rewrote."""

    parts_before: int
    parts_after: int
    rows_rewritten: int


def plan_small(parts: Sequence[Part]) -> slice | None:
    """The run of AUTO_MERGE consecutive small parts with the fewest rows (at most AUTO_MERGE_ROWS), if any."""
    best: tuple[int, int] | None = None
    for start in range(len(parts) - AUTO_MERGE + 1):
        window = parts[start : start + AUTO_MERGE]
        if all(part.rows < SMALL_ROWS for part in window):
            total = sum(part.rows for part in window)
            if total <= AUTO_MERGE_ROWS and (best is None or total < best[1]):
                best = (start, total)
    return None if best is None else slice(best[0], best[0] + AUTO_MERGE)


def plan_full(parts: Sequence[Part], target: int = TARGET_ROWS) -> list[slice]:
    """Runs of consecutive parts to merge into parts of about ``target`` rows (runs of one part are left)."""
    runs: list[slice] = []
    start, rows = 0, 0
    for index, part in enumerate(parts):
        if index > start and rows + part.rows > target:
            runs.append(slice(start, index))
            start, rows = index, 0
        rows += part.rows
    runs.append(slice(start, len(parts)))
    return [run for run in runs if run.stop - run.start > 1]


def _find(parts: Sequence[Part], names: Sequence[str]) -> int | None:
    """Where ``names`` stand as consecutive parts of ``parts`` (None when they do not)."""
    listed = [part.name for part in parts]
    for start in range(len(listed) - len(names) + 1):
        if listed[start : start + len(names)] == list(names):
            return start
    return None


def merge_parts(location: StoreLocation, names: Sequence[str], *, locked: bool) -> Part | None:
    """Merge the consecutive parts ``names`` into one; the new part, or None when another merge took them."""
    folder = location.path(STAGING_DIR, staging_folder_name())
    location.make_folder(STAGING_DIR, folder.rsplit("/", 1)[-1])
    staged = f"{folder}/{staged_file_name()}"
    try:
        try:
            rows = copy_rows(location, [location.path(name) for name in names], staged)
        except FileNotFoundError:
            if _find(latest(location).parts, names) is None:
                return None  # another merge took these parts and deleted them
            raise
        with nullcontext() if locked else location.writers_lock(_LOCK_TIMEOUT):
            return _commit_merge(location, names, staged, rows)
    finally:
        location.delete(folder)


def _commit_merge(location: StoreLocation, names: Sequence[str], staged: str, rows: int) -> Part | None:
    merged = Part(merged_part_name(names[0]), rows)
    moved = False
    try:
        for _ in range(50):
            current = latest(location)
            start = _find(current.parts, names)
            if start is None:
                return None
            if not moved:
                location.move(staged, location.path(merged.name))
                moved = True
            parts = (*current.parts[:start], merged, *current.parts[start + len(names) :])
            with StoreIndex.open(location, current) as index:
                try:
                    commit_version(location, current, parts, "compact")
                except FileExistsError:
                    continue
                index.replace(names, merged)
            location.delete(*(location.path(name) for name in names))
            moved = False  # committed: the merged part is the store's now
            return merged
        raise StoreError(f"cannot compact the event store at {location.name}: other writers kept committing")
    finally:
        if moved:
            location.delete(location.path(merged.name))


def compact_small(location: StoreLocation, *, locked: bool) -> int:
    """Merge runs of small parts (at most AUTO_MERGES_PER_COMMIT); how many merges were made."""
    made = 0
    while made < AUTO_MERGES_PER_COMMIT:
        snapshot = latest(location)
        run = plan_small(snapshot.parts)
        if run is None or merge_parts(location, [p.name for p in snapshot.parts[run]], locked=locked) is None:
            break
        made += 1
    return made


def compact(location: StoreLocation, target: int = TARGET_ROWS) -> CompactResult:
    """Merge the store's parts into parts of about ``target`` rows, in order; appends may go on meanwhile."""
    before: Snapshot = latest(location)
    if before.single is not None:
        raise StoreError(f"the event store at {location.name} is a single file: append to it or migrate it first")
    rewritten = 0
    for run in plan_full(before.parts, target):
        names = [part.name for part in before.parts[run]]
        if merge_parts(location, names, locked=False) is not None:
            rewritten += sum(part.rows for part in before.parts[run])
    return CompactResult(len(before.parts), len(latest(location).parts), rewritten)
