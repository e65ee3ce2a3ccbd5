"""End-to-end test of the geoparser on the sample news page shipped with the project (``data/sample/news_page.txt``,
a copy of ``../shared/seed/news_page.txt``: only the check that the copy is faithful needs ``../shared``)."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from geopy.distance import distance

from geo.places.geoparse import Geoparser
from geo.places.place import Place


@pytest.fixture(scope="module")
def page_text(sample_page: Path) -> str:
    return sample_page.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page_places(geoparser: Geoparser, page_text: str) -> list[Place]:
    return geoparser.parse(page_text)


def occurrences(text: str, surface: str) -> list[tuple[int, int]]:
    """Spans of ``surface`` as a whole word (a possessive 's may follow)."""
    return [m.span() for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text)]


def places_named(text: str, places: list[Place], surface: str) -> list[Place]:
    return [p for p in places if not p.derived and text[p.start : p.end] == surface]


def test_shipped_copy_matches_the_seed(sample_page: Path, seed_page: Path) -> None:
    assert sample_page.read_bytes() == seed_page.read_bytes()


@pytest.mark.parametrize(
    ("surface", "country_code", "feature"),
    [
        ("Cebu City", "PH", None),
        ("Drake Passage", None, "water"),
        ("el-Fasher", "SD", None),
        ("Jamaica", "JM", "country"),
        ("Pokrovsk", "UA", None),
        ("Nice", "FR", None),
        ("Puerto Williams", "CL", None),
        ("Washington", "US", "capital"),
        ("Moscow", "RU", None),
        ("Saudi Arabia", "SA", "country"),
        ("Philippines", "PH", "country"),
        ("Haiti", "HT", "country"),
        ("Cuba", "CU", "country"),
        ("Bahamas", "BS", "country"),
        ("Chile", "CL", "country"),
        ("Iran", "IR", "country"),
        ("Ukraine", "UA", "country"),
        ("China", "CN", "country"),
        ("South Korea", "KR", "country"),
        ("South Korean", "KR", "country"),
        ("Russia", "RU", "country"),
        ("U.S.", "US", "country"),
    ],
)
def test_expected_place(
    page_text: str, page_places: list[Place], surface: str, country_code: str, feature: str
) -> None:
    found = places_named(page_text, page_places, surface)
    assert len(found) == len(occurrences(page_text, surface)), f"some mentions of {surface!r} were missed"
    for place in found:
        assert place.country_code == country_code
        if feature is not None:
            assert place.feature == feature
    assert len({(p.lat, p.lon) for p in found}) == 1, f"{surface!r} resolved to more than one place"


def test_washington_is_the_capital(page_text: str, page_places: list[Place]) -> None:
    washington = places_named(page_text, page_places, "Washington")
    assert washington
    for place in washington:
        assert place.lat == pytest.approx(38.9, abs=0.2)
        assert place.lon == pytest.approx(-77.0, abs=0.2)


@pytest.mark.parametrize(
    "surface",
    [
        "Trump",
        "Xi",
        "Melissa",
        "Play Store",
        "App Store",
        "Leave",
        "Thursday",
        "Friday",
        "Monday",
        "Wednesday",
        "Izvestia",
        "Dmitriev",
        "Rapid Support Forces",
    ],
)
def test_not_a_place(page_text: str, page_places: list[Place], surface: str) -> None:
    spans = occurrences(page_text, surface)
    assert spans, f"{surface!r} is not on the page any more: update the test"
    for start, end in spans:
        overlapping = [page_text[p.start : p.end] for p in page_places if p.start < end and start < p.end]
        assert overlapping == [], f"{surface!r} at {start} was taken for a place"


def test_derived_point_south_of_puerto_williams(page_text: str, page_places: list[Place]) -> None:
    derived = [p for p in page_places if p.derived]
    assert [page_text[p.start : p.end] for p in derived] == ["135 miles south of Puerto Williams"]
    [anchor] = places_named(page_text, page_places, "Puerto Williams")
    km = distance((anchor.lat, anchor.lon), (derived[0].lat, derived[0].lon)).km
    assert km == pytest.approx(135 * 1.609344, abs=2.0)
    assert derived[0].lat < anchor.lat


def test_places_are_sorted_and_well_formed(page_text: str, page_places: list[Place]) -> None:
    assert [(p.start, p.derived) for p in page_places] == sorted((p.start, p.derived) for p in page_places)
    named = [p for p in page_places if not p.derived]
    for a, b in itertools.pairwise(named):
        assert a.end <= b.start
    for place in page_places:
        assert page_text[place.start : place.end].strip()
        assert 0.0 <= place.confidence <= 1.0
