"""Tests of geo.places.build: where a first-level region is placed, and the built gazetteer's regions."""

from __future__ import annotations

import pytest

from geo.places.build import _extent_middle
from geo.places.geoparse import Geoparser


def test_a_region_sits_in_the_middle_of_its_towns() -> None:
    towns = [(lat, lon) for lat in range(40, 46) for lon in range(10, 20)]
    assert _extent_middle(towns) == (42.5, 14.5)


def test_remote_islands_do_not_pull_a_region_into_the_sea() -> None:
    mainland = [(-33.0 + n * 0.05, -71.6 + n * 0.02) for n in range(40)]  # a coast, and two far islands
    lat, lon = _extent_middle([*mainland, (-27.1, -109.4), (-33.6, -78.8)])
    assert -33.0 <= lat <= -31.0 and -71.6 <= lon <= -70.8


def test_valparaiso_is_placed_on_land(geoparser: Geoparser) -> None:
    (place, *_) = geoparser.parse("A wildfire near Valparaíso, Chile, destroys 40 homes.")
    assert place.name == "Valparaíso" and (place.lat, place.lon) == pytest.approx((-32.8, -71.2), abs=1.0)
