"""The event table seen through a ViewState, and the facets (values present, with counts) for the filter widgets.

Decisions: the type filter matches the primary ``event_type`` only (the one the map colours and the
legend counts), not ``secondary_types``; an event's date is its UTC ``published_at`` day, or its
``ingested_at`` day when it has no publication date; a country filter excludes events with no country; the
text search is a case-insensitive literal substring of the title, text, place name or a place name in
``places``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.map.urlstate import ViewState

__all__ = ["Facets", "event_days", "facets", "filter_events"]

#: Columns searched for the free text, besides the place names inside ``places``.
TEXT_COLUMNS: Final = ("title", "text", "place_name")
_DATE_COLUMNS = ("published_at", "ingested_at")
_STRING = pd.StringDtype(na_value=np.nan)

Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Facets:
    """What the events hold, for building the filter widgets: values present and how many events have each."""

    total: int
    #: (type, count), in EVENT_TYPES order; types outside EVENT_TYPES last, by name.
    types: tuple[tuple[str, int], ...]
    #: (country code, count), the most frequent first, ties by code.
    countries: tuple[tuple[str, int], ...]
    #: (level, count) for the levels present, lowest first.
    severities: tuple[tuple[int, int], ...]
    #: First and last event day (UTC, published or else ingested); None when no event has a date.
    date_min: date | None
    date_max: date | None
    #: Events with no country code.
    without_country: int


def _require(events: pd.DataFrame, columns: list[str]) -> None:
    missing = [name for name in dict.fromkeys(columns) if name not in events.columns]
    if missing:
        raise DataFormatError(f"the events lack the column(s) {', '.join(missing)} needed to filter them")


def _needed(state: ViewState) -> list[str]:
    """The columns the active filters of ``state`` read."""
    wanted = {
        "event_type": bool(state.types),
        "severity": state.min_severity > 1,
        "published_at": state.date_from is not None or state.date_to is not None,
        "ingested_at": state.date_from is not None or state.date_to is not None,
        "country_code": bool(state.countries),
        **{name: bool(state.query) for name in (*TEXT_COLUMNS, "places")},
    }
    return [name for name, used in wanted.items() if used]


def _utc(series: pd.Series) -> pd.Series:
    """The column as UTC times (naive times are taken as UTC; unreadable ones become NaT)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = series.dt.tz_convert("UTC")
        return converted
    return pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")


def event_days(events: pd.DataFrame) -> npt.NDArray[np.datetime64]:
    """Each event's UTC day: published, else ingested; NaT when neither is known."""
    published, ingested = (_utc(events[name]) for name in _DATE_COLUMNS)
    when = published.where(published.notna(), ingested)
    return np.asarray(when.dt.tz_localize(None).to_numpy()).astype("datetime64[D]")


def _flags(result: pd.Series) -> Mask:
    """A boolean series (maybe with NA) as a numpy mask, NA counting as False."""
    return np.asarray(result.to_numpy(dtype=bool, na_value=False), dtype=bool)


def _text(series: pd.Series) -> pd.Series:
    """The column with a ``.str`` accessor (an all-missing column may have come as floats)."""
    return series if series.dtype == object or isinstance(series.dtype, pd.StringDtype) else series.astype(_STRING)


def _literal(text: str) -> str:
    """A regular expression matching ``text`` literally, in both Python's ``re`` and RE2 (pyarrow) syntax."""
    return "".join(c if c.isalnum() or c == "_" or not c.isascii() else "\\" + c for c in text)


def _place_name_pattern(query: str) -> str:
    """A pattern finding ``query`` inside a ``"name"`` value of a places JSON array (as written by json.dumps).

    Plain ``' ?'`` rather than ``\\s*``: pandas runs patterns with ``\\s`` in Python's ``re``, 7 times slower.
    """
    encoded = json.dumps(query, ensure_ascii=False)[1:-1]
    return r'"name" ?: ?"(?:[^"\\]|\\.)*' + _literal(encoded)


def _search(events: pd.DataFrame, query: str) -> Mask:
    """Rows where ``query`` occurs, ignoring case, in a text column or a place name."""
    found = np.zeros(len(events), dtype=bool)
    for name in TEXT_COLUMNS:
        found |= _flags(_text(events[name]).str.contains(query, case=False, regex=False, na=False))
    places = _text(events["places"]).str.contains(_place_name_pattern(query), case=False, regex=True, na=False)
    return found | _flags(places)


def _mask(events: pd.DataFrame, state: ViewState) -> Mask:
    """Rows that pass every filter of ``state``; the slow text search runs last."""
    keep = np.ones(len(events), dtype=bool)
    if state.types:
        keep &= _flags(events["event_type"].isin(state.types))
    if state.min_severity > 1:
        keep &= _flags(events["severity"] >= state.min_severity)
    if state.date_from is not None or state.date_to is not None:
        days = event_days(events)
        if state.date_from is not None:
            keep &= days >= np.datetime64(state.date_from, "D")
        if state.date_to is not None:
            keep &= days <= np.datetime64(state.date_to, "D")
    if state.countries:
        keep &= _flags(_text(events["country_code"]).str.upper().isin(state.countries))
    if state.query and keep.any():
        rows = np.flatnonzero(keep)
        if 2 * len(rows) < len(keep):  # copying the rows out costs more than it saves unless few are left
            keep[rows] = _search(events.iloc[rows], state.query)
        else:
            keep &= _search(events, state.query)
    return keep


def filter_events(events: pd.DataFrame, state: ViewState) -> pd.DataFrame:
    """The events that match the filters of ``state`` (a new frame of the same class, index kept).

    The map view and selected event of ``state`` do not filter. Only the columns the active filters need
    must be present; DataFormatError names the missing ones.
    """
    _require(events, _needed(state))
    return events[_mask(events, state)]


def _type_order(name: str) -> tuple[int, str]:
    return (EVENT_TYPES.index(name), "") if name in EVENT_TYPES else (len(EVENT_TYPES), name)


def facets(events: pd.DataFrame) -> Facets:
    """The types, countries, severity levels and date range present in ``events``, with counts."""
    _require(events, ["event_type", "severity", "country_code", *_DATE_COLUMNS])
    types = events["event_type"].dropna().astype(str).value_counts()
    codes = _text(events["country_code"]).str.upper()
    countries = codes.dropna().value_counts()
    levels = pd.to_numeric(events["severity"], errors="coerce").dropna().astype(int).value_counts()
    days = event_days(events)
    dated = days[~np.isnat(days)]
    return Facets(
        total=len(events),
        types=tuple((name, int(types[name])) for name in sorted(types.index, key=_type_order)),
        countries=tuple(sorted(((str(c), int(n)) for c, n in countries.items()), key=lambda cn: (-cn[1], cn[0]))),
        severities=tuple((int(level), int(levels[level])) for level in sorted(levels.index)),
        date_min=dated.min().item() if dated.size else None,
        date_max=dated.max().item() if dated.size else None,
        without_country=int(codes.isna().sum()),
    )
