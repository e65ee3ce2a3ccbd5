"""Tests of geo.places.resolve.resolve: each mentioned name gets one sense, chosen from prominence and context."""

from __future__ import annotations

import pytest

from geo.places.gazetteer import Gazetteer
from geo.places.place import Place
from geo.places.resolve import Weights, resolve
from geo.places.toponyms import find_mentions


def resolved(text: str, gaz: Gazetteer, weights: Weights | None = None) -> list[tuple[str, Place]]:
    """(surface text, place) for every mention of ``text``, in order."""
    places = resolve(text, find_mentions(text, gaz), gaz, weights)
    return [(text[p.start : p.end], p) for p in places]


def place_of(text: str, surface: str, gaz: Gazetteer, weights: Weights | None = None) -> Place:
    """The place the first mention ``surface`` of ``text`` resolves to."""
    found = [p for s, p in resolved(text, gaz, weights) if s == surface]
    assert found, f"{surface!r} not found in {text!r}: {[s for s, _ in resolved(text, gaz, weights)]}"
    return found[0]


@pytest.mark.parametrize(
    ("text", "surface", "country_code"),
    [
        ("A shooting in Nice, southeastern France, left two people dead.", "Nice", "FR"),
        ("He lives in Paris, Texas.", "Paris", "US"),
        ("Protesters rallied in Tbilisi, Georgia.", "Georgia", "GE"),
        ("The plant near Alexandria, La. closed.", "Alexandria", "US"),
        (
            "Ukrainian President Volodymyr Zelenskyy said the eastern city of Pokrovsk is under attack.",
            "Pokrovsk",
            "UA",
        ),
        ("Protesters rallied in Paris on Saturday.", "Paris", "FR"),
    ],
)
def test_context_chooses_the_country(gazetteer: Gazetteer, text: str, surface: str, country_code: str) -> None:
    assert place_of(text, surface, gazetteer).country_code == country_code


MOSCOW_AND_WASHINGTON = "Moscow and Washington have initiated discussions on potential joint projects."


def test_washington_beside_moscow_is_the_capital(gazetteer: Gazetteer) -> None:
    washington = place_of(MOSCOW_AND_WASHINGTON, "Washington", gazetteer)
    assert (washington.country_code, washington.feature) == ("US", "capital")
    assert washington.lat == pytest.approx(38.9, abs=0.2)
    assert washington.lon == pytest.approx(-77.0, abs=0.2)


def test_moscow_beside_washington_is_the_russian_capital(gazetteer: Gazetteer) -> None:
    moscow = place_of(MOSCOW_AND_WASHINGTON, "Moscow", gazetteer)
    assert (moscow.country_code, moscow.feature) == ("RU", "capital")


def test_washington_dc_is_the_capital(gazetteer: Gazetteer) -> None:
    washington = place_of("He flew to Washington, D.C. on Monday.", "Washington", gazetteer)
    assert washington.lat == pytest.approx(38.9, abs=0.2)


def test_gainesville_follows_hall_county_georgia(gazetteer: Gazetteer) -> None:
    text = "Gainesville police said the man was arrested in Hall County, Georgia."
    gainesville = place_of(text, "Gainesville", gazetteer)
    assert gainesville.country_code == "US"
    assert (gainesville.lat, gainesville.lon) == (pytest.approx(34.3, abs=0.1), pytest.approx(-83.8, abs=0.1))
    georgia = place_of(text, "Georgia", gazetteer)
    assert (georgia.country_code, georgia.feature) == ("US", "admin1")


def test_bare_gainesville_is_not_in_georgia(gazetteer: Gazetteer) -> None:
    """The control for the test above: without Hall County and Georgia, the larger Gainesville wins."""
    gainesville = place_of("Gainesville police said the man was arrested.", "Gainesville", gazetteer)
    assert gainesville.lat != pytest.approx(34.3, abs=0.1)


def test_peers_in_a_list_are_not_containers(gazetteer: Gazetteer) -> None:
    text = "Hurricane Melissa caused devastation across Jamaica, Cuba, and the Bahamas."
    places = dict(resolved(text, gazetteer))
    assert {s: (p.country_code, p.feature) for s, p in places.items()} == {
        "Jamaica": ("JM", "country"),
        "Cuba": ("CU", "country"),
        "Bahamas": ("BS", "country"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "Protesters rallied in Paris. Later, Paris police said the crowd had left.",
        "He lives in Paris, Texas. Paris is a small town.",
        "Paris is big. I love Paris.",
    ],
)
def test_one_sense_per_document(gazetteer: Gazetteer, text: str) -> None:
    paris = [p for s, p in resolved(text, gazetteer) if s == "Paris"]
    assert len(paris) == 2
    assert paris[0].entry_id == paris[1].entry_id
    assert (paris[0].lat, paris[0].lon) == (paris[1].lat, paris[1].lon)


def test_container_evidence_can_be_turned_off(gazetteer: Gazetteer) -> None:
    text = "He lives in Paris, Texas."
    blind = Weights(container=0.0, region=0.0, country=0.0)
    assert place_of(text, "Paris", gazetteer).country_code == "US"
    assert place_of(text, "Paris", gazetteer, blind).country_code == "FR"


@pytest.mark.parametrize(
    "text",
    [
        "Moscow and Washington have initiated discussions.",
        "Hurricane Melissa left 25 dead in Haiti and caused devastation across Jamaica, Cuba, and the Bahamas.",
        "He grew up in Lexington, Ky., moved to Paris, Texas, and then to Gainesville, Ga.",
        "Springfield",
    ],
)
def test_places_are_well_formed(gazetteer: Gazetteer, text: str) -> None:
    pairs = resolved(text, gazetteer)
    assert pairs
    for surface, place in pairs:
        assert 0.0 <= place.confidence <= 1.0
        assert -90.0 <= place.lat <= 90.0
        assert -180.0 <= place.lon <= 180.0
        assert not place.derived
        assert place.entry_id is not None
        assert place.name == gazetteer.name_of(place.entry_id)
        assert surface


def test_demonym_resolves_to_its_country(gazetteer: Gazetteer) -> None:
    place = place_of("Ukrainian President Volodymyr Zelenskyy spoke.", "Ukrainian", gazetteer)
    assert place.demonym
    assert (place.country_code, place.feature, place.name) == ("UA", "country", "Ukraine")


def test_no_mentions_no_places(gazetteer: Gazetteer) -> None:
    assert resolve("Nothing here.", [], gazetteer) == []
