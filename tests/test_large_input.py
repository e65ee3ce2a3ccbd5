"""Huge inputs: JSONL and page dumps are streamed in bounded memory, and a 10 MB one-line page dump is read."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from geo.read.articles import iter_articles, read_articles
from geo.read.records import Problem

LINES = 60_000
STORIES = 100_000
#: Traced allocations allowed while streaming a ~100 MB file.
PEAK_LIMIT = 50 * 1024 * 1024


def _write_jsonl(path: Path) -> int:
    """Write ``LINES`` articles of ~1.7 KB each in chunks; the file size."""
    body = "Heavy rain flooded the lower town of Riverton and the road to the coast was closed. " * 20
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, LINES, 1000):
            chunk = (
                json.dumps({"title": f"Flood report {n}", "text": f"{n}: {body}"}) + "\n"
                for n in range(start, start + 1000)
            )
            out.write("".join(chunk))
    return path.stat().st_size


@pytest.mark.slow
def test_jsonl_of_100_mb_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    assert _write_jsonl(path) > 95 * 1024 * 1024
    problems: list[Problem] = []
    count = 0
    tracemalloc.start()
    try:
        for _article in iter_articles(path, problems):
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == LINES
    assert problems == []
    assert peak < PEAK_LIMIT, f"peak traced memory {peak / 2**20:.1f} MB"


def _write_page_dump(path: Path) -> int:
    """Write ``STORIES`` distinct stories of ~1 KB each, a headline and a paragraph, in chunks; the file size."""
    body = "Heavy rain flooded the lower town of Riverton and the road to the coast was closed. " * 12
    with path.open("w", encoding="utf-8") as out:
        for start in range(0, STORIES, 1000):
            out.write("".join(f"Flood report {n} from Riverton\n{n}: {body}\n" for n in range(start, start + 1000)))
    return path.stat().st_size


@pytest.mark.slow
def test_page_dump_of_100_mb_is_streamed_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    assert _write_page_dump(path) > 95 * 1024 * 1024
    problems: list[Problem] = []
    count, titles = 0, set[str]()
    tracemalloc.start()
    try:
        for article in iter_articles(path, problems):
            count += 1
            if count in (1, STORIES):
                titles.add(article.title)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == STORIES
    assert titles == {"Flood report 0 from Riverton", f"Flood report {STORIES - 1} from Riverton"}
    assert problems == []
    assert peak < PEAK_LIMIT, f"peak traced memory {peak / 2**20:.1f} MB"


def test_page_dump_of_10_mb_on_one_line(tmp_path: Path) -> None:
    sentence = "A storm hit the coast of Manila on Monday, killing 12 people and cutting power to thousands. "
    path = tmp_path / "dump.txt"
    path.write_text(sentence * (10 * 1024 * 1024 // len(sentence) + 1), encoding="utf-8")
    articles, problems = read_articles(path)
    assert articles
    assert all(problem.where.startswith(str(path)) for problem in problems)
