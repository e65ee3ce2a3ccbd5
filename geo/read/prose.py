"""Sentences, titles and the folded form of news text, shared by the readers and the page splitter."""

from __future__ import annotations

import re
import unicodedata
from typing import Final

__all__ = ["TITLE_CHARS", "first_sentence", "fold", "sentences"]

#: Titles cut from a first sentence are at most this long (cut on a word boundary).
TITLE_CHARS: Final = 120
#: Characters before a full stop searched for an abbreviation ("U.S.", "Dr.").
ABBREVIATION_CHARS: Final = 16

_SENTENCE_END: Final = re.compile(r"""(?<=[.!?])["”’»)]?\s+(?=["“‘«(]?[A-Z0-9])""")
_ABBREVIATION: Final = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b[A-Z]\.|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Jr|Sr|No|vs|Inc|Corp|Co|Ltd)\.)$"
)


def fold(text: str) -> str:
    """``text`` in the form compared and hashed: NFKC, whitespace collapsed, case folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split()).casefold()


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences; abbreviations such as "U.S." and "Dr." do not end one."""
    parts: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start()
        if not _ABBREVIATION.search(text, max(start, end - ABBREVIATION_CHARS), end):
            parts.append(text[start:end].strip())
            start = match.end()
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def first_sentence(text: str, limit: int = TITLE_CHARS) -> str:
    """The first sentence of ``text``, cut to ``limit`` characters on a word boundary ("…" marks a cut)."""
    found = sentences(text.strip().split("\n", 1)[0])
    sentence = found[0] if found else ""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit + 1].rsplit(" ", 1)[0] if " " in sentence[:limit] else sentence[:limit]
    return cut.rstrip(" ,;:–—-") + "…"
