"""The view in the URL: filters, map view and selected event as query parameters, read back without raising.

Parameters: ``type`` (repeatable), ``severity`` (minimum level), ``from`` and ``to`` (ISO dates, inclusive),
``country`` (repeatable ISO 3166-1 alpha-2), ``q`` (search), ``lat``, ``lon``, ``zoom`` (map view) and
``event`` (selected event id). ``type`` and ``country`` also take comma-separated lists.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, TypeVar

from geo.errors import DataFormatError
from geo.event_lexicon import EVENT_TYPES

__all__ = ["MAX_QUERY", "PARAMETERS", "Notice", "ViewState", "describe", "parse_query_params"]

#: The query parameters of the view, in the order they are written.
PARAMETERS: Final = ("type", "severity", "from", "to", "country", "q", "lat", "lon", "zoom", "event")
#: Longest free-text search kept; a longer ``q`` is truncated.
MAX_QUERY: Final = 200
LEVELS: Final = range(1, 6)
ZOOMS: Final = range(1, 19)
#: Decimals kept of the map centre (about 11 m).
COORDINATE_DECIMALS: Final = 4

_LIST_PARAMETERS = frozenset({"type", "country"})
_SHOWN_CHARS = 60
_MARKUP = re.compile(r"<[/!?A-Za-z]")  # how an HTML tag, comment or declaration opens
_LEVEL = re.compile(r"[1-5]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})")
_ZOOM = re.compile(r"[0-9]{1,2}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Notice:
    """A query parameter value that was not used as given, and why."""

    parameter: str
    value: str
    reason: str
    #: What was done with it: "ignored", "truncated" or "swapped".
    action: str = "ignored"

    def __str__(self) -> str:
        return f"{self.action} {self.parameter}={self.value}: {self.reason}"


# -- clean typed values (the constructor's checks) ---------------------------------------------------------------


def _clean_types(types: Sequence[str]) -> tuple[str, ...]:
    if isinstance(types, str):
        raise ValueError(f"types must be a sequence of event types, not the string {types!r}")
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event types {unknown!r}; choose from {', '.join(EVENT_TYPES)}")
    return tuple(t for t in EVENT_TYPES if t in types)


def _clean_countries(countries: Sequence[str]) -> tuple[str, ...]:
    if isinstance(countries, str):
        raise ValueError(f"countries must be a sequence of codes, not the string {countries!r}")
    bad = [c for c in countries if not isinstance(c, str) or not _COUNTRY.fullmatch(c)]
    if bad:
        raise ValueError(f"not two-letter country codes: {bad!r}")
    return tuple(sorted({c.upper() for c in countries}))


def _clean_in(value: int | None, allowed: range, what: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in allowed):
        raise ValueError(f"{what} must be an integer {allowed.start}-{allowed.stop - 1}, not {value!r}")
    return value


def _clean_day(value: date | None, what: str) -> date | None:
    if value is not None and (type(value) is not date):
        raise ValueError(f"{what} must be a datetime.date (not a datetime), not {value!r}")
    return value


def _clean_query(query: str) -> str:
    if not isinstance(query, str):
        raise ValueError(f"query must be text, not {query!r}")
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise ValueError(f"query is {len(query)} characters long; the most is {MAX_QUERY}")
    if _MARKUP.search(query):
        raise ValueError(f"query {query[:_SHOWN_CHARS]!r} contains markup")
    return query


def _clean_coordinate(value: float | None, limit: float, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise ValueError(f"{what} must be a number in -{limit:g}..{limit:g}, not {value!r}")
    return round(float(value), COORDINATE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def _clean_event(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or not _EVENT_ID.fullmatch(value)):
        raise ValueError(f"event must be 1-64 letters, digits, '_' or '-', not {value!r}")
    return value


@dataclass(frozen=True, slots=True)
class ViewState:
    """What the page shows: the filters, the map view and the selected event; defaults mean "no filter".

    The constructor puts equal views in one form (types in EVENT_TYPES order, countries upper case and
    sorted, no repeats, the query stripped, lat/lon rounded to 4 decimals) and raises DataFormatError
    listing every invalid field, so every ViewState survives ``to_query_params`` and back.
    """

    types: tuple[str, ...] = ()
    min_severity: int = 1
    date_from: date | None = None
    date_to: date | None = None
    countries: tuple[str, ...] = ()
    query: str = ""
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None
    event: str | None = None

    def __post_init__(self) -> None:
        checks: dict[str, Callable[[], object]] = {
            "types": lambda: _clean_types(self.types),
            "min_severity": lambda: _clean_in(self.min_severity, LEVELS, "min_severity"),
            "date_from": lambda: _clean_day(self.date_from, "date_from"),
            "date_to": lambda: _clean_day(self.date_to, "date_to"),
            "countries": lambda: _clean_countries(self.countries),
            "query": lambda: _clean_query(self.query),
            "lat": lambda: _clean_coordinate(self.lat, 90, "lat"),
            "lon": lambda: _clean_coordinate(self.lon, 180, "lon"),
            "zoom": lambda: _clean_in(self.zoom, ZOOMS, "zoom"),
            "event": lambda: _clean_event(self.event),
        }
        problems: list[str] = []
        for name, check in checks.items():
            try:
                object.__setattr__(self, name, check())
            except ValueError as err:
                problems.append(str(err))
        if (self.lat is None) != (self.lon is None):
            problems.append("lat and lon go together: give both or neither")
        if not problems and self.date_from and self.date_to and self.date_from > self.date_to:
            problems.append(f"date_from {self.date_from} is after date_to {self.date_to}")
        if problems:
            raise DataFormatError("invalid view state:\n- " + "\n- ".join(problems))

    def to_query_params(self) -> dict[str, str | list[str]]:
        """The query parameters of this view: only values that differ from the defaults."""
        params: dict[str, str | list[str]] = {}
        if self.types:
            params["type"] = list(self.types)
        if self.min_severity != LEVELS.start:
            params["severity"] = str(self.min_severity)
        if self.date_from is not None:
            params["from"] = self.date_from.isoformat()
        if self.date_to is not None:
            params["to"] = self.date_to.isoformat()
        if self.countries:
            params["country"] = list(self.countries)
        if self.query:
            params["q"] = self.query
        if self.lat is not None and self.lon is not None:
            params["lat"], params["lon"] = _decimal(self.lat), _decimal(self.lon)
        if self.zoom is not None:
            params["zoom"] = str(self.zoom)
        if self.event is not None:
            params["event"] = self.event
        return params


def _decimal(value: float) -> str:
    """``value`` with at most 4 decimals and no trailing zeros: "48.8566", "2.3", "-12"."""
    return f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")


# -- reading text values from the URL (each raises ValueError with the reason) -----------------------------------


def _read_type(text: str) -> str:
    name = text.lower()
    if name not in EVENT_TYPES:
        raise ValueError("not an event type")
    return name


def _read_country(text: str) -> str:
    if not _COUNTRY.fullmatch(text):
        raise ValueError("not a two-letter country code")
    return text.upper()


def _read_level(text: str) -> int:
    if not _LEVEL.fullmatch(text):
        raise ValueError("not a level 1-5")
    return int(text)


def _read_day(text: str) -> date:
    if not _ISO_DATE.fullmatch(text):
        raise ValueError("not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date in the calendar") from None


def _coordinate_reader(limit: int) -> Callable[[str], float]:
    def read(text: str) -> float:
        if not _DECIMAL.fullmatch(text):
            raise ValueError("not a decimal number")
        value = float(text)
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise ValueError(f"outside -{limit}..{limit}")
        return value

    return read


def _read_zoom(text: str) -> int:
    if not _ZOOM.fullmatch(text) or int(text) not in ZOOMS:
        raise ValueError(f"not a zoom level {ZOOMS.start}-{ZOOMS.stop - 1}")
    return int(text)


def _read_event(text: str) -> str:
    if not _EVENT_ID.fullmatch(text):
        raise ValueError("not an event id (1-64 letters, digits, '_' or '-')")
    return text


# -- parsing ------------------------------------------------------------------------------------------------------


def _shown(text: str) -> str:
    """``text`` short enough to quote in a notice."""
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _texts(value: object) -> list[str]:
    """The values of one parameter as a list of strings (a lone string, a list of them, or anything else)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [item if isinstance(item, str) else str(item) for item in value if item is not None]
    return [str(value)]


def _collect(params: Mapping[str, str | Sequence[str]], notices: list[Notice]) -> dict[str, list[str]]:
    """Stripped non-empty values of the known parameters; list parameters split at commas.

    Unknown parameters and values that look like markup get a notice; empty values count as absent.
    """
    values: dict[str, list[str]] = {name: [] for name in PARAMETERS}
    for raw_name, raw in params.items():
        name = str(raw_name)
        if name not in values:
            shown = ",".join(_texts(raw))
            notices.append(Notice(_shown(name), _shown(shown), "unknown parameter"))
            continue
        for text in _texts(raw):
            if _MARKUP.search(text):
                notices.append(Notice(name, _shown(text), "contains markup"))
                continue
            parts = text.split(",") if name in _LIST_PARAMETERS else [text]
            values[name].extend(part.strip() for part in parts if part.strip())
    return values


def _many(values: list[str], name: str, read: Callable[[str], str], notices: list[Notice]) -> tuple[str, ...]:
    """Every valid value of a repeatable parameter."""
    kept = []
    for text in values:
        try:
            kept.append(read(text))
        except ValueError as err:
            notices.append(Notice(name, _shown(text), str(err)))
    return tuple(kept)


def _one(values: list[str], name: str, read: Callable[[str], T], notices: list[Notice]) -> tuple[T | None, str]:
    """The last valid value of a single-valued parameter (None if none) and its text; earlier ones get notices."""
    found: list[tuple[T, str]] = []
    for text in values:
        try:
            found.append((read(text), text))
        except ValueError as err:
            notices.append(Notice(name, _shown(text), str(err)))
    for _, text in found[:-1]:
        notices.append(Notice(name, _shown(text), "repeated; the last valid value is used"))
    return found[-1] if found else (None, "")


def _query(values: list[str], notices: list[Notice]) -> str:
    """The search text: the last value, truncated to MAX_QUERY characters with a notice."""
    query = values[-1] if values else ""
    for text in values[:-1]:
        notices.append(Notice("q", _shown(text), "repeated; the last value is used"))
    if len(query) > MAX_QUERY:
        reason = f"longer than {MAX_QUERY} characters; the first {MAX_QUERY} are used"
        notices.append(Notice("q", _shown(query), reason, action="truncated"))
        query = query[:MAX_QUERY].strip()
    return query


def parse_query_params(params: Mapping[str, str | Sequence[str]]) -> tuple[ViewState, tuple[Notice, ...]]:
    """The view a URL's query parameters describe, and a notice for every value that was not used as given.

    Never raises: invalid values are dropped. ``from`` later than ``to`` are swapped (the range the link
    meant); ``lat`` and ``lon`` are used only as a valid pair.
    """
    notices: list[Notice] = []
    values = _collect(params, notices)
    types = _many(values["type"], "type", _read_type, notices)
    countries = _many(values["country"], "country", _read_country, notices)
    severity, _ = _one(values["severity"], "severity", _read_level, notices)
    date_from, from_text = _one(values["from"], "from", _read_day, notices)
    date_to, to_text = _one(values["to"], "to", _read_day, notices)
    if date_from is not None and date_to is not None and date_from > date_to:
        notices.append(Notice("from", from_text, f"later than to={to_text}; the two dates are swapped", "swapped"))
        date_from, date_to = date_to, date_from
    lat, lat_text = _one(values["lat"], "lat", _coordinate_reader(90), notices)
    lon, lon_text = _one(values["lon"], "lon", _coordinate_reader(180), notices)
    if (lat is None) != (lon is None):
        single, text, other = ("lat", lat_text, "lon") if lon is None else ("lon", lon_text, "lat")
        notices.append(Notice(single, _shown(text), f"no valid {other} to pair it with"))
        lat = lon = None
    zoom, _ = _one(values["zoom"], "zoom", _read_zoom, notices)
    event, _ = _one(values["event"], "event", _read_event, notices)
    state = ViewState(
        types=types,
        min_severity=LEVELS.start if severity is None else severity,
        date_from=date_from,
        date_to=date_to,
        countries=countries,
        query=_query(values["q"], notices),
        lat=lat,
        lon=lon,
        zoom=zoom,
        event=event,
    )
    return state, tuple(notices)


def describe(state: ViewState) -> str:
    """A one-line summary of the filters: "earthquake, flood · severity >= 3 · 2025-01-01 to 2025-02-01 · FR"."""
    parts = []
    if state.types:
        parts.append(", ".join(t.replace("_", " ") for t in state.types))
    if state.min_severity > LEVELS.start:
        parts.append(f"severity >= {state.min_severity}")
    if state.date_from and state.date_to:
        parts.append(f"{state.date_from} to {state.date_to}")
    elif state.date_from:
        parts.append(f"from {state.date_from}")
    elif state.date_to:
        parts.append(f"until {state.date_to}")
    if state.countries:
        parts.append(", ".join(state.countries))
    if state.query:
        parts.append(f"'{state.query}'")
    return " · ".join(parts) if parts else "all events"
