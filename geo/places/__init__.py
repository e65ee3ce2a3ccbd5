"""Places: the offline gazetteer and its build, finding place names in text, choosing their senses, points
given relative to a place, geopy geocoders over the gazetteer, and evaluation on annotated corpora."""

from __future__ import annotations

from typing import Any

from geo import lazy_export

__all__ = [
    "CachedGeocoder",
    "EvalReport",
    "FallbackGeocoder",
    "Gazetteer",
    "GazetteerGeocoder",
    "Geoparser",
    "Mention",
    "Place",
    "Weights",
    "find_mentions",
    "geocoder_from_settings",
    "read_gold",
    "relative_places",
]

_HOMES = {
    "Place": "place",
    "Gazetteer": "gazetteer",
    "Geoparser": "geoparse",
    "Mention": "toponyms",
    "find_mentions": "toponyms",
    "Weights": "resolve",
    "relative_places": "relative",
    "CachedGeocoder": "geocoders",
    "FallbackGeocoder": "geocoders",
    "GazetteerGeocoder": "geocoders",
    "geocoder_from_settings": "geocoders",
    "EvalReport": "evaluate",
    "read_gold": "evaluate",
}


def __getattr__(name: str) -> Any:
    return lazy_export(__name__, _HOMES, name)
