"""Tests of geo.places.relative.relative_places: points given as a distance and bearing from a named place."""

from __future__ import annotations

import pytest
from geopy.distance import distance

from geo.places.gazetteer import Gazetteer
from geo.places.geoparse import Geoparser
from geo.places.place import Place
from geo.places.relative import relative_places

ANCHOR_LAT, ANCHOR_LON = 10.0, 20.0


def anchor_in(text: str, name: str = "Xville") -> Place:
    """A handmade place for the last ``name`` of ``text``, at a fixed point."""
    start = text.rindex(name)
    return Place(start, start + len(name), name, ANCHOR_LAT, ANCHOR_LON, "TD", "city", confidence=0.75)


def derived_of(places: list[Place]) -> list[Place]:
    return [p for p in places if p.derived]


def km_between(a: Place, b: Place) -> float:
    return float(distance((a.lat, a.lon), (b.lat, b.lon)).km)


def test_miles_south_of_puerto_williams(geoparser: Geoparser) -> None:
    text = "The epicenter was located 135 miles south of Puerto Williams on the north coast of Navarino Island."
    places = geoparser.parse(text)
    [point] = derived_of(places)
    [anchor] = [p for p in places if text[p.start : p.end] == "Puerto Williams"]
    assert (anchor.country_code, anchor.derived) == ("CL", False)
    assert (point.feature, point.country_code) == ("derived", None)
    assert text[point.start : point.end] == "135 miles south of Puerto Williams"
    assert point.name == "135 miles south of Puerto Williams"
    assert km_between(anchor, point) == pytest.approx(135 * 1.609344, abs=2.0)
    assert point.lat < anchor.lat
    assert point.lon == pytest.approx(anchor.lon, abs=0.01)
    assert places.index(point) == places.index(anchor) - 1  # a derived point comes right before its anchor


def test_offshore_distance_from_cebu_city(geoparser: Geoparser) -> None:
    text = "A powerful 6.9-magnitude earthquake struck 80 km off the coast of Cebu City, officials said."
    places = geoparser.parse(text)
    [point] = derived_of(places)
    [anchor] = [p for p in places if text[p.start : p.end] == "Cebu City"]
    assert anchor.country_code == "PH"
    assert text[point.start : point.end] == "80 km off the coast of Cebu City"
    assert km_between(anchor, point) == pytest.approx(80.0, abs=2.0)


def test_kilometres_northeast_of_a_northern_town(geoparser: Geoparser) -> None:
    text = "The fire was 12 kilometres northeast of Lexington, Ky., officials said."
    places = geoparser.parse(text)
    [point] = derived_of(places)
    [anchor] = [p for p in places if text[p.start : p.end] == "Lexington"]
    assert anchor.lat > 0
    assert point.lat > anchor.lat
    assert point.lon > anchor.lon
    assert km_between(anchor, point) == pytest.approx(12.0, abs=0.5)


@pytest.mark.parametrize(
    "text",
    [
        "The epicenter was south of Puerto Williams.",
        "The epicenter was many miles south of Puerto Williams.",
        "The epicenter was 135 miles from the coast. Puerto Williams felt it.",
        "Officials in Puerto Williams said 135 people left.",
    ],
)
def test_no_number_no_derived_point(geoparser: Geoparser, text: str) -> None:
    places = geoparser.parse(text)
    assert any(text[p.start : p.end] == "Puerto Williams" for p in places)
    assert derived_of(places) == []


@pytest.mark.parametrize(
    ("direction", "d_lat", "d_lon"),
    [
        ("north", 1, 0),
        ("south", -1, 0),
        ("east", 0, 1),
        ("west", 0, -1),
        ("northeast", 1, 1),
        ("southwest", -1, -1),
        ("NW", 1, -1),
        ("south-southeast", -1, 1),
        pytest.param("north-east", 1, 1),
        pytest.param("south-west", -1, -1),
    ],
)
def test_bearing(gazetteer: Gazetteer, direction: str, d_lat: int, d_lon: int) -> None:
    text = f"The blast was 50 km {direction} of Xville."
    [point] = relative_places(text, [anchor_in(text)], gazetteer)
    for moved, sign in ((point.lat - ANCHOR_LAT, d_lat), (point.lon - ANCHOR_LON, d_lon)):
        if sign == 0:
            assert moved == pytest.approx(0.0, abs=0.01)  # a geodesic due east drifts a little
        else:
            assert moved * sign > 0.1


@pytest.mark.parametrize(
    ("phrase", "km"),
    [
        ("135 miles south of", 217.26),
        ("80 nautical miles south of", 148.16),
        ("1,200 km south of", 1200.0),
        ("12.5 kilometers south of", 12.5),
        ("20-mile south of", 32.19),
        ("217 km (135 miles) south of", 217.0),
        ("135 miles south of the city of", 217.26),
    ],
)
def test_distance_units(gazetteer: Gazetteer, phrase: str, km: float) -> None:
    text = f"The epicenter was {phrase} Xville."
    anchor = anchor_in(text)
    [point] = relative_places(text, [anchor], gazetteer)
    assert km_between(anchor, point) == pytest.approx(km, abs=0.05)
    assert text[point.start : point.end] == f"{phrase} Xville"
    assert point.confidence == anchor.confidence


def test_demonym_is_no_anchor(gazetteer: Gazetteer) -> None:
    text = "The drone fell 20 km north of Ukrainian positions."
    start = text.index("Ukrainian")
    demonym = Place(start, start + 9, "Ukraine", 49.0, 31.0, "UA", "country", demonym=True)
    assert relative_places(text, [demonym], gazetteer) == []
