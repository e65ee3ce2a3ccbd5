"""What the watcher remembers of each source between polls and between runs, and when each is next due.

The state is one small JSON file beside the store (``<store>.watch.json``), written whole to a temporary file
and moved into place, so a watcher killed while writing leaves the old state. A state file that cannot be read
is reported and the watcher starts afresh (every source due at once, asked without validators).
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from geo.errors import GeoError
from geo.store.eventstore import StorePath
from geo.store.location import is_url

__all__ = ["MAX_WAIT", "SourceState", "due_after", "feed_ttl", "load_state", "retry_at", "save_state", "state_path"]

#: The longest a source waits for its next poll: the cap of back-off, of a feed's ttl and of Retry-After.
MAX_WAIT: Final = 24 * 3600.0
#: The version written in the state file.
STATE_VERSION: Final = 1
#: An RSS channel's ``<ttl>``: minutes it may be cached.
_TTL: Final = re.compile(rb"<ttl>\s*(\d{1,7})\s*</ttl>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SourceState:
    """One source as last seen: its validators, when it was fetched, failures in a row and when it is due."""

    url: str
    etag: str | None = None
    modified: str | None = None
    #: Seconds since the epoch of the last attempt, whatever came of it.
    fetched_at: float | None = None
    failures: int = 0
    #: Seconds since the epoch from when it may be polled again.
    due: float = 0.0
    #: The feed's own ``<ttl>`` in minutes, from its last full answer.
    ttl: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (the URL is the key it is stored under)."""
        return {
            "etag": self.etag,
            "modified": self.modified,
            "fetched_at": self.fetched_at,
            "failures": self.failures,
            "due": self.due,
            "ttl": self.ttl,
        }

    @classmethod
    def from_dict(cls, url: str, data: Mapping[str, Any]) -> SourceState:
        """Inverse of :meth:`to_dict`; ValueError for a field of the wrong type."""
        etag, modified, ttl = data.get("etag"), data.get("modified"), data.get("ttl")
        fetched_at, failures, due = data.get("fetched_at"), data.get("failures", 0), data.get("due", 0.0)
        if not all(isinstance(value, str | None) for value in (etag, modified)):
            raise ValueError(f"{url}: etag and modified must be strings")
        if not all(_is_number(value) for value in (due, *([fetched_at] if fetched_at is not None else []))):
            raise ValueError(f"{url}: fetched_at and due must be numbers")
        if not (isinstance(failures, int) and failures >= 0 and (ttl is None or isinstance(ttl, int))):
            raise ValueError(f"{url}: failures and ttl must be whole numbers")
        return cls(url, etag, modified, fetched_at, failures, float(due), ttl)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def state_path(store: StorePath) -> Path:
    """Where the watcher of ``store`` keeps its state: ``<store>.watch.json`` beside a local store."""
    if is_url(store):
        raise GeoError(f"the store {store} is a URL: say where to keep the watcher's state with --state FILE")
    path = Path(store)
    return path.with_name(path.name + ".watch.json")


def load_state(path: Path) -> tuple[dict[str, SourceState], str | None]:
    """The states saved at ``path`` by URL (none when there is no file), and a message when it was unreadable."""
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict) or not isinstance(data.get("sources"), dict):
            raise ValueError('not an object with "sources"')
        return {url: SourceState.from_dict(url, fields) for url, fields in data["sources"].items()}, None
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError, TypeError, AttributeError, RecursionError) as err:
        return {}, f"the state file {path} cannot be read ({err}): starting afresh, every source due now"


def save_state(path: Path, states: Iterable[SourceState]) -> None:
    """Write ``states`` to ``path`` atomically (a temporary file moved into place); OSError when it cannot."""
    data = {"version": STATE_VERSION, "sources": {state.url: state.to_dict() for state in states}}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def feed_ttl(body: bytes) -> int | None:
    """The ``<ttl>`` (minutes) of an RSS feed, or None when it gives none."""
    found = _TTL.search(body)
    return int(found.group(1)) if found else None


def retry_at(value: str | None, now: float) -> float | None:
    """When a Retry-After header (seconds, or an HTTP date) allows the next request; None when it says nothing."""
    text = (value or "").strip()
    if text.isdigit():
        return now + min(int(text[:12]), MAX_WAIT)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() if when.tzinfo is not None else None


def due_after(
    now: float, every: float, *, failures: int, ttl: int | None = None, retry_after: str | None = None
) -> float:
    """When a source polled at ``now`` is next due: after ``every`` seconds, or ``every * 2**failures`` after a
    failure, and not before its feed's ttl nor its server's Retry-After; never more than ``MAX_WAIT`` ahead."""
    wait = every if failures == 0 else every * 2 ** min(failures, 40)
    due = now + wait
    if ttl:
        due = max(due, now + ttl * 60.0)
    retry = retry_at(retry_after, now)
    if retry is not None:
        due = max(due, retry)
    return min(due, now + max(MAX_WAIT, every))
