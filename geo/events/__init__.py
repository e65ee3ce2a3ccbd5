"""Events: what happened (one of 21 types), how bad (facts and a 1-5 severity) and where (the place that
locates it), from a story's text and its places."""

from __future__ import annotations

from typing import Any

from geo import lazy_export

__all__ = [
    "EVENT_TYPES",
    "Classification",
    "EventType",
    "Facts",
    "Severity",
    "classify",
    "classify_type",
    "extract_facts",
    "primary_place",
    "score_severity",
]

_HOMES = {
    "EVENT_TYPES": "classifier",
    "Classification": "classifier",
    "EventType": "classifier",
    "classify": "classifier",
    "classify_type": "classifier",
    "Facts": "severity",
    "Severity": "severity",
    "extract_facts": "severity",
    "score_severity": "severity",
    "primary_place": "location",
}


def __getattr__(name: str) -> Any:
    return lazy_export(__name__, _HOMES, name)
