"""Resolve each mention to one gazetteer entry, from prominence and the rest of the document.

Evidence, in the order it is weighed:
1. prominence of each sense (population, feature kind, rank) and whether the text used its main name;
2. an explicit container right after the mention ("Nice, southeastern France", "Alexandria, La.");
3. the document's focus: countries and US states of the other, less ambiguous mentions and of
   demonyms ("Ukrainian ... Pokrovsk" is the Ukrainian city);
4. nearness to the other places of the document;
5. one sense per document: every mention of a name gets the sense its mentions together favour.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Final

from geo.gazetteer import Gazetteer, normalize
from geo.records import Place
from geo.toponyms import Mention

__all__ = ["Weights", "resolve"]

_CONTAINER_GAP: Final = re.compile(r", (?:(?:the )?[a-z]+(?:-[a-z]+)? ){0,2}$")
_AREA_FEATURES: Final = frozenset(("country", "continent"))
_TOP_K: Final = 12


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of evidence counts (see the module docstring)."""

    prior: float = 1.0
    main_name: float = 0.2
    area: float = 0.35
    container: float = 1.2
    country: float = 0.6
    admin1: float = 0.5
    near: float = 0.4
    near_km: float = 250.0


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _base_score(gaz: Gazetteer, mention: Mention, idx: int, w: Weights) -> float:
    score = w.prior * gaz.prominence_of(idx)
    if normalize(gaz.name_of(idx)) == mention.key or mention.demonym:
        score += w.main_name
    if gaz.feature_of(idx) in _AREA_FEATURES:
        score += w.area
    return score


def _contains(gaz: Gazetteer, container: int, idx: int) -> bool:
    cc = gaz.country_of(container)
    if cc is None or gaz.country_of(idx) != cc or container == idx:
        return False
    feature = gaz.feature_of(container)
    if feature == "country":
        return True
    if feature == "admin1":
        code = gaz.admin1_of(container)
        if cc == "US":
            return gaz.admin1_of(idx) == code
        return _haversine_km(gaz.point_of(container), gaz.point_of(idx)) < 300.0
    return False


def _containers(text: str, mentions: list[Mention]) -> dict[int, int]:
    """Mention index -> index of the mention that names its container right after it."""
    out = {}
    for k in range(len(mentions) - 1):
        gap = text[mentions[k].end : mentions[k + 1].start]
        if len(gap) < 40 and _CONTAINER_GAP.match(gap):
            out[k] = k + 1
    return out


def _container_bonus(gaz: Gazetteer, idx: int, container: Mention | None) -> float:
    if container is None:
        return 0.0
    return 1.0 if any(_contains(gaz, c, idx) for c in container.ids) else 0.0


def _focus(gaz: Gazetteer, mentions: list[Mention], picks: list[int]) -> tuple[dict[str, float], dict[str, float]]:
    """Share of the document's mentions per country and per US state, from the current picks."""
    countries: dict[str, float] = defaultdict(float)
    states: dict[str, float] = defaultdict(float)
    total = 0.0
    for mention, idx in zip(mentions, picks, strict=True):
        weight = 1.0 / len(mention.ids) ** 0.5
        cc = gaz.country_of(idx)
        if cc:
            countries[cc] += weight
            if cc == "US" and gaz.admin1_of(idx):
                states[str(gaz.admin1_of(idx))] += weight
        total += weight
    if total:
        for table in (countries, states):
            for key in table:
                table[key] /= total
    return countries, states


def _context_score(
    gaz: Gazetteer,
    idx: int,
    focus: tuple[dict[str, float], dict[str, float]],
    anchors: list[tuple[float, float]],
    w: Weights,
) -> float:
    countries, states = focus
    cc = gaz.country_of(idx)
    score = w.country * countries.get(cc, 0.0) if cc else 0.0
    if cc == "US":
        score += w.admin1 * states.get(str(gaz.admin1_of(idx)), 0.0)
    if anchors and gaz.feature_of(idx) not in _AREA_FEATURES:
        point = gaz.point_of(idx)
        nearest = min(_haversine_km(point, a) for a in anchors)
        score += w.near * math.exp(-nearest / w.near_km)
    return score


def _pick(scores: dict[int, float]) -> tuple[int, float]:
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    best, top = ranked[0]
    margin = top - ranked[1][1] if len(ranked) > 1 else 1.0
    return best, min(1.0, max(0.0, margin))


def resolve(text: str, mentions: list[Mention], gaz: Gazetteer, weights: Weights | None = None) -> list[Place]:
    """Choose one entry per mention and return the placed mentions, in text order."""
    if not mentions:
        return []
    w = weights or Weights()
    containers = _containers(text, mentions)
    base: list[dict[int, float]] = []
    for k, mention in enumerate(mentions):
        container = mentions[containers[k]] if k in containers else None
        scores = {
            idx: _base_score(gaz, mention, idx, w) + w.container * _container_bonus(gaz, idx, container)
            for idx in mention.ids
        }
        top = sorted(scores.items(), key=lambda kv: -kv[1])[:_TOP_K]
        base.append(dict(top))
    picks = [_pick(scores)[0] for scores in base]
    focus = _focus(gaz, mentions, picks)
    final = _rescore(gaz, mentions, base, picks, focus, w)
    return [_place(gaz, m, idx, conf) for m, (idx, conf) in zip(mentions, final, strict=True)]


def _rescore(
    gaz: Gazetteer,
    mentions: list[Mention],
    base: list[dict[int, float]],
    picks: list[int],
    focus: tuple[dict[str, float], dict[str, float]],
    w: Weights,
) -> list[tuple[int, float]]:
    """Add document context to the base scores and pool them per name (one sense per document)."""
    by_key: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    confident = [
        gaz.point_of(idx)
        for m, idx in zip(mentions, picks, strict=True)
        if len(m.ids) == 1 and gaz.feature_of(idx) not in ("country", "continent", "water", "region")
    ]
    for k, mention in enumerate(mentions):
        if len(base[k]) == 1:
            idx = next(iter(base[k]))
            by_key[mention.key][idx] += 1.0
            continue
        own = gaz.point_of(picks[k])
        anchors = [a for a in confident if a != own]
        for idx, score in base[k].items():
            by_key[mention.key][idx] += score + _context_score(gaz, idx, focus, anchors, w)
    chosen = {key: _pick(scores) for key, scores in by_key.items()}
    return [chosen[m.key] for m in mentions]


def _place(gaz: Gazetteer, mention: Mention, idx: int, confidence: float) -> Place:
    lat, lon = gaz.point_of(idx)
    return Place(
        start=mention.start,
        end=mention.end,
        name=gaz.name_of(idx),
        lat=lat,
        lon=lon,
        country_code=gaz.country_of(idx),
        feature=gaz.feature_of(idx),
        demonym=mention.demonym,
        entry_id=idx,
        confidence=confidence,
    )
