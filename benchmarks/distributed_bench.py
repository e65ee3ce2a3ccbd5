"""Ingest speed and memory on Dask: 1 worker against 2, single process for reference, as the input grows.

Usage: python benchmarks/distributed_bench.py [--sizes 20000,100000] [--workers 1,2] [--no-reference]

Writes the texts of ../shared/eval/lgl.jsonl, repeated under distinct titles, as one JSONL file per size,
then ingests it into a fresh store: in one process (``ingest_sources``) and on local clusters of each
worker count (``ingest_distributed``; cluster start-up not timed). Prints articles per second, the
speed-up over 1 worker, and the peak RSS of each worker process, which should not grow with the input.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from distributed import Client  # noqa: E402

from geo.distributed import ingest_distributed, local_cluster  # noqa: E402
from geo.ingest import ingest_sources  # noqa: E402
from geo.places.geoparse import Geoparser  # noqa: E402


def _write_input(texts: list[str], size: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for number in range(size):
            text = texts[number % len(texts)]
            out.write(json.dumps({"title": f"Story {number}", "text": text, "source": "bench"}) + "\n")


def _peak_rss_mb() -> float:
    """Peak resident memory of the calling process, in MB.

    VmHWM where Linux gives it: a spawned worker's ``ru_maxrss`` starts from its parent's peak (the client's
    RSS when the cluster started), so it would hide the worker's own figure."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _single(source: Path, store: Path) -> float:
    parser = Geoparser.load()
    started = time.perf_counter()
    report = ingest_sources([str(source)], store, parser)
    return report.read / (time.perf_counter() - started)


def _cluster(source: Path, store: Path, workers: int) -> tuple[float, list[float]]:
    """Articles per second on a fresh local cluster of ``workers`` processes, and each worker's peak RSS (MB)."""
    with local_cluster(workers) as cluster, Client(cluster) as client:
        started = time.perf_counter()
        report = ingest_distributed([str(source)], store, scheduler=cluster.scheduler_address)
        rate = report.read / (time.perf_counter() - started)
        peaks = client.run(_peak_rss_mb)
    return rate, sorted(peaks.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="20000,100000", help="comma-separated article counts")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--reference", action=argparse.BooleanOptionalAction, default=True, help="single process too")
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    args = parser.parse_args()
    lines = (args.eval_dir / "lgl.jsonl").read_text(encoding="utf-8").split("\n")
    texts = [json.loads(line)["text"] for line in lines if line.strip()]
    started_at = datetime.now(UTC)
    print(f"== Dask ingest, {started_at:%Y-%m-%d %H:%M} UTC; texts of lgl.jsonl ({len(texts)}) repeated")
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "articles.jsonl"
            _write_input(texts, size, source)
            megabytes = source.stat().st_size / 1e6
            print(f"-- {size} articles ({megabytes:.0f} MB of JSONL)", flush=True)
            if args.reference:
                rate = _single(source, Path(tmp) / "single.parquet")
                print(f"single process : {rate:7.1f} articles/s", flush=True)
            base = None
            for workers in (int(w) for w in args.workers.split(",")):
                rate, peaks = _cluster(source, Path(tmp) / f"dask{workers}.parquet", workers)
                base = base or rate
                rss = ", ".join(f"{p:.0f}" for p in peaks)
                print(
                    f"{workers} worker(s)    : {rate:7.1f} articles/s  x{rate / base:.2f} of 1 worker;"
                    f"  peak RSS per worker (MB): {rss}",
                    flush=True,
                )
            print(f"client peak RSS so far: {_peak_rss_mb():.0f} MB", flush=True)


if __name__ == "__main__":
    main()
