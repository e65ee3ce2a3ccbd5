"""The store's log: which part files make up the table, version after version.

A store is a folder of GeoParquet part files (``part-*.parquet``) and a log (``_log/000000000042.json``): each
entry lists every part of one version of the table, in order, with its row count. A commit writes the next
entry with an exclusive create, so of two writers that read the same version only one can write the next;
the other reads the new version and tries again. Readers take the newest entry and read its parts: a
complete version, whatever is being written beside it. Folders starting with ``_`` (the log, the parts
being staged) are skipped by pyarrow, geopandas and dask, so they read the folder as a plain dataset.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from geo.store.location import StoreError, StoreLocation

__all__ = [
    "LOG_DIR",
    "PART_PREFIX",
    "STAGING_DIR",
    "Part",
    "Snapshot",
    "commit_version",
    "latest",
    "merged_part_name",
    "new_part_name",
    "prune_log",
    "staged_file_name",
]

LOG_DIR: Final = "_log"
STAGING_DIR: Final = "_staging"
PART_PREFIX: Final = "part-"
PART_SUFFIX: Final = ".parquet"
#: Log entries kept besides the newest (older ones name parts that compaction has already deleted).
KEEP_VERSIONS: Final = 20
_ENTRY = re.compile(r"^(\d{12})\.json$")


@dataclass(frozen=True, slots=True)
class Part:
    """One part file of a version: its name in the store's folder and its row count."""

    name: str
    rows: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One version of the table: its number (0: nothing committed yet) and its parts, in order.

    A store that is still a single file is version -1 with that file as its one part (``single``)."""

    version: int
    parts: tuple[Part, ...] = ()
    single: str | None = field(default=None)
    #: For a single file: its modification time and size (it changes in place).
    stamp: str = ""

    @property
    def rows(self) -> int:
        """Rows in this version."""
        return sum(part.rows for part in self.parts)

    def files(self, location: StoreLocation) -> list[str]:
        """The paths of this version's parts in the store's file system."""
        if self.single is not None:
            return [self.single]
        return [location.path(part.name) for part in self.parts]

    def uris(self, location: StoreLocation) -> list[str]:
        """The URLs of this version's parts, as DuckDB and pyarrow open them."""
        return [location.uri(path) for path in self.files(location)]

    @property
    def token(self) -> str:
        """A key that changes with every version, and differs between stores (for caches): the version, rows,
        and a digest of the parts' names (each part's name ends in random hex)."""
        names = "\n".join([self.single or "", self.stamp, *(part.name for part in self.parts)])
        return f"{self.version}:{self.rows}:{hashlib.sha256(names.encode()).hexdigest()[:16]}"


EMPTY: Final = Snapshot(0)


def new_part_name(version: int, index: int = 0) -> str:
    """The name of the ``index``-th part a commit of ``version`` adds: names sort in the table's order, so a
    reader of the plain folder reads the rows in the order they were added."""
    return f"{PART_PREFIX}{version:012d}-{index:06d}-{secrets.token_hex(4)}{PART_SUFFIX}"


def merged_part_name(first: str) -> str:
    """The name of a part merging consecutive parts, the first named ``first``: it sorts where they did."""
    key = first.removeprefix(PART_PREFIX).removesuffix(PART_SUFFIX).rsplit("-", 1)[0]
    return f"{PART_PREFIX}{key}-{secrets.token_hex(4)}{PART_SUFFIX}"


def staged_file_name() -> str:
    """A name for a file being staged (it gets its part name when it joins the store)."""
    return f"staged-{secrets.token_hex(8)}{PART_SUFFIX}"


def is_part_name(name: str) -> bool:
    """Whether ``name`` is a part file's name."""
    return name.startswith(PART_PREFIX) and name.endswith(PART_SUFFIX)


def _entry_name(version: int) -> str:
    return f"{version:012d}.json"


def _versions(location: StoreLocation) -> list[int]:
    return sorted(int(m.group(1)) for name in location.names(LOG_DIR) if (m := _ENTRY.match(name)))


def _parse(version: int, raw: bytes, where: str) -> Snapshot:
    try:
        entry = json.loads(raw)
        parts = tuple(Part(str(p["name"]), int(p["rows"])) for p in entry["parts"])
    except (ValueError, KeyError, TypeError) as err:
        raise StoreError(f"the event store's log entry {where} is damaged ({err}); restore it from a backup") from err
    if any(not is_part_name(part.name) or "/" in part.name or part.rows < 0 for part in parts):
        raise StoreError(f"the event store's log entry {where} names a part that is not one of its own")
    return Snapshot(version, parts)


def latest(location: StoreLocation) -> Snapshot:
    """The newest version of the store (version 0 with no parts when nothing is committed yet)."""
    if location.is_single_file():
        try:
            rows = pq.read_metadata(location.root).num_rows
            found = os.stat(location.root)
        except (OSError, ValueError, pa.ArrowException):
            return Snapshot(-1, (Part(location.root.rsplit("/", 1)[-1], 0),), single=location.root)  # reading says why
        stamp = f"{found.st_mtime_ns}:{found.st_size}"
        return Snapshot(-1, (Part(location.root.rsplit("/", 1)[-1], rows),), single=location.root, stamp=stamp)
    versions = _versions(location)
    if not versions:
        return EMPTY
    where = location.path(LOG_DIR, _entry_name(versions[-1]))
    try:
        raw = location.read_bytes(where)
    except OSError as err:
        raise StoreError(f"cannot read the event store's log at {where}: {err}") from err
    return _parse(versions[-1], raw, where)


def committed_at(location: StoreLocation, snapshot: Snapshot) -> datetime | None:
    """When ``snapshot`` was committed: when its log entry (a single-file store: the file) was written, or None
    before the first commit."""
    if snapshot.single is not None:
        written = snapshot.single
    elif snapshot.version > 0:
        written = location.path(LOG_DIR, _entry_name(snapshot.version))
    else:
        return None
    return datetime.now(UTC) - timedelta(seconds=location.age(written))


def commit_version(location: StoreLocation, base: Snapshot, parts: Iterable[Part], operation: str) -> Snapshot:
    """Write the version after ``base`` with ``parts``: FileExistsError when another writer wrote it first."""
    listed = tuple(parts)
    entry: dict[str, Any] = {
        "version": base.version + 1,
        "operation": operation,
        "committed_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "parts": [{"name": part.name, "rows": part.rows} for part in listed],
    }
    location.make_folder(LOG_DIR)
    data = json.dumps(entry, indent=1).encode()
    location.create_exclusive(location.path(LOG_DIR, _entry_name(base.version + 1)), data)
    return Snapshot(base.version + 1, listed)


def prune_log(location: StoreLocation, keep: int = KEEP_VERSIONS) -> None:
    """Delete all but the newest ``keep`` + 1 log entries."""
    versions = _versions(location)
    old = versions[: max(len(versions) - keep - 1, 0)]
    location.delete(*(location.path(LOG_DIR, _entry_name(version)) for version in old))
