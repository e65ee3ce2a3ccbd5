"""Markup made safe to hand to a parser: decoded first, then stripped of every DOCTYPE, so that no entity is ever
expanded and no external one read, whatever encoding the document was written in; and of what makes expat slow:
its comments, and the attributes of a tag of more than MAX_TAG_CHARS (expat before 2.6 reads such a token again
for every 64 KB that arrives, in time growing with the square of its length).

A feed is decoded by :func:`geo.read.charsets.xml_encoding` (byte-order mark, byte layout, declaration), defused as
text and handed on as UTF-8 with a declaration saying so. Every step is one linear pass.
"""

from __future__ import annotations

import re
from typing import Final

from geo.read.charsets import xml_encoding
from geo.read.records import Problem

__all__ = ["MAX_TAG_CHARS", "feed_bytes", "lean_markup", "without_doctype"]

_DOCTYPE: Final = re.compile(r"<!doctype", re.IGNORECASE | re.ASCII)
_ENTITY: Final = re.compile(r"<!entity", re.IGNORECASE | re.ASCII)
#: What can end, open or quote within a DOCTYPE.
_DECLARATION_MARK: Final = re.compile(r"[\"'\[\]>]")
#: What can end or quote within a tag.
_TAG_MARK: Final = re.compile(r"[\"'>]")
#: The start of a tag, up to its name.
_TAG_NAME: Final = re.compile(r"<[/?]?[^\s/>\"']{0,200}")
#: A tag longer than this keeps its name and loses its attributes.
MAX_TAG_CHARS: Final = 65_536
#: The name an ``<!ENTITY`` declares (a parameter entity's too), and a reference to a named entity.
_ENTITY_NAME: Final = re.compile(r"<!ENTITY\s+(?:%\s+)?([A-Za-z_:][\w.:-]*)", re.IGNORECASE)
_ENTITY_REFERENCE: Final = re.compile(r"&([A-Za-z_:][\w.:-]*);")
_XML_ENCODING: Final = re.compile(r"""(\A\s*<\?xml\s[^>]{0,200}?)\bencoding\s*=\s*(["'])[^"'>]{0,40}\2""")
#: A character reference to a lone surrogate ("&#xD800;"), which feedparser's lenient parser cannot encode.
_SURROGATE_REFERENCE: Final = re.compile(
    rb"&#(?:[xX]0*[dD][89a-fA-F][0-9a-fA-F]{2}|0*(?:5529[6-9]|55[3-9]\d\d|56\d{3}|57[0-2]\d\d|573[0-3]\d|5734[0-3]));"
)


def _declaration_end(text: str, start: int) -> int:
    """Where the ``<!DOCTYPE`` at ``start`` ends: after its ``>``, outside brackets and quotes (else the end)."""
    depth, position = 0, start + 2
    while mark := _DECLARATION_MARK.search(text, position):
        char, position = mark.group(), mark.end()
        if char in "\"'":
            close = text.find(char, position)
            if close < 0:
                return len(text)
            position = close + 1
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            return position
    return len(text)


def without_doctype(text: str) -> tuple[str, set[str]]:
    """``text`` without any DOCTYPE (even one inside a comment), and the names of the entities they declared."""
    kept, dropped, position = [], [], 0
    while start := _DOCTYPE.search(text, position):
        kept.append(text[position : start.start()])
        position = _declaration_end(text, start.start())
        dropped.append(text[start.start() : position])
    if not dropped:
        return text, set()
    kept.append(text[position:])
    return "".join(kept), {match.group(1) for match in _ENTITY_NAME.finditer("".join(dropped))}


def _tag_end(text: str, start: int) -> int:
    """Where the tag at ``start`` ends: after its ``>``, outside quotes (else the end)."""
    position = start + 1
    while mark := _TAG_MARK.search(text, position):
        if mark.group() == ">":
            return mark.end()
        close = text.find(mark.group(), mark.end())
        if close < 0:
            return len(text)
        position = close + 1
    return len(text)


def lean_markup(text: str) -> tuple[str, int]:
    """``text`` without comments (CDATA sections are kept whole), each tag of more than MAX_TAG_CHARS cut to its
    name; and how many tags were cut. One pass."""
    kept: list[str] = []
    cut, position, start = 0, 0, text.find("<")
    while start >= 0:
        if text.startswith("<!--", start):
            close = text.find("-->", start + 4)
            kept.append(text[position:start])
            position = end = len(text) if close < 0 else close + 3
        elif text.startswith("<![CDATA[", start):
            close = text.find("]]>", start + 9)
            end = len(text) if close < 0 else close + 3
        else:
            end = _tag_end(text, start)
            if end - start > MAX_TAG_CHARS:
                name = _TAG_NAME.match(text, start)
                closing = "/>" if text.startswith("/>", end - 2) else ">"
                kept += [text[position:start], (name.group() if name else "<x") + closing]
                position, cut = end, cut + 1
        start = text.find("<", end)
    if not kept:
        return text, 0
    kept.append(text[position:])
    return "".join(kept), cut


def _defused_feed(text: str, where: str, problems: list[Problem]) -> str | None:
    """The feed's text without DOCTYPE, comments nor references to the entities it declared, its overlong tags cut
    to their names; None to refuse it."""
    text, names = without_doctype(text)
    text, cut = lean_markup(text)
    if cut:
        problems.append(
            Problem(where, f"{cut} tags of more than {MAX_TAG_CHARS:,} characters: their attributes dropped")
        )
    if _ENTITY.search(text):
        problems.append(Problem(where, "XML entity declarations outside a DOCTYPE: not read"))
        return None
    if names:
        problems.append(Problem(where, "the feed declares XML entities: its DOCTYPE was dropped, nothing was expanded"))
        # Their references would make the feed ill-formed: they go too (one linear pass over the feed).
        text = _ENTITY_REFERENCE.sub(lambda ref: "" if ref.group(1) in names else ref.group(), text)
    return text


def feed_bytes(data: bytes, where: str, problems: list[Problem]) -> bytes | None:
    """The feed as UTF-8 that no parser can expand an entity in, or None (and a problem) to refuse it.

    Decoded in the encoding it is written in (bytes that do not decode become U+FFFD, with a problem), defused
    as text, then encoded as UTF-8 with its declaration saying so."""
    encoding = xml_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        problems.append(Problem(where, f"not {encoding} (first bad byte at offset {err.start}): replaced by U+FFFD"))
        text = data.decode(encoding, errors="replace")
    defused = _defused_feed(text.lstrip("\ufeff"), where, problems)
    if defused is None:
        return None
    declared = _XML_ENCODING.sub(r'\1encoding="utf-8"', defused, count=1)
    return _SURROGATE_REFERENCE.sub(b"&#xFFFD;", declared.encode("utf-8", errors="replace"))
