"""How bad it is: impact and hazard facts read from the text, and the 1-5 severity they give.

Facts: the counts of people (killed, missing, deaths = both, injured, displaced: evacuated, homeless, affected)
read by :mod:`geo.events.casualties`, earthquake magnitude, Saffir-Simpson category, wind speed (km/h). A vague
count ("dozens" = 12, "hundreds" = 100, as ACLED codes them) is kept apart and counts for severity only.
Severity is the highest of the impact level, the hazard level (never above 4) and a response cue
(state of emergency 3, international assistance 4); the scale is in ../shared/eval/EVENTS.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final

from geo.events.casualties import parse_number, read_casualties
from geo.limits import bounded_number

__all__ = ["Facts", "Severity", "extract_facts", "impact_level", "parse_number", "score_severity"]

_MAGNITUDE: Final = re.compile(
    r"\b(?:magnitude[- ](?:of\s+)?(?P<a>\d(?:\.\d)?)|(?P<b>\d\.\d)[- ]magnitude|M(?:w|l)?\s?(?P<c>\d\.\d)\b|(?P<d>\d\.\d)\s+on the richter)",
    re.IGNORECASE,
)
_CATEGORY: Final = re.compile(r"\bcategory[- ](?P<c>[1-5])\b", re.IGNORECASE)
_WIND: Final = re.compile(
    r"(?P<v>\d{2,3}(?:\.\d)?)\s*(?P<u>km/h|kmh|kph|kilomet(?:er|re)s per hour|mph|miles per hour|knots|kt|kts)\b",
    re.IGNORECASE,
)
_WAVE: Final = re.compile(
    r"\bwaves?\b[^.]{0,40}?\b(?P<v>\d+(?:\.\d+)?)\s*(?P<u>m|metres|meters|feet|foot|ft)\b", re.IGNORECASE
)
_AREA: Final = re.compile(
    r"\b(?P<v>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<u>hectares|ha|acres|square kilomet(?:er|re)s|km2|km²)\b",
    re.IGNORECASE,
)
#: Response cues and hazard words, found in one pass: a state of emergency, a call for international
#: help, an official warning or evacuation, a storm named a hurricane, typhoon or cyclone.
_CUES: Final = re.compile(
    r"\b(?:(?P<emergency>state of (?:emergency|disaster|calamity)\b)"
    r"|(?P<international_aid>(?:international|foreign) (?:assistance|aid|help)\b"
    r"|appeal(?:ed|s)? for (?:international )?(?:aid|help|assistance))"
    r"|(?P<warning>evacuat\w*|(?:alert|warning) level\b|red alert\b|exclusion zone\b)"
    r"|(?P<hurricane>(?:hurricane|typhoon|cyclone)\b(?!\s+season)))",
    re.IGNORECASE,
)
#: "1.4 million people live within 100 km", "a population of 250,000 within 50 kilometres".
_EXPOSED: Final = re.compile(
    r"(?P<n>\d[\d,.]*(?:\s*(?:million|thousand))?)\s+(?:people|persons|residents|inhabitants)\s+"
    r"(?:(?:who\s+)?(?:live|living|lives|are|were|reside|residing)\s+)?(?:within|in a radius of)\s+"
    r"(?P<d>\d+)\s*(?P<u>km|kilomet(?:er|re)s|miles|mi)\b",
    re.IGNORECASE,
)
#: Hazards whose exposure sets a level when no impact is reported.
_EXPOSURE_HAZARDS: Final = frozenset(
    {"earthquake", "tsunami", "volcano", "tropical_cyclone", "flood", "wildfire", "storm", "landslide"}
)
_KMH: Final = {"mph": 1.609344, "miles per hour": 1.609344, "knots": 1.852, "kt": 1.852, "kts": 1.852}
_CATEGORY_KMH: Final = ((252.0, 5), (209.0, 4), (178.0, 3), (154.0, 2), (119.0, 1))


@dataclass(frozen=True, slots=True)
class Facts:
    """Numbers the text states; None where it says nothing."""

    deaths: int | None = None
    injured: int | None = None
    displaced: int | None = None
    magnitude: float | None = None
    category: int | None = None
    wind_kmh: float | None = None
    emergency: bool = False
    international_aid: bool = False
    #: Hazard-only signals of EVENTS.md: tsunami wave height, burned area, an official warning or
    #: evacuation, a storm named a hurricane, typhoon or cyclone (category 1 at least).
    wave_m: float | None = None
    burned_ha: float | None = None
    warning: bool = False
    hurricane: bool = False
    #: The parts of ``deaths``, as the text states them.
    killed: int | None = None
    missing: int | None = None
    #: Where the text gives only a vague quantity ("dozens were injured"): that quantity coded as ACLED does,
    #: for severity only (the counts above stay None: nothing is invented).
    vague_deaths: int | None = None
    vague_injured: int | None = None
    vague_displaced: int | None = None
    #: People living within 100 km of the hazard ("1.4 million people live within 100 km of the epicentre").
    exposed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The fact fields of the ``geo classify`` contract."""
        return {
            "deaths": self.deaths,
            "injured": self.injured,
            "displaced": self.displaced,
            "magnitude": self.magnitude,
            "category": self.category,
            "wind_kmh": None if self.wind_kmh is None else round(self.wind_kmh, 1),
        }


def extract_facts(text: str) -> Facts:
    """Every fact the text gives: the counts of people (:mod:`geo.events.casualties`) and the hazard's figures."""
    people = read_casualties(text)
    cues = {str(m.lastgroup) for m in _CUES.finditer(text)}
    magnitudes = [float(next(g for g in m.groups() if g)) for m in _MAGNITUDE.finditer(text)]
    categories = [int(m.group("c")) for m in _CATEGORY.finditer(text)]
    winds = [_number(m) * _KMH.get(m.group("u").lower(), 1.0) for m in _WIND.finditer(text)]
    vague_deaths = (people.vague_killed or 0) + (people.vague_missing or 0)
    return Facts(
        deaths=people.deaths,
        injured=people.injured,
        displaced=people.displaced,
        magnitude=max((m for m in magnitudes if 0 < m < 10), default=None),
        category=max(categories, default=None),
        wind_kmh=max(winds, default=None),
        emergency="emergency" in cues,
        international_aid="international_aid" in cues,
        wave_m=max(filter(None, map(_metres, _WAVE.finditer(text))), default=None),
        burned_ha=max(filter(None, map(_hectares, _AREA.finditer(text))), default=None),
        warning="warning" in cues,
        hurricane="hurricane" in cues,
        killed=people.killed,
        missing=people.missing,
        vague_deaths=None if people.deaths is not None else vague_deaths or None,
        vague_injured=None if people.injured is not None else people.vague_injured,
        vague_displaced=None if people.displaced is not None else people.vague_displaced,
        exposed=_exposed(text),
    )


def _exposed(text: str) -> int | None:
    """The most people the text says live within 100 km (60 miles) of the hazard."""
    found = []
    for match in _EXPOSED.finditer(text):
        km = float(match.group("d")) * (1.609344 if match.group("u").lower().startswith("mi") else 1.0)
        people = parse_number(match.group("n"))
        if people is not None and km <= 100.5:
            found.append(people)
    return max(found, default=None)


def _number(match: re.Match[str]) -> float:
    """The number of a match's group "v" (0 when it is too long to be a measure)."""
    return bounded_number(match.group("v")) or 0.0


def _metres(match: re.Match[str]) -> float:
    value = _number(match)
    return value * 0.3048 if match.group("u").lower() in ("feet", "foot", "ft") else value


def _hectares(match: re.Match[str]) -> float:
    value = _number(match)
    unit = match.group("u").lower()
    return (
        value * 0.404686 if unit.startswith("acre") else value * 100 if unit.startswith(("square k", "km")) else value
    )


@dataclass(frozen=True, slots=True)
class Severity:
    """A 1-5 level and the fact that set it ("deaths 69 -> 3")."""

    level: int
    reason: str


def _impact_levels(facts: Facts) -> list[tuple[int, str]]:
    levels = []
    deaths, injured, displaced = (
        (exact, exact is None and vague is not None, exact if exact is not None else vague)
        for exact, vague in (
            (facts.deaths, facts.vague_deaths),
            (facts.injured, facts.vague_injured),
            (facts.displaced, facts.vague_displaced),
        )
    )
    if deaths[2] is not None:
        d = deaths[2]
        level = 5 if d >= 1000 else 4 if d >= 100 else 3 if d >= 10 else 2 if d >= 1 else 1
        levels.append((level, f"deaths {_told(d, deaths[1])}"))
    if injured[2] is not None:
        i = injured[2]
        levels.append((4 if i >= 1000 else 3 if i >= 100 else 2 if i >= 10 else 1, f"injured {_told(i, injured[1])}"))
    if displaced[2] is not None:
        p = displaced[2]
        level = 5 if p >= 800_000 else 4 if p >= 80_000 else 3 if p >= 100 else 1
        levels.append((level, f"displaced {_told(p, displaced[1])}"))
    return levels


def _told(value: int, vague: bool) -> str:
    """A count in a reason: "69", or "about 12 (vague)" for a vague quantity coded as ACLED does."""
    return f"about {value} (vague)" if vague else str(value)


def impact_level(facts: Facts) -> int:
    """The level the impact numbers alone give (1 when the text gives none)."""
    return max((level for level, _ in _impact_levels(facts)), default=1)


def _hazard_levels(facts: Facts, event_type: str) -> list[tuple[int, str]]:
    levels = []
    if facts.magnitude is not None and event_type in ("earthquake", "tsunami"):
        m = facts.magnitude
        levels.append((4 if m >= 7.0 else 3 if m >= 6.0 else 2 if m >= 5.0 else 1, f"magnitude {m}"))
    category = facts.category
    if category is None and facts.wind_kmh is not None and event_type == "tropical_cyclone":
        category = next((c for kmh, c in _CATEGORY_KMH if facts.wind_kmh >= kmh), 0)
    if category is not None and event_type in ("tropical_cyclone", "storm"):
        levels.append((4 if category >= 3 else 3 if category >= 1 else 2, f"category {category}"))
    elif event_type == "tropical_cyclone":
        levels.append((3, "hurricane") if facts.hurricane else (2, "tropical storm"))
    if facts.wave_m is not None and event_type in ("tsunami", "earthquake"):
        w = facts.wave_m
        levels.append((4 if w >= 3 else 3 if w >= 1 else 2, f"waves {w:g} m"))
    if facts.burned_ha is not None and event_type == "wildfire":
        ha, evacuated = facts.burned_ha, facts.displaced or 0
        level = 4 if ha >= 10_000 and evacuated >= 10_000 else 3 if ha >= 5_000 else 1
        levels.append((level, f"burned {ha:,.0f} ha"))
    if facts.warning and event_type == "volcano":
        levels.append((3, "volcano warning or evacuation"))
    return levels


#: Stories whose own event is no incident: a toll they give is the background of a war or a disaster.
BACKGROUND_ONLY: Final = frozenset({"political", "diplomatic", "economic"})


def score_severity(facts: Facts, event_type: str) -> Severity:
    """Severity 1-5 from the facts (EVENTS.md): impact, capped hazard level, response cues. A political,
    diplomatic or economic story's tolls are another event's, and do not set its level."""
    candidates = [(1, "no impact figures")]
    if event_type in BACKGROUND_ONLY:
        if _impact_levels(facts):
            candidates = [(1, f"{event_type} story: its tolls are background")]
    else:
        impact = _impact_levels(facts)
        candidates += impact
        if not impact and facts.exposed is not None and event_type in _EXPOSURE_HAZARDS:
            e = facts.exposed
            level = 4 if e >= 1_000_000 else 3 if e >= 100_000 else 2 if e >= 10_000 else 1
            candidates.append((level, f"{e:,} people within 100 km"))
    candidates += [(min(level, 4), reason) for level, reason in _hazard_levels(facts, event_type)]
    if facts.emergency:
        candidates.append((3, "state of emergency"))
    if facts.international_aid:
        candidates.append((4, "international assistance"))
    level, reason = max(candidates, key=lambda c: c[0])
    return Severity(level, f"{reason} -> {level}")
