"""Tests of the command line, run as ``python -m geo`` in a subprocess: geoparse and evaluate."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

RunGeo = Callable[..., subprocess.CompletedProcess[str]]

NICE = "A shooting in Nice, southeastern France, left two people dead."
PLACE_TYPES = {
    "start": (int,),
    "end": (int,),
    "name": (str,),
    "lat": (float,),
    "lon": (float,),
    "country_code": (str, type(None)),
    "feature": (str,),
    "derived": (bool,),
}


def jsonl(*items: Any) -> str:
    return "".join(json.dumps(item) + "\n" for item in items)


def output_lines(done: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.fixture(scope="module")
def mixed_run(run_geo: RunGeo, tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """geoparse over a file with good, blank, broken and undecodable lines."""
    path = tmp_path_factory.mktemp("cli") / "mixed.jsonl"
    path.write_bytes(
        b"".join(
            [
                json.dumps({"id": 1, "text": NICE}).encode() + b"\n",
                b"\n",
                b"not json\n",
                b'{"id": 4}\n',
                b"[1, 2]\n",
                b'{"id": 6, "text": ""}\n',
                b'{"id": 7, "text": "Caf\xff in Paris, Texas"}\n',
                b'{"id": 8, "text": "The war in Ukraine."}',  # no final newline
            ]
        )
    )
    return run_geo("geoparse", str(path))


def test_one_output_line_per_input_line_in_order(mixed_run: subprocess.CompletedProcess[str]) -> None:
    assert [item["id"] for item in output_lines(mixed_run)] == [1, None, 4, None, 6, 7, 8]


@pytest.mark.parametrize(("index", "line"), [(1, 3), (2, 4), (3, 5)])
def test_bad_line_gets_an_error_record(mixed_run: subprocess.CompletedProcess[str], index: int, line: int) -> None:
    item = output_lines(mixed_run)[index]
    assert set(item) == {"id", "places", "error"}
    assert item["places"] == []
    assert item["error"].startswith(f"line {line}: ")
    assert item["error"] in mixed_run.stderr


def test_bad_lines_set_exit_status_1(mixed_run: subprocess.CompletedProcess[str]) -> None:
    assert mixed_run.returncode == 1
    assert "Traceback" not in mixed_run.stderr
    for line in (3, 4, 5, 7):
        assert f": line {line}: " in mixed_run.stderr


def test_good_lines_around_bad_ones(mixed_run: subprocess.CompletedProcess[str]) -> None:
    items = output_lines(mixed_run)
    assert [p["name"] for p in items[0]["places"]] == ["Nice", "France"]
    assert items[4] == {"id": 6, "places": []}
    assert [p["name"] for p in items[5]["places"]] == ["Paris", "Texas"]  # bytes replaced, line still parsed
    assert "U+FFFD" in mixed_run.stderr
    assert [p["country_code"] for p in items[6]["places"]] == ["UA"]


def test_all_good_lines_exit_0(run_geo: RunGeo, tmp_path: Path) -> None:
    path = tmp_path / "good.jsonl"
    path.write_text(jsonl({"id": "a", "text": NICE}, {"id": "b", "text": ""}, {"id": "c", "text": "No place."}))
    done = run_geo("geoparse", str(path))
    assert (done.returncode, done.stderr) == (0, "")
    items = output_lines(done)
    assert [item["id"] for item in items] == ["a", "b", "c"]
    assert items[1]["places"] == items[2]["places"] == []


def test_reads_stdin(run_geo: RunGeo) -> None:
    done = run_geo("geoparse", stdin=jsonl({"id": 1, "text": NICE}) + "oops\n")
    assert done.returncode == 1
    assert [item["id"] for item in output_lines(done)] == [1, None]
    assert "stdin: line 2: not JSON" in done.stderr


def test_place_keys_and_json_types(run_geo: RunGeo, tmp_path: Path) -> None:
    text = "The epicenter was 135 miles south of Puerto Williams, Chile, near the Drake Passage."
    path = tmp_path / "types.jsonl"
    path.write_text(jsonl({"id": 1, "text": text}))
    [item] = output_lines(run_geo("geoparse", str(path)))
    places = item["places"]
    assert {p["derived"] for p in places} == {True, False}
    assert None in {p["country_code"] for p in places}  # the water body and the derived point
    for place in places:
        assert list(place) == list(PLACE_TYPES)
        for key, types in PLACE_TYPES.items():
            assert type(place[key]) in types, f"{key}={place[key]!r}"
        assert text[place["start"] : place["end"]]


def test_one_megabyte_document(run_geo: RunGeo, tmp_path: Path) -> None:
    sentence = NICE + " "
    text = sentence * (1_000_000 // len(sentence) + 1)
    path = tmp_path / "big.jsonl"
    path.write_text(jsonl({"id": "big", "text": text}))
    done = run_geo("geoparse", str(path))
    assert done.returncode == 0, done.stderr
    [item] = output_lines(done)
    places = item["places"]
    assert len(places) == 2 * text.count(sentence)
    assert {text[p["start"] : p["end"]] for p in places} == {"Nice", "France"}
    assert all(text[p["start"] : p["end"]] == p["name"] for p in places)


@pytest.mark.parametrize("command", ["geoparse", "evaluate"])
def test_missing_input_file(run_geo: RunGeo, tmp_path: Path, command: str) -> None:
    missing = tmp_path / "nowhere.jsonl"
    done = run_geo(command, str(missing))
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    assert str(missing) in done.stderr
    assert done.stderr.startswith(f"geo {command}: error: ")


def test_input_is_a_directory(run_geo: RunGeo, tmp_path: Path) -> None:
    done = run_geo("geoparse", str(tmp_path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"cannot read {tmp_path}" in done.stderr


def test_lone_surrogate_in_id(run_geo: RunGeo) -> None:
    done = run_geo("geoparse", stdin='{"id": "\\ud800", "text": "in Paris"}\n{"id": 2, "text": "ok"}\n')
    assert "Traceback" not in done.stderr
    assert len(done.stdout.splitlines()) == 2


def test_output_survives_a_non_utf8_stdout(run_geo: RunGeo) -> None:
    done = run_geo(
        "geoparse",
        stdin=jsonl({"id": 1, "text": "Officials in Zürich and Chad met."}),
        env={"PYTHONIOENCODING": "ascii"},
    )
    assert "Traceback" not in done.stderr
    assert done.returncode == 0


@pytest.fixture
def gold_file(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text(
        jsonl(
            {
                "id": "d1",
                "text": NICE,
                "toponyms": [{"start": 14, "end": 18, "lat": 43.7, "lon": 7.27}, {"start": 33, "end": 39}],
            },
            {
                "id": "d2",
                "text": "He lives in Paris, Texas.",
                "toponyms": [{"start": 12, "end": 17, "lat": 33.66, "lon": -95.56}],
            },
        )
    )
    return path


def test_evaluate_prints_the_report(run_geo: RunGeo, gold_file: Path) -> None:
    done = run_geo("evaluate", str(gold_file))
    assert (done.returncode, done.stderr) == (0, "")
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["documents", "2", "(gold", "mentions", "3,", "predicted", "4)"]
    for label in ("strict  P/R/F1", "loose   P/R/F1", "acc@161km", "AUC", "docs/s"):
        assert any(label in line for line in lines), label
    assert "0.750 / 1.000 / 0.857" in done.stdout


def test_evaluate_json(run_geo: RunGeo, gold_file: Path) -> None:
    done = run_geo("evaluate", str(gold_file), "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert {"loose_f1", "acc161", "auc"} <= set(report)
    assert report["loose_f1"] == pytest.approx(6 / 7)
    assert report["acc161"] == 1.0
    assert 0.0 <= report["auc"] < 0.1


def test_evaluate_broken_gold_line(run_geo: RunGeo, tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text(jsonl({"id": "d1", "text": "x", "toponyms": []}) + '{"id": "d2", "text": "x"}\n')
    done = run_geo("evaluate", str(path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"{path}:2: not a gold document" in done.stderr


def strict_json(line: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(line, parse_constant=refuse)


def test_output_is_strict_json(run_geo: RunGeo) -> None:
    done = run_geo("geoparse", stdin='{"id": NaN, "text": "in Paris"}\n{"id": Infinity, "text": "x"}\n')
    assert len(done.stdout.splitlines()) == 2
    for line in done.stdout.splitlines():
        strict_json(line)


def test_basemap_build_is_a_no_op_when_the_tiles_are_fresh(run_geo: RunGeo) -> None:
    done = run_geo("basemap", "build", "--if-stale")
    assert done.returncode == 0 and done.stdout.startswith(("basemap tiles up to date", "cut "))


def test_basemap_derive_names_a_missing_source(run_geo: RunGeo, tmp_path: Path) -> None:
    done = run_geo("basemap", "derive", "--source", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "Natural Earth layers not found" in done.stderr and "--source DIR" in done.stderr


def test_geoparse_answers_each_line_of_a_pipe_as_it_arrives() -> None:
    import select
    import sys

    from geo import settings

    command = [sys.executable, "-m", "geo", "geoparse"]
    with subprocess.Popen(command, cwd=settings.PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(b'{"id": "a", "text": "A quake hit Lima, Peru."}\n')
        proc.stdin.flush()  # and nothing more: the answer must come while the pipe is still open
        ready, _, _ = select.select([proc.stdout], [], [], 60)
        answer = json.loads(proc.stdout.readline()) if ready else None
        proc.stdin.close()
        proc.wait(timeout=60)
    assert answer is not None, "no answer while the input was still open"
    assert answer["id"] == "a" and answer["places"][0]["name"] == "Lima"
