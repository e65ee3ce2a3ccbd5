"""Score the geoparser against a corpus with gold place spans and coordinates (LGL format).

Recognition: precision, recall and F1, strict (identical span) and loose (overlapping spans,
matched one to one). Resolution, over loose matches whose gold has coordinates: accuracy within
161 km, mean and median error, and the AUC of ln(1 + km) / ln(20039) (Gritta et al. 2018; lower
is better).
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from geo.errors import DataFormatError
from geo.places.place import Place
from geo.settings import ACCURACY_KM, MAX_ERROR_KM

__all__ = ["EvalReport", "GoldDoc", "GoldSpan", "auc", "evaluate", "read_gold", "score_doc"]


@dataclass(frozen=True, slots=True)
class GoldSpan:
    """An annotated place mention."""

    start: int
    end: int
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class GoldDoc:
    """A document with its annotated mentions."""

    id: str
    text: str
    spans: tuple[GoldSpan, ...]


@dataclass(slots=True)
class _Counts:
    gold: int = 0
    predicted: int = 0
    strict: int = 0
    loose: int = 0
    errors_km: list[float] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Every figure ``geo evaluate`` prints."""

    docs: int
    gold: int
    predicted: int
    strict_p: float
    strict_r: float
    strict_f1: float
    loose_p: float
    loose_r: float
    loose_f1: float
    resolved: int
    acc161: float
    mean_km: float
    median_km: float
    auc: float
    docs_per_s: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    def lines(self) -> list[str]:
        """Human-readable report."""
        return [
            f"documents        {self.docs}  (gold mentions {self.gold}, predicted {self.predicted})",
            f"strict  P/R/F1   {self.strict_p:.3f} / {self.strict_r:.3f} / {self.strict_f1:.3f}",
            f"loose   P/R/F1   {self.loose_p:.3f} / {self.loose_r:.3f} / {self.loose_f1:.3f}",
            f"resolution       {self.resolved} loose matches with gold coordinates",
            f"acc@161km        {self.acc161:.3f}",
            f"mean / median km {self.mean_km:.1f} / {self.median_km:.1f}",
            f"AUC              {self.auc:.3f}  (lower is better)",
            f"speed            {self.docs_per_s:.0f} docs/s",
        ]


def _coordinate(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"coordinate {value!r} is not a number")
    return float(value)


def _gold_doc(line: str, number: int) -> GoldDoc:
    item = json.loads(line)
    if not isinstance(item.get("text"), str):
        raise TypeError('"text" is not a string')
    spans = tuple(
        GoldSpan(int(t["start"]), int(t["end"]), _coordinate(t.get("lat")), _coordinate(t.get("lon")))
        for t in item["toponyms"]
    )
    return GoldDoc(str(item.get("id", number)), item["text"], spans)


def read_gold(path: Path) -> Iterator[GoldDoc]:
    """Documents of a gold JSONL file: {"id", "text", "toponyms": [{"start", "end", "lat", "lon"}]}."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8")
                if line.strip():
                    yield _gold_doc(line, number)
            except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as err:
                raise DataFormatError(f"{path}:{number}: not a gold document ({err})") from err


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _overlap(a: GoldSpan, b: Place) -> int:
    return min(a.end, b.end) - max(a.start, b.start)


def score_doc(gold: Iterable[GoldSpan], predicted: Iterable[Place], counts: _Counts | None = None) -> _Counts:
    """Add one document's matches to ``counts``; derived points are not mentions and are ignored."""
    counts = counts or _Counts()
    golds = list(gold)
    preds = [p for p in predicted if not p.derived]
    counts.gold += len(golds)
    counts.predicted += len(preds)
    exact = Counter((p.start, p.end) for p in preds)
    for g in golds:
        if exact[(g.start, g.end)] > 0:
            exact[(g.start, g.end)] -= 1
            counts.strict += 1
    pairs = sorted(
        ((_overlap(g, p), gi, pi) for gi, g in enumerate(golds) for pi, p in enumerate(preds) if _overlap(g, p) > 0),
        reverse=True,
    )
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    for _, gi, pi in pairs:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        counts.loose += 1
        g, p = golds[gi], preds[pi]
        if g.lat is not None and g.lon is not None:
            counts.errors_km.append(_km(g.lat, g.lon, p.lat, p.lon))
    return counts


def auc(errors_km: list[float]) -> float:
    """Area under the curve of sorted ln(1 + km) / ln(20039) (0 = perfect, 1 = worst, and when nothing
    was resolved)."""
    if len(errors_km) < 2:
        return 1.0 if not errors_km else math.log1p(errors_km[0]) / math.log(MAX_ERROR_KM)
    values = sorted(math.log1p(e) / math.log(MAX_ERROR_KM) for e in errors_km)
    area = sum((values[i] + values[i + 1]) / 2 for i in range(len(values) - 1))
    return area / (len(values) - 1)


def _prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def evaluate(docs: Iterable[GoldDoc], parse: Callable[[str], list[Place]]) -> EvalReport:
    """Run ``parse`` over the documents and score it."""
    counts = _Counts()
    n = 0
    elapsed = 0.0
    for doc in docs:
        started = time.perf_counter()
        predicted = parse(doc.text)
        elapsed += time.perf_counter() - started
        score_doc(doc.spans, predicted, counts)
        n += 1
    sp, sr, sf = _prf(counts.strict, counts.predicted, counts.gold)
    lp, lr, lf = _prf(counts.loose, counts.predicted, counts.gold)
    errors = counts.errors_km
    return EvalReport(
        docs=n,
        gold=counts.gold,
        predicted=counts.predicted,
        strict_p=sp,
        strict_r=sr,
        strict_f1=sf,
        loose_p=lp,
        loose_r=lr,
        loose_f1=lf,
        resolved=len(errors),
        acc161=sum(1 for e in errors if e <= ACCURACY_KM) / len(errors) if errors else 0.0,
        mean_km=statistics.fmean(errors) if errors else 0.0,
        median_km=statistics.median(errors) if errors else 0.0,
        auc=auc(errors),
        docs_per_s=n / elapsed if elapsed else 0.0,
    )
