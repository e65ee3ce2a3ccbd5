"""Bytes to text for the article readers: lines read lazily, decoding that reports bad bytes, the lines of a page
dump in bounded memory, and CSV rows where a bad row is reported and skipped."""

from __future__ import annotations

import codecs
import csv
import io
from collections import deque
from collections.abc import Iterable, Iterator
from typing import BinaryIO, Final

from geo.limits import MAX_LINE_BYTES, MAX_PARAGRAPH_BYTES
from geo.read.charsets import rejoined
from geo.read.jsonl import BoundedLines
from geo.read.records import Problem

__all__ = ["MAX_CSV_FIELD", "byte_lines", "csv_rows", "decode", "page_lines"]

#: Largest CSV field, in characters (the csv module's default of 131072 is too small for long stories).
MAX_CSV_FIELD: Final = MAX_LINE_BYTES


def byte_lines(head: bytes, rest: BinaryIO) -> BoundedLines:
    """The lines of ``head`` followed by those of ``rest``, read lazily; see :class:`geo.read.jsonl.BoundedLines` for
    lines longer than ``MAX_LINE_BYTES``."""
    return BoundedLines(rejoined(head, rest), limit=MAX_LINE_BYTES)


def _line_pieces(head: bytes, rest: BinaryIO, limit: int) -> Iterator[bytes]:
    """The lines of ``head`` then ``rest``, read lazily; a line longer than ``limit`` bytes comes in pieces of
    ``limit + 1`` bytes (the last one shorter)."""
    size = limit + 1
    start = io.BytesIO(head)
    for piece in iter(lambda: start.readline(size), b""):
        complete = piece.endswith(b"\n") or len(piece) == size
        yield piece if complete else piece + rest.readline(size - len(piece))
    yield from iter(lambda: rest.readline(size), b"")


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


def page_lines(head: bytes, rest: BinaryIO, where: str, problems: list[Problem]) -> Iterator[str]:
    """The text lines of a page dump (``head`` then ``rest``), decoded lazily in bounded memory.

    A line longer than ``MAX_PARAGRAPH_BYTES`` is read in pieces of that size, each cut after its last space (or
    at once when it has none) and split as a paragraph of its own, with a problem naming the line. This keeps
    every word, where truncating the line would drop the rest of it; the cost is a paragraph break inside it.
    """
    decoder = _PageDecoder(where, problems)
    number, carry, cut_line = 1, "", 0
    for piece in _line_pieces(head, rest, MAX_PARAGRAPH_BYTES):
        text = carry + decoder.decode(piece, number)
        if piece.endswith(b"\n") or len(piece) <= MAX_PARAGRAPH_BYTES:
            yield from text.splitlines()
            number, carry = number + 1, ""
            continue
        if cut_line != number:
            message = f"longer than {MAX_PARAGRAPH_BYTES} bytes: read in pieces cut at spaces, each a paragraph"
            problems.append(Problem(f"{where}:{number}", message))
            cut_line = number
        space = max(text.rfind(" ", len(carry)), text.rfind("\r", len(carry)))
        cut = space + 1 if space >= 0 else len(text)
        yield from text[:cut].splitlines()
        carry = text[cut:]
    yield from (carry + decoder.decode(b"", number, final=True)).splitlines()


def decode(data: bytes, where: str, problems: list[Problem], encoding: str | None = None) -> str:
    try:
        return data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as err:
        name = encoding or "UTF-8"
        problems.append(Problem(where, f"not {name} (first bad byte at offset {err.start}): replaced by U+FFFD"))
        return data.decode(encoding or "utf-8-sig", errors="replace")


class _Replay:
    """Numbered text lines for csv.reader; after a bad row, all but its first line are read again."""

    def __init__(self, lines: Iterable[bytes], where: str, problems: list[Problem]) -> None:
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
            while len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:  # cut by bounded_lines: refuse it
                message = f"longer than {MAX_LINE_BYTES} bytes; skipped line {number}"
                self._problems.append(Problem(f"{self._where}:{number}", message))
                number, raw = next(self._lines)
            item = (number, decode(raw, f"{self._where}:{number}", self._problems))
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


def _replayed_rows(replay: _Replay, where: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
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


def csv_rows(lines: Iterable[bytes], where: str, problems: list[Problem]) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) of each non-empty CSV row; a bad row is a problem and reading resumes after it."""
    return _replayed_rows(_Replay(lines, where, problems), where, problems)
