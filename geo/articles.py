"""Read news into Article records from a file, an http(s) URL or stdin: JSONL, CSV, RSS/Atom, HTML or a page dump.

JSONL and CSV are streamed, one record in memory at a time. Page dumps are streamed too: decoded line by line
and split with a bounded window of recent stories (:func:`geo.pagesplit.split_lines`), so their size has no
limit. Feeds and HTML are read whole, up to ``MAX_DOCUMENT_BYTES``. Bad input never raises: each problem
becomes a :class:`Problem` saying where it is and what was skipped, and reading goes on with the rest.
"""

from __future__ import annotations

import http.client
import io
import os
import sys
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO, Final

from geo.jsonl import parse_json_object
from geo.pagesplit import first_sentence, split_lines
from geo.records import Article, Origin, Problem
from geo.textio import byte_lines, csv_rows, declared_charset, decode, page_lines
from geo.webpages import feed_articles, html_articles, parse_date

__all__ = ["Source", "Upload", "fetch_url", "iter_articles", "read_articles"]

USER_AGENT: Final = "geo-news-event-map/0.1 (article reader)"
#: Seconds to wait for a server when reading a URL.
FETCH_TIMEOUT: Final = 20.0
#: Feeds, HTML pages and fetched pages larger than this are refused (JSONL, CSV and page dumps are streamed).
MAX_DOCUMENT_BYTES: Final = 64 * 1024 * 1024
#: Bytes looked at to tell the format and to spot binary files.
SNIFF_BYTES: Final = 8192

_EXTENSIONS: Final = {
    **dict.fromkeys((".jsonl", ".ndjson", ".json"), "jsonl"),
    ".csv": "csv",
    **dict.fromkeys((".xml", ".rss", ".atom"), "feed"),
    **dict.fromkeys((".html", ".htm"), "html"),
}
_FIELDS: Final = ("title", "text", "url", "source", "published_at")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file given as its bytes (an upload in the page, pasted text): read as the file ``name`` would be."""

    name: str
    data: bytes


#: What articles are read from: a path, an http(s) URL, "-" for stdin, or an upload.
Source = str | os.PathLike[str] | Upload


def read_articles(
    source: Source, *, fetch: Callable[[str], bytes] | None = None
) -> tuple[list[Article], list[Problem]]:
    """Every article of ``source`` (a path, an http(s) URL, "-" for stdin or an upload) and the problems met."""
    problems: list[Problem] = []
    return list(iter_articles(source, problems, fetch=fetch)), problems


def iter_articles(
    source: Source, problems: list[Problem], *, fetch: Callable[[str], bytes] | None = None
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


def _origin(source: Source) -> Origin:
    if isinstance(source, Upload):
        name = PurePath(source.name.replace("\\", "/")).name or "upload"
        return Origin(name, name, name, None)
    text = os.fspath(source)
    if text == "-":
        return Origin("<stdin>", "", None, None)
    if _is_url(text):
        parts = urllib.parse.urlsplit(text)
        return Origin(text, parts.path, parts.hostname, text)
    return Origin(text, text, PurePath(text).name, None)


@contextmanager
def _opened(
    source: Source, origin: Origin, fetch: Callable[[str], bytes], problems: list[Problem]
) -> Iterator[BinaryIO | None]:
    """The bytes of ``source`` as a stream, or None (and a problem) when they cannot be had."""
    if isinstance(source, Upload):
        yield io.BytesIO(source.data)
        return
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


def _read(stream: BinaryIO, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
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
        yield from reader(byte_lines(head, stream), origin, problems)
        return
    if kind == "text" and origin.url is None:
        yield from _page_articles(page_lines(head, stream, origin.where, problems), origin, problems)
        return
    data = head + stream.read(MAX_DOCUMENT_BYTES + 1 - len(head))
    if len(data) > MAX_DOCUMENT_BYTES:
        problems.append(Problem(origin.where, f"larger than {MAX_DOCUMENT_BYTES} bytes: not read"))
    elif kind == "feed":
        yield from feed_articles(data, origin, problems)
    elif kind == "html":
        yield from html_articles(decode(data, origin.where, problems, declared_charset(data)), origin, problems)
    else:  # a fetched page dump: fetch_url stops one byte past MAX_DOCUMENT_BYTES, so a cut page is refused above
        yield from _page_articles(page_lines(data, io.BytesIO(), origin.where, problems), origin, problems)


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


def _record_article(fields: Mapping[str, Any], where: str, origin: Origin, problems: list[Problem]) -> Article | None:
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


def _jsonl_articles(lines: Iterator[bytes], origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    for number, raw in enumerate(lines, 1):
        where = f"{origin.where}:{number}"
        item = _json_object(raw.rstrip(b"\r\n"), where, problems) if raw.strip() else None
        article = _record_article(item, where, origin, problems) if item is not None else None
        if article is not None:
            yield article


def _csv_articles(lines: Iterator[bytes], origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    rows = csv_rows(lines, origin.where, problems)
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


def _page_articles(lines: Iterable[str], origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    """The stories of a page dump's ``lines`` as articles, read lazily; a problem when there are none."""
    found = False
    for story in split_lines(lines):
        found = True
        yield Article.create(story.title, story.text, url=origin.url, source=origin.source)
    if not found:
        problems.append(Problem(origin.where, "no news text found (only menu or boilerplate lines)"))
