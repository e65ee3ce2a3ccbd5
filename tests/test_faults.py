"""Faults: a `geo ingest` process killed with SIGKILL at any moment leaves the previous store intact."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.ingest import ingest_sources
from geo.places.geoparse import Geoparser
from geo.store.eventstore import read_events

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample" / "news_page.txt"


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "big.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(2000):
            text = f"Floods killed {i % 50} people in Lyon, France, and displaced {i * 3} residents on day {i}."
            fh.write(json.dumps({"title": f"Floods in Lyon, report {i}", "text": text}) + "\n")
    return path


@pytest.mark.parametrize("delay", [0.5, 2.0, 4.0, 6.0])
def test_kill_during_ingest_leaves_the_store_whole(
    tmp_path: Path, big_input: Path, geoparser: Geoparser, delay: float
) -> None:
    store = tmp_path / "events.parquet"
    ingest_sources([str(SAMPLE)], store, geoparser)
    before = read_events(store)
    proc = subprocess.Popen(
        [sys.executable, "-m", "geo", "ingest", str(big_input), "--store", str(store)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    after = read_events(store)  # readable whatever the moment of the kill
    assert len(after) in (len(before), len(before) + 2000)
    assert set(before["event_id"]) <= set(after["event_id"])
