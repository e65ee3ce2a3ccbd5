"""Part files: a part of the store is one GeoParquet file of events, written in row groups of about
ROW_GROUP_ROWS rows (whole on disk before anything names it) and read a chunk at a time."""

from __future__ import annotations

import errno
from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import IO, Final

import pyarrow as pa
import pyarrow.parquet as pq

from geo.store.arrowio import arrow_schema, check_columns, chunks
from geo.store.location import STORE_ENV, StoreError, StoreLocation

__all__ = [
    "PART_ROWS",
    "ROW_GROUP_ROWS",
    "PartWriter",
    "StagedPart",
    "copy_rows",
    "part_chunks",
    "part_ids",
    "unreadable",
    "write_failure",
]

#: Rows per row group of a part, and the bytes of rows held before a row group is written regardless.
ROW_GROUP_ROWS: Final = 65_536
ROW_GROUP_BYTES: Final = 32 << 20
#: Rows after which a writer starts a new part.
PART_ROWS: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class StagedPart:
    """A part file written under the store's ``_staging/`` folder, not committed yet."""

    path: str
    rows: int


def write_failure(name: str, err: BaseException) -> StoreError:
    """A StoreError saying why the store could not be written and what to do about it."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"disk full; free space or set {STORE_ENV} to another path"
    elif isinstance(err, PermissionError) or (isinstance(err, OSError) and err.errno == errno.EROFS):
        reason = f"permission denied; make {name} writable or set {STORE_ENV} to another path"
    else:
        reason = f"{type(err).__name__}: {err}"
    return StoreError(f"cannot write the event store at {name}: {reason} (the store is unchanged)")


def unreadable(name: str, err: BaseException) -> StoreError:
    """A StoreError saying that the store could not be read, and what to do."""
    return StoreError(
        f"cannot read the event store at {name}: {type(err).__name__}: {err}\nIf a part is damaged, restore it "
        f"from a backup, or set {STORE_ENV} to another path."
    )


def part_chunks(location: StoreLocation, path: str) -> Iterator[pa.Table]:
    """The rows of one part file, a chunk at a time, after checking it has the store's columns."""
    with location.arrow_fs().open_input_file(path) as raw:
        source = pq.ParquetFile(raw)
        check_columns(source.schema_arrow)
        yield from chunks(source)


class PartWriter:
    """Writes event tables into one new part file, in row groups of about ROW_GROUP_ROWS rows."""

    def __init__(self, location: StoreLocation, path: str) -> None:
        self.location = location
        self.path = path
        self.rows = 0
        self._out: IO[bytes] | None = location.open_output(path)
        self._writer = pq.ParquetWriter(self._out, arrow_schema())
        self._held: list[pa.Table] = []
        self._held_rows = self._held_bytes = 0

    def write(self, table: pa.Table) -> None:
        """Add rows (already in the store's Arrow schema)."""
        if not table.num_rows:
            return
        self._held.append(table)
        self._held_rows += table.num_rows
        self._held_bytes += table.nbytes
        self.rows += table.num_rows
        if self._held_rows >= ROW_GROUP_ROWS or self._held_bytes >= ROW_GROUP_BYTES:
            self._flush()

    def _flush(self) -> None:
        if self._held:
            self._writer.write_table(pa.concat_tables(self._held), row_group_size=ROW_GROUP_ROWS)
        self._held, self._held_rows, self._held_bytes = [], 0, 0

    def finish(self) -> StagedPart:
        """Write what is held and the file's footer; the file is whole on disk."""
        out, self._out = self._out, None
        if out is None:
            raise ValueError("this part is already finished")
        try:
            self._flush()
            self._writer.close()
        except BaseException:
            self._writer.is_open = False  # its file is closed below: nothing more can be written to it
            raise
        finally:
            self.location.finish_output(out)
        return StagedPart(self.path, self.rows)

    def abandon(self) -> None:
        """Close the file without finishing it (it is deleted with its staging folder)."""
        out, self._out = self._out, None
        if out is not None:
            with suppress(Exception):
                self._writer.close()
            self._writer.is_open = False
            with suppress(Exception):
                out.close()


def part_ids(location: StoreLocation, path: str) -> list[str]:
    """The ``event_id`` column of a part file, staged or stored (the only column read)."""
    table = pq.read_table(path, columns=["event_id"], filesystem=location.arrow_fs())
    return [str(value) for value in table.column("event_id").to_pylist()]


def copy_rows(location: StoreLocation, sources: Sequence[str], target: str, keep: Iterable[bool] | None = None) -> int:
    """Write the rows of ``sources`` (those ``keep`` marks, in order) into the part file ``target``; its rows."""
    marks = iter(keep) if keep is not None else None
    writer = PartWriter(location, target)
    try:
        for source in sources:
            for chunk in part_chunks(location, source):
                if marks is not None:
                    chunk = chunk.filter(pa.array([next(marks) for _ in range(chunk.num_rows)], pa.bool_()))
                writer.write(chunk.select(arrow_schema().names).cast(arrow_schema()))
        return writer.finish().rows
    except BaseException:
        writer.abandon()
        location.delete(target)
        raise
