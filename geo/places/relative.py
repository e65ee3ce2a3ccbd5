"""Points described relative to a named place: "135 miles south of Puerto Williams", "80 km off X"."""

from __future__ import annotations

import math
import re
from typing import Final

from geopy.distance import distance

from geo.limits import bounded_number
from geo.places.gazetteer import Gazetteer
from geo.places.place import Place

__all__ = ["relative_places"]

_BEARINGS: Final = {
    "north": 0.0, "n": 0.0, "northeast": 45.0, "ne": 45.0, "east": 90.0, "e": 90.0, "southeast": 135.0,
    "se": 135.0, "south": 180.0, "s": 180.0, "southwest": 225.0, "sw": 225.0, "west": 270.0, "w": 270.0,
    "northwest": 315.0, "nw": 315.0, "north-northeast": 22.5, "nne": 22.5, "east-northeast": 67.5, "ene": 67.5,
    "east-southeast": 112.5, "ese": 112.5, "south-southeast": 157.5, "sse": 157.5, "south-southwest": 202.5,
    "ssw": 202.5, "west-southwest": 247.5, "wsw": 247.5, "west-northwest": 292.5, "wnw": 292.5,
    "north-northwest": 337.5, "nnw": 337.5,
}  # fmt: skip
_KM_PER_UNIT: Final = {
    "km": 1.0, "kilometers": 1.0, "kilometres": 1.0, "kilometer": 1.0, "kilometre": 1.0, "mi": 1.609344,
    "miles": 1.609344, "mile": 1.609344, "nautical miles": 1.852, "nautical mile": 1.852, "nm": 1.852,
}  # fmt: skip
_UNIT: Final = r"(?P<unit>nautical miles?|kilomet(?:er|re)s?|km|miles?|mi|nm)"
_NUMBER: Final = r"(?P<num>\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)"
_BEARING: Final = r"(?P<dir>(?:north|south|east|west)(?:-?(?:north|south|east|west)){0,2}|[NSEW]{1,3})"
_PAREN: Final = r"(?:\s*\([^)]{0,30}\))?"
_DIRECTED: Final = re.compile(
    rf"{_NUMBER}[\s-]*{_UNIT}{_PAREN}\s+{_BEARING}\s+(?:of|from)\s+(?:the\s+(?:city|town|village|island)\s+of\s+)?$",
    re.IGNORECASE,
)
_DIGIT: Final = re.compile(r"\d")
#: Half the Earth's circumference: no point is further from an anchor.
MAX_KM: Final = 20_038.0
_OFFSHORE: Final = re.compile(
    rf"{_NUMBER}[\s-]*{_UNIT}{_PAREN}\s+off\s+(?:the\s+)?(?:(?:\w+\s+)?coast|shore)s?\s+of\s+$", re.IGNORECASE
)


def _bearing_away_from_land(anchor: Place, gaz: Gazetteer) -> float | None:
    """Bearing from the anchor's country centre through the anchor: the way out to sea."""
    cc = anchor.country_code
    idx = gaz.country_entry.get(cc) if cc else None
    if idx is None:
        return None
    clat, clon = gaz.point_of(idx)
    if abs(clat - anchor.lat) + abs(clon - anchor.lon) < 1e-6:
        return None
    y = math.sin(math.radians(anchor.lon - clon)) * math.cos(math.radians(anchor.lat))
    x = math.cos(math.radians(clat)) * math.sin(math.radians(anchor.lat)) - math.sin(math.radians(clat)) * math.cos(
        math.radians(anchor.lat)
    ) * math.cos(math.radians(anchor.lon - clon))
    return math.degrees(math.atan2(y, x)) % 360.0


def _derive(text: str, anchor: Place, gaz: Gazetteer) -> Place | None:
    window_start = max(0, anchor.start - 80)
    window = text[window_start : anchor.start]
    if not _DIGIT.search(window):
        return None  # every relative phrase has a distance
    match = _DIRECTED.search(window)
    bearing: float | None
    if match:
        word = match.group("dir").lower()
        bearing = _BEARINGS.get(word, _BEARINGS.get(word.replace("-", "")))
    else:
        match = _OFFSHORE.search(window)
        bearing = _bearing_away_from_land(anchor, gaz) if match else None
    if match is None or bearing is None:
        return None
    number = bounded_number(match.group("num"))
    km = None if number is None else number * _KM_PER_UNIT[match.group("unit").lower()]
    if km is None or km > MAX_KM:
        return None  # not a distance on Earth
    point = distance(kilometers=km).destination((anchor.lat, anchor.lon), bearing=bearing)
    start = window_start + match.start()
    return Place(
        start=start,
        end=anchor.end,
        name=text[start : anchor.end],
        lat=point.latitude,
        lon=point.longitude,
        country_code=None,
        feature="derived",
        derived=True,
        confidence=anchor.confidence,
    )


def relative_places(text: str, places: list[Place], gaz: Gazetteer) -> list[Place]:
    """Derived points for the places that a distance-and-bearing phrase points from."""
    out = []
    for anchor in places:
        if anchor.demonym:
            continue
        derived = _derive(text, anchor, gaz)
        if derived is not None:
            out.append(derived)
    return out
