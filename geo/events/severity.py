"""How bad it is: impact and hazard facts read from the text, and the 1-5 severity they give.

Facts: deaths (dead + missing), injured, displaced (displaced, evacuated, homeless, affected),
earthquake magnitude, Saffir-Simpson category, wind speed (km/h). Numbers may be digits ("1,200"),
words ("two", "forty-five"), or vague counts coded as ACLED does ("dozens" = 12, "hundreds" = 100).
Severity is the highest of the impact level, the hazard level (never above 4) and a response cue
(state of emergency 3, international assistance 4); the scale is in ../shared/eval/EVENTS.md.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass
from typing import Any, Final

from geo.limits import bounded_number

__all__ = ["Facts", "Severity", "extract_facts", "score_severity"]

_UNITS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES: Final = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
#: Vague counts, coded conservatively (ACLED).
_VAGUE: Final = {
    "several": 3, "a few": 3, "dozens": 12, "a dozen": 12, "scores": 30, "hundreds": 100, "thousands": 1_000,
    "tens of thousands": 10_000, "hundreds of thousands": 100_000, "millions": 1_000_000,
}  # fmt: skip
_TENS: Final = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_NUMBER: Final = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:"
    + "|".join(sorted((u for u in _UNITS if u not in _TENS), key=len, reverse=True))
    + r"))(?![- ](?:year|month|week|day|hour|storey|story|member)s?\b)"
)
_NUMBER: Final = (
    r"(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:million|thousand))?"
    r"|(?:tens of thousands|hundreds of thousands|hundreds|thousands|millions|dozens|scores|several|a few|a dozen)"
    rf"|{_WORD_NUMBER}(?:\s+(?:hundred|thousand|million))?)"
)
_QUALIFIER: Final = (
    r"(?:(?:at least|almost|nearly|about|around|over|more than|some|up to|an estimated|approximately)\s+)?"
)
_WHO: Final = (
    r"(?:\s+(?:of|more|other|others|new|[a-z]+-\d+|people|persons|person|man|woman|child|boy|girl|men|women|civilians|"
    r"children|residents|soldiers|workers|mine"
    r"rs|passengers|migrants|villagers|students|tourists|police(?:men| officers)?|fighters|militants|"
    r"\w+s)){0,3}"
)
_BE: Final = (
    r"(?:\s+(?:have|has|had|are|were|was|is|been|being|reportedly|reported|believed|feared|confirmed|"
    r"found|now|still|later|also|left|remain|remained|remains)){0,4}"
)
_DEATH_WORDS: Final = r"(?:killed|dead|died|deaths|fatalities|perished|drowned|lost their lives|lives lost|bodies|dies)"
_MISSING_WORDS: Final = r"(?:missing|unaccounted for)"
_INJURED_WORDS: Final = r"(?:injured|wounded|hurt|injuries|hospitali[sz]ed)"
_DISPLACED_WORDS: Final = r"(?:displaced|evacuated|homeless|affected|fled|left homeless|relocated|in shelters|rescued)"


def _facts_pattern(words: str) -> re.Pattern[str]:
    """'<N> people have been <word>', matched where a number starts (qualifiers are skipped)."""
    return re.compile(rf"{_NUMBER}{_WHO}{_BE}\s+{words}\b", re.IGNORECASE)


_PATTERNS: Final = {
    "deaths": _facts_pattern(_DEATH_WORDS),
    "missing": _facts_pattern(_MISSING_WORDS),
    "injured": _facts_pattern(_INJURED_WORDS),
    "displaced": _facts_pattern(_DISPLACED_WORDS),
}
#: A count is no count when a unit of age or size follows it ("a five-year-old").
_NOT_A_COUNT_AFTER: Final = re.compile(r"-(?:year|month|week|day|hour|storey|story|floor|member|point)", re.IGNORECASE)
#: Words a count may open with ("a" is left out: too common to try at every article, so "a dozen" is missed).
_COUNT_WORDS: Final = (frozenset(_UNITS) - {"a", "an"}) | {
    "hundreds", "thousands", "millions", "tens", "dozens", "scores", "several",
}  # fmt: skip
_COUNT_START: Final = re.compile(
    r"\b(?:\d+|(?:" + "|".join(sorted(_COUNT_WORDS, key=len, reverse=True)) + r")\b)", re.IGNORECASE
)
_VERB_FIRST: Final = {
    "deaths": re.compile(rf"\b(?:killing|kills|kill|killed|claim(?:ed|ing|s)?(?: the lives of)?){_WHO}\s+{_QUALIFIER}{_NUMBER}(?!\s*(?:injured|wounded|hurt|missing))", re.IGNORECASE),
    "injured": re.compile(rf"\b(?:injuring|injures|wounding|wounds|wounded|injured){_WHO}\s+{_QUALIFIER}{_NUMBER}", re.IGNORECASE),
    "displaced": re.compile(rf"\b(?:displacing|displaces|displace|displaced|evacuat(?:ing|ion of|ed)|forcing|affect(?:ed|ing|s)){_WHO}\s+{_QUALIFIER}{_NUMBER}", re.IGNORECASE),
}  # fmt: skip
_TOLL: Final = re.compile(
    rf"\bdeath toll\b[^.]{{0,60}}?\b(?:to|at|of|reached|reaches|hits|is|stands at)\s+{_QUALIFIER}{_NUMBER}",
    re.IGNORECASE,
)
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
_SENTENCE: Final = re.compile(r"(?<=[.!?])\s+")
_TRIGGER: Final = re.compile(
    r"\b(?:(?P<deaths>kill|dead|die|death|fatalit|perish|drown|lives|lost|bodies|toll)"
    r"|(?P<missing>missing|unaccounted)|(?P<injured>injur|wound|hurt|hospitali)"
    r"|(?P<displaced>displac|evacuat|homeless|affect|fled|relocat|shelter|rescued|forc))",
    re.IGNORECASE,
)
_KMH: Final = {"mph": 1.609344, "miles per hour": 1.609344, "knots": 1.852, "kt": 1.852, "kts": 1.852}
_CATEGORY_KMH: Final = ((252.0, 5), (209.0, 4), (178.0, 3), (154.0, 2), (119.0, 1))


def parse_number(text: str) -> int | None:
    """The value of a count as written: '1,200', '69', 'forty-five', 'two hundred', 'dozens', '1.5 million'."""
    words = " ".join(text.lower().replace(",", "").split())
    if words in _VAGUE:
        return _VAGUE[words]
    scale = 1
    for name, factor in _SCALES.items():
        if words.endswith(" " + name) or words == name:
            scale, words = factor, words[: -len(name)].strip() or "one"
            break
    if words[:1].isdigit():
        value = bounded_number(words)
        return None if value is None else int(value * scale)
    total = 0
    for part in re.split(r"[- ]", words):
        if part not in _UNITS:
            return None
        total += _UNITS[part]
    return total * scale


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


def _largest(values: list[int]) -> int | None:
    return max(values) if values else None


def _relevant_sentences(text: str, sentences: list[tuple[int, int]]) -> dict[str, str]:
    """Per kind of fact, the sentences of ``text`` that name it at all (the verb-first patterns are slow)."""
    starts = [a for a, _ in sentences]
    found: dict[str, set[int]] = {}
    for match in _TRIGGER.finditer(text):
        found.setdefault(str(match.lastgroup), set()).add(bisect.bisect_right(starts, match.start()) - 1)
    return {
        kind: " ".join(text[a:b] for n, (a, b) in enumerate(sentences) if n in hits) for kind, hits in found.items()
    }


def _opens_count(text: str, match: re.Match[str]) -> bool:
    """Whether a word starts a count: a number word, or digits not inside a number ('1.2', '1,200')."""
    word, at, end = match.group(), match.start(), match.end()
    digits = word[0].isdigit()
    if not digits and word.lower() not in _COUNT_WORDS:
        return False
    if _NOT_A_COUNT_AFTER.match(text, end) or text[max(0, at - 3) : at].lower() == "no ":
        return False  # "a five-year-old", "no one died"
    if not digits:
        return True
    if at > 0 and (text[at - 1] == "-" or (at > 1 and text[at - 1] in ".," and text[at - 2].isdigit())):
        return False  # inside a number or a name: "1.2 million", "COVID-19"
    return not (len(word) == 4 and 1800 <= int(word) <= 2100 and text[end : end + 1] != ",")  # a year


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds = [0, *(m.end() for m in _SENTENCE.finditer(text)), len(text)]
    return list(itertools.pairwise(bounds))


def _counts(text: str, kind: str, starts: list[int], relevant_by_kind: dict[str, str]) -> list[int]:
    relevant = relevant_by_kind.get(kind, "")
    if not relevant:
        return []
    pattern = _PATTERNS[kind]
    found = [parse_number(m.group("n")) for m in (pattern.match(text, i) for i in starts) if m]
    if kind in _VERB_FIRST:
        found += [parse_number(m.group("n")) for m in _VERB_FIRST[kind].finditer(relevant)]
    if kind == "deaths":
        found += [parse_number(m.group("n")) for m in _TOLL.finditer(relevant)]
    return [n for n in found if n is not None and n < 100_000_000]


def extract_facts(text: str) -> Facts:
    """Every fact the text gives (the largest figure where it gives several)."""
    starts = [m.start() for m in _COUNT_START.finditer(text) if _opens_count(text, m)]
    relevant = _relevant_sentences(text, _sentences(text))
    cues = {str(m.lastgroup) for m in _CUES.finditer(text)}
    dead, missing = (
        _largest(_counts(text, "deaths", starts, relevant)),
        _largest(_counts(text, "missing", starts, relevant)),
    )
    deaths = None if dead is None and missing is None else (dead or 0) + (missing or 0)
    magnitudes = [float(next(g for g in m.groups() if g)) for m in _MAGNITUDE.finditer(text)]
    categories = [int(m.group("c")) for m in _CATEGORY.finditer(text)]
    winds = [_number(m) * _KMH.get(m.group("u").lower(), 1.0) for m in _WIND.finditer(text)]
    return Facts(
        deaths=deaths,
        injured=_largest(_counts(text, "injured", starts, relevant)),
        displaced=_largest(_counts(text, "displaced", starts, relevant)),
        magnitude=max((m for m in magnitudes if 0 < m < 10), default=None),
        category=max(categories, default=None),
        wind_kmh=max(winds, default=None),
        emergency="emergency" in cues,
        international_aid="international_aid" in cues,
        wave_m=max(filter(None, map(_metres, _WAVE.finditer(text))), default=None),
        burned_ha=max(filter(None, map(_hectares, _AREA.finditer(text))), default=None),
        warning="warning" in cues,
        hurricane="hurricane" in cues,
    )


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
    if facts.deaths is not None:
        d = facts.deaths
        levels.append((5 if d >= 1000 else 4 if d >= 100 else 3 if d >= 10 else 2 if d >= 1 else 1, f"deaths {d}"))
    if facts.injured is not None:
        i = facts.injured
        levels.append((4 if i >= 1000 else 3 if i >= 100 else 2 if i >= 10 else 1, f"injured {i}"))
    if facts.displaced is not None:
        p = facts.displaced
        levels.append((5 if p >= 800_000 else 4 if p >= 80_000 else 3 if p >= 100 else 1, f"displaced {p}"))
    return levels


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


def score_severity(facts: Facts, event_type: str) -> Severity:
    """Severity 1-5 from the facts (EVENTS.md): impact, capped hazard level, response cues."""
    candidates = [(1, "no impact figures")]
    candidates += _impact_levels(facts)
    candidates += [(min(level, 4), reason) for level, reason in _hazard_levels(facts, event_type)]
    if facts.emergency:
        candidates.append((3, "state of emergency"))
    if facts.international_aid:
        candidates.append((4, "international assistance"))
    level, reason = max(candidates, key=lambda c: c[0])
    return Severity(level, f"{reason} -> {level}")
