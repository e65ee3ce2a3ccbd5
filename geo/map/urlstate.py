"""The view in the URL: filters, map view and selected event as query parameters, read back without raising.

Parameters: ``type`` (repeatable), ``severity`` (minimum level), ``from`` and ``to`` (ISO dates, inclusive),
``country`` (repeatable ISO 3166-1 alpha-2), ``q`` (search), ``lat``, ``lon``, ``zoom`` (map view),
``event`` (selected event id) and ``live`` (``false``: the page does not follow the store as it changes, as its
switch writes it). ``type`` and ``country`` also take comma-separated lists.

This module holds ViewState, ``parse_query_params`` and ``describe``; the checks and readers of single
values are in ``geo.map.urlvalues``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, TypeVar

from geo.errors import DataFormatError
from geo.map.urlvalues import (
    COORDINATE_DECIMALS,
    LEVELS,
    MARKUP,
    MAX_QUERY,
    SHOWN_CHARS,
    ZOOMS,
    clean_coordinate,
    clean_countries,
    clean_day,
    clean_event,
    clean_in,
    clean_query,
    clean_types,
    coordinate_reader,
    read_country,
    read_day,
    read_event,
    read_level,
    read_type,
    read_zoom,
)

__all__ = ["PARAMETERS", "Notice", "ViewState", "describe", "parse_query_params"]

#: The query parameters of the view, in the order they are written.
PARAMETERS: Final = ("type", "severity", "from", "to", "country", "q", "lat", "lon", "zoom", "event", "live")
#: The words ``live`` takes (those of Streamlit's switch bound to it), and what each means.
LIVE_WORDS: Final = {"true": True, "false": False}

_LIST_PARAMETERS = frozenset({"type", "country"})

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
    #: Whether the page follows the store as other processes add events (auto-refresh).
    live: bool = True

    def __post_init__(self) -> None:
        checks: dict[str, Callable[[], object]] = {
            "types": lambda: clean_types(self.types),
            "min_severity": lambda: clean_in(self.min_severity, LEVELS, "min_severity"),
            "date_from": lambda: clean_day(self.date_from, "date_from"),
            "date_to": lambda: clean_day(self.date_to, "date_to"),
            "countries": lambda: clean_countries(self.countries),
            "query": lambda: clean_query(self.query),
            "lat": lambda: clean_coordinate(self.lat, 90, "lat"),
            "lon": lambda: clean_coordinate(self.lon, 180, "lon"),
            "zoom": lambda: clean_in(self.zoom, ZOOMS, "zoom"),
            "event": lambda: clean_event(self.event),
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

    def filters_only(self) -> ViewState:
        """This view without the map view and the selection: what decides which events are shown."""
        return ViewState(self.types, self.min_severity, self.date_from, self.date_to, self.countries, self.query)

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
        if not self.live:
            params["live"] = "false"
        return params


def _decimal(value: float) -> str:
    """``value`` with at most 4 decimals and no trailing zeros: "48.8566", "2.3", "-12"."""
    return f"{value:.{COORDINATE_DECIMALS}f}".rstrip("0").rstrip(".")


# -- parsing ------------------------------------------------------------------------------------------------------


def _shown(text: str) -> str:
    """``text`` short enough to quote in a notice."""
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


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
            if MARKUP.search(text):
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


def _read_live(text: str) -> bool:
    """Whether ``live`` is on: "true" or "false" (any case)."""
    try:
        return LIVE_WORDS[text.strip().lower()]
    except KeyError:
        raise ValueError("give true or false") from None


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
    types = _many(values["type"], "type", read_type, notices)
    countries = _many(values["country"], "country", read_country, notices)
    severity, _ = _one(values["severity"], "severity", read_level, notices)
    date_from, from_text = _one(values["from"], "from", read_day, notices)
    date_to, to_text = _one(values["to"], "to", read_day, notices)
    if date_from is not None and date_to is not None and date_from > date_to:
        notices.append(Notice("from", from_text, f"later than to={to_text}; the two dates are swapped", "swapped"))
        date_from, date_to = date_to, date_from
    lat, lat_text = _one(values["lat"], "lat", coordinate_reader(90), notices)
    lon, lon_text = _one(values["lon"], "lon", coordinate_reader(180), notices)
    if (lat is None) != (lon is None):
        single, text, other = ("lat", lat_text, "lon") if lon is None else ("lon", lon_text, "lat")
        notices.append(Notice(single, _shown(text), f"no valid {other} to pair it with"))
        lat = lon = None
    zoom, _ = _one(values["zoom"], "zoom", read_zoom, notices)
    event, _ = _one(values["event"], "event", read_event, notices)
    live, _ = _one(values["live"], "live", _read_live, notices)
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
        live=live is not False,
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


def with_widgets(params: Mapping[str, Sequence[str]], widgets: Mapping[str, object]) -> dict[str, Sequence[str]]:
    """The query parameters with each filter widget's current value in place of its parameter (a widget is drawn
    after the URL is read, so the page passes what the user last set): lists for ``type`` and ``country``,
    an int for ``severity``, dates for ``from``/``to``, text for ``q``."""
    merged: dict[str, Sequence[str]] = dict(params)
    for key, value in widgets.items():
        if key in _LIST_PARAMETERS:
            merged[key] = [str(item) for item in value or []]  # type: ignore[attr-defined]
        elif key in ("from", "to"):
            merged[key] = [value.isoformat()] if value else []  # type: ignore[attr-defined]
        elif key in ("severity", "q"):
            merged[key] = [str(value or (1 if key == "severity" else ""))]
    return merged
