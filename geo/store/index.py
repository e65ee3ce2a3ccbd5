"""The store's index, in SQLite: which event ids are stored (so an append checks its ids without reading the
table) and a full-text index of the events' words (so the page searches a million stories in milliseconds).

The index is derived data. It records the parts it has taken in; before each use it catches up with a version
of the store by reading the ``event_id`` column of the parts it has not seen, and the words of only those rows
whose id it does not know yet (a merged part costs one column read, an appended one its own rows). If it
holds ids the version does not (a part deleted by hand), it starts again from the store. A local store keeps
it in its own folder (``_index.sqlite``, skipped by readers of the folder as a dataset); a store on object
storage, in this machine's cache folder. Its database is in WAL mode: the page reads while writers add.

Search is by words: each word of the query must start a word of the event's title, text or place names,
ignoring case and accents ("flood" finds "Floods", "sao paulo" finds "São Paulo").
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from geo.store.location import StoreLocation
from geo.store.snapshots import Part, Snapshot

__all__ = ["INDEX_NAME", "MAX_SEARCH_WORDS", "StoreIndex", "index_path", "search_words"]

INDEX_NAME: Final = "_index.sqlite"
#: Ids looked up per SQL statement.
_BATCH: Final = 500
#: Words of a search used (the rest are ignored).
MAX_SEARCH_WORDS: Final = 12
_WORD = re.compile(r"\w+")
_TEXT_COLUMNS: Final = ["event_id", "title", "text", "place_name", "places"]


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geo-news-map" / "index"


def index_path(location: StoreLocation, *, cache: bool = False) -> Path:
    """Where the index of the store at ``location`` lives: in the store's folder, or (``cache``, object storage,
    a single-file store) in this machine's cache folder."""
    if location.local and not cache and not location.is_single_file():
        return Path(location.path(INDEX_NAME))
    digest = hashlib.sha256(location.uri(location.root).encode()).hexdigest()[:24]
    return _cache_dir() / f"{digest}.sqlite"


def search_words(query: str) -> list[str]:
    """The words of a search (letters and digits; at most MAX_SEARCH_WORDS)."""
    return _WORD.findall(query)[:MAX_SEARCH_WORDS]


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), _BATCH):
        yield values[start : start + _BATCH]


def _place_names(places: str | None) -> str:
    """The names in a ``places`` JSON list, one a line."""
    try:
        listed = json.loads(places or "[]")
    except ValueError:
        return ""
    names = (str(p.get("name") or "") for p in listed if isinstance(p, dict)) if isinstance(listed, list) else ()
    return "\n".join(dict.fromkeys(name for name in names if name))


class StoreIndex:
    """The ids and words of a version of a store; :meth:`open` brings it up to a version first."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, location: StoreLocation, snapshot: Snapshot, *, shared: bool = False) -> StoreIndex:
        """The index of ``location`` brought up to ``snapshot`` (built from the store if missing or damaged).

        ``shared``: the index may be used from several threads (its user serialises the calls). A reader that
        cannot write the store's folder keeps its own index in the cache folder."""
        path = index_path(location)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return cls._open(location, snapshot, path, shared)
        except PermissionError:
            return cls._open(location, snapshot, index_path(location, cache=True), shared)
        except sqlite3.OperationalError as err:
            if "readonly" not in str(err) and "unable to open" not in str(err):
                raise
            return cls._open(location, snapshot, index_path(location, cache=True), shared)

    @classmethod
    def _open(cls, location: StoreLocation, snapshot: Snapshot, path: Path, shared: bool) -> StoreIndex:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            index = cls(_connect(path, shared), path)
            index.catch_up(location, snapshot)
        except sqlite3.DatabaseError as err:
            if isinstance(err, sqlite3.OperationalError) and "locked" in str(err):
                raise
            with contextlib.suppress(Exception):
                index.close()
            for suffix in ("", "-wal", "-shm", "-journal"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            index = cls(_connect(path, shared), path)
            index.catch_up(location, snapshot)
        return index

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> StoreIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading --------------------------------------------------------------------------------------------------

    def count(self) -> int:
        """How many ids the index holds."""
        return int(self._db.execute("SELECT count(*) FROM docs").fetchone()[0])

    def known(self, ids: Sequence[str] | Iterator[str]) -> set[str]:
        """Which of ``ids`` are stored."""
        wanted = list(dict.fromkeys(ids))
        found: set[str] = set()
        for chunk in _chunks(wanted):
            marks = ",".join("?" * len(chunk))
            found.update(row[0] for row in self._db.execute(f"SELECT id FROM docs WHERE id IN ({marks})", chunk))
        return found

    def parts(self) -> set[str]:
        """The parts the index has taken in."""
        return {row[0] for row in self._db.execute("SELECT name FROM parts")}

    def search(self, query: str) -> pa.Array:
        """The ids of the events with every word of ``query`` (see the module's note); none without words."""
        words = search_words(query)
        if not words:
            return pa.array([], pa.string())
        match = " ".join(f'"{word}"*' for word in words)
        rows = self._db.execute(
            "SELECT docs.id FROM words JOIN docs ON docs.rowid = words.rowid WHERE words MATCH ?", (match,)
        )
        return pa.array([row[0] for row in rows], pa.string())

    # -- writing --------------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction (the next writer waits for it, then sees what it did)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def take_in(self, location: StoreLocation, parts: Sequence[tuple[Part, str]]) -> None:
        """Take in committed parts (each with the path to read it from), in one transaction."""
        with self._transaction():
            for part, path in parts:
                self._take_in(location, part, path)

    def replace(self, merged: Sequence[str], into: Part) -> None:
        """Record that the parts ``merged`` became ``into`` (their rows are unchanged)."""
        with self._transaction():
            self._db.executemany("DELETE FROM parts WHERE name = ?", [(name,) for name in merged])
            self._db.execute("INSERT OR REPLACE INTO parts VALUES (?, ?)", (into.name, into.rows))

    def _take_in(self, location: StoreLocation, part: Part, path: str) -> None:
        """Index the rows of one part whose id is new (read a batch at a time), and note the part as seen."""
        with location.arrow_fs().open_input_file(path) as raw:
            source = pq.ParquetFile(raw)
            ids = source.read(columns=["event_id"]).column("event_id")
            known = self.known([str(value) for value in ids.to_pylist()])
            if len(known) < len(ids):
                skip = pa.array(sorted(known), pa.string())
                for batch in source.iter_batches(batch_size=2_000, columns=_TEXT_COLUMNS):
                    table = pa.Table.from_batches([batch])
                    if known:
                        table = table.filter(pc.invert(pc.is_in(table.column("event_id"), skip)))
                    self._add_rows(table)
        self._db.execute("INSERT OR REPLACE INTO parts VALUES (?, ?)", (part.name, part.rows))

    def _add_rows(self, table: pa.Table) -> None:
        for batch in table.to_batches(max_chunksize=2_000):
            columns = {name: batch.column(name).to_pylist() for name in _TEXT_COLUMNS}
            for event_id, title, text, place, places in zip(*columns.values(), strict=True):
                cursor = self._db.execute("INSERT OR IGNORE INTO docs (id) VALUES (?)", (event_id,))
                if cursor.rowcount:  # a repeat within the table is indexed once
                    names = "\n".join(filter(None, (place, _place_names(places))))
                    self._db.execute(
                        "INSERT INTO words (rowid, title, body, places) VALUES (?, ?, ?, ?)",
                        (cursor.lastrowid, title or "", text or "", names),
                    )

    def catch_up(self, location: StoreLocation, snapshot: Snapshot) -> None:
        """Take in the parts of ``snapshot`` not seen yet; start again when the index holds ids it does not."""
        current = {part.name for part in snapshot.parts}
        seen = self.parts()
        if current == seen:
            return
        files = dict(zip((part.name for part in snapshot.parts), snapshot.files(location), strict=True))
        with self._transaction():  # one catch-up at a time: the next finds the work done
            seen = self.parts()
            self._db.executemany("DELETE FROM parts WHERE name = ?", [(name,) for name in seen - current])
            for part in snapshot.parts:
                if part.name not in seen:
                    self._take_in(location, part, files[part.name])
            if self.count() > snapshot.rows:  # ids left the store (a part deleted by hand): start again
                self._db.execute("DELETE FROM docs")
                self._db.execute("DELETE FROM parts")
                self._db.execute("INSERT INTO words (words) VALUES ('delete-all')")
                for part in snapshot.parts:
                    self._take_in(location, part, files[part.name])


def _connect(path: Path, shared: bool = False) -> sqlite3.Connection:
    db = sqlite3.connect(path, timeout=120, isolation_level=None, check_same_thread=not shared)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("BEGIN")
    db.execute("CREATE TABLE IF NOT EXISTS docs (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE)")
    db.execute(
        "CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(title, body, places, content='', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute("CREATE TABLE IF NOT EXISTS parts (name TEXT PRIMARY KEY, rows INTEGER)")
    db.execute("COMMIT")
    return db
