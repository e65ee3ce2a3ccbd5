"""Property tests: the geoparser takes any text without raising and returns well-formed places."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from geo.places.gazetteer import normalize
from geo.places.geoparse import Geoparser

PIECES = [
    "Puerto Williams", "Drake Passage", "Nice", "France", "Paris", "Texas", "Georgia", "Washington", "Moscow",
    "U.S.", "Ky.", "Miss.", "el-Fasher", "al-", "Ukrainian", "South Korean", "China", "'s", "’s", "Cebu City",
    "Jamaica", "Hall County", "New York City", "São Paulo", "Zürich", "President", "Hurricane", "Road", "Monday",
    "135 miles south of", "80 km off the coast of", "12 kilometres northeast of", "1,200 nautical miles",
    "(217 km)", "of", "the", "and", "in", ",", ", ", ".", ". ", "-", "—", "'", "\n", " ", "  ", "\t", "“", "”",
    "(", ")", "0", "42", "NE", "city of",
]  # fmt: skip

words = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")), max_size=8)
built_texts = st.lists(st.one_of(st.sampled_from(PIECES), words), max_size=40).map(
    lambda parts: "".join(p if p in PIECES else f" {p} " for p in parts)
)
any_text = st.one_of(st.text(max_size=400), built_texts)


@settings(max_examples=150, deadline=None)
@given(text=any_text)
def test_parse_never_raises_and_places_are_well_formed(geoparser: Geoparser, text: str) -> None:
    places = geoparser.parse(text)
    for place in places:
        assert 0 <= place.start < place.end <= len(text)
        assert -90.0 <= place.lat <= 90.0
        assert -180.0 <= place.lon <= 180.0
        assert 0.0 <= place.confidence <= 1.0
        assert place.derived == (place.feature == "derived")
    named = [p for p in places if not p.derived]
    for a, b in itertools.pairwise(named):
        assert a.end <= b.start


@settings(max_examples=150, deadline=None)
@given(text=built_texts)
def test_derived_points_end_at_a_named_place(geoparser: Geoparser, text: str) -> None:
    places = geoparser.parse(text)
    named_ends = {p.end for p in places if not p.derived}
    for place in places:
        if place.derived:
            assert place.end in named_ends
            assert place.name == text[place.start : place.end]


@settings(max_examples=150, deadline=None)
@given(name=st.one_of(st.text(max_size=40), st.sampled_from(PIECES)))
def test_normalize_is_idempotent(name: str) -> None:
    once = normalize(name)
    assert normalize(once) == once
    assert once == once.strip()
    assert "  " not in once
