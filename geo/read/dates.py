"""Dates read from articles: ISO 8601, RFC 2822 or a feed's parsed time, in UTC, within the years the store holds."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final

__all__ = ["EARLIEST", "LATEST", "parse_date"]

#: The first and last moments the event table holds (its times are in nanoseconds, as pandas keeps them).
EARLIEST: Final = datetime(1678, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2261, 12, 31, 23, 59, 59, tzinfo=UTC)


def _parsed(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _from_struct(parsed: time.struct_time) -> datetime | None:
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _utc(found: datetime) -> datetime | None:
    try:
        moment = found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
    except OverflowError:  # "0001-01-01T00:00:00+01:00" falls before the year 1
        return None
    return moment if EARLIEST <= moment <= LATEST else None


def parse_date(value: str | None, parsed: time.struct_time | None = None) -> datetime | None:
    """A UTC datetime from ISO 8601, RFC 2822 or feedparser's parsed struct (naive times are taken as UTC); None
    when there is none, or when it falls outside ``EARLIEST``..``LATEST``."""
    found = _parsed(value) if value else None
    if found is None and parsed is not None:
        found = _from_struct(parsed)
    return None if found is None else _utc(found)
