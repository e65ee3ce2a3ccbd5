"""Run ``python -m geo ARGS...`` in a fresh process and measure it: wall time, peak memory, what it printed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Runs ``python -m geo ARGS...`` and prints its own peak RSS (KiB) on the last line of stderr.
_MEASURED = """
import resource, runpy, sys
sys.argv = ["geo", *sys.argv[1:]]
try:
    runpy.run_module("geo", run_name="__main__")
finally:
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
"""


def run_geo(*args: str) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, peak resident memory in MB, and the finished process (its stderr without the measure)."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    lines = done.stderr.rstrip().splitlines()
    peak_kib = int(lines[-1]) if lines and lines[-1].isdigit() else 0
    done.stderr = "\n".join(lines[:-1] if peak_kib else lines)
    return seconds, peak_kib / 1024, done
