"""Read JSON Lines leniently and write them strictly: every line read yields a record or a clear, line-numbered
problem, and every line written is standard JSON (RFC 8259: no NaN or Infinity)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO

from geo.errors import DataFormatError
from geo.limits import MAX_LINE_BYTES, MAX_SKIPPED_BYTES, shown
from geo.read.charsets import SNIFF_BYTES, looks_binary, read_some, rejoined

__all__ = [
    "MAX_LINE_BYTES",
    "BoundedLines",
    "TextRecord",
    "answer_records",
    "json_line",
    "parse_json_object",
    "read_text_records",
]


@dataclass(frozen=True, slots=True)
class TextRecord:
    """One input line: its number, the id and text when usable, else what is wrong with it."""

    line: int
    id: Any
    text: str | None
    problem: str | None = None
    #: A note that does not stop the line from being processed (e.g. undecodable bytes replaced).
    warning: str | None = None


class BoundedLines:
    """The lines of ``stream``, read lazily, in bounded memory.

    A line longer than ``limit`` bytes comes cut to ``limit + 1`` bytes, which :func:`parse_json_object`
    refuses, and the rest of it is skipped without being held in memory. A line that goes on for more than
    ``skip`` bytes after that (``/dev/zero``, an endless stream) ends the reading: ``gave_up`` then names it.
    """

    def __init__(self, stream: BinaryIO, *, limit: int = MAX_LINE_BYTES, skip: int = MAX_SKIPPED_BYTES) -> None:
        self._stream, self._limit, self._skip = stream, limit, skip
        #: The number of the line whose end was never found, when reading stopped there.
        self.gave_up: int | None = None

    def __iter__(self) -> Iterator[bytes]:
        number = 0
        while line := self._stream.readline(self._limit + 1):
            number += 1
            if len(line) > self._limit and not line.endswith(b"\n") and not self._skip_rest():
                self.gave_up = number
                yield line
                return
            yield line

    def _skip_rest(self) -> bool:
        """Read past the rest of an over-long line; False when it does not end within ``skip`` bytes."""
        skipped = 0
        while rest := self._stream.readline(min(self._limit, self._skip - skipped + 1)):
            if rest.endswith(b"\n"):
                return True
            skipped += len(rest)
            if skipped > self._skip:
                return False
        return True

    def gave_up_message(self) -> str | None:
        """The problem to report when reading stopped at an endless line, else None."""
        if self.gave_up is None:
            return None
        return f"line {self.gave_up} goes on for over {self._skip} bytes without a line break: the rest is not read"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def _float(notes: list[str], token: str) -> float | str:
    """A JSON number with a fraction or exponent; its text when no double holds it (``1e400``)."""
    value = float(token)
    if math.isfinite(value):
        return value
    notes.append(f"the number {shown(token)} is beyond the range of a double: read as the string {shown(token)}")
    return token


def _int(notes: list[str], token: str) -> int | str:
    """A JSON integer; its text when it has more digits than Python converts."""
    try:
        return int(token)
    except ValueError:
        notes.append(f"an integer of {len(token)} digits was read as a string")
        return token


def parse_json_object(raw: bytes) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """The object on one JSON line: (object, problem, warning). A problem ("not JSON (...)", "expected a
    JSON object, got list") means no object; a warning (undecodable bytes replaced, a number out of range
    kept as text) does not."""
    if len(raw) > MAX_LINE_BYTES:
        return None, f"longer than {MAX_LINE_BYTES} bytes", None
    notes: list[str] = []
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.decode("utf-8-sig", errors="replace")
        notes.append(f"bytes that are not UTF-8 at offset {err.start} were replaced by U+FFFD")
    item, problem = _loads(line, notes)
    warning = "; ".join(notes) or None
    if problem is not None:
        return None, problem, warning
    if not isinstance(item, dict):
        return None, f"expected a JSON object, got {type(item).__name__}", warning
    return item, None, warning


def _loads(line: str, notes: list[str]) -> tuple[Any, str | None]:
    """(value, None) for a JSON text, or (None, what is wrong with it)."""
    try:
        value = json.loads(
            line, parse_constant=_reject_constant, parse_float=partial(_float, notes), parse_int=partial(_int, notes)
        )
    except json.JSONDecodeError as err:
        return None, f"not JSON ({err.msg} at column {err.colno})"
    except RecursionError:
        return None, "not read: arrays or objects nested too deeply"
    except ValueError as err:
        return None, f"not JSON ({err})"
    return value, None


def _parse(raw: bytes, number: int) -> TextRecord:
    item, problem, warning = parse_json_object(raw)
    warning = f"line {number}: {warning}" if warning else None
    if item is None:
        return TextRecord(number, None, None, f"line {number}: {problem}", warning)
    text = item.get("text")
    if not isinstance(text, str):
        what = 'lacks a "text" field' if text is None else f'has a non-string "text" ({type(text).__name__})'
        return TextRecord(number, item.get("id"), None, f"line {number}: {what}", warning)
    return TextRecord(number, item.get("id"), text, None, warning)


def read_text_records(lines: Iterable[bytes]) -> Iterator[TextRecord]:
    """Records of ``{"id", "text"}`` lines; blank lines are skipped."""
    for number, raw in enumerate(lines, 1):
        if raw.strip():
            yield _parse(raw.rstrip(b"\r\n"), number)


def json_line(value: dict[str, Any]) -> str:
    """``value`` as one line of standard JSON; ValueError if it holds a NaN or an infinity."""
    return json.dumps(value, allow_nan=False) + "\n"


def _answer(
    record: TextRecord, handle: Callable[[str], dict[str, Any]], failed: dict[str, Any]
) -> tuple[str, str | None]:
    """The output line for one record, and the error to report when handling it failed."""
    if record.text is not None:
        try:
            return json_line({"id": record.id, **handle(record.text)}), None
        except Exception as err:  # one record's failure must not cost the others their answers
            error = f"line {record.line}: could not be analysed ({type(err).__name__}: {err})"
            return json_line({"id": record.id, **failed, "error": error}), error
    return json_line({"id": record.id, **failed, "error": record.problem}), None


def answer_records(
    stream: BinaryIO,
    handle: Callable[[str], dict[str, Any]],
    failed: dict[str, Any],
    *,
    write: Callable[[str], object],
    note: Callable[[str], object],
) -> bool:
    """Write one strict JSON line per ``{"id", "text"}`` line of ``stream``, in order: ``{"id", **handle(text)}``,
    or ``{"id", **failed, "error"}`` for a line that cannot be read or handled. ``note`` is told every problem.
    True when every line was answered without an error; DataFormatError for binary input."""
    head = read_some(stream, SNIFF_BYTES)  # a pipe's first line is answered before the next one arrives
    if looks_binary(head):
        raise DataFormatError("binary data, not JSON lines: nothing read (the input must be UTF-8 text)")
    lines = BoundedLines(rejoined(head, stream))
    clean = True
    for record in read_text_records(lines):
        for message in filter(None, (record.warning, record.problem)):
            note(message)
        line, error = _answer(record, handle, failed)
        if error is not None:
            note(error)
        clean = clean and record.text is not None and error is None
        write(line)
    if gave_up := lines.gave_up_message():
        note(gave_up)
        clean = False
    return clean
