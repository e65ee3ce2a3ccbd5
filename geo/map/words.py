"""Words for people instead of codes: event types, severity levels and what they mean, facts, sources, counts.

The severity scale is EVENTS.md's: 1 minimal, 2 minor, 3 significant, 4 severe, 5 catastrophic, each with the
band of deaths, injured, displaced or hazard figures that gives it.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from pathlib import PurePath
from typing import Any, Final
from urllib.parse import urlsplit

__all__ = [
    "SEVERITY_NAMES",
    "TYPE_CODES",
    "broad_place",
    "count_words",
    "fact_lines",
    "markdown_plain",
    "reports_words",
    "severity_words",
    "source_label",
    "type_label",
]

SEVERITY_NAMES: Final = {1: "minimal", 2: "minor", 3: "significant", 4: "severe", 5: "catastrophic"}
#: Two-letter codes drawn in the markers (GDACS's where it has one: EQ, TC, FL, VO, DR, WF, TS).
TYPE_CODES: Final = {
    "earthquake": "EQ", "volcano": "VO", "tropical_cyclone": "TC", "tsunami": "TS", "wildfire": "WF",
    "flood": "FL", "landslide": "LS", "storm": "ST", "extreme_temperature": "ET", "drought": "DR",
    "epidemic": "EP", "transport_accident": "TR", "industrial_accident": "IN", "terror_attack_shooting": "TA",
    "armed_conflict": "AC", "protest_unrest": "PR", "crime": "CR", "diplomatic": "DI", "political": "PO",
    "economic": "EC", "other": "OT",
}  # fmt: skip
_TYPE_LABELS: Final = {
    "terror_attack_shooting": "Terror attack or shooting",
    "protest_unrest": "Protest or unrest",
    "extreme_temperature": "Heat or cold wave",
}
#: What each level means for the fact that set it (EVENTS.md).
_BANDS: Final[dict[str, dict[int, str]]] = {
    "deaths": {1: "no deaths", 2: "1-9 deaths", 3: "10-99 deaths", 4: "100-999 deaths", 5: "1,000 deaths or more"},
    "injured": {1: "fewer than 10 injured", 2: "10-99 injured", 3: "100-999 injured", 4: "1,000 injured or more"},
    "displaced": {
        1: "fewer than 100 displaced",
        3: "100-79,999 displaced",
        4: "80,000-799,999 displaced",
        5: "800,000 displaced or more",
    },
    "magnitude": {1: "magnitude under 5", 2: "magnitude 5-5.9", 3: "magnitude 6-6.9", 4: "magnitude 7 or more"},
    "category": {2: "a tropical storm", 3: "a category 1-2 storm", 4: "a category 3-5 storm"},
    "waves": {2: "waves under 1 m", 3: "waves of 1-3 m", 4: "waves of 3 m or more"},
    "burned": {1: "under 5,000 ha burned", 3: "5,000 ha or more burned", 4: "10,000 ha burned, 10,000 evacuated"},
}
_CUES: Final = {
    "no impact figures": "no impact figures in the text",
    "hurricane": "a hurricane or typhoon",
    "tropical storm": "a tropical storm",
    "volcano warning or evacuation": "an official warning or evacuation",
    "state of emergency": "a state of emergency",
    "international assistance": "a call for international assistance",
}
_REASON: Final = re.compile(r"^(?P<what>.+?) -> (?P<level>[1-5])$")
_FACTS: Final = (
    ("deaths", "Deaths and missing", "{:,.0f}"),
    ("missing", "Of them missing", "{:,.0f}"),
    ("injured", "Injured", "{:,.0f}"),
    ("displaced", "Displaced or affected", "{:,.0f}"),
    ("magnitude", "Magnitude", "{:g}"),
    ("category", "Category", "{:.0f}"),
    ("wind_kmh", "Wind", "{:,.0f} km/h"),
)
#: Kinds of place too broad to say where in it the event happened.
BROAD_FEATURES: Final = frozenset({"continent", "country", "region", "water"})
_FILE_SUFFIXES: Final = frozenset(".txt .jsonl .ndjson .json .csv .xml .rss .atom .html .htm".split())
#: Characters Markdown gives a meaning to.
_MARKDOWN_SPECIAL: Final = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:=&]")
#: Where GFM's autolink literals, which Streamlit applies to the text after Markdown's escapes, would begin a link:
#: after an escaped scheme's colon, after "www" before its dot, before an e-mail's "@" (a word joiner goes there).
_AUTOLINK: Final = re.compile(r"(?i)(?<=[a-z]\\:)(?=//)|(?<=\bwww)(?=\\\.)|(?=@)")
#: U+2060 WORD JOINER: invisible, and breaks an address into text no autolink takes.
_JOINER: Final = "\u2060"


def type_label(event_type: str) -> str:
    """The event type as shown to people: ``tropical_cyclone`` -> ``Tropical cyclone``."""
    return _TYPE_LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def severity_words(reason: str | None, level: int) -> str:
    """The level and what gave it: "Severity 3, significant: 10-99 deaths" (from the reason "deaths 69 -> 3")."""
    head = f"Severity {level}, {SEVERITY_NAMES.get(level, '?')}"
    match = _REASON.match(reason or "")
    if match is None:
        return head
    what = match.group("what")
    kind = what.split(" ", 1)[0]
    band = _BANDS.get(kind, {}).get(level) or _CUES.get(what)
    return f"{head}: {band}" if band else f"{head}: {what}"


def fact_lines(row: Mapping[Hashable, Any]) -> list[str]:
    """The facts a story states, in words: "Deaths and missing: 69", "Magnitude: 7.5"."""
    lines = []
    for key, label, form in _FACTS:
        value = row.get(key)
        if value is not None and value == value:  # not NaN
            lines.append(f"{label}: {form.format(float(value))}")
    return lines


def source_label(url: str | None, source: str | None) -> str:
    """Where a story comes from, for people: the site of its URL, its publisher, or "uploaded file (name)"."""
    try:
        parts = urlsplit((url or "").strip())
        host = (parts.hostname or "") if parts.scheme.lower() in ("http", "https") else ""
    except ValueError:
        host = ""
    if host:
        return host.removeprefix("www.")
    name = (source or "").strip()
    if not name:
        return "unknown source"
    return f"uploaded file ({name})" if PurePath(name).suffix.lower() in _FILE_SUFFIXES else name


def count_words(count: int, noun: str, plural: str | None = None) -> str:
    """ "1 event", "2 events", "1,024 events"."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def reports_words(stories: Any, sources: Any) -> str | None:
    """ "3 reports from 2 sources" for an event told by several stories; None for one story (or none said)."""
    told = _whole(stories)
    if told is None or told < 2:
        return None
    many = _whole(sources)
    return count_words(told, "report") + ("" if not many else " from " + count_words(many, "source"))


def _whole(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number


def broad_place(feature: str | None) -> bool:
    """Whether an event placed on a feature of this kind sits on its centre only (a country, a sea)."""
    return feature in BROAD_FEATURES


def markdown_plain(text: str) -> str:
    """``text`` with every Markdown character escaped, to be shown as Markdown but read as plain text: no
    address or e-mail in it becomes a link either."""
    return _AUTOLINK.sub(_JOINER, _MARKDOWN_SPECIAL.sub(r"\\\g<0>", text))
