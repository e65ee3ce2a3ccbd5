"""Accuracy floors of the geoparser on the development corpora, read in place from ``../shared/eval`` (skipped
without it). Each floor sits a little under the figure measured when it was set, so that a regression fails."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from geo.places.evaluate import evaluate, read_gold
from geo.places.geoparse import Geoparser

#: corpus: (loose F1, accuracy within 161 km), measured 0.819 / 0.825 on LGL and 0.883 / 0.775 on TR-News.
FLOORS = {"lgl.jsonl": (0.80, 0.80), "tr-news.jsonl": (0.86, 0.75)}


@pytest.mark.parametrize("corpus", sorted(FLOORS))
def test_the_geoparser_stays_above_its_floors(
    eval_file: Callable[[str], Path], geoparser: Geoparser, corpus: str
) -> None:
    path = eval_file(corpus)
    report = evaluate(read_gold(path), geoparser.parse)
    f1_floor, accuracy_floor = FLOORS[corpus]
    assert report.loose_f1 >= f1_floor, f"{corpus}: loose F1 {report.loose_f1:.3f} < {f1_floor}"
    assert report.acc161 >= accuracy_floor, f"{corpus}: accuracy within 161 km {report.acc161:.3f} < {accuracy_floor}"
