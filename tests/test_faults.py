"""Faults: a `geo ingest` process killed with SIGKILL at any moment of its commit leaves a whole store, and the
next ingest of the same input stores each story once and clears what the killed one left.

The process is stopped at each moment by a hook it runs (``tests.killpoints``) and killed from outside once it
says it is there, so every moment is reached whatever the speed of the machine."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo import settings
from geo.ingest import ingest_sources
from geo.places.geoparse import Geoparser
from geo.store.compaction import AUTO_MERGE
from geo.store.eventstore import append_events, read_events
from tests.killpoints import COMMITTED, MOMENTS
from tests.rows import batch
from tests.stores import stray_files

STORIES = 40


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faults") / "stories.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(STORIES):
            text = f"Floods killed {i % 50} people in Lyon, France, and displaced {i * 3} residents on day {i}."
            fh.write(json.dumps({"title": f"Floods in Lyon, report {i}", "text": text}) + "\n")
    return path


def ingest_until(moment: str, stories: Path, store: Path, flag: Path) -> subprocess.Popen[bytes]:
    """``geo ingest`` of ``stories`` into ``store``, stopped at ``moment`` (it has written ``flag`` by return)."""
    command = [sys.executable, "-m", "tests.killpoints", moment, str(flag), "ingest", str(stories)]
    proc = subprocess.Popen(
        [*command, "--store", str(store)], cwd=settings.PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 120
    while not flag.exists():
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(f"geo ingest ended ({proc.returncode}) before the moment {moment!r}: {err.decode()[-2000:]}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"geo ingest did not reach the moment {moment!r} within 120 s")
        time.sleep(0.02)
    return proc


@pytest.mark.parametrize("moment", MOMENTS)
def test_ingest_killed_at_a_moment_of_its_commit_leaves_the_store_whole(
    tmp_path: Path, stories: Path, geoparser: Geoparser, moment: str
) -> None:
    store = tmp_path / "events.parquet"
    for number in range(AUTO_MERGE - 1):  # small parts: the ingest's commit is followed by a merge
        append_events(store, batch(f"old{number}", 2))
    before = read_events(store)["event_id"].tolist()

    proc = ingest_until(moment, stories, store, tmp_path / "reached")
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL

    after = read_events(store)["event_id"].tolist()  # readable whatever the moment of the kill
    assert after[: len(before)] == before
    assert len(after) == len(before) + (STORIES if moment in COMMITTED else 0), MOMENTS[moment]
    again = ingest_sources([str(stories)], store, geoparser)  # the same input once more
    assert again.added == (0 if moment in COMMITTED else STORIES)
    stored = read_events(store)["event_id"].tolist()
    assert len(stored) == len(set(stored)) == len(before) + STORIES
    assert stray_files(store) == []  # what the killed process left was cleared by the next commit
