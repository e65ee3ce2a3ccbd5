"""Tests of geo.read.jsonl.read_text_records: every line yields a record or a line-numbered problem."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest

from geo.read.jsonl import MAX_LINE_BYTES, BoundedLines, TextRecord, parse_json_object, read_text_records


def read(*lines: bytes) -> list[TextRecord]:
    return list(read_text_records(lines))


def test_good_line() -> None:
    [record] = read(b'{"id": "a1", "text": "A shooting in Nice."}\n')
    assert record == TextRecord(line=1, id="a1", text="A shooting in Nice.", problem=None, warning=None)


def test_id_is_optional_and_kept_as_given() -> None:
    assert [(r.id, r.text) for r in read(b'{"text": "x"}\n', b'{"id": 7, "text": "y"}\n')] == [(None, "x"), (7, "y")]


@pytest.mark.parametrize("blank", [b"\n", b"   \n", b"\r\n", b"\t \r\n", b""])
def test_blank_lines_are_skipped_but_counted(blank: bytes) -> None:
    records = read(b'{"id": 1, "text": "a"}\n', blank, b'{"id": 3, "text": "b"}\n')
    assert [(r.line, r.id) for r in records] == [(1, 1), (3, 3)]


def test_crlf_line_ending() -> None:
    [record] = read(b'{"id": 1, "text": "Paris"}\r\n')
    assert (record.text, record.problem) == ("Paris", None)


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"not json\n", r"^line 2: not JSON \(.* at column 1\)$"),
        (b'{"id": 1, "text": "unterminated\n', r"^line 2: not JSON"),
        (b'{"id": 4}\n', r'^line 2: lacks a "text" field$'),
        (b'{"id": 4, "text": null}\n', r'^line 2: lacks a "text" field$'),
        (b'{"id": 4, "text": 5}\n', r'^line 2: has a non-string "text" \(int\)$'),
        (b'{"id": 4, "text": ["a"]}\n', r'^line 2: has a non-string "text" \(list\)$'),
        (b"[1, 2]\n", r"^line 2: expected a JSON object, got list$"),
        (b'"just a string"\n', r"^line 2: expected a JSON object, got str$"),
        (b"42\n", r"^line 2: expected a JSON object, got int$"),
    ],
)
def test_bad_line_names_its_number(raw: bytes, problem: str) -> None:
    good, bad, after = read(b'{"id": 1, "text": "a"}\n', raw, b'{"id": 3, "text": "b"}\n')
    assert (good.problem, after.problem) == (None, None)
    assert bad.text is None
    assert bad.line == 2
    assert re.search(problem, bad.problem or ""), bad.problem


def test_missing_text_keeps_the_id() -> None:
    [record] = read(b'{"id": "k9"}\n')
    assert record.id == "k9"


def test_invalid_utf8_is_replaced_with_a_warning() -> None:
    [record] = read(b'{"id": 1, "text": "Caf\xe9 in Paris \xff"}\n')
    assert record.problem is None
    assert record.text == "Caf\ufffd in Paris \ufffd"
    assert record.warning is not None
    assert record.warning.startswith("line 1: ")
    assert "U+FFFD" in record.warning


def test_valid_utf8_has_no_warning() -> None:
    [record] = read('{"id": 1, "text": "Zürich, São Paulo, Kyiv — «ok»"}\n'.encode())
    assert (record.text, record.warning) == ("Zürich, São Paulo, Kyiv — «ok»", None)


def test_reads_lazily() -> None:
    def lines() -> Iterator[bytes]:
        yield b'{"id": 1, "text": "a"}\n'
        raise AssertionError("read past the first record")

    assert next(read_text_records(lines())).id == 1


def test_bounded_lines_cut_a_long_line_and_skip_the_rest_of_it() -> None:
    stream = io.BytesIO(b'{"a": 1}\n' + b"x" * 35 + b"\n" + b"y" * 12 + b"\n" + b"z" * 5)
    lines = list(BoundedLines(stream, limit=12))
    assert lines == [b'{"a": 1}\n', b"x" * 13, b"y" * 12 + b"\n", b"z" * 5]


def test_a_line_over_the_limit_is_refused_by_name() -> None:
    item, problem, _ = parse_json_object(b"x" * (MAX_LINE_BYTES + 1))
    assert item is None and problem == f"longer than {MAX_LINE_BYTES} bytes"
