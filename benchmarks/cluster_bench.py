"""Clustering figures: stories of one event merged into one, on clusters_dev.jsonl (read in place).

Usage: python benchmarks/cluster_bench.py [--eval-dir ../shared/eval] [--errors N]

Each summary goes through the whole pipeline (geoparse, classify, event location) with its date as the
published date; the stories are then clustered in the order of their days, as a watcher would add them. Prints
pairwise precision, recall and F1 against the gold grouping (the event each summary reports), how many clusters
hold stories whose gold types differ, the time per story, and with --errors the pairs merged or split wrongly.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.events.clusters import ClusterIndex, pairwise_scores, with_clusters  # noqa: E402
from geo.ingest import build_events  # noqa: E402
from geo.places.geoparse import Geoparser  # noqa: E402
from geo.read.records import Article  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--eval-dir", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--errors", type=int, default=0)
    args = parser.parse_args()
    items = [json.loads(line) for line in (args.eval_dir / "clusters_dev.jsonl").open(encoding="utf-8")]
    articles = [
        Article.create("", item["text"], published_at=datetime.fromisoformat(item["date"]).replace(tzinfo=UTC))
        for item in items
    ]
    table = build_events(articles, Geoparser.load()).reset_index(drop=True)
    gold_of = {article.id: item["cluster"] for article, item in zip(articles, items, strict=True)}
    gold_type = {article.id: item["event_type"] for article, item in zip(articles, items, strict=True)}
    started = time.perf_counter()
    clustered = with_clusters(table, ClusterIndex())
    seconds = time.perf_counter() - started
    gold = [gold_of[event_id] for event_id in clustered["event_id"]]
    precision, recall, f1 = pairwise_scores(gold, list(clustered["cluster_id"]))
    mixed = sum(len({gold_type[e] for e in group["event_id"]}) > 1 for _, group in clustered.groupby("cluster_id"))
    print(f"== clusters_dev.jsonl: {len(items)} stories, {len(set(gold))} events")
    print(f"pairwise precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    print(f"clusters found {clustered['cluster_id'].nunique()}; holding stories of different gold types: {mixed}")
    print(f"clustering {1000 * seconds / max(len(items), 1):.2f} ms per story")
    if args.errors:
        _errors(clustered, gold, args.errors)


def _errors(clustered, gold, limit: int) -> None:  # type: ignore[no-untyped-def]
    rows = clustered.assign(gold=gold)
    shown = 0
    for label, group in rows.groupby("gold"):
        if group["cluster_id"].nunique() > 1 and shown < limit:
            shown += 1
            print(f"-- split {label}:")
            for row in group.itertuples():
                print(f"   {row.cluster_id[:8]} {row.event_type} {row.place_name} {row.text[:110]!r}")
    for cluster, group in rows.groupby("cluster_id"):
        if group["gold"].nunique() > 1 and shown < 2 * limit:
            shown += 1
            print(f"-- merged {cluster[:8]}:")
            for row in group.itertuples():
                print(f"   {row.gold[:30]} {row.event_type} {row.place_name} {row.text[:110]!r}")


if __name__ == "__main__":
    main()
