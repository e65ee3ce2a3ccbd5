"""Read news into Article records from a file, an http(s) URL or stdin: JSONL, CSV, RSS/Atom, HTML or a page dump.

JSONL and CSV are streamed, one record in memory at a time. Page dumps are streamed too: decoded line by line
and split with a bounded window of recent stories (:func:`geo.read.pagesplit.split_lines`), so their size has no
limit. Feeds and HTML are read whole, up to ``MAX_DOCUMENT_BYTES``. Every reader is linear in its input and
every story is held to the limits of :mod:`geo.limits`. Bad input never raises: each problem becomes a
:class:`Problem` saying where it is and what was skipped, and reading goes on with the rest.

What may be read is decided once, by :func:`_origin`: an upload, an http(s) URL (:func:`geo.read.fetch.web_url`),
and, unless ``files=False`` (the dashboard), a path or ``-`` for standard input.
"""

from __future__ import annotations

import http.client
import io
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, BinaryIO, Final

from geo.errors import DataFormatError
from geo.limits import MAX_DOCUMENT_BYTES, shown
from geo.read.charsets import SNIFF_BYTES, html_encoding, is_xml_start, looks_binary, utf8_stream
from geo.read.dates import EARLIEST, LATEST, parse_date
from geo.read.fetch import fetch_url, web_url
from geo.read.jsonl import BoundedLines, parse_json_object
from geo.read.pagesplit import split_lines
from geo.read.prose import first_sentence
from geo.read.records import Article, Origin, Problem, new_article, read_locale
from geo.read.textio import byte_lines, csv_rows, decode, page_lines
from geo.read.webpages import feed_articles, html_articles

__all__ = ["Source", "Upload", "given_sources", "iter_articles", "read_articles"]

_EXTENSIONS: Final = {
    **dict.fromkeys((".jsonl", ".ndjson", ".json"), "jsonl"),
    ".csv": "csv",
    **dict.fromkeys((".xml", ".rss", ".atom"), "feed"),
    **dict.fromkeys((".html", ".htm"), "html"),
}
_FIELDS: Final = ("title", "text", "url", "source", "published_at", "locale")


@dataclass(frozen=True, slots=True)
class Upload:
    """A file given as its bytes (an upload in the page, pasted text): read as the file ``name`` would be; or,
    with ``url``, the bytes already fetched from that http(s) URL, read as the URL would be (its host is the
    source of the stories)."""

    name: str
    data: bytes
    url: str | None = None


#: What articles are read from: a path, an http(s) URL, "-" for stdin, or an upload.
Source = str | os.PathLike[str] | Upload


def given_sources(pasted: str, uploads: Iterable[Upload], url: str) -> list[Source]:
    """What a person gave the page to read: the pasted text, each upload, then the URL, which must be http(s)
    (DataFormatError otherwise: a page reads no file on its server)."""
    sources: list[Source] = []
    if pasted.strip():
        sources.append(Upload("pasted text", pasted.encode("utf-8")))
    sources += list(uploads)
    if url.strip():
        sources.append(web_url(url))
    return sources


def read_articles(
    source: Source, *, fetch: Callable[[str], bytes] | None = None, files: bool = True
) -> tuple[list[Article], list[Problem]]:
    """Every article of ``source`` (a path, an http(s) URL, "-" for stdin or an upload) and the problems met."""
    problems: list[Problem] = []
    return list(iter_articles(source, problems, fetch=fetch, files=files)), problems


def iter_articles(
    source: Source, problems: list[Problem], *, fetch: Callable[[str], bytes] | None = None, files: bool = True
) -> Iterator[Article]:
    """The articles of ``source``, read lazily; problems are appended to ``problems`` as they are met.

    Only an http(s) URL touches the network, through ``fetch`` (default :func:`geo.read.fetch.fetch_url`). With
    ``files=False`` a path or "-" is refused: only uploads and URLs are read (what the dashboard allows).
    """
    try:
        origin = _origin(source, files=files)
    except DataFormatError as err:
        problems.append(Problem(_named(source), str(err)))
        return
    with _opened(source, origin, fetch or fetch_url, problems) as stream:
        if stream is not None:
            yield from _read(stream, origin, problems)


def _named(source: Source) -> str:
    """A short name of ``source`` for a problem that refuses it."""
    return source.name if isinstance(source, Upload) else shown(os.fspath(source), 60)


def _is_url(text: str) -> bool:
    """Whether ``text`` is written as a URL (a scheme and "//"), which only :func:`web_url` may accept."""
    scheme, separator, _ = text.partition("://")
    return bool(separator) and scheme.isascii() and scheme.replace("+", "").replace("-", "").replace(".", "").isalnum()


def _origin(source: Source, *, files: bool) -> Origin:
    """Where ``source`` comes from, once it is known that it may be read; DataFormatError saying why not."""
    if isinstance(source, Upload) and source.url is not None:
        return _url_origin(source.url)
    if isinstance(source, Upload):
        name = PurePath(source.name.replace("\\", "/")).name or "upload"
        return Origin(name, name, name, None)
    text = os.fspath(source)
    if isinstance(source, str) and (_is_url(text) or not files):
        return _url_origin(text)
    if not files:
        raise DataFormatError(f"{shown(text)} is a path: only uploads and http(s) URLs are read here")
    if text == "-":
        return Origin("<stdin>", "", None, None)
    return Origin(text, text, PurePath(text).name, None)


def _url_origin(text: str) -> Origin:
    """Where the http(s) URL ``text`` comes from; DataFormatError when it is not one."""
    url = web_url(text)
    parts = urllib.parse.urlsplit(url)
    return Origin(url, parts.path, parts.hostname, url)


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
        stream: BinaryIO = io.BytesIO(fetch(origin.url)) if origin.url else open(text, "rb")  # noqa: SIM115
    except (OSError, http.client.HTTPException, ValueError) as err:
        verb = "could not fetch" if origin.url else "could not open"
        problems.append(Problem(origin.where, f"{verb} it ({err}); nothing read"))
        yield None
        return
    with stream:
        yield stream


def _read(stream: BinaryIO, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    head, stream = utf8_stream(stream.read(SNIFF_BYTES), stream)
    if not head.strip():
        problems.append(Problem(origin.where, "empty: no articles"))
        return
    xml = is_xml_start(head)  # in UTF-16 or UTF-32 without a byte-order mark, or in EBCDIC
    if not xml and looks_binary(head):
        message = "binary data, not text: skipped (a text file must be UTF-8, or UTF-16 with a byte-order mark)"
        problems.append(Problem(origin.where, message))
        return
    kind = _EXTENSIONS.get(PurePath(origin.name).suffix.lower()) or ("feed" if xml else _sniff(head))
    if kind in ("jsonl", "csv"):
        lines = byte_lines(head, stream)
        yield from (_jsonl_articles if kind == "jsonl" else _csv_articles)(lines, origin, problems)
        if gave_up := lines.gave_up_message():
            problems.append(Problem(origin.where, gave_up))
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
        yield from html_articles(decode(data, origin.where, problems, html_encoding(data)), origin, problems)
    else:  # a fetched page dump, whole (fetch_url refuses one over MAX_DOCUMENT_BYTES)
        yield from _page_articles(page_lines(data, io.BytesIO(), origin.where, problems), origin, problems)


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
        message = f"published_at {shown(value['published_at'])} is not a date in {EARLIEST.year}-{LATEST.year}"
        problems.append(Problem(where, f"{message}; left empty"))
    title = title or first_sentence(text or "")
    source = value["source"] or origin.source
    locale = read_locale(value["locale"])
    if value["locale"] and locale is None:
        problems.append(Problem(where, f"locale {shown(value['locale'])} is not a two-letter country code; left empty"))
    return new_article(
        where, problems, title, text or title, url=value["url"], source=source, published_at=published, locale=locale
    )


def _json_object(raw: bytes, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    """The object on one JSONL line, or None (and a problem) when it is not one."""
    item, problem, warning = parse_json_object(raw)
    if warning:
        problems.append(Problem(where, warning))
    if problem:
        problems.append(Problem(where, f"{problem}; skipped"))
    return item


def _jsonl_articles(lines: BoundedLines, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
    for number, raw in enumerate(lines, 1):
        where = f"{origin.where}:{number}"
        item = _json_object(raw.rstrip(b"\r\n"), where, problems) if raw.strip() else None
        article = _record_article(item, where, origin, problems) if item is not None else None
        if article is not None:
            yield article


def _csv_articles(lines: BoundedLines, origin: Origin, problems: list[Problem]) -> Iterator[Article]:
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
        yield new_article(origin.where, problems, story.title, story.text, url=origin.url, source=origin.source)
    if not found:
        problems.append(Problem(origin.where, "no news text found (only menu or boilerplate lines)"))
