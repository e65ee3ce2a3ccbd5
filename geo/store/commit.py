"""Committing staged parts: drop the rows already stored or repeated, move the parts into the store, write the
next log entry; try again on the newer version if another writer committed first.

The id check asks the id index (:mod:`geo.store.ids`), so a commit reads only its own parts, whatever the store
holds. On a local store the writers of one machine also take turns under a lock file (so they do not all
retry at once); on object storage the log entry's conditional write alone orders them.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import pyarrow as pa

from geo.store.index import StoreIndex
from geo.store.location import UNLINKED_PREFIX, StoreError, StoreLocation
from geo.store.parts import StagedPart, copy_rows, part_ids, write_failure
from geo.store.snapshots import (
    LOG_DIR,
    STAGING_DIR,
    Part,
    Snapshot,
    commit_version,
    is_part_name,
    latest,
    new_part_name,
    prune_log,
    staged_file_name,
)
from geo.store.staging import process_alive, staging_owner

__all__ = ["COMMIT_ATTEMPTS", "AppendResult", "clear_leftovers", "commit_parts"]

#: Writers that find another writer's log entry first try again this many times.
COMMIT_ATTEMPTS: Final = 50
#: A staging folder of another machine (or of this one when its process cannot be told) is cleared after this
#: many seconds; a part in the store's folder that no version names, after ORPHAN_AGE on object storage.
STAGING_AGE: Final = 7 * 86_400.0
ORPHAN_AGE: Final = 3_600.0


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did: rows added, incoming rows skipped as already stored or repeated, rows now stored."""

    added: int
    skipped: int
    total: int


@dataclass(slots=True)
class _Candidate:
    """A part of this commit: where it is now, its ids, and whether it is already in the store's folder."""

    path: str
    ids: list[str]
    in_store: bool = False


def commit_parts(location: StoreLocation, staged: Sequence[StagedPart], *, timeout: float) -> AppendResult:
    """Append the rows of ``staged`` whose id is not stored yet, as one new version of the store."""
    try:
        with location.writers_lock(timeout):
            return _commit(location, staged)
    except StoreError:
        raise
    except (OSError, ValueError, pa.ArrowException) as err:
        raise write_failure(location.name, err) from err


def _commit(location: StoreLocation, staged: Sequence[StagedPart]) -> AppendResult:
    incoming = sum(part.rows for part in staged)
    candidates = [_Candidate(part.path, part_ids(location, part.path)) for part in staged]
    staging = staged[0].path.rsplit("/", 1)[0] if staged else location.path(STAGING_DIR)
    clear_leftovers(location, latest(location), locked=True)
    committed: Snapshot | None = None
    try:
        for _ in range(COMMIT_ATTEMPTS):
            snapshot = latest(location)
            with StoreIndex.open(location, snapshot) as index:
                stored = index.known(i for c in candidates for i in c.ids)
                candidates = _fresh(location, candidates, stored, staging)
                if not candidates:
                    return AppendResult(0, incoming, snapshot.rows)
                parts = [_into_store(location, c, snapshot.version + 1, i) for i, c in enumerate(candidates)]
                try:
                    committed = commit_version(location, snapshot, (*snapshot.parts, *parts), "append")
                except FileExistsError:
                    continue  # another writer committed first: check the ids against its version too
                _record(location, index, [(part, c.path) for part, c in zip(parts, candidates, strict=True)])
            break
    finally:
        if committed is None:  # nothing names the parts moved into the store: take them back out
            location.delete(*(c.path for c in candidates if c.in_store))
    if committed is None:
        raise StoreError(
            f"cannot write the event store at {location.name}: other writers committed {COMMIT_ATTEMPTS} times "
            "while this one tried; retry (the store is unchanged)"
        )
    _after_commit(location)
    added = sum(part.rows for part in parts)
    return AppendResult(added, incoming - added, committed.rows)


def _fresh(location: StoreLocation, candidates: list[_Candidate], stored: set[str], staging: str) -> list[_Candidate]:
    """The candidates with only rows whose id is neither stored nor earlier in this commit (parts rewritten
    where some rows go, deleted where all go)."""
    seen = set(stored)
    kept: list[_Candidate] = []
    for candidate in candidates:
        marks = []
        for event_id in candidate.ids:
            marks.append(event_id not in seen)
            seen.add(event_id)
        if all(marks):
            kept.append(candidate)
            continue
        if any(marks):
            target = f"{staging}/{staged_file_name()}"
            copy_rows(location, [candidate.path], target, marks)
            ids = [event_id for event_id, keep in zip(candidate.ids, marks, strict=True) if keep]
            kept.append(_Candidate(target, ids))
        location.delete(candidate.path)
    return kept


def _into_store(location: StoreLocation, candidate: _Candidate, version: int, index: int) -> Part:
    """Move a part of this commit to its name for ``version`` in the store's folder (no version names it yet)."""
    name = new_part_name(version, index)
    location.move(candidate.path, location.path(name))
    candidate.path, candidate.in_store = location.path(name), True
    return Part(name, len(candidate.ids))


def _record(location: StoreLocation, index: StoreIndex, parts: list[tuple[Part, str]]) -> None:
    """Add the committed parts to the index; if that fails, the index catches up from them next time."""
    try:
        index.take_in(location, parts)
    except Exception:
        return


def _after_commit(location: StoreLocation) -> None:
    """Merge small parts that have piled up, then clear what killed writers left and old log entries."""
    from geo.store.compaction import compact_small  # compaction commits through this module

    try:
        compact_small(location, locked=True)
        clear_leftovers(location, latest(location), locked=True)
    except (OSError, ValueError, pa.ArrowException):
        pass  # the append is committed; the next one merges and clears


def clear_leftovers(location: StoreLocation, snapshot: Snapshot, *, locked: bool) -> None:
    """Delete what killed writers left: staging folders whose process is gone, parts no version names, and log
    entries never linked to their names.

    ``locked``: no other writer of this machine is between moving its parts and committing them."""
    if snapshot.single is not None:
        return
    host = socket.gethostname()
    for name in location.names(STAGING_DIR):
        folder = location.path(STAGING_DIR, name)
        owner, pid = staging_owner(name)
        gone = owner == host and pid is not None and not process_alive(pid)
        if gone or location.age(folder) > STAGING_AGE:
            location.delete(folder)
    named = {part.name for part in snapshot.parts}
    leftovers = [location.path(name) for name in location.names() if is_part_name(name) and name not in named]
    leftovers += [location.path(LOG_DIR, name) for name in location.names(LOG_DIR) if name.startswith(UNLINKED_PREFIX)]
    for path in leftovers:  # parts no version names, log entries a killed writer did not link
        if (locked and location.local) or location.age(path) > ORPHAN_AGE:
            location.delete(path)
    prune_log(location)
