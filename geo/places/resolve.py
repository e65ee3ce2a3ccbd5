"""Resolve each mentioned name to one gazetteer entry, from prominence and the rest of the document.

Evidence, in the order it is weighed:
1. prominence of each sense (population, feature kind, rank) and whether the text used its main name;
2. an explicit container right after a mention ("Nice, southeastern France", "Alexandria, La.");
3. coherence with the other names of the document: senses in the same first-level region or near each other
   support each other ("Gainesville ... Hall County ... Georgia" are all in Georgia), and so do senses
   in the same country, demonyms included ("Ukrainian ... Pokrovsk" is the Ukrainian city).
Coherence is computed jointly: each name's senses are weighted by how likely they are so far, and two
rounds let a confident name pull the others along. Every mention of a name gets the same sense (one
sense per document).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from geo.places.gazetteer import Gazetteer, normalize
from geo.places.place import Place
from geo.places.toponyms import Mention

__all__ = ["Weights", "resolve"]

_CONTAINER_GAP: Final = re.compile(r", (?:(?:the )?[a-z]+(?:-[a-z]+)? ){0,2}$")
#: Bonus by feature: a bare name of a country, sea or region more often means it than a small homonym.
_AREA_BONUS: Final = {"country": 1.0, "continent": 1.0, "admin1": 0.3, "water": 0.5, "region": 0.5, "island": 0.3}
_UNPLACED_FEATURES: Final = frozenset(("country", "continent", "water", "region"))
_TOP_K: Final = 10
_ROUNDS: Final = 2

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each kind of evidence counts (see the module docstring)."""

    prior: float = 1.0
    main_name: float = 0.2
    area: float = 0.35
    container: float = 1.2
    region: float = 0.7
    country: float = 0.45
    near_km: float = 150.0
    temperature: float = 0.15
    #: For a sense in the country of the story's locale (a US weather office's "Glasgow" is Glasgow, Montana).
    locale: float = 0.7


@dataclass(slots=True)
class _Senses:
    """The candidate senses of every distinct name of a document, as flat arrays."""

    keys: list[str]
    ids: list[int]
    key_of: npt.NDArray[np.int64]
    starts: list[int]
    base: FloatArray


def _base_score(gaz: Gazetteer, key: str, demonym: bool, idx: int, w: Weights) -> float:
    score = w.prior * gaz.prominence_of(idx)
    if demonym or normalize(gaz.name_of(idx)) == key:
        score += w.main_name
    score += w.area * _AREA_BONUS.get(gaz.feature_of(idx), 0.0)
    return score


def _contains(gaz: Gazetteer, container: int, idx: int) -> bool:
    cc = gaz.country_of(container)
    if cc is None or gaz.country_of(idx) != cc or container == idx:
        return False
    feature = gaz.feature_of(container)
    if feature == "country":
        return True
    if feature == "admin1":
        return gaz.admin1_of(idx) == gaz.admin1_of(container)
    return False


def _distances(lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray) -> FloatArray:
    """Great-circle distances (km) between every point of the first set and every point of the second."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dlon = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    km: FloatArray = 12742.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return km


def _containers(text: str, mentions: list[Mention], gaz: Gazetteer) -> dict[int, Mention]:
    """Mention index -> the mention that names its container right after it ("Paris, Texas").

    Not in a list of peers ("Jamaica, Cuba, and the Bahamas"): a name whose likeliest sense is a place
    of the container's level is taken as a peer."""
    out = {}
    for k in range(len(mentions) - 1):
        gap = text[mentions[k].end : mentions[k + 1].start]
        if len(gap) < 40 and _CONTAINER_GAP.match(gap) and not mentions[k + 1].demonym:
            levels = {gaz.feature_of(i) for i in mentions[k + 1].ids} & {"country", "admin1"}
            likeliest = max(mentions[k].ids, key=gaz.prominence_of)
            if gaz.feature_of(likeliest) not in levels:
                out[k] = mentions[k + 1]
    return out


def _senses(text: str, mentions: list[Mention], gaz: Gazetteer, w: Weights, locale: str | None = None) -> _Senses:
    """Candidate senses per distinct name, each with its best base score over the name's mentions."""
    containers = _containers(text, mentions, gaz)
    is_container = {id(m) for m in containers.values()}
    scores: dict[str, dict[int, float]] = {}
    for k, mention in enumerate(mentions):
        table = scores.setdefault(mention.key, {})
        container = containers.get(k)
        for idx in mention.ids:
            score = _base_score(gaz, mention.key, mention.demonym, idx, w)
            if locale is not None and gaz.country_of(idx) == locale:
                score += w.locale
            if container is not None and any(_contains(gaz, c, idx) for c in container.ids):
                score += w.container
            if id(mention) in is_container and gaz.feature_of(idx) in ("country", "admin1"):
                score += w.container / 2  # "Rochester, New York": the name after the comma is the area
            table[idx] = max(score, table.get(idx, float("-inf")))
    keys: list[str] = []
    ids: list[int] = []
    key_of: list[int] = []
    starts: list[int] = []
    base: list[float] = []
    for number, (key, table) in enumerate(scores.items()):
        keys.append(key)
        starts.append(len(ids))
        for idx, score in sorted(table.items(), key=lambda kv: -kv[1])[:_TOP_K]:
            ids.append(idx)
            key_of.append(number)
            base.append(score)
    return _Senses(keys, ids, np.array(key_of, dtype=np.int64), starts, np.array(base))


def _compatibility(gaz: Gazetteer, senses: _Senses, w: Weights) -> tuple[FloatArray, FloatArray]:
    """Pairwise compatibility of the senses: same first-level region, near, or both national capitals
    (capitals named together stand for their governments); and same country."""
    ids = senses.ids
    lat = np.array([gaz.point_of(i)[0] for i in ids])
    lon = np.array([gaz.point_of(i)[1] for i in ids])
    countries = [gaz.country_of(i) for i in ids]
    regions = [
        f"{c}:{gaz.admin1_of(i)}" if c and gaz.admin1_of(i) else None for i, c in zip(ids, countries, strict=True)
    ]
    cc = np.array([hash(c) if c else -1 - n for n, c in enumerate(countries)])
    rg = np.array([hash(r) if r else -1 - n for n, r in enumerate(regions)])
    placed = np.array([gaz.feature_of(i) not in _UNPLACED_FEATURES for i in ids])
    near = np.exp(-_distances(lat, lon, lat, lon) / w.near_km) * (placed[:, None] & placed[None, :])
    same_region = (rg[:, None] == rg[None, :]).astype(float)
    capital = np.array([gaz.feature_of(i) == "capital" for i in ids])
    same_region = np.maximum(
        same_region, (capital[:, None] & capital[None, :]).astype(float)
    )  # "Moscow and Washington"
    same_country = (cc[:, None] == cc[None, :]).astype(float)
    return np.maximum(near, same_region), same_country


def _support(likelihood: FloatArray, compat: FloatArray, senses: _Senses) -> FloatArray:
    """For each sense, the summed best compatibility with each other name's senses, weighted."""
    weighted = compat * likelihood[None, :]
    per_name = np.maximum.reduceat(weighted, senses.starts, axis=1)
    per_name[np.arange(len(senses.ids)), senses.key_of] = 0.0
    total: FloatArray = per_name.sum(axis=1)
    return total


def _likelihood(scores: FloatArray, senses: _Senses, temperature: float) -> FloatArray:
    """Softmax of the scores within each name."""
    top = np.maximum.reduceat(scores, senses.starts)[senses.key_of]
    e = np.exp((scores - top) / temperature)
    total = np.add.reduceat(e, senses.starts)[senses.key_of]
    return e / total


def _plausibility(scores: FloatArray, senses: _Senses, temperature: float) -> FloatArray:
    """How plausible each sense is next to the best sense of its name (1 for the best, and for ties).

    Relative, not normalised: a name with ten equally likely senses ("Henry County") supports each of
    them fully, so that "Paris ... Henry County" finds the Paris in Henry County, Tennessee."""
    top = np.maximum.reduceat(scores, senses.starts)[senses.key_of]
    plausible: FloatArray = np.exp((scores - top) / temperature)
    return plausible


def _choose(gaz: Gazetteer, senses: _Senses, w: Weights) -> dict[str, tuple[int, float]]:
    """Name -> (entry id, confidence)."""
    scores = senses.base
    if len(senses.keys) > 1:
        region, country = _compatibility(gaz, senses, w)
        for _ in range(_ROUNDS):
            likely = _plausibility(scores, senses, w.temperature)
            scores = (
                senses.base
                + w.region * (1.0 - np.exp(-_support(likely, region, senses)))
                + w.country * (1.0 - np.exp(-_support(likely, country, senses)))
            )
    likely = _likelihood(scores, senses, w.temperature)
    out = {}
    ends = [*senses.starts[1:], len(senses.ids)]
    for number, key in enumerate(senses.keys):
        lo, hi = senses.starts[number], ends[number]
        best = lo + int(np.argmax(scores[lo:hi]))
        out[key] = (senses.ids[best], float(likely[best]))
    return out


def resolve(
    text: str, mentions: list[Mention], gaz: Gazetteer, weights: Weights | None = None, locale: str | None = None
) -> list[Place]:
    """Choose one entry per mention and return the placed mentions, in text order; senses in the country of
    ``locale`` (a country code) are preferred."""
    if not mentions:
        return []
    w = weights or Weights()
    chosen = _choose(gaz, _senses(text, mentions, gaz, w, locale), w)
    return [_place(gaz, m, *chosen[m.key]) for m in mentions]


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
