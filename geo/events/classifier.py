"""What happened: one primary event type per story, from weighted word patterns (geo.events.lexicon).

Each type scores the summed weights of its patterns found in the text (each pattern once). A natural
hazard named outright ("earthquake", "typhoon") gets a bonus, so the hazard that triggered a disaster
wins over its consequences (a tsunami warning after a quake is an earthquake story). Ties go to the
type listed first in EVENT_TYPES. A text that scores too little for every type is "other".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from geo.events.lexicon import EVENT_TYPES, HAZARDS, LEXICON
from geo.events.severity import Facts, Severity, extract_facts, score_severity

__all__ = ["EVENT_TYPES", "Classification", "EventType", "classify", "classify_type"]

#: Score a type needs to be the primary type rather than "other".
MIN_SCORE: Final = 2
#: Bonus for a hazard named outright (a pattern of weight >= 4).
HAZARD_BONUS: Final = 3
#: A type named outright wins over the types it causes or frames: floods from a typhoon are the
#: typhoon's story, a tsunami after a quake the quake's, and protests about an election are protests.
DOMINANCE: Final = {
    "earthquake": ("tsunami", "landslide"),
    "tropical_cyclone": ("flood", "storm", "landslide"),
    "volcano": ("landslide", "earthquake"),
    "tsunami": ("flood",),
    "protest_unrest": ("political", "crime"),
}
#: How much of a story's start the event type is read from.
LEAD_CHARS: Final = 1200
#: Score another type needs to be listed as secondary.
SECONDARY_SCORE: Final = 4


def _first_letters(pattern: str) -> set[str]:
    """Letters a match of ``pattern`` can start with ("" when it may start with something else)."""
    if pattern[0].isalpha():
        return {pattern[0].lower()}
    if pattern.startswith(("(?<!", "(?<=")):
        return _first_letters(pattern[pattern.index(")") + 1 :])
    if pattern.startswith("\\b"):
        return _first_letters(pattern[2:])
    if pattern.startswith("(?:"):
        depth, start, firsts = 0, 3, set()
        for i, char in enumerate(pattern[3:], 3):
            if char == "(":
                depth += 1
            elif char == ")" and depth:
                depth -= 1
            elif char in "|)" and depth == 0:
                firsts.add(pattern[start])
                start = i + 1
                if char == ")":
                    break
        if firsts and all(c.isalpha() for c in firsts):
            return {c.lower() for c in firsts}
    return {""}


_Group = tuple[re.Pattern[str], tuple[tuple[int, re.Pattern[str]], ...]]


def _compile() -> tuple[dict[str, _Group], list[tuple[str, int]]]:
    """Patterns grouped by first letter (group "" for those that start otherwise). A word start is
    tried against its letter's alternation first; only when that matches are the group's patterns
    tried one by one, so that overlapping patterns ("fire at", "fires") all count."""
    parts: dict[str, list[tuple[int, str]]] = {}
    meaning: list[tuple[str, int]] = []
    for event_type, patterns in LEXICON.items():
        for pattern, weight in patterns:
            for first in _first_letters(pattern):
                parts.setdefault(first, []).append((len(meaning), pattern))
            meaning.append((event_type, weight))
    groups = {
        letter: (
            re.compile("|".join(f"(?:{p})" for _, p in items), re.IGNORECASE),
            tuple((n, re.compile(p, re.IGNORECASE)) for n, p in items),
        )
        for letter, items in parts.items()
    }
    return groups, meaning


_BY_LETTER, _MEANING = _compile()
_OTHERS: Final = _BY_LETTER.pop("", (re.compile(r"(?!)"), ()))
#: European-style storm names ("Storm Darragh"): windstorms, even when they "make landfall".
_NAMED_STORM: Final = re.compile(
    r"(?<![Tt]ropical )(?<!Winter )\bStorm "
    r"(?!(?:Surge|Prediction|Center|Centre|Warning|Watch|Team|Shelter|Drain)s?\b)[A-Z][a-z]+"
)
_NAMED_FIRE: Final = re.compile(
    r"\b(?:the )?[A-Z][a-z]+(?: [A-Z][a-z]+)?(?: and [A-Z][a-z]+)? (?:[Ff]ires?|[Cc]omplex [Ff]ire)\b"
    r"(?! (?:at|in) (?:a|an|the)\b)"
)
_VICTIMS: Final = re.compile(r"\b(?:killed|killing|dead|died|injur\w+|wound\w+)\b", re.IGNORECASE)
_LETTER_START: Final = re.compile(r"\b[^\W\d_]")


def _matches(text: str) -> Iterator[int]:
    """Pattern numbers found at the starts of words."""
    for start in _LETTER_START.finditer(text):
        pos = start.start()
        group = _BY_LETTER.get(text[pos].lower())
        if group is None or group[0].match(text, pos) is None:
            continue
        for number, pattern in group[1]:
            if pattern.match(text, pos):
                yield number
    for number, pattern in _OTHERS[1]:
        if pattern.search(text):
            yield number


@dataclass(frozen=True, slots=True)
class EventType:
    """The primary type of a story, its runners-up and the scores behind them."""

    primary: str
    secondary: tuple[str, ...]
    scores: tuple[tuple[str, int], ...]


def type_scores(text: str) -> dict[str, int]:
    """Score of every type with at least one pattern in ``text``."""
    seen: set[int] = set()
    scores: dict[str, int] = {}
    strong: set[str] = set()
    for group in _matches(text):
        if group in seen:
            continue
        seen.add(group)
        event_type, weight = _MEANING[group]
        scores[event_type] = scores.get(event_type, 0) + weight
        if weight >= 4:
            strong.add(event_type)
    for hazard in strong & HAZARDS:
        scores[hazard] += HAZARD_BONUS
    for cause, effects in DOMINANCE.items():
        if cause in strong:
            best_effect = max((scores.get(e, 0) for e in effects), default=0)
            scores[cause] = max(scores[cause], best_effect + 1)
    if _NAMED_FIRE.search(text):
        scores["wildfire"] = scores.get("wildfire", 0) + 4  # "the Dixie Fire", "Eaton fires"
    if _NAMED_STORM.search(text) and "tropical_cyclone" in scores:
        scores["storm"] = scores.get("storm", 0) + scores.pop("tropical_cyclone")  # "Storm Darragh" is no hurricane
    if scores.get("terror_attack_shooting", 0) >= 4 and _VICTIMS.search(text):
        scores["terror_attack_shooting"] += 2  # an attack with victims is the attack's story, not the arrest's
    return scores


def classify_type(text: str) -> EventType:
    """The primary event type of a story, with the other types it also fits."""
    scores = type_scores(text)
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], EVENT_TYPES.index(kv[0])))
    primary = "other" if not ranked or ranked[0][1] < MIN_SCORE else ranked[0][0]
    secondary = tuple(t for t, s in ranked if t != primary and s >= SECONDARY_SCORE)
    return EventType(primary, secondary, tuple(ranked))


@dataclass(frozen=True, slots=True)
class Classification:
    """What happened and how bad it is: the ``geo classify`` record."""

    event_type: str
    secondary: tuple[str, ...]
    severity: Severity
    facts: Facts

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the command-line contract (without the id)."""
        return {
            "event_type": self.event_type,
            "severity": self.severity.level,
            "severity_reason": self.severity.reason,
            **self.facts.to_dict(),
        }


def classify(text: str) -> Classification:
    """Event type, severity and the facts behind it, for one story.

    The type is read from the lead (news puts what happened first; later paragraphs drift into
    background), the facts from the whole text."""
    kind = classify_type(text[:LEAD_CHARS])
    facts = extract_facts(text)
    return Classification(kind.primary, kind.secondary, score_severity(facts, kind.primary), facts)
