"""The attacks of issue 10 through the command line: wall time, peak memory and what the command said.

Usage: python benchmarks/hostile_input_bench.py [--only NAME]

Each case writes a hostile input, runs ``python -m geo ingest`` (or ``geoparse``/``classify``) on it in a fresh
process and prints its wall time, its peak resident memory and the last line it wrote. Before the fixes of issue
10 a 115 KB UTF-16 feed of nested entities ran 2.5 minutes and peaked at 6 GB, a 56 MB story took 3 minutes and
3.5 GB, and a page dump of 20,000 continuing paragraphs took 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from _measure import run_geo


def _laughs_feed(folder: Path) -> list[str]:
    """A 115 KB feed in UTF-16 whose entities would expand to 10^9 "lol"s, used 2,000 times."""
    laughs = "".join(f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10 if n else "lol"}">' for n in range(10))
    items = "".join(f"<item><title>Laugh {n}</title><description>&l9;</description></item>" for n in range(2000))
    text = f'<?xml version="1.0" encoding="utf-16"?><!DOCTYPE rss [{laughs}]><rss><channel>{items}</channel></rss>'
    path = folder / "laughs.xml"
    path.write_bytes(text.encode("utf-16"))
    return ["ingest", str(path), "--store", str(folder / "events.parquet")]


def _slow_tokens_feed(folder: Path) -> list[str]:
    """A 48 MB feed: a 32 MB comment and an item whose tag holds a 16 MB attribute (expat before 2.6 rereads such
    tokens at every 64 KB: minutes, were they handed to it)."""
    items = f'<item note="{"x" * (16 << 20)}"><title>Flood in Lyon</title></item>'
    text = f"<?xml version='1.0'?><rss><channel><!--{'c' * (32 << 20)}-->{items}</channel></rss>"
    path = folder / "slow-tokens.xml"
    path.write_text(text, encoding="utf-8")
    return ["ingest", str(path), "--store", str(folder / "events.parquet")]


def _huge_story(folder: Path) -> list[str]:
    """One JSONL story of 56 MB."""
    path = folder / "huge.jsonl"
    text = "Floods killed 3 people in Lyon, France, on Monday. " * (56 * 1024 * 1024 // 51)
    path.write_text(json.dumps({"title": "Endless flood", "text": text}) + "\n", encoding="utf-8")
    return ["ingest", str(path), "--store", str(folder / "events.parquet")]


def _huge_page_line(folder: Path) -> list[str]:
    """A page dump whose one paragraph is 56 MB long."""
    path = folder / "huge.txt"
    text = "Floods killed 3 people in Lyon, France, on Monday. " * (56 * 1024 * 1024 // 51)
    path.write_text(f"Endless flood in Lyon today\n{text}\n", encoding="utf-8")
    return ["ingest", str(path), "--store", str(folder / "events.parquet")]


def _continuing_page(folder: Path) -> list[str]:
    """A page dump of 20,000 paragraphs that all continue one story."""
    lines = ["Floods hit Paris on Monday, officials said."]
    lines += [f"He said that the water rose again near the river, report {n}." for n in range(20_000)]
    path = folder / "page.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["ingest", str(path), "--store", str(folder / "events.parquet")]


def _odd_csv(folder: Path) -> list[str]:
    """32,000 CSV lines that open and close quotes oddly."""
    path = folder / "odd.csv"
    path.write_text("title,text\n" + 'a,"b\nc",d\n"e"f,g\nh,"i""\n' * 8000, encoding="utf-8")
    return ["ingest", str(path), "--store", str(folder / "events.parquet")]


def _dev_zero(folder: Path) -> list[str]:
    """``geoparse /dev/zero``."""
    return ["geoparse", "/dev/zero"]


def _endless_fifo(folder: Path) -> list[str]:
    """``classify`` of a FIFO fed one endless line."""
    fifo = folder / "fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        chunk = b'{"id": 1, "text": "' + b"a" * (1 << 20)
        try:
            with fifo.open("wb") as out:
                while True:
                    out.write(chunk)
        except OSError:
            pass

    threading.Thread(target=feed, daemon=True).start()
    return ["classify", str(fifo)]


CASES: dict[str, Callable[[Path], list[str]]] = {
    "UTF-16 feed of nested entities (115 KB)": _laughs_feed,
    "feed of a 32 MB comment and a 16 MB attribute": _slow_tokens_feed,
    "one JSONL story of 56 MB": _huge_story,
    "one page-dump paragraph of 56 MB": _huge_page_line,
    "20,000 continuing paragraphs": _continuing_page,
    "32,000 oddly quoted CSV lines": _odd_csv,
    "geoparse /dev/zero": _dev_zero,
    "classify of an endless line (FIFO)": _endless_fifo,
}


def _run(args: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MB, exit status and the last line the command printed."""
    seconds, peak, done = run_geo(*args)
    said = done.stdout if args[0] == "ingest" else done.stderr
    return seconds, peak, done.returncode, (said.strip().splitlines() or [""])[-1][:110]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    args = parser.parse_args()
    print(f"{'case':<42}{'seconds':>9}{'peak MB':>9}{'exit':>6}  last line")
    for name, make in CASES.items():
        if args.only not in name:
            continue
        with tempfile.TemporaryDirectory(prefix="geo-hostile-") as folder:
            seconds, peak, status, said = _run(make(Path(folder)))
        print(f"{name:<42}{seconds:>9.1f}{peak:>9.0f}{status:>6}  {said}")


if __name__ == "__main__":
    main()
