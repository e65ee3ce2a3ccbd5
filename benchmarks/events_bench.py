"""Event-table figures: event-type macro-F1 on events_dev.jsonl, casualty facts on casualties_dev.jsonl, and
ingest speed end to end.

Usage: python benchmarks/events_bench.py [--eval-dir ../shared/eval] [--articles 5000] [--errors N]

Prints per-type precision/recall/F1 and macro-F1 over the 21 types (labels: verified_event_type), the most
frequent confusions; per corpus of casualties_dev.jsonl, how often the deaths (killed + missing) and injured
counts read from the text are exact where the text states one, how often a count is read where the truth is
none, the impact level the true numbers give matched, and gross errors (over 10x the truth, or 1,000 or more
where the truth is under 100); then articles per second through the whole ingest pipeline (geoparse,
classify, event location, GeoDataFrame) in one process, and the time to append them to a GeoParquet store.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.events.classifier import classify_type  # noqa: E402
from geo.events.lexicon import EVENT_TYPES  # noqa: E402
from geo.events.severity import Facts, extract_facts, impact_level  # noqa: E402
from geo.ingest import build_events  # noqa: E402
from geo.places.geoparse import Geoparser  # noqa: E402
from geo.read.records import Article, article_id  # noqa: E402
from geo.store.eventstore import append_events  # noqa: E402


def _macro_f1(gold: list[str], predicted: list[str]) -> tuple[float, dict[str, tuple[float, float, float]]]:
    per_type = {}
    for kind in EVENT_TYPES:
        tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == kind)
        fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p == kind != g)
        fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g == kind != p)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        per_type[kind] = (precision, recall, 2 * precision * recall / (precision + recall) if tp else 0.0)
    return sum(f for _, _, f in per_type.values()) / len(per_type), per_type


def _accuracy(path: Path) -> list[str]:
    items = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    gold = [item["verified_event_type"] for item in items]
    predicted = [classify_type(item["text"]).primary for item in items]
    macro, per_type = _macro_f1(gold, predicted)
    print(f"== event types on {path.name}: {len(items)} texts")
    for kind, (p, r, f) in per_type.items():
        print(f"{kind:24s} P {p:.2f}  R {r:.2f}  F1 {f:.2f}")
    print(
        f"macro-F1 {macro:.3f}   accuracy {sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold):.3f}"
    )
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    print(
        "most frequent confusions (gold -> predicted):",
        ", ".join(f"{g}->{p} {n}" for (g, p), n in confusions.most_common(8)),
    )
    return [item["text"] for item in items]


def _gross(found: int | None, truth: int | None) -> bool:
    found, truth = found or 0, truth or 0
    return (truth > 0 and found > 10 * truth) or (found >= 1_000 and truth < 100)


def _share(tally: Counter[str], part: str, whole: str) -> str:
    return f"{tally[part] / tally[whole]:.3f} of {tally[whole]:<4d}" if tally[whole] else "-" + " " * 12


def _casualties(path: Path, show_errors: int) -> None:
    items = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    print(f"== casualty facts on {path.name}: {len(items)} texts")
    print("corpus     n  deaths exact   injured exact  deaths where none  injured where none  level   gross")
    errors: list[str] = []
    for corpus in [*sorted({item["corpus"] for item in items}), "all"]:
        chosen = [item for item in items if corpus in ("all", item["corpus"])]
        tally: Counter[str] = Counter()
        for item in chosen:
            facts = extract_facts(item["text"])
            truth = Facts(deaths=item["deaths"], injured=item["injured"], displaced=item["displaced"])
            for field in ("deaths", "injured"):
                found, true = getattr(facts, field), item[field]
                if true:
                    tally[f"{field} stated"] += 1
                    tally[f"{field} exact"] += found == true
                else:
                    tally[f"{field} none"] += 1
                    tally[f"{field} invented"] += bool(found)
                if found != (true or None) and corpus == "all":
                    errors.append(f"{field} {found} (truth {true}): {item['text'][:300]!r}")
                tally["gross"] += _gross(found, true)
            tally["level"] += impact_level(facts) == impact_level(truth)

        print(
            f"{corpus:8s} {len(chosen):5d}  {_share(tally, 'deaths exact', 'deaths stated')}"
            f"  {_share(tally, 'injured exact', 'injured stated')}"
            f"  {_share(tally, 'deaths invented', 'deaths none')}"
            f"      {_share(tally, 'injured invented', 'injured none')}"
            f"       {tally['level'] / len(chosen):.3f}  {tally['gross']}"
        )
    for line in errors[:show_errors]:
        print("  ", line)


def _speed(texts: list[str], count: int, label: str) -> None:
    parser = Geoparser.load()
    articles = []
    for i in range(count):
        text = texts[i % len(texts)]
        title = text.split(". ")[0][:120]
        body = f"{text} (item {i})"
        articles.append(Article(id=article_id(title, body), title=title, text=body, source="bench"))
    started = time.perf_counter()
    events = build_events(articles, parser, ingested_at=datetime.now(UTC))
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = append_events(Path(tmp) / "events.parquet", events)
        stored = time.perf_counter() - started
    mean_chars = sum(len(a.text) for a in articles) / len(articles)
    print(f"== ingest speed: {count} articles from {label} (mean {mean_chars:.0f} characters)")
    print(f"pipeline         {count / built:.0f} articles/s (geoparse + classify + location + table)")
    print(f"store append     {stored:.2f} s for {result.added} events")
    print(f"end to end       {count / (built + stored):.0f} articles/s")


def main() -> None:
    """Print every figure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--errors", type=int, default=0, help="print this many casualty errors")
    args = parser.parse_args()
    path = args.eval_dir / "events_dev.jsonl"
    if not path.exists():
        print(f"{path} not found: accuracy and speed skipped")
        return
    texts = _accuracy(path)
    casualties = args.eval_dir / "casualties_dev.jsonl"
    if casualties.exists():
        _casualties(casualties, args.errors)
    _speed(texts, args.articles, "events_dev summaries")
    lgl = args.eval_dir / "lgl.jsonl"
    if lgl.exists():
        long_texts = [json.loads(line)["text"] for line in lgl.open(encoding="utf-8") if line.strip()]
        _speed(long_texts, args.articles, "LGL full news articles")


if __name__ == "__main__":
    main()
