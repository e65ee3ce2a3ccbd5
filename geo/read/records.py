"""Typed records that flow between the stages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from geo.limits import MAX_SOURCE_CHARS, MAX_STORY_CHARS, MAX_TITLE_CHARS, MAX_URL_CHARS, shown
from geo.read.prose import fold

__all__ = ["Article", "Origin", "Problem", "article_id", "new_article", "read_locale"]

#: Lone surrogates (from "\ud800" escapes or "&#xD800;"), which become U+FFFD.
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
#: Control characters but tab, line feed and carriage return: they carry nothing and are dropped.
_CONTROL: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _valid_unicode(value: str) -> str:
    """``value`` with unpaired surrogates replaced and control characters dropped, so it can be hashed, stored
    and shown."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))


def _cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last space within its final 1,000 if there is one."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", max(0, limit - 1000), limit + 1)
    return text[: space if space > 0 else limit].rstrip()


def article_id(title: str, text: str) -> str:
    """The content id: the first 16 hex digits of sha256 over the folded title, a newline and the folded text."""
    return hashlib.sha256(f"{fold(title)}\n{fold(text)}".encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Article:
    """One news story; ``id`` comes from its title and text, so the same story read twice has the same id."""

    id: str
    title: str
    text: str
    url: str | None = None
    #: The publisher or site, else the file the story came from.
    source: str | None = None
    #: Timezone-aware UTC when known.
    published_at: datetime | None = None
    #: The country whose places the story most likely means (ISO 3166-1 alpha-2, "US" for a US weather office),
    #: given by the source or by the user; None when unknown.
    locale: str | None = None

    @classmethod
    def create(
        cls,
        title: str,
        text: str,
        *,
        url: str | None = None,
        source: str | None = None,
        published_at: datetime | None = None,
        locale: str | None = None,
    ) -> Article:
        """An article with its content id; lone surrogates (from "\\ud800" escapes or "&#xD800;") become U+FFFD."""
        title, text = _valid_unicode(title), _valid_unicode(text)
        url = _valid_unicode(url) if url is not None else None
        source = _valid_unicode(source) if source is not None else None
        return cls(article_id(title, text), title, text, url, source, published_at, locale)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``published_at`` in ISO 8601)."""
        published = self.published_at.isoformat() if self.published_at else None
        return {
            "id": self.id,
            "title": self.title,
            "text": self.text,
            "url": self.url,
            "source": self.source,
            "published_at": published,
            "locale": self.locale,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Article:
        """Inverse of :meth:`to_dict`."""
        published = data.get("published_at")
        return cls(
            str(data["id"]),
            str(data["title"]),
            str(data["text"]),
            data.get("url"),
            data.get("source"),
            datetime.fromisoformat(published) if published else None,
            data.get("locale"),
        )


def new_article(
    where: str,
    problems: list[Problem],
    title: str,
    text: str,
    *,
    url: str | None = None,
    source: str | None = None,
    published_at: datetime | None = None,
    locale: str | None = None,
) -> Article:
    """An article of the given fields, each held to its limit (``geo.limits``) with a problem naming what was cut:
    the text to ``MAX_STORY_CHARS`` characters, the title to ``MAX_TITLE_CHARS``, the source to
    ``MAX_SOURCE_CHARS``; a URL longer than ``MAX_URL_CHARS`` is dropped."""
    name = shown(title, 60)
    if len(text) > MAX_STORY_CHARS:
        message = f"the story {name} has {len(text):,} characters: cut to its first {MAX_STORY_CHARS:,}"
        problems.append(Problem(where, message))
        text = _cut(text, MAX_STORY_CHARS)
    if len(title) > MAX_TITLE_CHARS:
        problems.append(Problem(where, f"a title of {len(title):,} characters: cut to {MAX_TITLE_CHARS:,}"))
        title = _cut(title, MAX_TITLE_CHARS)
    if url is not None and len(url) > MAX_URL_CHARS:
        problems.append(Problem(where, f"the story {name} has a URL of {len(url):,} characters: dropped"))
        url = None
    if source is not None and len(source) > MAX_SOURCE_CHARS:
        source = _cut(source, MAX_SOURCE_CHARS)
    return Article.create(title, text, url=url, source=source, published_at=published_at, locale=locale)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input: where ("FILE:LINE", "FILE" or a URL) and what was skipped."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where articles come from: a name for messages, the name whose extension hints at the format, the
    publisher or file, and the URL when read from one."""

    where: str
    #: The path or URL path whose extension hints at the format.
    name: str
    source: str | None
    url: str | None


def read_locale(text: str | None) -> str | None:
    """A country code as a locale ("us" -> "US"); None for anything that is not two ASCII letters."""
    code = (text or "").strip()
    return code.upper() if len(code) == 2 and code.isascii() and code.isalpha() else None
