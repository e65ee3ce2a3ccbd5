"""Attacks on the commands, the pipeline and the store: input that would raise, stall or lose good records, output
that would not be JSON, a store that is a link, a disk that fills, a store edited by another tool."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from distributed import Client, LocalCluster

from geo import ingest
from geo.distributed import ingest_distributed
from geo.events.classifier import classify
from geo.ingest import build_events, ingest_sources
from geo.places.geoparse import Geoparser
from geo.read.articles import Upload
from geo.read.records import Article, Problem
from geo.store import eventstore as store
from geo.store.eventstore import StoreError, read_events
from geo.store.export import _defuse, export_events
from geo.store.location import StoreLocation
from tests.rows import batch
from tests.stores import rewrite_only_part, snapshot_bytes

RunGeo = Callable[..., subprocess.CompletedProcess[str]]
ROOT = Path(__file__).resolve().parent.parent

HUGE = "9" * 400
#: Stories whose numbers once raised OverflowError in classify, ingest, the Dask workers and the page.
HUGE_NUMBERS = [
    f"{HUGE} people were killed in Lyon, France.",
    f"Floods displaced {HUGE} residents and {HUGE},000 more in Lyon.",
    f"The fire burned {HUGE} hectares near Lyon; waves of {HUGE} m; winds of {HUGE}.5 km/h.",
    f"A point {HUGE} miles south of Lyon, France was hit.",
    f"A magnitude {HUGE}.5 quake killed {'1' * 20} people in Lyon.",
]


def strict(line: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(line, parse_constant=refuse)


@pytest.mark.parametrize("text", HUGE_NUMBERS)
def test_numbers_of_hundreds_of_digits_are_no_facts(text: str) -> None:
    found = classify(text).to_dict()
    assert all(value is None or value < 10**15 for key, value in found.items() if key in ("deaths", "displaced"))


def test_huge_numbers_do_not_stop_an_ingest(geoparser: Geoparser, tmp_path: Path) -> None:
    lines = [json.dumps({"title": f"Story {n}", "text": text}) for n, text in enumerate(HUGE_NUMBERS)]
    report = ingest_sources([Upload("huge.jsonl", "\n".join(lines).encode())], tmp_path / "e.parquet", geoparser)
    assert (report.added, report.problems) == (len(HUGE_NUMBERS), ())


@pytest.mark.parametrize("command", ["geoparse", "classify"])
def test_out_of_range_numbers_in_ids_come_back_as_strict_json(run_geo: RunGeo, command: str) -> None:
    stdin = "".join(
        json.dumps({"id": "x", "text": text}).replace('"x"', ident) + "\n"
        for ident, text in [("1e400", "In Paris."), ("-1e400", "x"), ("1" + "0" * 5000, "y"), ("2.5", HUGE_NUMBERS[0])]
    )
    done = run_geo(command, stdin=stdin)
    lines = [strict(line) for line in done.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["1e400", "-1e400", "1" + "0" * 5000, 2.5]
    assert "beyond the range of a double" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_record_that_cannot_be_analysed_gets_an_error_line_and_the_rest_answers(
    run_geo: RunGeo, tmp_path: Path
) -> None:
    script = tmp_path / "run.py"
    script.write_text(
        "import sys, geo.events.classifier\n"
        "real = geo.events.classifier.classify\n"
        "def classify(text):\n"
        "    if 'POISON' in text: raise OverflowError('an unforeseen overflow')\n"
        "    return real(text)\n"
        "geo.events.classifier.classify = classify\n"
        "from geo.__main__ import main\n"
        "sys.exit(main(['classify']))\n",
        encoding="utf-8",
    )
    stdin = "".join(json.dumps({"id": n, "text": t}) + "\n" for n, t in enumerate(["Floods in Lyon.", "POISON", "x"]))
    done = subprocess.run(
        [sys.executable, str(script)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    lines = [strict(line) for line in done.stdout.splitlines()]
    assert [line["id"] for line in lines] == [0, 1, 2]
    assert "OverflowError: an unforeseen overflow" in lines[1]["error"]
    assert done.returncode == 1 and "Traceback" not in done.stderr


def test_one_story_that_fails_is_a_problem_and_its_batch_is_kept(
    geoparser: Geoparser, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.classify
    monkeypatch.setattr(ingest, "classify", lambda text: real(text) if "POISON" not in text else 1 / 0)
    stories = [Article.create(f"Story {n}", text) for n, text in enumerate(["Floods in Lyon.", "POISON", "Fire."])]
    problems: list[Problem] = []
    table = build_events(stories, geoparser, problems=problems)
    assert table["title"].tolist() == ["Story 0", "Story 2"]
    [problem] = problems
    assert "'Story 1'" in problem.message and "ZeroDivisionError" in problem.message


def test_a_row_that_does_not_fit_the_schema_is_a_problem_and_its_batch_is_kept(
    geoparser: Geoparser, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = ingest.event_row
    monkeypatch.setattr(
        ingest, "event_row", lambda a, p, n: {**real(a, p, n), **({"severity": 9} if "BAD" in a.text else {})}
    )
    stories = [Article.create(f"Story {n}", text) for n, text in enumerate(["Floods.", "BAD", "Fire.", "BAD 2"])]
    problems: list[Problem] = []
    assert build_events(stories, geoparser, problems=problems)["title"].tolist() == ["Story 0", "Story 2"]
    assert len(problems) == 2 and all("severity" in p.message for p in problems)


def test_dask_workers_report_what_they_leave_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = ingest.classify
    monkeypatch.setattr(ingest, "classify", lambda text: real(text) if "POISON" not in text else 1 / 0)
    lines = [json.dumps({"title": f"S{n}", "text": t}) for n, t in enumerate([*HUGE_NUMBERS, "POISON in Lyon"])]
    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (
        LocalCluster(
            n_workers=1,
            processes=False,
            threads_per_worker=1,
            host="127.0.0.1",
            protocol="tcp",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        Client(cluster) as client,
    ):  # threads in this process: the patched classify applies
        report = ingest_distributed([str(source)], tmp_path / "e.parquet", scheduler=client.scheduler.address)
    assert report.added == len(HUGE_NUMBERS)
    [problem] = report.problems
    assert "'S5'" in problem.message and "ZeroDivisionError" in problem.message


def test_a_malformed_url_among_good_sources_is_one_problem(geoparser: Geoparser, tmp_path: Path) -> None:
    good = Upload("a.jsonl", json.dumps({"title": "Flood", "text": "Floods in Lyon."}).encode())
    report = ingest_sources(["http://[::1", good, "ftp://x.org/f.xml"], tmp_path / "e.parquet", geoparser)
    assert report.added == 1
    assert [p.where for p in report.problems] == ["'http://[::1'", "'ftp://x.org/f.xml'"]


@pytest.mark.parametrize("command", ["geoparse", "classify"])
def test_an_endless_line_is_given_up_not_read_forever(run_geo: RunGeo, command: str, tmp_path: Path) -> None:
    done = run_geo(command, "/dev/zero")
    assert done.returncode == 2
    assert "binary data, not JSON lines" in done.stderr

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=_write_endless_line, args=(fifo,), daemon=True)
    writer.start()
    done = run_geo(command, str(fifo))
    assert done.returncode == 1
    assert "without a line break: the rest is not read" in done.stderr


def _write_endless_line(fifo: Path) -> None:
    """Write one line with no end into ``fifo`` until the reader goes away."""
    chunk = b'{"id": 1, "text": "' + b"a" * (1 << 20)
    try:
        with fifo.open("wb") as out:
            while True:
                out.write(chunk)
    except OSError:
        pass


def test_a_store_that_is_a_link_is_written_through(geoparser: Geoparser, tmp_path: Path) -> None:
    target = tmp_path / "real" / "events.parquet"
    target.parent.mkdir()
    store.append_events(target, batch("a", 2))
    link = tmp_path / "events.parquet"
    link.symlink_to(target)
    store.append_events(link, batch("b", 3))
    assert link.is_symlink()
    assert len(read_events(target)) == 5 and len(read_events(link)) == 5


def test_a_loop_of_links_is_a_store_error(tmp_path: Path) -> None:
    first, second = tmp_path / "a.parquet", tmp_path / "b.parquet"
    first.symlink_to(second)
    second.symlink_to(first)
    with pytest.raises(StoreError, match="loop of symbolic links"):
        store.append_events(first, batch("a", 1))


class _FillingFile(io.RawIOBase):
    """A file on a disk that fills after ``room`` bytes."""

    def __init__(self, room: int) -> None:
        super().__init__()
        self.room = room

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(data)
        return len(data)


def test_a_disk_that_fills_while_staging_is_one_clear_error(
    geoparser: Geoparser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "events.parquet"
    store.append_events(path, batch("a", 2))
    before = snapshot_bytes(path)
    monkeypatch.setattr(StoreLocation, "open_output", lambda *args: io.BufferedWriter(_FillingFile(20_000)))
    lines = [json.dumps({"title": f"Flood {n}", "text": f"Floods hit Lyon, day {n}. " * 20}) for n in range(600)]
    with pytest.raises(StoreError, match="disk full; free space or set GEO_STORE"):
        ingest_sources([Upload("a.jsonl", "\n".join(lines).encode())], path, geoparser)
    assert snapshot_bytes(path) == before


def _corrupt_geometry(path: Path, row: int) -> None:
    table = rewrite_only_part(path)
    wkb = table.column("geometry").to_pylist()
    wkb[row] = b"\x01\x02not wkb at all"
    index = table.schema.get_field_index("geometry")
    rewrite_only_part(path, table.set_column(index, table.schema.field(index), pa.array(wkb, pa.binary())))


def test_a_corrupt_stored_geometry_is_rebuilt_and_reported_at_export(run_geo: RunGeo, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    store.append_events(path, batch("a", 3))
    _corrupt_geometry(path, 1)
    done = run_geo("export", "--store", str(path), "--format", "geojson")
    features = json.loads(done.stdout)["features"]
    assert [f["id"] for f in features] == ["a-0", "a-1", "a-2"]
    assert features[1]["geometry"] == features[0]["geometry"]
    assert done.returncode == 1 and "not valid WKB (events a-1): rebuilt from lat/lon" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_stored_row_outside_the_schema_is_left_out_of_an_export(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    store.append_events(path, batch("a", 3))
    table = rewrite_only_part(path)
    index = table.schema.get_field_index("severity")
    rewrite_only_part(
        path, table.set_column(index, table.schema.field(index), pa.array([1, 9, 2], table.schema.field(index).type))
    )
    problems: list[Problem] = []
    features = json.loads(str(export_events(path, "geojson", problems=problems)))["features"]
    assert [f["id"] for f in features] == ["a-0", "a-2"]
    [problem] = problems
    assert "event a-1 left out" in problem.message and "severity" in problem.message
    with pytest.raises(StoreError, match="cannot read the event store"):
        read_events(path)  # without a list for the problems, reading stays strict


@pytest.mark.parametrize(
    "cell",
    ["|cmd", "＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1", "−1", "%0A", " =1+1", "\u3000=1", "\n=1", "\r=1", "\t=1"],
)
def test_every_kind_of_formula_start_is_defused(cell: str) -> None:
    assert _defuse(cell) == "'" + cell
