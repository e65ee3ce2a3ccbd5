"""Tests of geo.places.evaluate: span matching, distance figures, AUC and the gold reader, on handmade data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from geo.errors import DataFormatError
from geo.places.evaluate import GoldDoc, GoldSpan, auc, evaluate, read_gold, score_doc
from geo.places.place import Place

KM_PER_DEGREE = 6371.0 * math.pi / 180.0  # along the equator, on the sphere the scorer uses


def gold(start: int, end: int, lat: float | None = 0.0, lon: float | None = 0.0) -> GoldSpan:
    return GoldSpan(start, end, lat, lon)


def pred(start: int, end: int, lat: float = 0.0, lon: float = 0.0, *, derived: bool = False) -> Place:
    return Place(start, end, "X", lat, lon, None, "derived" if derived else "city", derived=derived)


def test_strict_needs_the_same_span_loose_any_overlap() -> None:
    counts = score_doc([gold(0, 5), gold(10, 15), gold(20, 25)], [pred(0, 5), pred(11, 15), pred(30, 35)])
    assert (counts.gold, counts.predicted, counts.strict, counts.loose) == (3, 3, 1, 2)


def test_touching_spans_do_not_overlap() -> None:
    counts = score_doc([gold(0, 5)], [pred(5, 9)])
    assert (counts.strict, counts.loose) == (0, 0)


def test_loose_matching_is_one_to_one() -> None:
    counts = score_doc([gold(0, 10)], [pred(0, 4), pred(5, 10)])
    assert (counts.predicted, counts.loose) == (2, 1)
    counts = score_doc([gold(0, 4), gold(5, 10)], [pred(0, 10)])
    assert (counts.gold, counts.loose) == (2, 1)


def test_loose_match_prefers_the_larger_overlap() -> None:
    """The error is measured against the prediction that covers more of the gold span."""
    counts = score_doc([gold(0, 10, 0.0, 0.0)], [pred(0, 2, 0.0, 5.0), pred(3, 10, 0.0, 1.0)])
    assert counts.errors_km == [pytest.approx(KM_PER_DEGREE, rel=1e-6)]


def test_strict_matching_is_one_to_one() -> None:
    counts = score_doc([gold(0, 5), gold(0, 5)], [pred(0, 5)])
    assert counts.strict <= counts.predicted


def test_derived_predictions_are_ignored() -> None:
    counts = score_doc([gold(0, 20)], [pred(0, 20, derived=True), pred(8, 20)])
    assert (counts.predicted, counts.strict, counts.loose) == (1, 0, 1)


def test_gold_without_coordinates_counts_for_recognition_only() -> None:
    counts = score_doc([gold(0, 5, None, None), gold(10, 15, 1.0, None)], [pred(0, 5), pred(10, 15)])
    assert (counts.loose, counts.errors_km) == (2, [])


def test_counts_accumulate_across_documents() -> None:
    counts = score_doc([gold(0, 5)], [pred(0, 5)])
    same = score_doc([gold(0, 5)], [], counts)
    assert same is counts
    assert (counts.gold, counts.predicted, counts.strict) == (2, 1, 1)


def test_evaluate_figures_from_known_coordinates() -> None:
    docs = [
        GoldDoc("a", "aaaa", (gold(0, 4, 0.0, 0.0),)),
        GoldDoc("b", "bbbb", (gold(0, 4, 0.0, 0.0),)),
        GoldDoc("c", "cccc cccc", (gold(0, 4, 0.0, 0.0), gold(5, 9, None, None))),
    ]
    answers = {"aaaa": [pred(0, 4, 0.0, 0.0)], "bbbb": [pred(0, 4, 0.0, 1.0)], "cccc cccc": [pred(1, 4, 0.0, 2.0)]}
    report = evaluate(docs, lambda text: answers[text])
    errors = [0.0, KM_PER_DEGREE, 2 * KM_PER_DEGREE]
    assert (report.docs, report.gold, report.predicted, report.resolved) == (3, 4, 3, 3)
    assert (report.strict_p, report.strict_r) == (pytest.approx(2 / 3), pytest.approx(2 / 4))
    assert (report.loose_p, report.loose_r, report.loose_f1) == (1.0, 0.75, pytest.approx(6 / 7))
    assert report.acc161 == pytest.approx(2 / 3)
    assert report.mean_km == pytest.approx(sum(errors) / 3, rel=1e-6)
    assert report.median_km == pytest.approx(KM_PER_DEGREE, rel=1e-6)
    assert report.auc == pytest.approx(auc(errors))
    assert report.docs_per_s > 0
    assert report.to_dict()["loose_f1"] == report.loose_f1


def test_evaluate_nothing() -> None:
    report = evaluate([], lambda text: [])
    assert (report.docs, report.loose_f1, report.acc161, report.auc) == (0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize(("errors", "expected"), [([0.0], 0.0), ([20038.0], 1.0), ([0.0, 0.0, 0.0], 0.0)])
def test_auc_bounds(errors: list[float], expected: float) -> None:
    assert auc(errors) == pytest.approx(expected, abs=1e-9)


def test_auc_is_monotonic_in_the_error() -> None:
    kms = [0.0, 0.5, 1.0, 10.0, 100.0, 161.0, 1000.0, 10000.0, 20000.0]
    values = [auc([km]) for km in kms]
    assert values == sorted(values)
    assert len(set(values)) == len(values)
    assert auc([10.0, 100.0]) < auc([10.0, 1000.0]) < auc([100.0, 1000.0])


def test_auc_does_not_depend_on_order_or_repetition() -> None:
    assert auc([500.0, 3.0, 40.0]) == pytest.approx(auc([3.0, 40.0, 500.0]))
    assert auc([40.0, 40.0]) == pytest.approx(auc([40.0]))


def test_report_lines() -> None:
    report = evaluate([GoldDoc("a", "aaaa", (gold(0, 4),))], lambda text: [pred(0, 4)])
    text = "\n".join(report.lines())
    for label in ("strict  P/R/F1   1.000 / 1.000 / 1.000", "acc@161km        1.000", "AUC              0.000"):
        assert label in text


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


GOOD = json.dumps({"id": "g1", "text": "in Paris", "toponyms": [{"start": 3, "end": 8, "lat": 48.85, "lon": 2.35}]})


def test_read_gold(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "gold.jsonl", GOOD, "", json.dumps({"text": "none", "toponyms": []}))
    docs = list(read_gold(path))
    assert docs == [
        GoldDoc("g1", "in Paris", (GoldSpan(3, 8, 48.85, 2.35),)),
        GoldDoc("3", "none", ()),  # no id: the line number stands in
    ]


@pytest.mark.parametrize(
    "broken",
    [
        "{not json",
        json.dumps({"id": "x", "text": "t"}),
        json.dumps({"id": "x", "toponyms": []}),
        json.dumps({"id": "x", "text": "t", "toponyms": [{"start": 0}]}),
        json.dumps({"id": "x", "text": "t", "toponyms": [{"start": "zero", "end": 1}]}),
        json.dumps({"id": "x", "text": "t", "toponyms": 5}),
        json.dumps(["a list"]),
    ],
)
def test_read_gold_names_the_broken_line(tmp_path: Path, broken: str) -> None:
    path = write_lines(tmp_path / "gold.jsonl", GOOD, "", broken)
    with pytest.raises(DataFormatError, match=r"gold\.jsonl:3: not a gold document"):
        list(read_gold(path))


@pytest.mark.parametrize(
    "broken",
    [
        json.dumps({"id": "x", "text": 5, "toponyms": []}),
        json.dumps({"id": "x", "text": "t", "toponyms": [{"start": 0, "end": 1, "lat": "40.1", "lon": -3.0}]}),
    ],
)
def test_read_gold_checks_types(tmp_path: Path, broken: str) -> None:
    path = write_lines(tmp_path / "gold.jsonl", GOOD, broken)
    with pytest.raises(DataFormatError, match=r"gold\.jsonl:2:"):
        list(read_gold(path))


def test_read_gold_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_bytes(GOOD.encode() + b'\n{"id": "x", "text": "caf\xe9", "toponyms": []}\n')
    with pytest.raises(DataFormatError, match=r"gold\.jsonl:2"):
        list(read_gold(path))
