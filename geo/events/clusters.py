"""Stories of one real-world event: which stories report the same earthquake, fire or attack.

Two stories are of one event when they have the same event type, places near each other for that type (an
earthquake's reports may name towns 200 km apart; a shooting's are in one town), days within a window that suits
the type (a flood is reported for weeks, an attack for days), and texts that say the same things (the cosine of
their hashed vectors of four-letter word pieces, scikit-learn's HashingVectorizer: stateless, so a story can be
added at any time).

Clustering is incremental: :class:`ClusterIndex` holds the stories seen so far by type and grid cell; a new story
is compared only with those of its type in its cell and the cells around it, within its type's window, and
joins the cluster of the most similar one or starts its own. A cluster's id is the id of its first story.
Stories with no place or no day are never merged: nothing says they are the same event.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

import numpy as np
import pandas as pd
from geopy.distance import great_circle
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

__all__ = [
    "FAMILIES",
    "SCOPES",
    "ClusterIndex",
    "Scope",
    "Story",
    "family",
    "first_day",
    "pairwise_scores",
    "stories",
    "with_clusters",
]


@dataclass(frozen=True, slots=True)
class Scope:
    """How far apart two reports of one event of a type may be: in km, and in days."""

    km: float
    days: int


#: Per type: reports of one event lie within this distance and this many days of one another. Hazards that
#: cover a wide area or last long get more; incidents in one spot get little. Wars, epidemics and politics get
#: a few days: their stories are of separate incidents unless they report the same one.
SCOPES: Final = {
    "earthquake": Scope(400, 14), "tsunami": Scope(1500, 14), "volcano": Scope(300, 90),
    "tropical_cyclone": Scope(1500, 14), "flood": Scope(500, 21), "landslide": Scope(150, 14),
    "storm": Scope(800, 7), "wildfire": Scope(200, 30), "extreme_temperature": Scope(1500, 14),
    "drought": Scope(1500, 60), "epidemic": Scope(300, 7), "transport_accident": Scope(100, 7),
    "industrial_accident": Scope(100, 7), "terror_attack_shooting": Scope(100, 5), "armed_conflict": Scope(50, 3),
    "protest_unrest": Scope(100, 3), "crime": Scope(50, 5), "diplomatic": Scope(300, 3),
    "political": Scope(300, 3), "economic": Scope(300, 3), "other": Scope(50, 3),
}  # fmt: skip
_DEFAULT_SCOPE: Final = Scope(50, 3)
#: Texts at least this similar (cosine of their word vectors) report the same event; a little less suffices for
#: stories placed on the same named place.
SIMILAR: Final = 0.22
SIMILAR_SAME_PLACE: Final = 0.12
#: A story with no place, or of another type of the same family, must say more of the same.
SIMILAR_UNPLACED: Final = 0.35
SIMILAR_OTHER_TYPE: Final = 0.30
#: Families of types that reports of one event may be given.
FAMILIES: Final = (
    ("geophysical", ("earthquake", "tsunami", "volcano")),
    ("weather", ("tropical_cyclone", "flood", "landslide", "storm")),
    ("heat", ("wildfire", "extreme_temperature", "drought")),
    ("accident", ("transport_accident", "industrial_accident")),
    ("violence", ("terror_attack_shooting", "armed_conflict", "crime")),
    ("politics", ("political", "diplomatic", "economic", "protest_unrest")),
)
_FAMILY_OF: Final = {kind: name for name, kinds in FAMILIES for kind in kinds}
_FAMILY_KM: Final = defaultdict(lambda: _DEFAULT_SCOPE.km, {
    name: max(SCOPES[kind].km for kind in kinds) for name, kinds in FAMILIES
})  # fmt: skip
_FAMILY_DAYS: Final = defaultdict(lambda: _DEFAULT_SCOPE.days, {
    name: max(SCOPES[kind].days for kind in kinds) for name, kinds in FAMILIES
})  # fmt: skip
_KM_PER_DEGREE: Final = 111.2
#: Words' pieces of four letters (within words), so that "erupts" and "eruption", "Kīlauea's" and "Kīlauea" agree.
_VECTORS: Final = HashingVectorizer(
    n_features=2**20, alternate_sign=False, analyzer="char_wb", ngram_range=(4, 4), norm="l2", lowercase=True
)


@dataclass(frozen=True, slots=True)
class Story:
    """What clustering needs of a story: its id, type, day, point, the name of its place and its text."""

    event_id: str
    event_type: str
    day: date | None
    lat: float | None
    lon: float | None
    place_name: str | None
    text: str


@dataclass(slots=True)
class _Seen:
    story: Story
    cluster_id: str
    vector: Any


@dataclass(slots=True)
class _Bucket:
    """The stories of one family in one grid cell or week, with their vectors stacked as rows of one matrix
    (grown as stories come) so that a new story is compared with all of them in one product."""

    seen: list[_Seen] = field(default_factory=list)
    _matrix: Any = None
    _rows: int = 0

    def scores(self, vector: Any) -> np.ndarray:
        """The similarity of ``vector`` to each story of the bucket, in order."""
        if self._rows < len(self.seen):
            new = [seen.vector for seen in self.seen[self._rows :]]
            self._matrix = sparse.vstack(new if self._matrix is None else [self._matrix, *new], format="csr")
            self._rows = len(self.seen)
        return np.asarray(self._matrix[:, vector.indices] @ vector.data).ravel()


def _km(a: Story, b: Story) -> float:
    """Great-circle distance between two placed stories."""
    return float(great_circle((a.lat, a.lon), (b.lat, b.lon)).km)


@dataclass
class ClusterIndex:
    """The stories seen so far, by family of types and grid cell (placed stories) or week (all stories), to find a
    new story's event in time linear in the new stories: each is compared only with stories of its family nearby
    and within its window."""

    _cells: dict[tuple[str, int, int], _Bucket] = field(default_factory=lambda: defaultdict(_Bucket))
    _weeks: dict[tuple[str, int], _Bucket] = field(default_factory=lambda: defaultdict(_Bucket))
    _clusters: dict[str, str] = field(default_factory=dict)

    @staticmethod
    def scope(event_type: str) -> Scope:
        """How far apart reports of one event of ``event_type`` may be."""
        return SCOPES.get(event_type, _DEFAULT_SCOPE)

    @staticmethod
    def _cell(story: Story, kind: str) -> tuple[int, int]:
        size = max(_FAMILY_KM[kind] / _KM_PER_DEGREE, 0.25)
        return math.floor((story.lat or 0.0) / size), math.floor((story.lon or 0.0) / size)

    def _nearby(self, story: Story) -> list[_Bucket]:
        """The buckets of placed stories of the families ``story`` may share an event with, in its grid cell and
        the cells around it (more across longitude near the poles, where a degree is short); for a story with no
        place, those of these families in its window."""
        return [bucket for kind in _families_of(story.event_type) for bucket in self._near_in(story, kind)]

    def _near_in(self, story: Story, kind: str) -> list[_Bucket]:
        if story.lat is None or story.day is None:
            week, reach_weeks = _week(story.day), math.ceil(_FAMILY_DAYS[kind] / 7) if story.day else -1
            keys: list[tuple[Any, ...]] = [(kind, week + dw) for dw in range(-reach_weeks, reach_weeks + 1)]
            return [self._weeks[key] for key in keys if key in self._weeks]
        row, col = self._cell(story, kind)
        reach = min(math.ceil(1 / max(math.cos(math.radians(story.lat)), 0.1)), 10)
        keys = [(kind, row + dy, col + dx) for dy in (-1, 0, 1) for dx in range(-reach, reach + 1)]
        return [self._cells[key] for key in keys if key in self._cells]

    def _match(self, story: Story, vector: Any) -> str | None:
        """The cluster of the most similar story of the same event, if any (the similarities to all the stories
        nearby in one sparse product; the event's rules asked only from the most similar down)."""
        buckets = self._nearby(story)
        if not buckets:
            return None
        nearby = [seen for bucket in buckets for seen in bucket.seen]
        scores = np.concatenate([bucket.scores(vector) for bucket in buckets])
        for index in map(int, np.argsort(-scores, kind="stable")):
            if scores[index] <= 0.0:
                break
            if scores[index] >= _needed(story, nearby[index].story):
                return nearby[index].cluster_id
        return None

    def add(self, story: Story, *, cluster_id: str | None = None) -> str:
        """Add ``story`` and return its cluster id: the one given (a story stored earlier), else that of the most
        similar story of the same event seen so far, else its own id."""
        if story.event_id in self._clusters:
            return self._clusters[story.event_id]
        vector = _VECTORS.transform([story.text])
        found = cluster_id or (self._match(story, vector) if story.day is not None else None) or story.event_id
        self._clusters[story.event_id] = found
        if story.day is not None:
            seen = _Seen(story, found, vector)
            kind = family(story.event_type)
            self._weeks[(kind, _week(story.day))].seen.append(seen)
            if story.lat is not None:
                self._cells[(kind, *self._cell(story, kind))].seen.append(seen)
        return found

    def __len__(self) -> int:
        return len(self._clusters)


def _families_of(event_type: str) -> tuple[str, ...]:
    """The families whose stories a story of ``event_type`` may share an event with: its own and "other" (a story
    the classifier could not place in a type), or, for such a story, every family."""
    kind = family(event_type)
    if kind == "other":
        return ("other", *(name for name, _ in FAMILIES))
    return (kind, "other")


def family(event_type: str) -> str:
    """The family of an event type: types a classifier may give to reports of one event (an avalanche told as a
    storm, a typhoon's floods as a flood)."""
    return _FAMILY_OF.get(event_type, event_type)


def _week(day: date | None) -> int:
    return day.toordinal() // 7 if day else 0


def _needed(story: Story, other: Story) -> float:
    """How similar two stories' texts must be to report one event (infinite when their types, days or places say
    they cannot)."""
    if family(other.event_type) not in _families_of(story.event_type) or story.day is None or other.day is None:
        return math.inf
    scopes = (ClusterIndex.scope(story.event_type), ClusterIndex.scope(other.event_type))
    if abs((story.day - other.day).days) > max(scope.days for scope in scopes):
        return math.inf
    if story.lat is None or other.lat is None:
        return SIMILAR_UNPLACED
    if _km(story, other) > max(scope.km for scope in scopes):
        return math.inf
    same_place = bool(story.place_name) and story.place_name == other.place_name
    strict = story.event_type != other.event_type
    return SIMILAR_OTHER_TYPE if strict else SIMILAR_SAME_PLACE if same_place else SIMILAR


def _day(value: Any) -> date | None:
    if value is None or (not isinstance(value, str) and bool(pd.isna(value))):
        return None
    return pd.Timestamp(value).date()


def _number(value: Any) -> float | None:
    return None if value is None or bool(pd.isna(value)) else float(value)


def _name(value: Any) -> str | None:
    return None if value is None or (not isinstance(value, str) and bool(pd.isna(value))) else str(value)


def _days(table: pd.DataFrame) -> pd.Series:
    """A story's day: published, else ingested."""
    published = table["published_at"] if "published_at" in table else pd.Series(None, index=table.index)
    ingested = table["ingested_at"] if "ingested_at" in table else pd.Series(None, index=table.index)
    return published.where(published.notna(), ingested)


def first_day(table: pd.DataFrame) -> date | None:
    """The earliest day of the stories of an event table (None when none has a day)."""
    return min(filter(None, map(_day, _days(table))), default=None)


def stories(table: pd.DataFrame) -> list[Story]:
    """The stories of an event table (a story's day: published, else ingested), in the order of its rows."""
    days = _days(table)
    return [
        Story(
            event_id=str(row.event_id),
            event_type=str(row.event_type),
            day=_day(day),
            lat=_number(row.lat),
            lon=_number(row.lon),
            place_name=_name(row.place_name),
            text=str(row.text),
        )
        for row, day in zip(table.itertuples(index=False), days, strict=True)
    ]


def with_clusters(table: pd.DataFrame, index: ClusterIndex) -> pd.DataFrame:
    """``table`` with its stories' ``cluster_id``, each story added to ``index`` in the order of its day."""
    found = stories(table)
    order = sorted(range(len(found)), key=lambda n: (found[n].day or date.max, found[n].event_id))
    ids: list[str] = [""] * len(found)
    for n in order:
        ids[n] = index.add(found[n])
    return table.assign(cluster_id=ids)


def pairwise_scores(gold: Sequence[str], found: Sequence[str]) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1 of a clustering ``found`` against ``gold`` (a label per item): of the
    pairs put together, how many belong together, and of those that belong together, how many were put together."""
    together = _pairs(found)
    belong = _pairs(gold)
    both = len(together & belong)
    precision = both / len(together) if together else 1.0
    recall = both / len(belong) if belong else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _pairs(labels: Sequence[str]) -> set[tuple[int, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for n, label in enumerate(labels):
        groups[label].append(n)
    return {(a, b) for members in groups.values() for a, b in itertools.combinations(members, 2)}
