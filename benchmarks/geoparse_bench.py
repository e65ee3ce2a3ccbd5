"""Geoparser figures: accuracy on the development corpora, speed, start-up time and peak memory.

Usage: python benchmarks/geoparse_bench.py [--eval-dir ../shared/eval] [--repeat 3]

Prints, for each annotated corpus found (lgl.jsonl, tr-news.jsonl): the `geo evaluate` report; then
documents per second in one process over LGL (parsing only, and end to end through
`python -m geo geoparse`), the time from starting a fresh process to its first result, and the
peak resident memory of that process.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.places.evaluate import evaluate, read_gold  # noqa: E402
from geo.places.geoparse import Geoparser  # noqa: E402

_PEAK_RSS = """
import resource, runpy, sys
sys.argv = ["geo", "geoparse", sys.argv[1]]
try:
    runpy.run_module("geo", run_name="__main__")
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def _accuracy(eval_dir: Path, parser: Geoparser) -> None:
    for name in ("lgl", "tr-news"):
        path = eval_dir / f"{name}.jsonl"
        if not path.exists():
            print(f"{name}: {path} not found, skipped")
            continue
        report = evaluate(read_gold(path), parser.parse)
        print(f"== accuracy on {name}")
        print("\n".join(report.lines()))


def _throughput(texts: list[str], parser: Geoparser, repeat: int) -> float:
    best = 0.0
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            parser.parse(text)
        best = max(best, len(texts) / (time.perf_counter() - started))
    return best


def _first_result_seconds(line: str) -> float:
    """Wall time from starting `python -m geo geoparse` to reading its first output line."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "geoparse"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()
    proc.stdout.readline()
    elapsed = time.perf_counter() - started
    proc.stdin.close()
    proc.wait()
    return elapsed


def _end_to_end(path: Path) -> tuple[float, float, int]:
    """(seconds, peak MB, lines) of `python -m geo geoparse FILE` in a fresh process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PEAK_RSS, str(path)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - started
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024, len(done.stdout.splitlines())


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    load_started = time.perf_counter()
    geoparser = Geoparser.load()
    print(f"gazetteer: {len(geoparser.gazetteer)} entries loaded in {time.perf_counter() - load_started:.2f} s")
    _accuracy(args.eval_dir, geoparser)

    lgl = args.eval_dir / "lgl.jsonl"
    if not lgl.exists():
        print("speed: lgl.jsonl not found, skipped")
        return
    texts = [json.loads(line)["text"] for line in lgl.open(encoding="utf-8") if line.strip()]
    print("== speed (LGL, one process)")
    print(f"parse only       {_throughput(texts, geoparser, args.repeat):.0f} docs/s (best of {args.repeat})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lgl_input.jsonl"
        path.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(texts)))
        runs = [_end_to_end(path) for _ in range(args.repeat)]
    seconds = min(r[0] for r in runs)
    print(f"end to end CLI   {len(texts) / seconds:.0f} docs/s incl. start-up ({seconds:.2f} s for {len(texts)} docs)")
    print(f"peak memory      {max(r[1] for r in runs):.0f} MB (geoparse process, max RSS)")
    first = [_first_result_seconds(json.dumps({"id": 0, "text": texts[0]})) for _ in range(args.repeat)]
    print(f"first result     {statistics.median(first):.2f} s from process start (median of {args.repeat})")


if __name__ == "__main__":
    main()
