"""Articles from RSS/Atom feeds (feedparser, sanitised) and HTML pages (trafilatura)."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any, Final

import feedparser
import trafilatura

from geo.read.dates import parse_date
from geo.read.defuse import feed_bytes, without_doctype
from geo.read.prose import first_sentence, fold
from geo.read.records import Article, Origin, Problem, new_article

__all__ = ["feed_articles", "html_articles", "html_text"]


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


def _entry_article(entry: Any, feed_source: str | None, where: str, problems: list[Problem]) -> Article | None:
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
    link = entry.get("link")
    url = link if isinstance(link, str) else None
    return new_article(where, problems, title, text or title, url=url, source=source, published_at=published)


def feed_articles(data: bytes, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    """The entries of an RSS/Atom feed as articles, their HTML reduced to text; a problem for what is skipped."""
    defused = feed_bytes(data, origin.where, problems)
    if defused is None:
        return
    try:
        parsed = feedparser.parse(defused, sanitize_html=True, resolve_relative_uris=False)
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
        article = _entry_article(entry, feed_source, f"{origin.where} (entry {number})", problems)
        if article is None:
            problems.append(Problem(origin.where, f"entry {number} has neither a title nor text; skipped"))
        else:
            yield article


def html_articles(markup: str, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    """The article of an HTML page (main text by trafilatura, else all visible text); a problem if it has none.

    Its DOCTYPE goes first: HTML parsers expand no entity, but the text of an internal subset would show."""
    markup, _ = without_doctype(markup)
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
    url, source = meta.url or origin.url, meta.sitename or origin.source
    yield new_article(origin.where, problems, title, text, url=url, source=source, published_at=published)
