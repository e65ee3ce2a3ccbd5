"""Limits on what the readers take in, in one place, and the one guard every number read from text goes through.

Each limit bounds the memory or the time that one hostile input can cost; the README's Reliability section
lists them with the tests that check them.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "FETCH_DEADLINE",
    "FETCH_STALL",
    "MAX_DIGITS",
    "MAX_DOCUMENT_BYTES",
    "MAX_LINE_BYTES",
    "MAX_PARAGRAPH_BYTES",
    "MAX_REDIRECTS",
    "MAX_SKIPPED_BYTES",
    "MAX_SOURCE_CHARS",
    "MAX_STORY_CHARS",
    "MAX_TITLE_CHARS",
    "MAX_URL_CHARS",
    "bounded_number",
    "shown",
]

#: A JSONL or CSV line longer than this is refused by its line number, unread.
MAX_LINE_BYTES: Final = 64 * 1024 * 1024
#: A line of a page dump longer than this is read in pieces cut at spaces, each a paragraph.
MAX_PARAGRAPH_BYTES: Final = 1024 * 1024
#: Past an over-long line, at most this much more is skipped looking for its end; then the input is given up.
MAX_SKIPPED_BYTES: Final = 1024 * 1024 * 1024
#: Feeds, HTML pages and fetched bodies larger than this are refused (JSONL, CSV and page dumps are streamed).
MAX_DOCUMENT_BYTES: Final = 64 * 1024 * 1024
#: The text of one story is cut to this many characters (a page dump starts a new story there instead).
MAX_STORY_CHARS: Final = 1_000_000
#: A title is cut to this many characters.
MAX_TITLE_CHARS: Final = 1_000
#: A story's URL longer than this is dropped.
MAX_URL_CHARS: Final = 8_192
#: A story's source (publisher) is cut to this many characters.
MAX_SOURCE_CHARS: Final = 300
#: Seconds one URL may take, from the first connection to the last byte, redirects included.
FETCH_DEADLINE: Final = 60.0
#: Seconds a server may stay silent (connecting, or between two reads) before the fetch is given up.
FETCH_STALL: Final = 20.0
#: Redirects followed for one URL.
MAX_REDIRECTS: Final = 5
#: A number written with more digits than this is no count, measure or year of a news story.
MAX_DIGITS: Final = 15
#: Characters of an input value quoted in a message.
SHOWN_CHARS: Final = 80

_DECIMAL: Final = re.compile(r"\d+(?:\.\d+)?")


def bounded_number(text: str) -> float | None:
    """The value of a number written in digits ("1,200", "2.5"), or None when it is not one, has more than
    ``MAX_DIGITS`` digits or is not finite. Every number the text parsers read goes through here, so no
    value from an article can overflow an int, a float or a date."""
    plain = text.replace(",", "").strip()
    if not _DECIMAL.fullmatch(plain) or len(plain.replace(".", "")) > MAX_DIGITS:
        return None
    return float(plain)


def shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """``value`` quoted for a message, cut to ``limit`` characters ("…" marks a cut)."""
    return repr(value if len(value) <= limit else value[:limit] + "…")
