"""Tests of geo.events.location.primary_place: the one place that locates a story's event."""

from __future__ import annotations

import pytest

from geo.events.location import primary_place
from geo.places.geoparse import Geoparser
from geo.places.place import Place

MELISSA = (
    "Hurricane Melissa tore through the Caribbean on Tuesday, leaving at least 25 dead in Haiti and causing "
    "devastation across Jamaica, Cuba and the Bahamas. Forecasters said it was the strongest hurricane to "
    "directly hit Jamaica since records began."
)


def place(text: str, name: str, feature: str, entry_id: int | None, **changes: bool) -> Place:
    """A Place for the first occurrence of ``name`` in ``text`` (coordinates do not matter here)."""
    start = text.index(name)
    return Place(start, start + len(name), name, 0.0, 0.0, None, feature, entry_id=entry_id, **changes)


# -- with hand-made places (no gazetteer) -----------------------------------------------------------------------


def test_no_places_is_none() -> None:
    assert primary_place("Scientists say the new vaccine is safe.", []) is None


def test_the_place_struck_beats_the_country_named_first() -> None:
    text = "A tsunami threat was issued in Chile after a magnitude 7.8 earthquake struck the Drake Passage."
    places = [place(text, "Chile", "country", 1), place(text, "Drake Passage", "water", 2)]
    assert primary_place(text, places) == places[1]


def test_a_town_beats_its_country() -> None:
    text = "A shooting in Nice, southeastern France, left two people dead."
    places = [place(text, "Nice", "city", 1), place(text, "France", "country", 2)]
    assert primary_place(text, places) == places[0]


def test_a_demonym_gives_way_to_a_named_place() -> None:
    text = "Ukrainian officials said fighting continues in the eastern city of Pokrovsk."
    places = [place(text, "Ukrainian", "country", 1, demonym=True), place(text, "Pokrovsk", "city", 2)]
    assert primary_place(text, places) == places[1]


def test_a_demonym_stands_in_when_no_place_is_named() -> None:
    text = "Ukrainian officials said the talks would resume."
    demonym = place(text, "Ukrainian", "country", 1, demonym=True)
    assert primary_place(text, [demonym]) == demonym


def test_a_point_relative_to_the_place_of_the_event_is_its_location() -> None:
    text = "A strong earthquake struck the Drake Passage. The epicenter was 135 miles south of Puerto Williams."
    drake = place(text, "Drake Passage", "water", 1)
    anchor = Place(text.index("Puerto"), len(text) - 1, "Puerto Williams", -54.9, -67.6, "CL", "city", entry_id=2)
    derived = place(text, "135 miles south of Puerto Williams", "derived", None, derived=True)
    found = primary_place(text, [drake, anchor, derived])
    assert found is not None and found.derived and found.name == derived.name and found.country_code == "CL"


def test_a_relative_point_alone_or_about_another_place_is_not_the_location() -> None:
    text = "Flooding hit the city of Lyon, 300 km south of Paris."
    lyon, paris = place(text, "Lyon", "city", 1), place(text, "Paris", "city", 2)
    derived = place(text, "300 km south of Paris", "derived", None, derived=True)
    assert primary_place(text, [lyon, paris, derived]) == lyon
    assert primary_place(text, [derived]) is None


# -- with the built gazetteer -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "country_code"),
    [
        (
            "At least 69 people have died following a powerful 6.9-magnitude earthquake off the coast of Cebu City "
            "in the central Visayas region of the Philippines, officials said.",
            "Cebu City",
            "PH",
        ),
        (
            "A tsunami threat was issued in Chile after a magnitude 7.8 earthquake struck the Drake Passage on Friday.",
            "Drake Passage",
            None,
        ),
        (
            "A shooting in Nice, southeastern France, left two people dead and five injured on Friday.",
            "Nice",
            "FR",
        ),
        (
            "Hundreds of civilians were reportedly killed at the main hospital in el-Fasher, days after the militia "
            "captured the Sudanese city.",
            "El Fasher",
            "SD",
        ),
        (
            "Ukrainian President Volodymyr Zelenskyy said the most difficult situation on the front line remains the "
            "eastern city of Pokrovsk, where fighting is most intense due to a strong concentration of Russian forces.",
            "Pokrovsk",
            "UA",
        ),
        (MELISSA, "Jamaica", "JM"),
        (
            "A train derailed near Balasore in the Indian state of Odisha, killing 288 people.",
            "Balasore",
            "IN",
        ),
        ("Protesters clashed with police in Nairobi, Kenya, over a new finance bill.", "Nairobi", "KE"),
    ],
    ids=["cebu", "drake-passage", "nice", "el-fasher", "pokrovsk", "melissa-jamaica", "balasore", "nairobi"],
)
def test_primary_place_of_a_story(geoparser: Geoparser, text: str, name: str, country_code: str | None) -> None:
    found = primary_place(text, geoparser.parse(text))
    assert found is not None
    assert (found.name, found.country_code) == (name, country_code)


@pytest.mark.parametrize(
    "text",
    [
        "A small, silent object from another star is cutting through the Solar System.",
        "Scientists say the new vaccine is safe and effective.",
        "",
    ],
)
def test_no_place_on_earth_is_none(geoparser: Geoparser, text: str) -> None:
    assert primary_place(text, geoparser.parse(text)) is None


@pytest.mark.parametrize(
    ("text", "country_code"),
    [
        ("Ukrainian officials said the talks would resume next week.", "UA"),
        ("The Kenyan government declared a state of emergency.", "KE"),
        ("German police arrested three suspects.", "DE"),
        ("Mexican authorities said 12 people were killed.", "MX"),
        pytest.param(
            "French police arrested three suspects.",
            "FR",
        ),
        pytest.param(
            "Chinese officials said the talks would resume.",
            "CN",
        ),
        pytest.param(
            "Indian officials said 12 people were killed.",
            "IN",
        ),
    ],
)
def test_a_demonym_alone_gives_its_country(geoparser: Geoparser, text: str, country_code: str) -> None:
    found = primary_place(text, geoparser.parse(text))
    assert found is not None
    assert (found.demonym, found.country_code) == (True, country_code)


def test_a_place_named_again_in_the_attribution_does_not_win(geoparser: Geoparser) -> None:
    text = "Israeli air strikes on Rafah in southern Gaza killed 30 people, officials in Gaza said."
    found = primary_place(text, geoparser.parse(text))
    assert found is not None
    assert found.name.startswith("Rafa")
