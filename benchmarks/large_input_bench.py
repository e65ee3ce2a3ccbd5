"""A 100 MB input through the whole pipeline: ``python -m geo ingest`` of a page dump, a CSV and a JSONL file.

Usage: python benchmarks/large_input_bench.py [--mb 100] [--formats txt,csv,jsonl]

Writes the texts of ../shared/eval/lgl.jsonl, repeated under distinct titles until the file reaches the
size asked for, once per format, then runs the command line on each into a fresh store. Prints stories
read and events stored, wall time, articles per second and the command's peak resident memory, which
should stay flat however large the file (the input is streamed, each batch's events are staged beside
the store, and the commit copies the store in chunks).
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

from _measure import ROOT, run_geo

LGL = ROOT.parent / "shared" / "eval" / "lgl.jsonl"


def _stories(texts: list[str]) -> Iterator[tuple[str, str]]:
    """(title, text) pairs: the LGL texts over and over, each copy under its own numbered title."""
    number = 0
    while True:
        for text in texts:
            number += 1
            yield f"Report {number} from the regional desk", f"{text} (Report {number}.)"


def _write(path: Path, fmt: str, texts: list[str], size: int) -> int:
    """Write about ``size`` bytes of stories in ``fmt``; the number of stories written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        rows = csv.writer(out) if fmt == "csv" else None
        if rows is not None:
            rows.writerow(["title", "text", "source"])
        for title, text in _stories(texts):
            if out.tell() >= size:
                return count
            count += 1
            if rows is not None:
                rows.writerow([title, text, "bench"])
            elif fmt == "jsonl":
                out.write(json.dumps({"title": title, "text": text, "source": "bench"}) + "\n")
            else:  # a page dump: a headline line, then the story as one paragraph
                out.write(f"{title}\n{text}\n\n")
    return count


def _ingest(source: Path, store: Path) -> tuple[float, float, str]:
    """Wall seconds, the command's peak RSS in MB, and its summary line."""
    seconds, peak, done = run_geo("ingest", str(source), "--store", str(store))
    if done.returncode not in (0, 1):
        raise SystemExit(f"geo ingest failed ({done.returncode}):\n{done.stderr}")
    return seconds, peak, done.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100.0, help="size of each input file in MB (default 100)")
    parser.add_argument("--formats", default="txt,csv,jsonl", help="comma-separated: txt (page dump), csv, jsonl")
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in LGL.open(encoding="utf-8")]
    size = int(args.mb * 1024 * 1024)
    print(f"{'format':<7}{'MB':>7}{'stories':>9}{'seconds':>9}{'stories/s':>11}{'peak RSS MB':>13}  summary")
    for fmt in args.formats.split(","):
        with tempfile.TemporaryDirectory(prefix="geo-large-") as folder:
            source = Path(folder) / f"input.{fmt}"
            written = _write(source, fmt, texts, size)
            seconds, peak, summary = _ingest(source, Path(folder) / "events.parquet")
            megabytes = source.stat().st_size / 2**20
            speed = written / seconds
            print(f"{fmt:<7}{megabytes:>7.0f}{written:>9}{seconds:>9.1f}{speed:>11.0f}{peak:>13.0f}  {summary}")


if __name__ == "__main__":
    main()
