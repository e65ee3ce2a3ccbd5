"""The event store: a GeoDataFrame of events kept in one GeoParquet file, appended to atomically."""

from __future__ import annotations

import errno
import json
import math
import os
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from filelock import FileLock, Timeout
from pandas.api.extensions import ExtensionDtype

from geo import settings
from geo.errors import DataFormatError, GeoError

__all__ = [
    "EVENT_COLUMNS",
    "AppendResult",
    "StoreError",
    "append_events",
    "conform",
    "default_store_path",
    "empty_events",
    "export_events",
    "read_events",
    "to_csv",
    "to_geojson",
]

#: Environment variable naming the store file; unset, the store is ``settings.DATA_DIR / STORE_NAME``.
STORE_ENV = "GEO_STORE"
STORE_NAME = "events.parquet"
CRS = "EPSG:4326"
#: Cells of text columns starting with one of these are prefixed with ``'`` in CSV (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TEMP_SUFFIX = ".tmp"
_SHOWN_ROWS = 5


class StoreError(GeoError, OSError):
    """The store file cannot be read, locked or written; the message names the file and how to fix it."""


Kind = Literal["str", "time", "int", "float"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the schema: its kind, whether it may be null, and the inclusive range of its values."""

    name: str
    kind: Kind
    nullable: bool
    low: float = -math.inf
    high: float = math.inf

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


_COLUMNS = (
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
    Column("injured", "int", True, 0),
    Column("displaced", "int", True, 0),
    Column("magnitude", "float", True),
    Column("category", "int", True, 0),
    Column("wind_kmh", "float", True, 0),
    Column("place_name", "str", True),
    Column("country_code", "str", True),
    Column("lat", "float", True, -90, 90),
    Column("lon", "float", True, -180, 180),
    Column("places", "str", False),
)
_BY_NAME = {column.name: column for column in _COLUMNS}
EVENT_COLUMNS: tuple[str, ...] = (*(c.name for c in _COLUMNS[:-1]), "geometry", _COLUMNS[-1].name)


@dataclass(frozen=True, slots=True)
class AppendResult:
    """What an append did: rows added, incoming rows skipped as already stored or repeated, rows now stored."""

    added: int
    skipped: int
    total: int


def empty_events() -> gpd.GeoDataFrame:
    """The schema with no rows, in EPSG:4326."""
    data: dict[str, Any] = {c.name: pd.Series([], dtype=c.dtype) for c in _COLUMNS}
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


def conform(frame: pd.DataFrame | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The events in the store schema (EVENT_COLUMNS, their dtypes, EPSG:4326); extra columns are dropped.

    The geometry is built from lat/lon; a geometry the frame already has must agree with them. Every problem
    is collected and one DataFormatError lists them all. Duplicate event ids are allowed here: appending
    drops them.
    """
    repeated = set(frame.columns[frame.columns.duplicated()])
    problems = [f"column {name!r} appears more than once" for name in sorted(map(str, repeated))]
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


# -- reading and writing ----------------------------------------------------------------------------------------


def default_store_path() -> Path:
    """The store file: ``$GEO_STORE`` when set, else ``events.parquet`` in the data directory."""
    named = os.environ.get(STORE_ENV, "").strip()
    return Path(named).expanduser() if named else settings.DATA_DIR / STORE_NAME


def _write_failure(path: Path, err: BaseException) -> StoreError:
    """A StoreError saying why ``path`` could not be written and what to do about it."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"disk full; free space or set {STORE_ENV} to another path"
    elif isinstance(err, PermissionError) or (isinstance(err, OSError) and err.errno == errno.EROFS):
        reason = f"permission denied; make {path.parent} writable or set {STORE_ENV} to another path"
    else:
        reason = f"{type(err).__name__}: {err}"
    return StoreError(f"cannot write the event store at {path}: {reason} (the store is unchanged)")


def read_events(path: Path) -> gpd.GeoDataFrame:
    """The stored events; an empty frame when the file does not exist yet."""
    if not path.exists():
        return empty_events()
    try:
        return conform(gpd.read_parquet(path))
    except (OSError, ValueError, TypeError, NotImplementedError) as err:
        raise StoreError(
            f"cannot read the event store at {path}: {type(err).__name__}: {err}\nIf the file is damaged or not "
            f"an event store, move it aside (the next append starts a new one) or set {STORE_ENV} to another path."
        ) from err


def _sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (skipped where the file system cannot sync directories)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _temp_files(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f".{path.name}.*{_TEMP_SUFFIX}"))


def _write_atomically(frame: gpd.GeoDataFrame, path: Path) -> None:
    """Write beside ``path``, sync, then rename onto it: readers see the old store or the new, never a part."""
    temp: Path | None = None
    try:
        prefix = f".{path.name}."
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=prefix, suffix=_TEMP_SUFFIX, delete=False) as out:
            temp = Path(out.name)
            frame.to_parquet(out, index=False)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644)
        os.replace(temp, path)
        temp = None
        _sync_directory(path.parent)
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _new_rows(stored: gpd.GeoDataFrame, events: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Incoming rows whose id is neither stored nor repeated earlier in the batch."""
    fresh = ~events["event_id"].isin(stored["event_id"]) & ~events["event_id"].duplicated()
    return events[fresh.to_numpy()].reset_index(drop=True)


def _append_locked(path: Path, events: gpd.GeoDataFrame) -> AppendResult:
    """The append proper; the caller holds the lock."""
    for leftover in _temp_files(path):  # left by a writer that was killed; no writer is running now
        leftover.unlink(missing_ok=True)
    stored = read_events(path)
    new = _new_rows(stored, events)
    if new.empty:
        return AppendResult(added=0, skipped=len(events), total=len(stored))
    combined = new if stored.empty else pd.concat([stored, new], ignore_index=True)
    try:
        _write_atomically(gpd.GeoDataFrame(combined, geometry="geometry", crs=CRS), path)
    except Exception as err:
        raise _write_failure(path, err) from err
    return AppendResult(added=len(new), skipped=len(events) - len(new), total=len(combined))


def append_events(path: Path, events: gpd.GeoDataFrame, *, timeout: float = 60.0) -> AppendResult:
    """Add the events whose id is not stored yet, under an inter-process lock, replacing the file atomically.

    Nothing is written when nothing is new. A failure leaves the previous store as it was and raises StoreError.
    """
    events = conform(events)
    lock_path = path.with_name(path.name + ".lock")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with FileLock(lock_path, timeout=timeout):
            return _append_locked(path, events)
    except Timeout as err:
        raise StoreError(
            f"cannot lock the event store at {path}: another process has held {lock_path} for over {timeout:g} s; "
            "retry when it has finished, or pass a longer timeout"
        ) from err
    except StoreError:
        raise
    except OSError as err:
        raise _write_failure(path, err) from err


# -- export -----------------------------------------------------------------------------------------------------


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with the date columns as ISO 8601 text (None where missing)."""
    out = frame.copy()
    for column in (c for c in _COLUMNS if c.kind == "time"):
        times = out[column.name]
        out[column.name] = pd.Series([None if pd.isna(t) else t.isoformat() for t in times], times.index, object)
    return out


def _defuse(cell: str) -> str:
    """The cell with a leading ``'`` if a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def to_csv(events: gpd.GeoDataFrame) -> str:
    """CSV of events (no geometry; ISO dates; cells a spreadsheet would run as formulas neutralised)."""
    table = _iso_dates(pd.DataFrame(events.drop(columns="geometry")))
    for column in (c for c in _COLUMNS if c.kind == "str"):
        table[column.name] = table[column.name].map(_defuse, na_action="ignore")
    return str(table.to_csv(index=False, lineterminator="\n"))


def to_geojson(events: gpd.GeoDataFrame) -> str:
    """RFC 7946 GeoJSON of events, one feature per event (id = event_id; null geometry when unplaced)."""
    features = gpd.GeoDataFrame(_iso_dates(events)).set_index("event_id", drop=False).rename_axis(None)
    return str(features.to_json(na="null", ensure_ascii=False))


def export_events(path: Path, fmt: Literal["geojson", "csv"], out: Path | None = None) -> Path | str:
    """The store as GeoJSON (RFC 7946, feature id = event_id) or CSV (no geometry; formulas defused).

    With ``out`` the text is written there and ``out`` returned; without, the text itself is returned.
    """
    writers = {"geojson": to_geojson, "csv": to_csv}
    if fmt not in writers:
        raise DataFormatError(f"unknown export format {fmt!r}: choose 'geojson' or 'csv'")
    text = writers[fmt](read_events(path))
    if out is None:
        return text
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as err:
        raise StoreError(f"cannot write the export to {out}: {type(err).__name__}: {err}") from err
    return out
