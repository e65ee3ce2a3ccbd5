"""Tests of geo.events.clusters: stories of one event merged (same family of types, near, within the type's window,
similar texts), everything else kept apart, incremental and indexed, and the figures on the development set."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest

from geo.events.clusters import ClusterIndex, Story, family, pairwise_scores, stories, with_clusters

PADANG = (-0.95, 100.35)


def story(event_id: str, text: str, *, kind: str = "earthquake", day: int = 1, at: tuple[float, float] | None = PADANG,
          place: str | None = "Padang") -> Story:  # fmt: skip
    lat, lon = at if at else (None, None)
    return Story(event_id, kind, date(2024, 5, day), lat, lon, place if at else None, text)


def clusters(*told: Story) -> list[str]:
    index = ClusterIndex()
    return [index.add(one) for one in told]


QUAKE = "A magnitude 6.9 earthquake strikes near Padang, Indonesia, killing 12 people and destroying homes."
QUAKE_LATER = "The death toll from the earthquake near Padang, Indonesia, rises to 40 as homes are searched."


def test_reports_of_one_earthquake_are_one_event() -> None:
    assert clusters(story("a", QUAKE), story("b", QUAKE_LATER, day=3)) == ["a", "a"]


def test_an_earthquake_s_reports_may_name_towns_apart() -> None:
    later = story("b", QUAKE_LATER.replace("Padang", "Bukittinggi"), day=2, at=(-0.30, 100.37), place="Bukittinggi")
    assert clusters(story("a", QUAKE), later) == ["a", "a"]


@pytest.mark.parametrize(
    "other",
    [
        story("b", QUAKE_LATER, day=1, kind="political"),  # another family of types
        story("b", QUAKE_LATER, day=28),  # outside an earthquake's window
        story("b", QUAKE_LATER.replace("Padang", "Manila"), at=(14.6, 121.0), place="Manila"),  # too far
        story("b", "Parliament passes the budget after a long debate over fuel subsidies.", day=2),  # other words
    ],
)
def test_what_keeps_stories_apart(other: Story) -> None:
    assert clusters(story("a", QUAKE), other) == ["a", "b"]


def test_a_war_s_incidents_days_apart_stay_separate_events() -> None:
    first = story("a", "A missile strike on Odesa kills three people.", kind="armed_conflict", at=(46.48, 30.73))
    later = story("b", "A missile strike on Odesa kills two people.", kind="armed_conflict", day=9, at=(46.48, 30.73))
    assert clusters(first, later) == ["a", "b"]


def test_a_story_of_another_type_of_the_family_joins_only_when_it_says_the_same() -> None:
    flood = "Floods in Hanoi, Vietnam, kill 14 people after days of heavy rain from Typhoon Son-Tinh."
    storm = "Typhoon Son-Tinh brings heavy rain and floods to Hanoi, Vietnam, killing 14 people."
    assert family("flood") == family("tropical_cyclone")
    told = [
        story("a", flood, kind="flood", at=(21.0, 105.8)),
        story("b", storm, kind="tropical_cyclone", at=(21.0, 105.8)),
    ]
    assert clusters(*told) == ["a", "a"]


def test_a_story_with_no_place_joins_only_a_close_telling() -> None:
    unplaced = story("b", "The death toll from the earthquake near Padang rises to 40 as homes are searched.", at=None)
    assert clusters(story("a", QUAKE_LATER), unplaced) == ["a", "a"]
    vague = story("c", "An earthquake is felt; nobody is hurt.", at=None)
    assert clusters(story("a", QUAKE), vague) == ["a", "c"]


def test_a_stored_story_keeps_its_cluster_and_a_repeat_is_not_added_twice() -> None:
    index = ClusterIndex()
    assert index.add(story("a", QUAKE), cluster_id="old") == "old"
    assert index.add(story("b", QUAKE_LATER, day=2)) == "old"
    assert index.add(story("b", QUAKE_LATER, day=2)) == "old" and len(index) == 2


def test_a_story_is_compared_only_with_its_neighbours() -> None:
    index = ClusterIndex()
    for n in range(300):  # the same words, in the Americas: none of them is looked at for Padang
        index.add(story(f"far{n}", QUAKE, at=(n % 60 - 30, -60 - n % 60)))
    index.add(story("near", QUAKE, at=(-1.5, 101.0)))
    nearby = [seen.story.event_id for bucket in index._nearby(story("x", QUAKE)) for seen in bucket.seen]
    assert nearby == ["near"]


def test_with_clusters_orders_by_day_and_keeps_the_rows() -> None:
    table = pd.DataFrame(
        {
            "event_id": ["late", "early"],
            "event_type": ["earthquake", "earthquake"],
            "published_at": [pd.Timestamp("2024-05-03", tz="UTC"), None],
            "ingested_at": [pd.Timestamp("2024-05-04", tz="UTC"), pd.Timestamp("2024-05-01", tz="UTC")],
            "lat": [PADANG[0]] * 2,
            "lon": [PADANG[1]] * 2,
            "place_name": ["Padang", None],
            "text": [QUAKE_LATER, QUAKE],
        }
    )
    assert [s.day for s in stories(table)] == [date(2024, 5, 3), date(2024, 5, 1)]
    assert list(with_clusters(table, ClusterIndex())["cluster_id"]) == ["early", "early"]


def test_pairwise_scores() -> None:
    assert pairwise_scores(["x", "x", "y"], ["a", "a", "b"]) == (1.0, 1.0, 1.0)
    precision, recall, f1 = pairwise_scores(["x", "x", "x", "y"], ["a", "a", "b", "a"])
    assert (precision, recall) == (pytest.approx(1 / 3), pytest.approx(1 / 3)) and f1 == pytest.approx(1 / 3)


def test_figures_on_the_development_set(eval_file: Callable[[str], Path], geoparser: object) -> None:
    from geo.ingest import build_events
    from geo.read.records import Article

    path = eval_file("clusters_dev.jsonl")
    items = [json.loads(line) for line in path.open(encoding="utf-8")]
    made = [
        Article.create("", i["text"], published_at=datetime.fromisoformat(i["date"]).replace(tzinfo=UTC)) for i in items
    ]
    gold = {a.id: i["cluster"] for a, i in zip(made, items, strict=True)}
    table = with_clusters(build_events(made, geoparser), ClusterIndex())  # type: ignore[arg-type]
    precision, recall, f1 = pairwise_scores([gold[e] for e in table["event_id"]], list(table["cluster_id"]))
    assert precision >= 0.6 and recall >= 0.3 and f1 >= 0.4  # measured 0.685, 0.349 and 0.462 when written
