"""Questions the page asks of the store, answered by DuckDB over the parts of its newest version: counts, facets,
events per day, a page of rows, the events or grid cells in a map view, one event. Each reads only the columns
it needs, with the filters pushed down to the Parquet scan; the free-text search goes through the store's
full-text index (:mod:`geo.store.index`). Nothing here holds the table in memory.

What the filters mean: the type filter matches the primary ``event_type``; an event's day is its UTC
``published_at`` day, else its ``ingested_at`` day; a country filter leaves out events with no country; the
search finds events with every word of the query at the start of a word of their title, text or place names;
``bounds`` keeps the placed events inside a box (one that crosses the antimeridian too). Rows a tool other
than this project wrote outside the schema (a severity of 9, a latitude of 200) are left out and counted by
:meth:`EventQuery.problems`.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow as pa

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.store.index import StoreIndex
from geo.store.location import StoreError, StoreLocation
from geo.store.schema import COLUMNS, EVENT_COLUMNS, conform
from geo.store.snapshots import Snapshot, committed_at, latest

__all__ = ["Bounds", "EventFilter", "EventQuery", "Facets", "Overview", "shared_query"]

#: Seconds between looks at the store's log for a newer version (object storage is asked less often).
REFRESH_LOCAL: Final = 0.5
REFRESH_REMOTE: Final = 3.0
#: Answers kept per query object (those of at most CACHED_ROWS rows), the least recently used dropped first.
CACHED_ANSWERS: Final = 256
CACHED_ROWS: Final = 2_000
#: Rows a page of the table may ask for at most, and events one map view may return.
MAX_PAGE: Final = 1_000
MAX_EVENTS: Final = 20_000
#: An event's day: published, else ingested (UTC).
DAY: Final = "CAST(coalesce(published_at, ingested_at) AS DATE)"
#: How a page of rows may be ordered.
ORDERS: Final = {"newest": f"{DAY} DESC NULLS LAST", "severity": f"severity DESC, {DAY} DESC NULLS LAST"}
#: The rows the questions can use (others, written by another tool, are left out and counted as problems).
#: Only the small columns the filters read are checked: a missing title or id costs nothing to show.
VALID: Final = (
    "event_type IS NOT NULL AND severity BETWEEN 1 AND 5 AND ingested_at IS NOT NULL "
    "AND ((lat IS NULL AND lon IS NULL) OR (lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180))"
)


def _wrap(lon: float) -> float:
    """A longitude in [-180, 180)."""
    return ((lon + 180.0) % 360.0) - 180.0


@dataclass(frozen=True, slots=True)
class Bounds:
    """A box of the map: south, west, north, east in degrees; west > east when it crosses the antimeridian."""

    south: float
    west: float
    north: float
    east: float

    @classmethod
    def of_view(cls, south: float, west: float, north: float, east: float) -> Bounds:
        """The box of a map view whose longitudes may run past +-180 (a world that wraps), clamped."""
        values = (south, west, north, east)
        if not all(math.isfinite(v) for v in values) or south > north or west > east:
            raise DataFormatError(f"not a map view: south {south}, west {west}, north {north}, east {east}")
        south, north = max(south, -90.0), min(north, 90.0)
        if east - west >= 360:
            return cls(south, -180.0, north, 180.0)
        wrapped_west, wrapped_east = _wrap(west), _wrap(east)
        if wrapped_east == -180.0:  # the view ends on the antimeridian from the west
            wrapped_east = 180.0
        return cls(south, wrapped_west, north, wrapped_east)

    def sql(self) -> tuple[str, list[float]]:
        """The WHERE condition of the box and its parameters."""
        if self.west <= self.east:
            return "lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?", [self.south, self.north, self.west, self.east]
        return "lat BETWEEN ? AND ? AND (lon >= ? OR lon <= ?)", [self.south, self.north, self.west, self.east]


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events: the page's filters, and optionally a day limit (the time player), a box and placed-ness."""

    types: tuple[str, ...] = ()
    min_severity: int = 1
    date_from: date | None = None
    date_to: date | None = None
    countries: tuple[str, ...] = ()
    text: str = ""
    until: date | None = None
    bounds: Bounds | None = None
    #: True: only events with a place; False: only those without; None: both.
    placed: bool | None = None

    def where(self, hits: bool, *, valid: bool = True) -> tuple[str, list[Any]]:
        """The WHERE clause and its parameters (``hits``: a table ``hits(id)`` holds the search's ids; ``valid``:
        only rows that fit the schema)."""
        parts: list[str] = [VALID if valid else "true"]
        params: list[Any] = []
        if self.types:
            parts.append(f"event_type IN ({', '.join('?' * len(self.types))})")
            params += list(self.types)
        if self.min_severity > 1:
            parts.append("severity >= ?")
            params.append(self.min_severity)
        for bound, op in ((self.date_from, ">="), (self.date_to, "<="), (self.until, "<=")):
            if bound is not None:
                parts.append(f"{DAY} {op} ?")
                params.append(bound)
        if self.countries:
            parts.append(f"upper(country_code) IN ({', '.join('?' * len(self.countries))})")
            params += [code.upper() for code in self.countries]
        if self.placed is not None or self.bounds is not None:
            parts.append("lat IS NOT NULL" if self.placed is not False else "lat IS NULL")
        if self.bounds is not None:
            box, values = self.bounds.sql()
            parts.append(box)
            params += values
        if hits:
            parts.append("event_id IN (SELECT id FROM hits)")
        return " AND ".join(parts), params


@dataclass(frozen=True, slots=True)
class Overview:
    """The events that pass a filter, counted by day, severity, type and whether they have a place: one scan
    answers the page's count, its timeline, the map's legend and its player."""

    #: Columns ``day`` (datetime64, NaT for no date), ``severity``, ``event_type``, ``placed``, ``count``.
    counts: pd.DataFrame

    @property
    def total(self) -> int:
        """Events that pass."""
        return int(self.counts["count"].sum())

    @property
    def unplaced(self) -> int:
        """Events that pass and have no place."""
        return int(self.counts.loc[~self.counts["placed"], "count"].sum())

    def days(self, *, placed_only: bool = False) -> pd.DataFrame:
        """Events per day and severity (``day``, ``severity``, ``count``), those with a date."""
        rows = self.counts[self.counts["placed"]] if placed_only else self.counts
        dated = pd.DataFrame(rows.dropna(subset=["day"]))
        grouped = pd.DataFrame(dated.groupby(["day", "severity"], as_index=False)["count"].sum())
        return grouped.sort_values(["day", "severity"], ignore_index=True)

    def types(self, *, placed_only: bool = False) -> dict[str, int]:
        """Events per type."""
        rows = self.counts[self.counts["placed"]] if placed_only else self.counts
        return {str(kind): int(n) for kind, n in rows.groupby("event_type")["count"].sum().items() if n}


@dataclass(frozen=True, slots=True)
class Facets:
    """What the events hold, for the filter widgets: values present and how many events have each."""

    total: int
    #: (type, count), in EVENT_TYPES order; types outside EVENT_TYPES last, by name.
    types: tuple[tuple[str, int], ...]
    #: (country code, count), the most frequent first, ties by code.
    countries: tuple[tuple[str, int], ...]
    #: (level, count) for the levels present, lowest first.
    severities: tuple[tuple[int, int], ...]
    #: First and last event day; None when no event has a date.
    date_min: date | None
    date_max: date | None
    #: Events with no country code.
    without_country: int


def _type_order(name: str) -> tuple[int, str]:
    return (EVENT_TYPES.index(name), "") if name in EVENT_TYPES else (len(EVENT_TYPES), name)


@dataclass
class _State:
    """The version being read, when it was last checked, and the index brought up to it."""

    snapshot: Snapshot | None = None
    checked: float = -math.inf
    index: StoreIndex | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


class EventQuery:
    """Queries over the newest version of the store at ``path`` (a folder, a single file or a URL).

    Safe to share between threads: each query runs on its own DuckDB cursor."""

    def __init__(self, path: str | Any, *, refresh: float | None = None) -> None:
        self.location = StoreLocation.of(path)
        self.refresh = refresh if refresh is not None else REFRESH_LOCAL if self.location.local else REFRESH_REMOTE
        self._con = duckdb.connect()
        self._con.execute("SET TimeZone = 'UTC'")  # days are UTC days
        self._con.execute("SET parquet_metadata_cache = true")
        if not self.location.local:
            self._con.register_filesystem(self.location.fs)
        self._state = _State()
        self._answers: OrderedDict[tuple[Any, ...], pa.Table] = OrderedDict()

    # -- the version read ---------------------------------------------------------------------------------------

    def snapshot(self, *, force: bool = False) -> Snapshot:
        """The newest version (checked at most every ``refresh`` seconds unless ``force``)."""
        state = self._state
        with state.lock:
            now = time.monotonic()
            if force or state.snapshot is None or now - state.checked >= self.refresh:
                found = latest(self.location)
                if found != state.snapshot:
                    state.snapshot = found
                    if state.index is not None:
                        state.index.close()
                        state.index = None
                state.checked = now
            return state.snapshot

    def committed_at(self) -> datetime | None:
        """When the version read was committed (None before the first commit)."""
        return committed_at(self.location, self.snapshot())

    @property
    def token(self) -> str:
        """A key that changes with each version of the store and differs between stores (for the page's caches)."""
        return f"{self.location.uri(self.location.root)}#{self.snapshot().token}"

    def _index(self) -> StoreIndex:
        snapshot = self.snapshot()
        state = self._state
        with state.lock:
            if state.index is None:
                state.index = StoreIndex.open(self.location, snapshot, shared=True)
            return state.index

    def _run(
        self,
        sql: str,
        params: Sequence[Any],
        selection: EventFilter | None,
        *,
        valid: bool = True,
        keep: bool = False,
        events: bool = True,
    ) -> pa.Table:
        """Run ``sql`` with ``{rows}`` standing for the filtered rows of the newest version; retried once on a
        newer version if a merge deleted a part of the one being read. Small answers (or, with ``keep``, any) are
        kept for the version: the page and the map's server often ask the same. With ``events``, ``{rows}`` holds
        one row per event (the stories of one cluster as one: see :data:`_EVENTS`); else one per story."""
        key = (self.snapshot().token, sql, repr(params), repr(selection), valid, events)
        with self._state.lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        table = self._ask(sql, params, selection, valid=valid, events=events)
        if keep or table.num_rows <= CACHED_ROWS:
            with self._state.lock:
                self._answers[key] = table
                while len(self._answers) > CACHED_ANSWERS:
                    self._answers.popitem(last=False)
        return table

    def _ask(
        self, sql: str, params: Sequence[Any], selection: EventFilter | None, *, valid: bool, events: bool
    ) -> pa.Table:
        for attempt in range(2):
            snapshot = self.snapshot(force=attempt > 0)
            files = snapshot.uris(self.location)
            cursor = self._con.cursor()
            try:
                hits = bool(selection and selection.text)
                if hits and selection is not None:
                    cursor.register("hits", pa.table({"id": self._index().search(selection.text)}))
                where, values = (selection or EventFilter()).where(hits, valid=valid)
                source = f"(SELECT * FROM {_PARTS if files else _EMPTY} WHERE {where})"
                if events and valid:
                    merged = self._merged()
                    cursor.register("merged", merged)
                    source = (_EVENTS if merged.num_rows else _EVENTS_OF_ONE).format(stories=source)
                values = [files, *values] if files else values
                return cursor.sql(sql.format(rows=source), params=[*values, *params]).to_arrow_table()
            except duckdb.IOException as err:
                if attempt:
                    raise StoreError(f"cannot read the event store at {self.location.name}: {err}") from err
            except duckdb.Error as err:
                raise StoreError(f"cannot read the event store at {self.location.name}: {err}") from err
            finally:
                cursor.close()
        raise AssertionError("unreachable")

    def _merged(self) -> pa.Table:
        """The ids of the clusters of more than one story (kept for the version): only their stories need to be
        folded into one row, every other story is an event of its own."""
        return self._run(
            "SELECT DISTINCT cluster_id AS id FROM {rows} WHERE cluster_id <> event_id",
            [],
            None,
            keep=True,
            events=False,
        )

    # -- questions ----------------------------------------------------------------------------------------------

    def count(self, selection: EventFilter | None = None) -> int:
        """How many events pass ``selection``."""
        return int(self._run("SELECT count(*) AS n FROM {rows}", [], selection).column("n")[0].as_py())

    def facets(self, selection: EventFilter | None = None) -> Facets:
        """Types, countries, severity levels and date range of the events that pass ``selection``."""
        table = self._run(
            f"SELECT event_type, upper(country_code) AS country, severity, min({DAY}) AS first, max({DAY}) AS last, "
            "count(*) AS n FROM {rows} GROUP BY ALL",
            [],
            selection,
        ).to_pandas()
        types = table.groupby("event_type")["n"].sum()
        countries = table.dropna(subset=["country"]).groupby("country")["n"].sum()
        levels = table.groupby("severity")["n"].sum()
        first, last = table["first"].dropna(), table["last"].dropna()
        return Facets(
            total=int(table["n"].sum()),
            types=tuple((str(name), int(types[name])) for name in sorted(types.index, key=_type_order)),
            countries=tuple(sorted(((str(c), int(n)) for c, n in countries.items()), key=lambda cn: (-cn[1], cn[0]))),
            severities=tuple((int(level), int(levels[level])) for level in sorted(levels.index)),
            date_min=_day(first.min()) if len(first) else None,
            date_max=_day(last.max()) if len(last) else None,
            without_country=int(table.loc[table["country"].isna(), "n"].sum()),
        )

    def overview(self, selection: EventFilter | None = None) -> Overview:
        """The events that pass ``selection`` counted by day, severity, type and placed-ness, in one scan."""
        table = self._run(
            f"SELECT {DAY} AS day, severity, event_type, lat IS NOT NULL AS placed, count(*) AS count "
            "FROM {rows} GROUP BY ALL",
            [],
            selection,
            keep=True,
        ).to_pandas()
        table["day"] = pd.to_datetime(table["day"])
        table["placed"] = table["placed"].astype(bool)
        return Overview(table)

    def days(self, selection: EventFilter | None = None) -> pd.DataFrame:
        """Events per day and severity: columns ``day`` (datetime64), ``severity``, ``count``."""
        table = self._run(
            f"SELECT {DAY} AS day, severity, count(*) AS count FROM {{rows}} GROUP BY ALL ORDER BY day, severity",
            [],
            selection,
        ).to_pandas()
        table["day"] = pd.to_datetime(table["day"])
        frame: pd.DataFrame = table.dropna(subset=["day"]).reset_index(drop=True)
        return frame

    def rows(
        self,
        selection: EventFilter | None = None,
        columns: Sequence[str] = EVENT_COLUMNS,
        *,
        limit: int = MAX_PAGE,
        offset: int = 0,
        order: str = "newest",
    ) -> pd.DataFrame:
        """A page of the events that pass ``selection``, ``columns`` only: the newest day first, or (``order``
        "severity") the most severe first and then the newest; ties by id."""
        if not 0 <= limit <= max(MAX_PAGE, MAX_EVENTS) or offset < 0:
            raise ValueError(f"a page is 0 to {MAX_EVENTS} rows from a non-negative offset")
        unknown = [name for name in columns if name not in EVENT_COLUMNS and name not in EVENT_ONLY_COLUMNS]
        if unknown:
            raise ValueError(f"not columns of the store: {', '.join(unknown)}")
        if order not in ORDERS:
            raise ValueError(f"order is one of {', '.join(ORDERS)}")
        listed = ", ".join(f'"{name}"' for name in columns)
        sql = f"SELECT {listed} FROM {{rows}} ORDER BY {ORDERS[order]}, event_id LIMIT ? OFFSET ?"
        frame: pd.DataFrame = self._run(sql, [limit, offset], selection).to_pandas()
        return frame

    def extent(self, selection: EventFilter | None = None) -> list[list[float]] | None:
        """``[[south, west], [north, east]]`` of the placed events that pass ``selection`` (None if none)."""
        placed = EventFilter(**{**_fields(selection or EventFilter()), "placed": True})
        row = self._run("SELECT min(lat), min(lon), max(lat), max(lon) FROM {rows}", [], placed).to_pylist()
        values = list(row[0].values()) if row else []
        if not values or values[0] is None:
            return None
        return [[float(values[0]), float(values[1])], [float(values[2]), float(values[3])]]

    def table(self, selection: EventFilter | None = None, *, limit: int) -> gpd.GeoDataFrame:
        """Every column of at most ``limit`` events that pass ``selection`` (newest first), in the store schema
        (the geometry made from lat/lon): for exports."""
        columns = [name for name in EVENT_COLUMNS if name != "geometry"]
        listed = ", ".join(f'"{name}"' for name in columns)
        sql = f"SELECT {listed} FROM {{rows}} ORDER BY {ORDERS['newest']}, event_id LIMIT ?"
        return conform(self._run(sql, [max(limit, 0)], selection, events=False).to_pandas())

    def event(self, event_id: str) -> dict[str, Any] | None:
        """Every column of one event (None when it is not stored)."""
        columns = [name for name in EVENT_COLUMNS if name != "geometry"]
        listed = ", ".join(f'"{name}"' for name in columns)
        table = self._run(f"SELECT {listed} FROM {{rows}} WHERE event_id = ? LIMIT 1", [event_id], None, events=False)
        if not table.num_rows:
            return None
        return {name: _plain(value) for name, value in table.to_pandas().iloc[0].items()}

    def stories(self, since: date, before: date | None = None) -> pd.DataFrame:
        """The stories of the days from ``since`` (and before ``before``) with what clustering reads of them."""
        selection = EventFilter(date_from=since)
        columns = ", ".join(f'"{name}"' for name in _STORY_COLUMNS)
        sql = f"SELECT {columns} FROM {{rows}}" + (f" WHERE {DAY} < ?" if before else "") + " ORDER BY event_id"
        frame: pd.DataFrame = self._run(sql, [before] if before else [], selection, events=False).to_pandas()
        return frame

    def reports(self, cluster_id: str, *, limit: int = MAX_PAGE) -> pd.DataFrame:
        """The stories of one event (cluster), the first report first: id, title, url, source, day, deaths."""
        sql = (
            f"SELECT event_id, title, url, source, {DAY} AS day, deaths FROM {{rows}} "
            f"WHERE coalesce(cluster_id, event_id) = ? ORDER BY day NULLS LAST, event_id LIMIT ?"
        )
        frame: pd.DataFrame = self._run(sql, [cluster_id, limit], None, events=False).to_pandas()
        return frame

    def cells(self, selection: EventFilter, size: float, *, types: int = 3) -> pd.DataFrame:
        """The placed events that pass ``selection`` counted on a grid of ``size`` degrees: per cell its
        ``count``, ``worst`` severity, counts per level ``s1``..``s5``, the mean ``lat``/``lon`` of its events,
        and its ``types`` most frequent types as (type, count) pairs; the largest cells first."""
        if not (math.isfinite(size) and size > 0) or types < 1:
            raise ValueError("the cell size must be positive and at least one type listed")
        step, top = float(size), int(types)  # numbers only go into the SQL text
        placed = EventFilter(**{**_fields(selection), "placed": True})
        levels = ", ".join(f"count(*) FILTER (WHERE severity = {n}) AS s{n}" for n in range(1, 6))
        sql = f"""
            WITH base AS (
                SELECT floor(lat / {step!r}) AS gy, floor(lon / {step!r}) AS gx, lat, lon, severity, event_type
                FROM {{rows}}
            ),
            cells AS (
                SELECT gy, gx, count(*) AS count, max(severity) AS worst, {levels},
                       avg(lat) AS lat, avg(lon) AS lon
                FROM base GROUP BY gy, gx
            ),
            mix AS (
                SELECT gy, gx, list(struct_pack(t := event_type, n := n) ORDER BY n DESC, event_type)[1:{top}] AS types
                FROM (SELECT gy, gx, event_type, count(*) AS n FROM base GROUP BY ALL) GROUP BY gy, gx
            )
            SELECT cells.*, mix.types FROM cells JOIN mix USING (gy, gx) ORDER BY count DESC
        """
        frame: pd.DataFrame = self._run(sql, [], placed).to_pandas()
        return frame

    def problems(self) -> list[str]:
        """What is wrong with stored rows another tool wrote: how many are left out of every answer.

        (The page never reads the geometry column: the map places events by their lat/lon.)"""
        found = self._run(
            f"SELECT count(*) AS n FROM {{rows}} WHERE NOT coalesce({VALID}, false)", [], None, valid=False
        )
        bad = int(found.column("n")[0].as_py())
        if not bad:
            return []
        return [f"{bad:,} stored rows do not fit the event schema (written by another tool?): they are left out"]

    def forget_answers(self) -> None:
        """Drop the answers kept (the next questions are asked of the store)."""
        with self._state.lock:
            self._answers.clear()

    def close(self) -> None:
        """Close the connection and the index."""
        with self._state.lock:
            if self._state.index is not None:
                self._state.index.close()
                self._state.index = None
        self._con.close()


_KINDS: Final = {column.name: column.kind for column in COLUMNS}
_STORY_COLUMNS: Final = (
    "event_id", "event_type", "published_at", "ingested_at", "lat", "lon", "place_name", "text", "cluster_id",
)  # fmt: skip
_SQL_TYPES: Final = {"str": "VARCHAR", "time": "TIMESTAMPTZ", "int": "BIGINT", "float": "DOUBLE"}
#: The rows of an empty store: every column of the schema, no rows.
_EMPTY: Final = (
    "(SELECT "
    + ", ".join(
        "NULL::BLOB AS geometry" if name == "geometry" else f"NULL::{_SQL_TYPES[_KINDS[name]]} AS {name}"
        for name in EVENT_COLUMNS
    )
    + " WHERE false)"
)


#: Who published a story: the site of its URL (as the page names it), else its source.
_OUTLET: Final = "coalesce(nullif(regexp_extract(lower(url), '^https?://(?:www[.])?([^/?#:]+)', 1), ''), source)"
#: The columns of a story that is an event of its own.
_OWN_EVENT: Final = (
    "SELECT * REPLACE (coalesce(cluster_id, event_id) AS cluster_id), 1::BIGINT AS stories, "
    f"({_OUTLET} IS NOT NULL)::BIGINT AS sources, {DAY} AS first_day, {DAY} AS last_day"
)
#: One row per event. A story of a cluster of one (most) is an event as it is; of the stories of a cluster of more
#: (``merged``) that pass the filters, the newest stands for the event, with the worst severity of them, the latest
#: toll told (not their sum), how many stories and sources report it, and its first and last day.
_EVENTS: Final = f"""(WITH stories AS NOT MATERIALIZED (SELECT * FROM {{stories}}),
members AS (
    SELECT event_id, cluster_id, severity, deaths, injured, {_OUTLET} AS outlet,
        struct_pack(d := coalesce({DAY}, DATE '0001-01-01'), e := event_id) AS rank
    FROM stories SEMI JOIN merged ON stories.cluster_id = merged.id
),
folded AS (
    SELECT cluster_id, arg_max(event_id, rank) AS newest, max(severity) AS worst,
        arg_max(deaths, rank) FILTER (WHERE deaths IS NOT NULL) AS toll,
        arg_max(injured, rank) FILTER (WHERE injured IS NOT NULL) AS hurt,
        count(*) AS stories, count(DISTINCT outlet) AS sources,
        min(rank.d) FILTER (WHERE rank.d > DATE '0001-01-01') AS first_day,
        max(rank.d) FILTER (WHERE rank.d > DATE '0001-01-01') AS last_day
    FROM members GROUP BY cluster_id
)
{_OWN_EVENT}
FROM stories ANTI JOIN merged ON stories.cluster_id = merged.id
UNION ALL BY NAME
SELECT stories.* REPLACE (folded.worst AS severity, folded.toll AS deaths, folded.hurt AS injured),
    folded.stories, folded.sources, folded.first_day, folded.last_day
FROM stories JOIN folded ON stories.event_id = folded.newest)"""
#: One row per event when every story is an event of its own.
_EVENTS_OF_ONE: Final = f"({_OWN_EVENT} FROM {{stories}})"
#: Columns of an event that its stories do not have.
EVENT_ONLY_COLUMNS: Final = ("stories", "sources", "first_day", "last_day")

#: The rows of the parts. Parts written before a column was added lack it: they are read by name, beside the empty
#: table of every column, so each column exists even when no part has it yet.
_PARTS: Final = f"(SELECT * FROM read_parquet(?, union_by_name = true) UNION ALL BY NAME SELECT * FROM {_EMPTY})"


def _fields(selection: EventFilter) -> dict[str, Any]:
    return {name: getattr(selection, name) for name in EventFilter.__dataclass_fields__}


def _day(value: Any) -> date:
    return pd.Timestamp(value).date()


def _plain(value: Any) -> Any:
    """A value of a row as plain Python (None for missing)."""
    if value is None or (not isinstance(value, str | bytes) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") and not isinstance(value, pd.Timestamp) else value


_SHARED: dict[str, EventQuery] = {}
_SHARED_LOCK = threading.Lock()


def shared_query(path: Any) -> EventQuery:
    """The one EventQuery of this process for the store at ``path`` (the page and the map's server share it)."""
    key = str(path)
    with _SHARED_LOCK:
        if key not in _SHARED:
            _SHARED[key] = EventQuery(path)
        return _SHARED[key]
