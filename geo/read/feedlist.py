"""Lists of feeds and pages to follow: a text file of URLs (one a line) or an OPML file exported by a feed reader.

A bad line or outline becomes a :class:`Problem` naming it; the good URLs are kept, in order, each once. An OPML
file is defused (:func:`geo.read.defuse.feed_bytes`: no DOCTYPE, so no entity is ever expanded) before it is
parsed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Final

from geo.errors import DataFormatError, GeoError
from geo.limits import MAX_DOCUMENT_BYTES, shown
from geo.read.charsets import is_xml_start
from geo.read.defuse import feed_bytes
from geo.read.fetch import web_url
from geo.read.records import Problem
from geo.read.textio import decode

__all__ = ["feed_urls", "read_feed_list", "urls_in_opml", "urls_in_text"]

_OPML_SUFFIXES: Final = (".opml", ".xml")


def feed_urls(given: Iterable[str], lists: Iterable[Path], problems: list[Problem]) -> list[str]:
    """The URLs ``given`` (on the command line), then those of each list file, each once."""
    urls = urls_in_text("\n".join(given), "command line", problems)
    for path in lists:
        urls += read_feed_list(path, problems)
    return _unique(urls)


def read_feed_list(path: Path, problems: list[Problem]) -> list[str]:
    """The URLs listed in the file at ``path`` (OPML or one URL a line); GeoError when it cannot be read."""
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as err:
        raise GeoError(f"cannot read the list of feeds {path}: {err.strerror or err}") from err
    if len(data) > MAX_DOCUMENT_BYTES:
        raise GeoError(f"the list of feeds {path} is larger than {MAX_DOCUMENT_BYTES} bytes: not read")
    where = str(path)
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if path.suffix.lower() in _OPML_SUFFIXES or start == b"<" or is_xml_start(data[:64]):
        return urls_in_opml(data, where, problems)
    return urls_in_text(decode(data, where, problems), where, problems)


def urls_in_text(text: str, where: str, problems: list[Problem]) -> list[str]:
    """The URLs of ``text``, one a line; blank lines and lines starting with "#" are skipped."""
    return _unique(_text_urls(text, where, problems))


def _text_urls(text: str, where: str, problems: list[Problem]) -> Iterator[str]:
    for number, line in enumerate(text.splitlines(), 1):
        entry = line.strip()
        if entry and not entry.startswith("#"):
            url = _checked(entry, f"{where}:{number}", problems)
            if url is not None:
                yield url


def urls_in_opml(data: bytes, where: str, problems: list[Problem]) -> list[str]:
    """The ``xmlUrl`` of every ``<outline>`` of an OPML document (folders of outlines included)."""
    defused = feed_bytes(data, where, problems)
    if defused is None:
        return []
    try:
        root = ElementTree.fromstring(defused)  # defused above: no DOCTYPE, so no entity
    except ElementTree.ParseError as err:
        problems.append(Problem(where, f"not a well-formed OPML file ({err}); no feeds read from it"))
        return []
    outlines = [node for node in root.iter() if _local_name(node.tag) == "outline"]
    if not outlines:
        problems.append(Problem(where, "no <outline> elements: not an OPML list of feeds"))
    return _unique(_outline_urls(outlines, where, problems))


def _outline_urls(outlines: Iterable[ElementTree.Element], where: str, problems: list[Problem]) -> Iterator[str]:
    for number, outline in enumerate(outlines, 1):
        attributes = {_local_name(name).casefold(): value for name, value in outline.attrib.items()}
        value = attributes.get("xmlurl")
        if value is None:
            continue  # a folder of outlines, or a link that is no feed
        name = attributes.get("title") or attributes.get("text") or f"outline {number}"
        url = _checked(value, f"{where} ({shown(name, 40)})", problems)
        if url is not None:
            yield url


def _local_name(tag: object) -> str:
    """An element's or attribute's name without its namespace."""
    return str(tag).rpartition("}")[2]


def _checked(text: str, where: str, problems: list[Problem]) -> str | None:
    """``text`` as an http(s) URL, or None (and a problem saying why) when it is not one."""
    try:
        return web_url(text)
    except DataFormatError as err:
        problems.append(Problem(where, f"{err}; skipped"))
        return None


def _unique(urls: Iterable[str]) -> list[str]:
    """``urls`` in order, each once."""
    return list(dict.fromkeys(urls))
