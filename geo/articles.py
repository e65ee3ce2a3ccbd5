"""Read news into Article records from a file, an http(s) URL or stdin: JSONL, CSV, RSS/Atom, HTML or a page dump.

JSONL and CSV are streamed, one record in memory at a time. Page dumps are streamed too: decoded line by line
and split with a bounded window of recent stories (:func:`geo.pagesplit.split_lines`), so their size has no
limit. Feeds and HTML are read whole, up to ``MAX_DOCUMENT_BYTES``. Bad input never raises: each problem
becomes a :class:`Problem` saying where it is and what was skipped, and reading goes on with the rest.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import http.client
import io
import os
import re
import sys
import time
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from pathlib import PurePath
from typing import Any, BinaryIO, Final

import feedparser
import trafilatura

from geo.jsonl import MAX_LINE_BYTES, parse_json_object
from geo.pagesplit import first_sentence, fold, split_lines

__all__ = ["Article", "Problem", "article_id", "fetch_url", "html_text", "iter_articles", "parse_date", "read_articles"]

USER_AGENT: Final = "geo-news-event-map/0.1 (article reader)"
#: Seconds to wait for a server when reading a URL.
FETCH_TIMEOUT: Final = 20.0
#: Feeds, HTML pages and fetched pages larger than this are refused (JSONL, CSV and page dumps are streamed).
MAX_DOCUMENT_BYTES: Final = 64 * 1024 * 1024
#: Bytes looked at to tell the format and to spot binary files.
SNIFF_BYTES: Final = 8192
#: Largest CSV field, in characters (the csv module's default of 131072 is too small for long stories).
MAX_CSV_FIELD: Final = MAX_LINE_BYTES

_EXTENSIONS: Final = {
    **dict.fromkeys((".jsonl", ".ndjson", ".json"), "jsonl"),
    ".csv": "csv",
    **dict.fromkeys((".xml", ".rss", ".atom"), "feed"),
    **dict.fromkeys((".html", ".htm"), "html"),
}
_FIELDS: Final = ("title", "text", "url", "source", "published_at")
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_SURROGATE_REFERENCE: Final = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*(?:5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3]));"
)
_META_CHARSET: Final = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _valid_unicode(value: str) -> str:
    """``value`` with unpaired surrogates replaced, so it can be hashed, stored and shown."""
    return _SURROGATE.sub("\ufffd", value)


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

    @classmethod
    def create(
        cls,
        title: str,
        text: str,
        *,
        url: str | None = None,
        source: str | None = None,
        published_at: datetime | None = None,
    ) -> Article:
        """An article with its content id; lone surrogates (from "\\ud800" escapes or "&#xD800;") become U+FFFD."""
        title, text = _valid_unicode(title), _valid_unicode(text)
        url = _valid_unicode(url) if url is not None else None
        source = _valid_unicode(source) if source is not None else None
        return cls(article_id(title, text), title, text, url, source, published_at)

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
        )


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with the input: where ("FILE:LINE", "FILE" or a URL) and what was skipped."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True, slots=True)
class _Origin:
    where: str
    #: The path or URL path whose extension hints at the format.
    name: str
    source: str | None
    url: str | None


def read_articles(
    source: str | os.PathLike[str], *, fetch: Callable[[str], bytes] | None = None
) -> tuple[list[Article], list[Problem]]:
    """Every article of ``source`` (a path, an http(s) URL or "-" for stdin) and the problems met."""
    problems: list[Problem] = []
    return list(iter_articles(source, problems, fetch=fetch)), problems


def iter_articles(
    source: str | os.PathLike[str], problems: list[Problem], *, fetch: Callable[[str], bytes] | None = None
) -> Iterator[Article]:
    """The articles of ``source``, read lazily; problems are appended to ``problems`` as they are met.

    Only an http(s) URL touches the network, through ``fetch`` (default :func:`fetch_url`).
    """
    origin = _origin(source)
    with _opened(source, origin, fetch or fetch_url, problems) as stream:
        if stream is not None:
            yield from _read(stream, origin, problems)


def fetch_url(url: str, *, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The body of ``url`` (at most one byte more than ``MAX_DOCUMENT_BYTES``)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        body: bytes = response.read(MAX_DOCUMENT_BYTES + 1)
    return body


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def _origin(source: str | os.PathLike[str]) -> _Origin:
    text = os.fspath(source)
    if text == "-":
        return _Origin("<stdin>", "", None, None)
    if _is_url(text):
        parts = urllib.parse.urlsplit(text)
        return _Origin(text, parts.path, parts.hostname, text)
    return _Origin(text, text, PurePath(text).name, None)


@contextmanager
def _opened(
    source: str | os.PathLike[str], origin: _Origin, fetch: Callable[[str], bytes], problems: list[Problem]
) -> Iterator[BinaryIO | None]:
    """The bytes of ``source`` as a stream, or None (and a problem) when they cannot be had."""
    text = os.fspath(source)
    if text == "-":
        yield sys.stdin.buffer
        return
    try:
        stream: BinaryIO = io.BytesIO(fetch(text)) if _is_url(text) else open(text, "rb")  # noqa: SIM115
    except (OSError, http.client.HTTPException) as err:
        verb = "could not fetch" if _is_url(text) else "could not open"
        problems.append(Problem(origin.where, f"{verb} it ({err}); nothing read"))
        yield None
        return
    with stream:
        yield stream


def _read(stream: BinaryIO, origin: _Origin, problems: list[Problem]) -> Iterator[Article]:
    head = stream.read(SNIFF_BYTES)
    if not head.strip():
        problems.append(Problem(origin.where, "empty: no articles"))
        return
    if _looks_binary(head):
        message = "binary data (NUL bytes or mostly not UTF-8), not text: skipped; convert it to UTF-8 text"
        problems.append(Problem(origin.where, message))
        return
    kind = _EXTENSIONS.get(PurePath(origin.name).suffix.lower()) or _sniff(head)
    if kind in ("jsonl", "csv"):
        reader = _jsonl_articles if kind == "jsonl" else _csv_articles
        yield from reader(_lines(head, stream), origin, problems)
        return
    if kind == "text" and origin.url is None:
        yield from _page_articles(_page_lines(head, stream, origin.where, problems), origin, problems)
        return
    data = head + stream.read(MAX_DOCUMENT_BYTES + 1 - len(head))
    if len(data) > MAX_DOCUMENT_BYTES:
        problems.append(Problem(origin.where, f"larger than {MAX_DOCUMENT_BYTES} bytes: not read"))
    elif kind == "feed":
        yield from _feed_articles(data, origin, problems)
    elif kind == "html":
        yield from _html_articles(_decode(data, origin.where, problems, _declared_charset(data)), origin, problems)
    else:  # a fetched page dump: fetch_url stops one byte past MAX_DOCUMENT_BYTES, so a cut page is refused above
        yield from _page_articles(_page_lines(data, io.BytesIO(), origin.where, problems), origin, problems)


def _looks_binary(head: bytes) -> bool:
    decoded = head.decode("utf-8", errors="replace")
    return b"\0" in head or decoded.count("\ufffd") > len(decoded) // 4


def _sniff(head: bytes) -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:512].lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if start.startswith((b"<?xml", b"<rss", b"<feed", b"<rdf")):
        return "html" if b"<html" in head.lower() else "feed"
    if start.startswith(b"{"):
        return "jsonl"
    header = {name.strip(b' \t\r"') for name in start.split(b"\n", 1)[0].split(b",")}
    return "csv" if b"," in start.split(b"\n", 1)[0] and header & {b"title", b"text"} else "text"


def _lines(head: bytes, rest: BinaryIO) -> Iterator[bytes]:
    """The lines of ``head`` followed by those of ``rest``, read lazily."""
    first = io.BytesIO(head).readlines()
    if not first[-1].endswith(b"\n"):
        first[-1] += rest.readline()
    yield from first
    yield from rest


def _line_pieces(head: bytes, rest: BinaryIO, limit: int) -> Iterator[bytes]:
    """The lines of ``head`` then ``rest``, read lazily; a line longer than ``limit`` bytes comes in pieces."""
    start = io.BytesIO(head)
    for piece in iter(lambda: start.readline(limit), b""):
        complete = piece.endswith(b"\n") or len(piece) == limit
        yield piece if complete else piece + rest.readline(limit - len(piece))
    yield from iter(lambda: rest.readline(limit), b"")


class _PageDecoder:
    """UTF-8 decoded piece by piece, a BOM at the start dropped; bytes that are not UTF-8 become U+FFFD, with one
    problem naming the first line that has any."""

    def __init__(self, where: str, problems: list[Problem]) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._where, self._problems = where, problems
        self._offset = 0

    def decode(self, piece: bytes, line: int, *, final: bool = False) -> str:
        """The text of the next ``piece`` (on line ``line``); a character cut at its end waits for the next one."""
        if self._offset == 0 and piece.startswith(codecs.BOM_UTF8):
            piece, self._offset = piece[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
        pending = len(self._decoder.getstate()[0])
        try:
            text = self._decoder.decode(piece, final)
        except UnicodeDecodeError as err:
            offset = self._offset - pending + err.start
            message = f"not UTF-8 (first bad byte on line {line}, at offset {offset}): replaced by U+FFFD"
            self._problems.append(Problem(self._where, message))
            self._decoder.errors = "replace"
            text = self._decoder.decode(piece, final)
        self._offset += len(piece)
        return text


def _page_lines(head: bytes, rest: BinaryIO, where: str, problems: list[Problem]) -> Iterator[str]:
    """The text lines of a page dump (``head`` then ``rest``), decoded lazily in bounded memory.

    A line longer than ``MAX_LINE_BYTES`` is read in pieces of that size, each cut after its last space (or at
    once when it has none) and split as a paragraph of its own, with a problem naming the line. This keeps every
    word, where truncating the line would drop the rest of it; the cost is a paragraph break inside that line.
    """
    decoder = _PageDecoder(where, problems)
    number, carry, cut_line = 1, "", 0
    for piece in _line_pieces(head, rest, MAX_LINE_BYTES):
        text = carry + decoder.decode(piece, number)
        if piece.endswith(b"\n") or len(piece) < MAX_LINE_BYTES:
            yield from text.splitlines()
            number, carry = number + 1, ""
            continue
        if cut_line != number:
            message = f"longer than {MAX_LINE_BYTES} bytes: read in pieces cut at spaces, each a paragraph"
            problems.append(Problem(f"{where}:{number}", message))
            cut_line = number
        space = max(text.rfind(" ", len(carry)), text.rfind("\r", len(carry)))
        cut = space + 1 if space >= 0 else len(text)
        yield from text[:cut].splitlines()
        carry = text[cut:]
    yield from (carry + decoder.decode(b"", number, final=True)).splitlines()


def _declared_charset(page: bytes) -> str | None:
    """The encoding an HTML page declares in a ``<meta>`` near its start, when Python knows it."""
    match = _META_CHARSET.search(page[:SNIFF_BYTES])
    try:
        return codecs.lookup(match.group(1).decode("ascii")).name if match else None
    except LookupError:
        return None


def _decode(data: bytes, where: str, problems: list[Problem], encoding: str | None = None) -> str:
    try:
        return data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as err:
        name = encoding or "UTF-8"
        problems.append(Problem(where, f"not {name} (first bad byte at offset {err.start}): replaced by U+FFFD"))
        return data.decode(encoding or "utf-8-sig", errors="replace")


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


def _record_article(fields: Mapping[str, Any], where: str, origin: _Origin, problems: list[Problem]) -> Article | None:
    """The article of one JSONL or CSV record, or None (and a problem) when it has no usable title or text."""
    bad = [name for name in _FIELDS if fields.get(name) is not None and not isinstance(fields[name], str)]
    if bad:
        problems.append(Problem(where, f'"{bad[0]}" must be a string, not {type(fields[bad[0]]).__name__}; skipped'))
        return None
    value = {name: (fields.get(name) or "").strip() or None for name in _FIELDS}
    title, text = value["title"], value["text"]
    if title is None and text is None:
        problems.append(Problem(where, 'has neither a "title" nor a "text"; skipped'))
        return None
    published = parse_date(value["published_at"])
    if value["published_at"] and published is None:
        problems.append(Problem(where, f"published_at {value['published_at']!r} is not a date; left empty"))
    title = title or first_sentence(text or "")
    source = value["source"] or origin.source
    return Article.create(title, text or title, url=value["url"], source=source, published_at=published)


def _json_object(raw: bytes, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    """The object on one JSONL line, or None (and a problem) when it is not one."""
    item, problem, warning = parse_json_object(raw)
    if warning:
        problems.append(Problem(where, warning))
    if problem:
        problems.append(Problem(where, f"{problem}; skipped"))
    return item


def _jsonl_articles(lines: Iterator[bytes], origin: _Origin, problems: list[Problem]) -> Iterator[Article]:
    for number, raw in enumerate(lines, 1):
        where = f"{origin.where}:{number}"
        item = _json_object(raw.rstrip(b"\r\n"), where, problems) if raw.strip() else None
        article = _record_article(item, where, origin, problems) if item is not None else None
        if article is not None:
            yield article


class _Replay:
    """Numbered text lines for csv.reader; after a bad row, all but its first line are read again."""

    def __init__(self, lines: Iterator[bytes], where: str, problems: list[Problem]) -> None:
        self._lines = enumerate(lines, 1)
        self._back: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self._where, self._problems = where, problems

    def __iter__(self) -> _Replay:
        return self

    def __next__(self) -> str:
        if self._back:
            item = self._back.popleft()
        else:
            number, raw = next(self._lines)
            item = (number, _decode(raw, f"{self._where}:{number}", self._problems))
        self.taken.append(item)
        return item[1]

    def skip_first(self) -> int:
        """Put back the lines of the current row but its first; the number of that first line."""
        first, *rest = self.taken
        self._back.extendleft(reversed(rest))
        self.taken = []
        return first[0]


#: What the csv module's errors mean, by the start of their message.
_CSV_ERRORS: Final = {
    "unexpected end of data": "a quoted field is never closed",
    "field larger than field limit": f"a field is longer than {MAX_CSV_FIELD} characters",
    "',' expected after '\"'": "text follows a closing quote",
}


def _csv_error(err: csv.Error) -> str:
    message = str(err)
    return next((plain for start, plain in _CSV_ERRORS.items() if message.startswith(start)), message)


def _csv_rows(replay: _Replay, where: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-empty row; a bad row is a problem and reading resumes after its line."""
    reader = csv.reader(replay, strict=True)
    previous = csv.field_size_limit(MAX_CSV_FIELD)
    try:
        while True:
            replay.taken = []
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as err:
                line = replay.skip_first()
                problems.append(Problem(f"{where}:{line}", f"bad CSV row ({_csv_error(err)}); skipped line {line}"))
                continue
            if row:
                yield replay.taken[0][0], row
    finally:
        csv.field_size_limit(previous)


def _csv_articles(lines: Iterator[bytes], origin: _Origin, problems: list[Problem]) -> Iterator[Article]:
    rows = _csv_rows(_Replay(lines, origin.where, problems), origin.where, problems)
    number, header = next(rows, (0, []))
    names = [name.strip().casefold() for name in header]
    if "title" not in names and "text" not in names:
        message = (
            f'the first row {header!r} names neither a "title" nor a "text" column; nothing read'
            " (a CSV file needs a header row: title, text, url, source, published_at)"
        )
        problems.append(Problem(f"{origin.where}:{number}" if number else origin.where, message))
        return
    for number, row in rows:
        where = f"{origin.where}:{number}"
        if len(row) > len(names):
            problems.append(Problem(where, f"{len(row)} fields but the header has {len(names)}; skipped"))
            continue
        article = _record_article(dict(zip(names, row, strict=False)), where, origin, problems)
        if article is not None:
            yield article


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


def _feed_articles(data: bytes, origin: _Origin, problems: list[Problem]) -> Iterator[Article]:
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


def _html_articles(markup: str, origin: _Origin, problems: list[Problem]) -> Iterator[Article]:
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


def _page_articles(lines: Iterable[str], origin: _Origin, problems: list[Problem]) -> Iterator[Article]:
    """The stories of a page dump's ``lines`` as articles, read lazily; a problem when there are none."""
    found = False
    for story in split_lines(lines):
        found = True
        yield Article.create(story.title, story.text, url=origin.url, source=origin.source)
    if not found:
        problems.append(Problem(origin.where, "no news text found (only menu or boilerplate lines)"))
