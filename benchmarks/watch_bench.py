"""The feed watcher on 50 local feeds: seconds per poll round and resident memory as the rounds go by.

Usage: python benchmarks/watch_bench.py [--feeds 50] [--rounds 200]

Serves the feeds on 127.0.0.1 (tests/feeds.py), polls them once (every feed new: read, geoparse, store), then
polls them ``--rounds`` more times with a fake clock (every feed unchanged: 304s) and prints the first round's
time, the median and slowest of the others, and the resident memory (VmRSS) after 0, 1/2 and all of them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo.places.geoparse import Geoparser
from geo.watch import Watcher
from geo.watchstate import state_path
from tests.feeds import STORIES, FakeClock, rss, serving


def rss_mb() -> float:
    """This process's resident memory in MB (Linux; 0 elsewhere)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    line = next((line for line in status.splitlines() if line.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__)
    options.add_argument("--feeds", type=int, default=50)
    options.add_argument("--rounds", type=int, default=200)
    args = options.parse_args()
    parser = Geoparser.load()
    with serving() as server, tempfile.TemporaryDirectory() as folder:
        urls = []
        for number in range(args.feeds):
            title, text = STORIES[number % len(STORIES)]
            urls.append(server.feed(f"feed{number}.xml", rss([(f"{title} ({number})", f"{text} Report {number}.")])))
        store = Path(folder) / "events.parquet"
        clock = FakeClock()
        watcher = Watcher(
            urls, store, parser, state_file=state_path(store), host_interval=0.0, clock=clock, sleep=clock.sleep
        )
        started = time.perf_counter()
        first = watcher.poll()
        print(f"round 1 ({first.summary()}): {time.perf_counter() - started:.2f} s; RSS {rss_mb():.0f} MB")
        times, marks = [], {}
        for number in range(1, args.rounds + 1):
            clock.sleep(watcher.every + 1)
            started = time.perf_counter()
            watcher.poll()
            times.append(time.perf_counter() - started)
            if number in (1, args.rounds // 2, args.rounds):
                marks[number] = rss_mb()
        median, slowest = statistics.median(times) * 1000, max(times) * 1000
        unchanged = f"{args.rounds} rounds of {args.feeds} unchanged feeds (304)"
        print(f"{unchanged}: {median:.0f} ms a round, slowest {slowest:.0f} ms")
        print("RSS after rounds: " + ", ".join(f"{number}: {mb:.0f} MB" for number, mb in marks.items()))


if __name__ == "__main__":
    main()
