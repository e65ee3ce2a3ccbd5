"""Articles from RSS/Atom feeds (feedparser, sanitised) and HTML pages (trafilatura), and the dates they carry."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any, Final

import feedparser
import trafilatura

from geo.pagesplit import first_sentence, fold
from geo.records import Article, Origin, Problem

__all__ = ["feed_articles", "html_articles", "html_text", "parse_date"]


_SURROGATE_REFERENCE: Final = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*(?:5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3]));"
)


def parse_date(value: str | None, parsed: time.struct_time | None = None) -> datetime | None:
    """A UTC datetime from ISO 8601, RFC 2822 or feedparser's parsed struct; naive times are taken as UTC."""
    found: datetime | None = None
    if value:
        try:
            found = datetime.fromisoformat(value.strip())
        except ValueError:
            try:
                found = parsedate_to_datetime(value)
            except (TypeError, ValueError):
                found = None
    if found is None and parsed is not None:
        found = datetime(*parsed[:6], tzinfo=UTC)
    if found is None:
        return None
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


class _TextParser(HTMLParser):
    """Collects the text of HTML, without scripts, styles and other non-text elements."""

    _SKIP: Final = frozenset("script style noscript template svg iframe object head".split())
    _BLOCK: Final = frozenset("p div br li ul ol h1 h2 h3 h4 h5 h6 tr table section article blockquote pre".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skipping += tag in self._SKIP
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        if tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_text(markup: str) -> str:
    """Plain text of an HTML fragment: entities decoded, tags, scripts and styles dropped, one line a block."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _entry_article(entry: Any, feed_source: str | None) -> Article | None:
    contents = [str(part.get("value") or "") for part in entry.get("content") or []]
    body = max(contents, key=len, default="") or str(entry.get("summary") or "")
    title, text = html_text(str(entry.get("title") or "")), html_text(body)
    if not title and not text:
        return None
    source = (entry.get("source") or {}).get("title") or feed_source
    published = parse_date(
        entry.get("published") or entry.get("updated"), entry.get("published_parsed") or entry.get("updated_parsed")
    )
    title = title or first_sentence(text)
    return Article.create(title, text or title, url=entry.get("link"), source=source, published_at=published)


#: The name an ``<!ENTITY`` declares (a parameter entity's too), and a reference to a named entity.
_ENTITY_NAME: Final = re.compile(rb"<!ENTITY\s+(?:%\s+)?([A-Za-z_:][\w.:-]*)", re.IGNORECASE)
_ENTITY_REFERENCE: Final = re.compile(rb"&([A-Za-z_:][\w.:-]*);")


def _declaration_end(data: bytes, start: int) -> int:
    """Where the ``<!DOCTYPE`` at ``start`` ends: after its ``>``, outside brackets and quotes (else the end)."""
    depth, quote = 0, 0
    for index in range(start + 2, len(data)):
        byte = data[index]
        if quote:
            quote = 0 if byte == quote else quote
        elif byte in b"\"'":
            quote = byte
        elif byte == ord("["):
            depth += 1
        elif byte == ord("]"):
            depth = max(depth - 1, 0)
        elif byte == ord(">") and depth == 0:
            return index + 1
    return len(data)


def _without_doctype(data: bytes, where: str, problems: list[Problem]) -> bytes | None:
    """The feed without any DOCTYPE, so no entity is expanded (nor an external one read); None to refuse it.

    Every ``<!DOCTYPE`` goes, even one inside a comment, in one linear pass. A feed still declaring an entity
    after that is refused."""
    lowered = data.lower()
    if b"<!doctype" not in lowered:
        return data if b"<!entity" not in lowered else None
    kept, dropped, position = [], [], 0
    while (start := lowered.find(b"<!doctype", position)) >= 0:
        kept.append(data[position:start])
        position = _declaration_end(data, start)
        dropped.append(data[start:position])
    kept.append(data[position:])
    result = b"".join(kept)
    if b"<!entity" in result.lower():
        return None
    names = {match.group(1) for match in _ENTITY_NAME.finditer(b"".join(dropped))}
    if names:
        problems.append(Problem(where, "the feed declares XML entities: its DOCTYPE was dropped, nothing was expanded"))
        # Their references would make the feed ill-formed: they go too (one linear pass over the feed).
        result = _ENTITY_REFERENCE.sub(lambda ref: b"" if ref.group(1) in names else ref.group(), result)
    return result


def feed_articles(data: bytes, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    """The entries of an RSS/Atom feed as articles, their HTML reduced to text; a problem for what is skipped."""
    cleaned = _without_doctype(data, origin.where, problems)
    if cleaned is None:
        problems.append(Problem(origin.where, "XML entity declarations outside a DOCTYPE: not read"))
        return
    data = cleaned
    # feedparser's lenient parser cannot encode a character reference to a lone surrogate ("&#xD800;").
    data = _SURROGATE_REFERENCE.sub(b"&#xFFFD;", data)
    try:
        parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    except (UnicodeError, ValueError) as err:
        problems.append(Problem(origin.where, f"feed could not be parsed ({err}); no articles"))
        return
    if parsed.bozo:
        recovered = len(parsed.entries)
        message = f"feed is not well-formed ({parsed.get('bozo_exception')}); read the {recovered} entries recovered"
        problems.append(Problem(origin.where, message))
    elif not parsed.entries:
        problems.append(Problem(origin.where, "no RSS or Atom entries found: no articles"))
    feed_source = parsed.feed.get("title") or origin.source
    for number, entry in enumerate(parsed.entries, 1):
        article = _entry_article(entry, feed_source)
        if article is None:
            problems.append(Problem(origin.where, f"entry {number} has neither a title nor text; skipped"))
        else:
            yield article


def html_articles(markup: str, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    """The article of an HTML page (main text by trafilatura, else all visible text); a problem if it has none."""
    meta = trafilatura.extract_metadata(markup, default_url=origin.url)
    body = trafilatura.extract(markup, url=origin.url, output_format="txt", include_comments=False)
    text = body or html_text(markup)
    title = meta.title or first_sentence(text)
    first, _, rest = text.partition("\n")
    if rest and fold(first) == fold(title):
        text = rest
    if not text.strip():
        problems.append(Problem(origin.where, "an HTML page without readable text: no articles"))
        return
    published = parse_date(meta.date)
    yield Article.create(
        title, text, url=meta.url or origin.url, source=meta.sitename or origin.source, published_at=published
    )
