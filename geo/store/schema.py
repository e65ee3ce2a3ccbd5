"""The schema of the event table: its columns and dtypes, and :func:`conform`, which checks a frame against it."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pandas.api.extensions import ExtensionDtype

from geo.errors import DataFormatError

__all__ = [
    "ADDED_COLUMNS",
    "COLUMNS",
    "CRS",
    "EVENT_COLUMNS",
    "PRECISIONS",
    "Column",
    "conform",
    "conform_rows",
    "empty_events",
]

CRS = "EPSG:4326"
_SHOWN_ROWS = 5

Kind = Literal["str", "time", "int", "float"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the schema: its kind, whether it may be null, and the inclusive range of its values."""

    name: str
    kind: Kind
    nullable: bool
    low: float = -math.inf
    high: float = math.inf
    #: A column added after stores were first written: a frame or a part without it holds nulls there.
    added: bool = False

    @property
    def dtype(self) -> ExtensionDtype | np.dtype[Any]:
        """The pandas dtype the column is stored as."""
        if self.kind == "str":
            return pd.StringDtype(na_value=np.nan)
        if self.kind == "time":
            return pd.DatetimeTZDtype("ns", "UTC")
        if self.kind == "float":
            return pd.Float64Dtype()
        return pd.Int64Dtype() if self.nullable else np.dtype("int64")


COLUMNS: tuple[Column, ...] = (
    Column("event_id", "str", False),
    Column("title", "str", False),
    Column("text", "str", False),
    Column("url", "str", True),
    Column("source", "str", True),
    Column("published_at", "time", True),
    Column("ingested_at", "time", False),
    Column("event_type", "str", False),
    Column("secondary_types", "str", False),
    Column("severity", "int", False, 1, 5),
    Column("severity_reason", "str", False),
    Column("deaths", "int", True, 0),
    Column("killed", "int", True, 0, added=True),
    Column("missing", "int", True, 0, added=True),
    Column("injured", "int", True, 0),
    Column("displaced", "int", True, 0),
    Column("magnitude", "float", True),
    Column("category", "int", True, 0),
    Column("wind_kmh", "float", True, 0),
    Column("place_name", "str", True),
    Column("place_precision", "str", True, added=True),
    Column("country_code", "str", True),
    Column("lat", "float", True, -90, 90),
    Column("lon", "float", True, -180, 180),
    #: The story's event: the id of the first story of the same real-world event (geo.events.clusters).
    Column("cluster_id", "str", True, added=True),
    Column("places", "str", False),
)
_BY_NAME = {column.name: column for column in COLUMNS}
EVENT_COLUMNS: tuple[str, ...] = (*(c.name for c in COLUMNS[:-1]), "geometry", COLUMNS[-1].name)
#: The columns a store written before they existed lacks (read as nulls).
ADDED_COLUMNS: frozenset[str] = frozenset(c.name for c in COLUMNS if c.added)
#: How precisely an event is placed: a point the text gives, a town, a first-level region, a country, or a sea or
#: wider region.
PRECISIONS: tuple[str, ...] = ("point", "city", "admin1", "country", "region")


def empty_events() -> gpd.GeoDataFrame:
    """The schema with no rows, in EPSG:4326."""
    data: dict[str, Any] = {c.name: pd.Series([], dtype=c.dtype) for c in COLUMNS}
    data["geometry"] = gpd.GeoSeries([], crs=CRS)
    return gpd.GeoDataFrame({name: data[name] for name in EVENT_COLUMNS}, geometry="geometry", crs=CRS)


# -- validation -------------------------------------------------------------------------------------------------


def _rows(name: str, what: str, mask: pd.Series, values: pd.Series, *, quote: bool = True) -> list[str]:
    """A one-item list describing the rows where ``mask`` holds, quoting the first bad value; empty if none."""
    labels = list(mask[mask].index)
    if not labels:
        return []
    shown = ", ".join(map(str, labels[:_SHOWN_ROWS]))
    more = f" and {len(labels) - _SHOWN_ROWS} more" if len(labels) > _SHOWN_ROWS else ""
    value = values[mask].iloc[0]
    first = f" (first: {value.item() if isinstance(value, np.generic) else value!r})" if quote else ""
    return [f"{name}: {what} in rows {shown}{more}{first}"]


def _flags(series: pd.Series, test: Callable[[Any], bool]) -> pd.Series:
    """``test`` of each value, as a boolean series on the same index."""
    return pd.Series([test(value) for value in series], index=series.index, dtype=bool)


def _coerce_text(column: Column, raw: pd.Series, null: pd.Series) -> tuple[pd.Series, list[str]]:
    not_text = ~null & ~_flags(raw, lambda value: isinstance(value, str))
    return raw.astype(column.dtype), _rows(column.name, "not text", not_text, raw)


def _is_place_list(value: str) -> bool:
    try:
        places = json.loads(value)
    except json.JSONDecodeError:
        return False
    return isinstance(places, list) and all(isinstance(place, dict) for place in places)


#: Checks beyond the column's kind, run on its non-null values once they have the right type.
_VALUE_CHECKS: dict[str, tuple[str, Callable[[Any], bool]]] = {
    "event_id": ("empty", lambda value: value != ""),
    "places": ("not a JSON array of objects", _is_place_list),
}


def _coerce_time(column: Column, raw: pd.Series, null: pd.Series) -> tuple[pd.Series, list[str]]:
    parsed = pd.to_datetime(raw, utc=True, errors="coerce", format="ISO8601")
    problems = _rows(column.name, "not an ISO 8601 date", ~null & parsed.isna(), raw)
    try:
        return parsed.astype(column.dtype), problems
    except (ValueError, OverflowError):
        return raw, [*problems, f"{column.name}: a date outside the years 1677-2262"]


def _coerce_number(column: Column, raw: pd.Series, null: pd.Series) -> tuple[pd.Series, list[str]]:
    number = pd.to_numeric(raw, errors="coerce").astype("Float64")
    known = number.notna()
    problems = _rows(column.name, "not a number", ~null & ~known, raw)
    problems += _rows(column.name, "not finite", known & number.isin([math.inf, -math.inf]), raw)
    outside = known & ((number < column.low) | (number > column.high)).fillna(False)
    problems += _rows(column.name, f"outside {column.low:g}..{column.high:g}", outside, raw)
    if column.kind == "float" or problems:
        return number, problems
    fraction = known & (number != number.round()).fillna(False)
    problems += _rows(column.name, "not a whole number", fraction, raw)
    try:
        return number.where(~fraction).astype(column.dtype), problems
    except (ValueError, OverflowError, TypeError):
        return raw, [*problems, f"{column.name}: a number too large for a 64-bit integer"]


_COERCERS: dict[Kind, Callable[[Column, pd.Series, pd.Series], tuple[pd.Series, list[str]]]] = {
    "str": _coerce_text,
    "time": _coerce_time,
    "int": _coerce_number,
    "float": _coerce_number,
}


def _coerce(column: Column, raw: pd.Series) -> tuple[pd.Series, list[str]]:
    """The column in its schema dtype, and what is wrong with it (when anything is, the series is unusable)."""
    null = raw.isna()
    value, problems = _COERCERS[column.kind](column, raw, null)
    if column.name in _VALUE_CHECKS and not problems:
        what, test = _VALUE_CHECKS[column.name]
        problems += _rows(column.name, what, ~null & ~_flags(raw.where(~null, ""), test), raw)
    if not column.nullable:
        problems += _rows(column.name, "missing", null, raw, quote=False)
    return value, problems


def _points(lat: pd.Series, lon: pd.Series) -> gpd.GeoSeries:
    """Points at (lon, lat), None where either is missing."""
    present = (lat.notna() & lon.notna()).to_numpy()
    xs, ys = (column.to_numpy(dtype=float, na_value=np.nan) for column in (lon, lat))
    geoms = np.asarray(shapely.points(xs, ys), dtype=object)
    geoms[~present] = None
    return gpd.GeoSeries(geoms, index=lat.index, crs=CRS)


def _given_geometry(frame: pd.DataFrame) -> tuple[gpd.GeoSeries | None, list[str]]:
    """The frame's own geometry (None when it has none; no CRS means EPSG:4326), and what is wrong with its CRS."""
    if isinstance(frame, gpd.GeoDataFrame) and frame.active_geometry_name is not None:
        given = frame.geometry
        if given.crs is None:
            return given.set_crs(CRS), []
        if given.crs != CRS:
            return None, [f"geometry: CRS is {given.crs.to_string()}, expected {CRS} (use .to_crs(4326))"]
        return given, []
    if "geometry" not in frame.columns:
        return None, []
    try:
        return gpd.GeoSeries(frame["geometry"], index=frame.index, crs=CRS), []
    except (TypeError, ValueError) as err:
        return None, [f"geometry: not shapely geometries ({err})"]


def _geometry_problems(given: gpd.GeoSeries, expected: gpd.GeoSeries) -> list[str]:
    """Rows whose geometry is not the Point at (lon, lat), or a null/empty geometry where lat/lon are missing."""
    absent = given.isna() | given.is_empty
    not_point = ~absent & (given.geom_type != "Point")
    problems = _rows("geometry", "not a Point", not_point, given)
    same = (absent & expected.isna()) | (~not_point & ~absent & given.geom_equals_exact(expected, 1e-9, align=False))
    what = "not the Point (lon, lat) of its row, e.g. lat and lon swapped,"
    return problems + _rows("geometry", what, ~same & ~not_point, given)


def _location(columns: dict[str, pd.Series], frame: pd.DataFrame) -> tuple[gpd.GeoSeries, list[str]]:
    """The geometry built from valid lat/lon, checked against the frame's own geometry if it has one."""
    lat, lon = columns["lat"], columns["lon"]
    problems = _rows("lat/lon", "one of the pair is missing", lat.isna() != lon.isna(), lat, quote=False)
    given, found = _given_geometry(frame)
    expected = _points(lat, lon)
    if given is not None:
        found += _geometry_problems(given, expected)
    return expected, problems + found


def _with_added_columns(frame: pd.DataFrame | gpd.GeoDataFrame) -> pd.DataFrame | gpd.GeoDataFrame:
    """The frame with nulls in the columns added to the schema that it lacks."""
    lacking = [name for name in ADDED_COLUMNS if name not in frame.columns]
    return frame.assign(**{name: None for name in lacking}) if lacking else frame


def conform(frame: pd.DataFrame | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The events in the store schema (EVENT_COLUMNS, their dtypes, EPSG:4326); extra columns are dropped.

    The geometry is built from lat/lon; a geometry the frame already has must agree with them. Every problem
    is collected and one DataFormatError lists them all. Duplicate event ids are allowed here: appending
    drops them.
    """
    repeated = set(frame.columns[frame.columns.duplicated()])
    problems = [f"column {name!r} appears more than once" for name in sorted(map(str, repeated))]
    frame = _with_added_columns(frame)
    problems += [f"column {name!r} is missing" for name in _BY_NAME if name not in frame.columns]
    columns: dict[str, pd.Series] = {}
    unusable = set(repeated)
    for name in (name for name in _BY_NAME if name in frame.columns and name not in repeated):
        columns[name], found = _coerce(_BY_NAME[name], frame[name])
        problems += found
        if found:
            unusable.add(name)
    geometry = None
    if {"lat", "lon"} <= columns.keys() - unusable:
        geometry, found = _location(columns, frame)
        problems += found
    if problems or geometry is None:
        listed = "\n- ".join(problems)
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise DataFormatError(f"the events do not fit the store schema ({count}):\n- {listed}")
    columns["geometry"] = geometry
    return gpd.GeoDataFrame({name: columns[name] for name in EVENT_COLUMNS}, geometry="geometry", crs=CRS)


def conform_rows(frame: pd.DataFrame, failed: Callable[[Hashable, DataFormatError], None]) -> gpd.GeoDataFrame:
    """Like :func:`conform`, but a row that does not fit is left out and ``failed(label, error)`` told of it.

    The frame is halved until each bad row stands alone, so a few bad rows among many cost a few checks. A
    problem of the columns themselves (one missing, a wrong CRS) concerns every row: it is raised."""
    try:
        return conform(frame)
    except DataFormatError as err:
        conform(frame.iloc[:0])  # raises when the columns themselves are wrong
        if len(frame) == 1:
            failed(frame.index[0], err)
            return empty_events()
    middle = len(frame) // 2
    halves = [conform_rows(frame.iloc[:middle], failed), conform_rows(frame.iloc[middle:], failed)]
    return conform(pd.concat(halves))
