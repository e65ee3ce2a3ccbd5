"""Where it happened: the one place of a story that locates its event.

Not simply the first place named. Each named place (demonyms aside) scores for every mention: the words
just before it ("struck", "off the coast of", "in", "the city of") say how directly it locates the event, and a
more specific place (a town rather than its country) locates it better. A point the text gives relative to a
place ("135 miles south of Puerto Williams") scores as its place and a little more: it says exactly where, so
it is the event's location when its place would be; it keeps its place's country. Demonyms stand in only when a
story names no place at all.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from typing import Final

from geo.places.place import Place

__all__ = ["place_precision", "primary_place"]

#: Words before a place and how directly they locate the event there.
_CUES: Final = (
    (re.compile(r"\b(?:struck|strikes|strike|hit|hits|slammed|slams|battered|batters|ravaged|pounded|devastated|tore through|swept through|made landfall (?:in|on|near)|erupted (?:in|on))\s+(?:the\s+)?$", re.I), 4.0),
    (re.compile(r"\b(?:off the coast of|off the coast|off|near|outside|north of|south of|east of|west of|epicent(?:er|re) (?:was )?(?:located )?(?:\w+ )?(?:in|near|of))\s+(?:the\s+)?$", re.I), 3.5),
    (re.compile(r"\b(?:city|town|village|district|province|region|state|port|capital|island) of\s+$", re.I), 3.5),
    (re.compile(r"\b(?:in|at|inside|within|on)\s+(?:the\s+)?(?:[a-z]+(?:ern|ral)\s+)?$", re.I), 3.0),
    (re.compile(r"\b(?:across|through|throughout|over|into|from)\s+(?:the\s+)?$", re.I), 1.5),
)  # fmt: skip
#: All cues in one pattern (a group per cue, strongest first) so each mention costs one search.
_ANY_CUE: Final = re.compile("|".join(f"(?P<c{n}>{p.pattern})" for n, (p, _) in enumerate(_CUES)), re.I)
_ATTRIBUTION: Final = re.compile(
    r"\b(?:officials|authorities|police|sources|residents|witnesses|medics|doctors|spokesm[ae]n|ministry|reporters?)"
    r" (?:in|from) (?:the )?$",
    re.I,
)
_SAID: Final = re.compile(r",? (?:said|say|says|told|reported|added)\b")
#: How well each kind of place pins an event down.
_SPECIFICITY: Final = {
    "city": 2.0,
    "capital": 2.0,
    "admin2": 1.6,
    "mountain": 1.6,
    "island": 1.4,
    "water": 1.4,
    "admin1": 1.2,
    "region": 1.0,
    "country": 0.6,
    "continent": 0.2,
}
#: How much better a point relative to a place locates an event than the place itself.
_DERIVED_BONUS: Final = 1.0
#: Words before a relative point that make it the event's: "the epicentre was (located)", "struck", "about".
_LOCATING: Final = re.compile(
    r"\b(?:located|was|is|struck|strikes|hit|hits|centred|centered|about|some|approximately|roughly|around)\s+$", re.I
)


def _cue(text: str, start: int, end: int) -> float:
    before = text[max(0, start - 45) : start]
    if _ATTRIBUTION.search(before) and _SAID.match(text, end):
        return 0.0  # "officials in Gaza said": where the source is, not where it happened
    match = _ANY_CUE.search(before)
    return _CUES[int(str(match.lastgroup)[1:])][1] if match else 0.5


def primary_place(text: str, places: list[Place]) -> Place | None:
    """The place where the story's event happened, or None for a story with no place on Earth."""
    named = [p for p in places if not p.derived and not p.demonym]
    if not named:
        demonyms = [p for p in places if p.demonym]
        return demonyms[0] if demonyms else None
    scores: dict[int | None, float] = defaultdict(float)
    first: dict[int | None, Place] = {}
    for place in named:
        key = place.entry_id
        first.setdefault(key, place)
        scores[key] += _cue(text, place.start, place.end)
    for key, place in first.items():
        scores[key] += _SPECIFICITY.get(place.feature, 1.0) - place.start / (len(text) + 1)
    best = max(scores, key=lambda k: scores[k])
    points = [_relative_point(p, named) for p in places if p.derived]
    scored = [
        (_derived_cue(text, point.start) + _SPECIFICITY.get(anchor.feature, 1.0) + _DERIVED_BONUS, point)
        for point, anchor in points
        if anchor is not None
    ]
    if scored and max(scored, key=lambda s: s[0])[0] > scores[best]:
        return max(scored, key=lambda s: s[0])[1]
    return first[best]


def _derived_cue(text: str, start: int) -> float:
    """How directly the words before a relative point make it the event's location."""
    return 4.0 if _LOCATING.search(text[max(0, start - 30) : start]) else _cue(text, start, start)


def _relative_point(point: Place, named: list[Place]) -> tuple[Place, Place | None]:
    """A derived point with its anchor's country, and the anchor (the named place its phrase ends with)."""
    anchor = next((p for p in named if p.end == point.end), None)
    if anchor is None:
        return point, None
    return dataclasses.replace(point, country_code=anchor.country_code), anchor


#: How precisely each kind of place locates an event (the store's ``place_precision``).
_PRECISION: Final = {
    "derived": "point",
    "mountain": "point",
    "city": "city",
    "capital": "city",
    "admin2": "city",
    "island": "city",
    "admin1": "admin1",
    "country": "country",
    "water": "region",
    "region": "region",
    "continent": "region",
}


def place_precision(place: Place | None) -> str | None:
    """How precisely ``place`` locates its event: point, city, admin1, country or region (None without a place)."""
    if place is None:
        return None
    return _PRECISION.get("derived" if place.derived else place.feature, "city")
