"""Where it happened: the one place of a story that locates its event.

Not simply the first place named. Each named place (demonyms and derived points aside) scores
for every mention: the words just before it ("struck", "off the coast of", "in", "the city of")
say how directly it locates the event, and a more specific place (a town rather than its country)
locates it better. Demonyms stand in only when a story names no place at all.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Final

from geo.places.place import Place

__all__ = ["primary_place"]

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
    return first[best]
