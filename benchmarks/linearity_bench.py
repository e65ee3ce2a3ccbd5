"""Is every reader and every text stage linear in its input? Times each at N and 2N and prints the ratio.

Usage: python benchmarks/linearity_bench.py [--kb 200] [--only NAME] [--repeat 3]

Each case builds an input of about N kilobytes (normal news and hostile shapes: a page dump whose paragraphs
all continue one story, CSV lines that open and close quotes oddly, deep markup, long runs of dots, digits or
abbreviations), times the function on it and on an input twice the size (best of ``--repeat`` runs), and
prints the two times and their ratio. A linear function gives a ratio near 2; above 2.6 is flagged (unless the
time at 2N is under 50 ms).
Each case runs in its own process with a time limit, so a quadratic one is reported rather than waited for.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Seconds a case may take (both sizes, every repeat) before it is reported as too slow.
TIME_LIMIT = 30.0
#: Ratios above this are flagged, when the time at 2N is at least ``FLAG_SECONDS`` (below that, noise and cache
#: steps dominate: "U.S." repeated 100,000 times geoparses in 3 ms, 200,000 times in 22 ms, 400,000 in 41 ms).
FLAG_RATIO = 2.6
FLAG_SECONDS = 0.05

NEWS = (
    "Floods killed 12 people in Paris, France, on Monday, officials said. The U.S. Army and Dr. Smith helped "
    "300 residents near Lyon. A magnitude 6.1 earthquake struck 135 miles south of Puerto Williams. "
)


def _repeat(unit: str, size: int, end: str = "") -> str:
    return unit * max(1, size // len(unit)) + end


# -- inputs for the readers (bytes of a file) -----------------------------------------------------------------


def _page_continuing(size: int) -> bytes:
    lines = ["Floods hit Paris on Monday, officials said."]
    while sum(map(len, lines)) < size:
        lines.append(f"He said that the water rose again near the river, report {len(lines)}.")
    return "\n".join(lines).encode()


def _page_teasers(size: int) -> bytes:
    lines = []
    while sum(map(len, lines)) < size:
        lines.append(f"He said that the water rose again near the river number {len(lines)} ...")
    return "\n".join(lines).encode()


def _page_news(size: int) -> bytes:
    lines = []
    while sum(map(len, lines)) < size:
        lines.append(f"Story {len(lines)}")
        lines.append(NEWS + f"Report {len(lines)}.")
    return "\n".join(lines).encode()


def _jsonl(size: int) -> bytes:
    line = json.dumps({"title": "Floods in Paris", "text": NEWS}) + "\n"
    return _repeat(line, size).encode()


def _jsonl_nested(size: int) -> bytes:
    deep = '{"title": "x", "text": "y", "z": ' + "[" * 5000 + "\n"
    good = json.dumps({"title": "Floods in Paris", "text": NEWS}) + "\n"
    return _repeat(deep + good, size).encode()


def _csv(size: int) -> bytes:
    return ("title,text\n" + _repeat(f'"Floods in Paris","{NEWS}"\n', size)).encode()


def _csv_odd_quotes(size: int) -> bytes:
    return ("title,text\n" + _repeat('a,"b\nc",d\n"e"f,g\nh,"i""\n', size)).encode()


def _csv_open_quote(size: int) -> bytes:
    return ("title,text\n" + 't,"x\n' + _repeat("title n,text n\n", size)).encode()


ITEM = f"<item><title>Floods in Paris</title><description>{NEWS}</description></item>"


def _feed(size: int) -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{_repeat(ITEM, size)}</channel></rss>'.encode()


def _feed_utf16(size: int) -> bytes:
    body = (
        f'<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>{_repeat(ITEM, size // 2)}</channel></rss>'
    )
    return body.encode("utf-16")


def _feed_doctypes(size: int) -> bytes:
    doctype = '<!DOCTYPE rss [<!ENTITY a "x"><!-- "quoted ] > --> ]>'
    return f"<?xml version='1.0'?>{_repeat(doctype, size)}<rss><channel>{ITEM}</channel></rss>".encode()


def _html(size: int) -> bytes:
    return f"<html><head><title>Floods</title></head><body>{_repeat(f'<p>{NEWS}</p>', size)}</body></html>".encode()


def _html_deep(size: int) -> bytes:
    return f"<html><body>{_repeat('<div>', size // 2)}{NEWS}</body></html>".encode()


READERS: dict[str, tuple[str, Callable[[int], bytes]]] = {
    "page dump: news": ("page.txt", _page_news),
    "page dump: one story continued": ("page.txt", _page_continuing),
    "page dump: teasers": ("page.txt", _page_teasers),
    "page dump: a line of dots": ("page.txt", lambda n: _repeat(".", n, " x").encode()),
    "page dump: abbreviations": ("page.txt", lambda n: _repeat("A. ", n, "x").encode()),
    "jsonl: news": ("a.jsonl", _jsonl),
    "jsonl: deep nesting": ("a.jsonl", _jsonl_nested),
    "csv: news": ("a.csv", _csv),
    "csv: odd quotes": ("a.csv", _csv_odd_quotes),
    "csv: a quote never closed": ("a.csv", _csv_open_quote),
    "feed: rss": ("a.xml", _feed),
    "feed: utf-16": ("a.xml", _feed_utf16),
    "feed: many doctypes": ("a.xml", _feed_doctypes),
    "html: article": ("a.html", _html),
    "html: deep nesting": ("a.html", _html_deep),
}

#: Text units repeated into a story: hostile shapes for the regular expressions of the text stages.
TEXT_UNITS: dict[str, tuple[str, str]] = {
    "news": (NEWS, ""),
    "dots": (".", "x"),
    "digits": ("1", " people were killed"),
    "digits with commas": ("1,", " killed"),
    "spaces": (" ", "x"),
    "abbreviations": ("A. ", "x"),
    "U.S.": ("U.S.", " x"),
    "capitalised words": ("Paris ", ""),
    "hyphens": ("-", "x"),
    "killed": ("killed 5 ", ""),
    "of the": ("of the ", "x"),
    "miles south of": ("135 miles south of ", "Paris"),
    "quotes": ('"', "x"),
    "death toll": ("death toll ", "to 5"),
}


def _text_stages() -> dict[str, Callable[[str], object]]:
    from geo.events.classifier import classify
    from geo.events.location import primary_place
    from geo.places.geoparse import Geoparser
    from geo.read.pagesplit import salient_terms
    from geo.read.prose import first_sentence, sentences
    from geo.read.webpages import html_text

    parser = Geoparser.load()
    return {
        "sentences": sentences,
        "first sentence": first_sentence,
        "salient terms": salient_terms,
        "classify": classify,
        "geoparse": parser.parse,
        "event location": lambda text: primary_place(text, parser.parse(text)),
        "html text": html_text,
    }


def _best(function: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def _reader_case(name: str, size: int, repeat: int) -> tuple[float, float]:
    from geo.read.articles import Upload, read_articles

    filename, make = READERS[name]
    small, large = make(size), make(2 * size)
    return (
        _best(lambda: read_articles(Upload(filename, small)), repeat),
        _best(lambda: read_articles(Upload(filename, large)), repeat),
    )


def _text_case(name: str, size: int, repeat: int) -> tuple[float, float]:
    stage, unit_name = name.split(" / ")
    function = _text_stages()[stage]
    unit, end = TEXT_UNITS[unit_name]
    small, large = _repeat(unit, size, end), _repeat(unit, 2 * size, end)
    return _best(lambda: function(small), repeat), _best(lambda: function(large), repeat)


def _run(kind: str, name: str, size: int, repeat: int, out: multiprocessing.Queue[tuple[float, float]]) -> None:
    out.put((_reader_case if kind == "reader" else _text_case)(name, size, repeat))


def _timed(kind: str, name: str, size: int, repeat: int) -> tuple[float, float] | None:
    """(time at N, time at 2N) in a child process, or None when it ran past the time limit."""
    queue: multiprocessing.Queue[tuple[float, float]] = multiprocessing.Queue()
    child = multiprocessing.Process(target=_run, args=(kind, name, size, repeat, queue))
    child.start()
    child.join(TIME_LIMIT)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get() if child.exitcode == 0 else (float("nan"), float("nan"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--kb", type=int, default=200, help="N, in kilobytes (default 200)")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    size = args.kb * 1024
    cases = [("reader", name) for name in READERS]
    cases += [("text", f"{stage} / {unit}") for stage in _text_stage_names() for unit in TEXT_UNITS]
    flagged = 0
    print(f"{'case':58} {'N':>9} {'2N':>9} {'ratio':>6}   (N = {args.kb} KB)")
    for kind, name in cases:
        if args.only not in name:
            continue
        times = _timed(kind, name, size, args.repeat)
        if times is None:
            flagged += 1
            print(f"{kind + ': ' + name:58} {'over the time limit of ' + str(int(TIME_LIMIT)) + ' s':>27}  <-")
            continue
        ratio = times[1] / times[0] if times[0] > 0 else float("nan")
        mark = "  <-" if math.isnan(ratio) or (ratio > FLAG_RATIO and times[1] >= FLAG_SECONDS) else ""
        flagged += bool(mark)
        print(f"{kind + ': ' + name:58} {times[0]:9.3f} {times[1]:9.3f} {ratio:6.2f}{mark}")
    print(f"{flagged} case(s) flagged (ratio above {FLAG_RATIO} or over the time limit)")
    return 1 if flagged else 0


def _text_stage_names() -> list[str]:
    return ["sentences", "first sentence", "salient terms", "classify", "geoparse", "event location", "html text"]


if __name__ == "__main__":
    sys.exit(main())
