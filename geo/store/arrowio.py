"""The store file's Arrow form: its schema, reading it a chunk at a time, and checking each chunk's rows
against the event schema (a stored geometry that is not valid WKB is rebuilt from the row's lat/lon)."""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Iterable, Iterator
from typing import Final

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from geo.read.records import Problem
from geo.store.schema import ADDED_COLUMNS, CRS, EVENT_COLUMNS, conform, conform_rows, empty_events

__all__ = [
    "CHUNK_ROWS",
    "READ_ERRORS",
    "arrow_schema",
    "check_columns",
    "chunks",
    "from_arrow",
    "rechunked",
    "to_arrow",
]

#: Rows read at a time when copying the store, and rows per row group of the file written.
CHUNK_ROWS: Final = 1024
#: What reading a damaged or foreign Parquet file raises.
READ_ERRORS: Final = (OSError, ValueError, TypeError, NotImplementedError, KeyError, pa.ArrowException)


@functools.cache
def arrow_schema() -> pa.Schema:
    """The Arrow schema of the store file, with GeoParquet metadata (no bbox: it is written in chunks)."""
    buffer = io.BytesIO()
    empty_events().to_parquet(buffer, index=False)
    return pq.read_schema(pa.BufferReader(buffer.getvalue()))


def to_arrow(events: gpd.GeoDataFrame) -> pa.Table:
    """Conformed events as an Arrow table of the store schema (geometry as WKB)."""
    frame = pd.DataFrame(events).assign(geometry=events.geometry.to_wkb())
    return pa.Table.from_pandas(frame, schema=arrow_schema(), preserve_index=False)


def _geometry(frame: pd.DataFrame, problems: list[Problem] | None, where: str) -> gpd.GeoSeries:
    """The chunk's geometry column decoded from WKB; a value that is not valid WKB is rebuilt from lat/lon."""
    raw = frame.pop("geometry")
    decoded = shapely.from_wkb(raw.to_numpy(dtype=object), on_invalid="ignore")
    corrupt = raw.notna().to_numpy() & pd.isna(decoded)
    if corrupt.any():
        lat, lon = (pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float) for name in ("lat", "lon"))
        decoded[corrupt] = [
            None if math.isnan(y) or math.isnan(x) else shapely.Point(x, y)
            for y, x in zip(lat[corrupt], lon[corrupt], strict=True)
        ]
        if problems is not None:
            ids = ", ".join(map(str, frame["event_id"].to_numpy()[corrupt][:5]))
            message = f"{int(corrupt.sum())} stored geometries are not valid WKB (events {ids}): rebuilt from lat/lon"
            problems.append(Problem(where, message))
    return gpd.GeoSeries(decoded, index=frame.index, crs=CRS)


def from_arrow(table: pa.Table, problems: list[Problem] | None = None, *, where: str = "") -> gpd.GeoDataFrame:
    """The events of a chunk of a store file, checked against the schema: DataFormatError when they do not fit;
    with ``problems`` given, the rows that do not fit are left out with a problem each instead."""
    frame = table.to_pandas()
    events = gpd.GeoDataFrame(frame, geometry=_geometry(frame, problems, where), crs=CRS)
    if problems is None:
        return conform(events)

    def left_out(label: object, err: Exception) -> None:
        event = events.at[label, "event_id"]
        problems.append(Problem(where, f"event {event!s} left out: {str(err).split(':', 1)[-1].strip()}"))

    return conform_rows(events, left_out)


def chunks(source: pq.ParquetFile) -> Iterator[pa.Table]:
    """The rows of a Parquet file, at most CHUNK_ROWS at a time.

    Read one row group at a time: a reader over the whole file keeps what it has read until it is done."""
    for group in range(source.num_row_groups):
        for batch in source.iter_batches(batch_size=CHUNK_ROWS, row_groups=[group]):
            yield with_added_columns(pa.Table.from_batches([batch]))


def with_added_columns(table: pa.Table) -> pa.Table:
    """A table of a part written before columns were added to the schema, with those columns as nulls."""
    for name in sorted(ADDED_COLUMNS - set(table.column_names)):
        field = arrow_schema().field(name)
        table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table


def rechunked(tables: Iterable[pa.Table]) -> Iterator[pa.Table]:
    """The same rows in tables of about CHUNK_ROWS rows (small staged batches are joined into one row group)."""
    held: list[pa.Table] = []
    rows = 0
    for table in tables:
        held.append(table)
        rows += table.num_rows
        if rows >= CHUNK_ROWS:
            yield pa.concat_tables(held)
            held, rows = [], 0
    if rows:
        yield pa.concat_tables(held)


def check_columns(schema: pa.Schema) -> None:
    """ValueError when a Parquet file lacks a column of the store: it is not an event store."""
    missing = [name for name in EVENT_COLUMNS if name not in schema.names and name not in ADDED_COLUMNS]
    if missing:
        raise ValueError(f"not an event store: no column {', '.join(map(repr, missing))}")
