"""The encoding of a document, decided before anything parses it: byte-order marks, the XML declaration, an HTML
page's meta charset. Only character encodings count: a page declaring base64, rot13 or zlib is read as UTF-8.

Feeds are decoded here and handed on as UTF-8 whatever they were written in, so that the defences that read
their text (no DOCTYPE, no entity) see what the parser will see: a feed in UTF-16, UTF-7 or EBCDIC cannot
hide a declaration from them.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import Any, BinaryIO, Final

__all__ = [
    "SNIFF_BYTES",
    "bom_encoding",
    "html_encoding",
    "is_xml_start",
    "looks_binary",
    "rejoined",
    "text_encoding",
    "utf8_stream",
    "xml_encoding",
]

#: Bytes looked at to tell the format, the encoding and binary data.
SNIFF_BYTES: Final = 8192
#: Codecs that decode text but are not the character set of a document.
_NOT_CHARSETS: Final = frozenset({"idna", "punycode", "unicode-escape", "raw-unicode-escape", "undefined"})
#: Byte-order marks, longest first (a UTF-32 LE mark starts like a UTF-16 LE one), and the codec that drops them.
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: How "<?xm" starts a document without a byte-order mark (XML 1.0, appendix F).
_XML_FAMILIES: Final = (
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"Lo\xa7\x94", "cp037"),
)
_XML_DECLARED: Final = re.compile(r"""\s*<\?xml\s[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_META_CHARSET: Final = re.compile(rb"""<meta[^>]{0,500}?charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
#: Control bytes that text does not hold (tab, line feed, form feed, carriage return and escape aside).
_CONTROL: Final = bytes(set(range(32)) - {9, 10, 11, 12, 13, 27}) + b"\x7f"


def text_encoding(label: str) -> str | None:
    """Python's name for the character encoding ``label`` names, or None when it names none (an unknown label,
    or a codec such as base64, rot13, zlib or hex that is no character set)."""
    try:
        name = codecs.lookup(label).name
        "".encode(name)  # LookupError for codecs that do not turn text into bytes
    except (LookupError, UnicodeError):
        return None
    return None if name in _NOT_CHARSETS else name


def _wide(name: str) -> bool:
    return name.startswith(("utf-16", "utf-32"))


def bom_encoding(data: bytes) -> str | None:
    """The codec of the byte-order mark ``data`` starts with (it drops the mark when decoding), else None."""
    return next((name for mark, name in _BOMS if data.startswith(mark)), None)


def xml_encoding(data: bytes) -> str:
    """The encoding of an XML document: its byte-order mark, else how its first bytes are laid out, then the
    encoding its declaration names when that agrees with the layout (XML 1.0, appendix F); UTF-8 by default."""
    marked = bom_encoding(data)
    if marked is not None:
        return marked
    family = next((name for start, name in _XML_FAMILIES if data.startswith(start)), "utf-8")
    if _wide(family):
        return family
    match = _XML_DECLARED.match(data[:512].decode(family, errors="replace"))
    declared = text_encoding(match.group(1)) if match else None
    return declared if declared is not None and not _wide(declared) else family


def is_xml_start(head: bytes) -> bool:
    """Whether ``head`` starts an XML document written in UTF-16 or UTF-32 without a byte-order mark, or in
    EBCDIC: text that a look at its bytes would take for binary data."""
    return head.startswith(tuple(start for start, _ in _XML_FAMILIES))


def html_encoding(data: bytes) -> str | None:
    """The encoding of an HTML page: its byte-order mark, else the charset of a ``<meta>`` near its start (a
    UTF-16 one is taken for UTF-8, as browsers do); None when it gives none."""
    marked = bom_encoding(data)
    if marked is not None:
        return marked
    match = _META_CHARSET.search(data[:SNIFF_BYTES])
    declared = text_encoding(match.group(1).decode("ascii")) if match else None
    return "utf-8" if declared is not None and _wide(declared) else declared


def looks_binary(head: bytes) -> bool:
    """Whether the first bytes of a file are binary data rather than UTF-8 text: over a tenth control bytes
    (one NUL in a line of text is not enough), or over a quarter not UTF-8."""
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    decoded = head.decode("utf-8", errors="replace")
    return controls * 10 > len(head) or decoded.count("\ufffd") * 4 > len(decoded)


class _Joined(io.RawIOBase):
    """The bytes of ``head`` and then of ``rest``, as one stream."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._head[: len(buffer)] if self._head else read_some(self._rest, len(buffer))
        self._head = self._head[len(data) :]
        buffer[: len(data)] = data
        return len(data)


def read_some(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes of ``stream``: what has arrived (a pipe's first line) rather than waiting for all."""
    read1 = getattr(stream, "read1", None)
    return bytes(read1(size)) if read1 is not None else stream.read(size)


def rejoined(head: bytes, rest: BinaryIO) -> BinaryIO:
    """One buffered stream of the bytes of ``head`` and then of ``rest`` (first bytes read to sniff, put back)."""
    return io.BufferedReader(_Joined(head, rest))


class _Utf8(io.RawIOBase):
    """The text of a stream in ``encoding`` (``head`` first, then ``rest``), as UTF-8 bytes, decoded piece by piece."""

    def __init__(self, head: bytes, rest: BinaryIO, encoding: str) -> None:
        super().__init__()
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending, self._rest, self._done = self._decoder.decode(head).encode(), rest, False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending and not self._done:
            data = self._rest.read(SNIFF_BYTES)
            self._done = not data
            self._pending = self._decoder.decode(data, final=self._done).encode()
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def utf8_stream(head: bytes, rest: BinaryIO) -> tuple[bytes, BinaryIO]:
    """A stream's first bytes and the rest: as UTF-8 when it is in UTF-16 or UTF-32 (by its byte-order mark),
    else as they are. Line readers then find its lines, and an XML or HTML declaration of UTF-16 is ignored
    as browsers ignore it in UTF-8 bytes."""
    marked = bom_encoding(head)
    if marked is None or not _wide(marked):
        return head, rest
    stream = io.BufferedReader(_Utf8(head, rest, marked))
    return stream.read(SNIFF_BYTES), stream
