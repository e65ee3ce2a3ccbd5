"""Single values of the view's query parameters: the checks of a ViewState field and the readers of a URL text.

The ``clean_*`` functions check one typed field and return it in its one form; the ``read_*`` functions turn
one query parameter text into a typed value. Both raise ValueError with the reason; ``geo.map.urlstate`` gathers
those into DataFormatError or a Notice.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Final

from geo.events.lexicon import EVENT_TYPES

__all__ = [
    "COORDINATE_DECIMALS",
    "LEVELS",
    "MARKUP",
    "MAX_QUERY",
    "SHOWN_CHARS",
    "ZOOMS",
    "clean_coordinate",
    "clean_countries",
    "clean_day",
    "clean_event",
    "clean_in",
    "clean_query",
    "clean_types",
    "coordinate_reader",
    "read_country",
    "read_day",
    "read_event",
    "read_level",
    "read_type",
    "read_zoom",
]

#: Longest free-text search kept; a longer ``q`` is truncated.
MAX_QUERY: Final = 200
LEVELS: Final = range(1, 6)
ZOOMS: Final = range(0, 19)  # as the map: minZoom 0, maxZoom 18
#: Decimals kept of the map centre (about 11 m).
COORDINATE_DECIMALS: Final = 4

SHOWN_CHARS = 60
MARKUP = re.compile(r"<[/!?A-Za-z]")  # how an HTML tag, comment or declaration opens
_LEVEL = re.compile(r"[1-5]")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})")
_ZOOM = re.compile(r"[0-9]{1,2}")
_COUNTRY = re.compile(r"[A-Za-z]{2}")
_EVENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


# -- clean typed values (the constructor's checks) ---------------------------------------------------------------


def clean_types(types: Sequence[str]) -> tuple[str, ...]:
    if isinstance(types, str):
        raise ValueError(f"types must be a sequence of event types, not the string {types!r}")
    unknown = [t for t in types if t not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event types {unknown!r}; choose from {', '.join(EVENT_TYPES)}")
    return tuple(t for t in EVENT_TYPES if t in types)


def clean_countries(countries: Sequence[str]) -> tuple[str, ...]:
    if isinstance(countries, str):
        raise ValueError(f"countries must be a sequence of codes, not the string {countries!r}")
    bad = [c for c in countries if not isinstance(c, str) or not _COUNTRY.fullmatch(c)]
    if bad:
        raise ValueError(f"not two-letter country codes: {bad!r}")
    return tuple(sorted({c.upper() for c in countries}))


def clean_in(value: int | None, allowed: range, what: str) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value not in allowed):
        raise ValueError(f"{what} must be an integer {allowed.start}-{allowed.stop - 1}, not {value!r}")
    return value


def clean_day(value: date | None, what: str) -> date | None:
    if value is not None and (type(value) is not date):
        raise ValueError(f"{what} must be a datetime.date (not a datetime), not {value!r}")
    return value


def clean_query(query: str) -> str:
    if not isinstance(query, str):
        raise ValueError(f"query must be text, not {query!r}")
    query = query.strip()
    if len(query) > MAX_QUERY:
        raise ValueError(f"query is {len(query)} characters long; the most is {MAX_QUERY}")
    if MARKUP.search(query):
        raise ValueError(f"query {query[:SHOWN_CHARS]!r} contains markup")
    return query


def clean_coordinate(value: float | None, limit: float, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not -limit <= value <= limit:
        raise ValueError(f"{what} must be a number in -{limit:g}..{limit:g}, not {value!r}")
    return round(float(value), COORDINATE_DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


def clean_event(value: str | None) -> str | None:
    if value is not None and (not isinstance(value, str) or not _EVENT_ID.fullmatch(value)):
        raise ValueError(f"event must be 1-64 letters, digits, '_' or '-', not {value!r}")
    return value


# -- reading text values from the URL (each raises ValueError with the reason) -----------------------------------


def read_type(text: str) -> str:
    name = text.lower()
    if name not in EVENT_TYPES:
        raise ValueError("not an event type")
    return name


def read_country(text: str) -> str:
    if not _COUNTRY.fullmatch(text):
        raise ValueError("not a two-letter country code")
    return text.upper()


def read_level(text: str) -> int:
    if not _LEVEL.fullmatch(text):
        raise ValueError("not a level 1-5")
    return int(text)


def read_day(text: str) -> date:
    if not _ISO_DATE.fullmatch(text):
        raise ValueError("not a date YYYY-MM-DD")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("not a date in the calendar") from None


def coordinate_reader(limit: int) -> Callable[[str], float]:
    def read(text: str) -> float:
        if not _DECIMAL.fullmatch(text):
            raise ValueError("not a decimal number")
        value = float(text)
        if not math.isfinite(value) or not -limit <= value <= limit:
            raise ValueError(f"outside -{limit}..{limit}")
        return value

    return read


def read_zoom(text: str) -> int:
    if not _ZOOM.fullmatch(text) or int(text) not in ZOOMS:
        raise ValueError(f"not a zoom level {ZOOMS.start}-{ZOOMS.stop - 1}")
    return int(text)


def read_event(text: str) -> str:
    if not _EVENT_ID.fullmatch(text):
        raise ValueError("not an event id (1-64 letters, digits, '_' or '-')")
    return text
