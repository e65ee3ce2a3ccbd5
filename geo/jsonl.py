"""Read JSON Lines leniently: every line yields a record or a clear, line-numbered problem."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

__all__ = ["TextRecord", "bounded_lines", "parse_json_object", "read_text_records"]

#: Lines longer than this are refused rather than parsed (a guard against runaway input).
MAX_LINE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TextRecord:
    """One input line: its number, the id and text when usable, else what is wrong with it."""

    line: int
    id: Any
    text: str | None
    problem: str | None = None
    #: A note that does not stop the line from being processed (e.g. undecodable bytes replaced).
    warning: str | None = None


def bounded_lines(stream: BinaryIO, *, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of ``stream``, read lazily. A line longer than ``limit`` bytes comes cut to ``limit + 1`` bytes,
    which :func:`parse_json_object` refuses, and the rest of it is skipped without being held in memory."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(limit)) and not rest.endswith(b"\n"):
                pass
        yield line


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse_json_object(raw: bytes) -> tuple[dict[str, Any] | None, str | None, str | None]:
    """The object on one JSON line: (object, problem, warning). A problem ("not JSON (...)", "expected a
    JSON object, got list") means no object; a warning (undecodable bytes replaced) does not."""
    if len(raw) > MAX_LINE_BYTES:
        return None, f"longer than {MAX_LINE_BYTES} bytes", None
    warning = None
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw.decode("utf-8-sig", errors="replace")
        warning = f"bytes that are not UTF-8 at offset {err.start} were replaced by U+FFFD"
    try:
        item = json.loads(line, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        return None, f"not JSON ({err.msg} at column {err.colno})", warning
    except ValueError as err:
        return None, f"not JSON ({err})", warning
    if not isinstance(item, dict):
        return None, f"expected a JSON object, got {type(item).__name__}", warning
    return item, None, warning


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
