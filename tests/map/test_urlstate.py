"""Tests of geo.map.urlstate: the view as query parameters, round trips, and bad values turned into notices."""

from __future__ import annotations

import string
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.map.urlstate import PARAMETERS, Notice, ViewState, describe, parse_query_params
from geo.map.urlvalues import MAX_QUERY

FULL = ViewState(
    types=("earthquake", "flood"),
    min_severity=3,
    date_from=date(2025, 1, 1),
    date_to=date(2025, 2, 1),
    countries=("FR",),
    query="nice",
    lat=43.7102,
    lon=7.262,
    zoom=9,
    event="0123456789abcdef",
)


@st.composite
def view_states(draw: st.DrawFn) -> ViewState:
    """Any valid view state."""
    date_from, date_to = draw(st.none() | st.dates()), draw(st.none() | st.dates())
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    centre = draw(st.none() | st.tuples(st.floats(-90, 90), st.floats(-180, 180)))
    queries = st.text(max_size=MAX_QUERY).filter(lambda q: "<" not in q)
    return ViewState(
        types=tuple(draw(st.lists(st.sampled_from(EVENT_TYPES), max_size=5))),
        min_severity=draw(st.integers(1, 5)),
        date_from=date_from,
        date_to=date_to,
        countries=tuple(draw(st.lists(st.text(string.ascii_letters, min_size=2, max_size=2), max_size=4))),
        query=draw(queries | st.sampled_from(["a < b", "x<1", "a.b(", "flood,storm", " padded ", "Zürich"])),
        lat=None if centre is None else centre[0],
        lon=None if centre is None else centre[1],
        zoom=draw(st.none() | st.integers(1, 18)),
        event=draw(st.none() | st.from_regex(r"[A-Za-z0-9_-]{1,64}", fullmatch=True)),
        live=draw(st.booleans()),
    )


@settings(max_examples=200, deadline=None)
@given(state=view_states())
def test_every_valid_state_survives_the_url(state: ViewState) -> None:
    assert parse_query_params(state.to_query_params()) == (state, ())


PIECES = ["flood", "Storm", "fr", "1", "5", "0", "2025-01-01", "2024-12-31", "48.8566", "-200", "9", "<script>", ","]
values = st.one_of(st.sampled_from(PIECES), st.text(max_size=20))
any_params = st.dictionaries(
    st.sampled_from(PARAMETERS) | st.text(max_size=6),
    values | st.lists(values, max_size=3) | st.lists(values, max_size=3).map(",".join),
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(params=any_params)
def test_any_params_parse_without_raising_and_the_result_is_stable(params: dict[str, str | list[str]]) -> None:
    state, _ = parse_query_params(params)
    again, notices = parse_query_params(state.to_query_params())
    assert (again, notices) == (state, ())
    assert again.to_query_params() == state.to_query_params()


def test_the_default_view_has_no_parameters() -> None:
    assert ViewState().to_query_params() == {}
    assert parse_query_params({}) == (ViewState(), ())


def test_parameters_are_named_as_documented() -> None:
    assert FULL.to_query_params() == {
        "type": ["earthquake", "flood"],
        "severity": "3",
        "from": "2025-01-01",
        "to": "2025-02-01",
        "country": ["FR"],
        "q": "nice",
        "lat": "43.7102",
        "lon": "7.262",
        "zoom": "9",
        "event": "0123456789abcdef",
    }


def test_bad_values_give_notices_and_the_default_state() -> None:
    state, notices = parse_query_params({"severity": "abc", "type": "<script>", "lat": "999"})
    assert state == ViewState()
    assert sorted(n.parameter for n in notices) == ["lat", "severity", "type"]
    assert "ignored severity=abc: not a level 1-5" in [str(n) for n in notices]


BASE = {"type": "flood", "severity": "2", "country": "fr", "q": "quake", "zoom": "4", "event": "e1"}


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("severity", "abc"),
        ("severity", "0"),
        ("severity", "6"),
        ("severity", "3.0"),
        ("severity", "٣"),
        ("type", "volcanoes"),
        ("type", "<script>alert(1)</script>"),
        ("from", "2025-13-01"),
        ("from", "2025-02-30"),
        ("from", "20250101"),
        ("to", "2025-W01-1"),
        ("to", "yesterday"),
        ("zoom", "-1"),
        ("zoom", "19"),
        ("zoom", "5.5"),
        ("country", "FRA"),
        ("country", "F"),
        ("country", "1A"),
        ("country", "<b>"),
        ("event", "has space"),
        ("event", "x" * 65),
        ("event", "../etc/passwd"),
        ("q", "<img src=x onerror=alert(1)>"),
        ("q", "</script><script>alert(1)"),
    ],
)
def test_an_invalid_value_is_dropped_and_the_rest_survives(name: str, value: str) -> None:
    rest = {key: text for key, text in BASE.items() if key != name}
    state, notices = parse_query_params({**rest, name: value})
    assert [(n.parameter, n.value.rstrip("…"), n.action) for n in notices] == [(name, value[:59], "ignored")]
    assert state == parse_query_params(rest)[0] != ViewState()


@pytest.mark.parametrize(
    ("lat", "lon", "why"),
    [
        ("91", "2", "outside -90..90"),
        ("-90.5", "2", "outside -90..90"),
        ("48", "181", "outside -180..180"),
        ("nan", "2", "not a decimal number"),
        ("inf", "2", "not a decimal number"),
        ("1e2", "2", "not a decimal number"),
        ("48,8", "2", "not a decimal number"),
    ],
)
def test_lat_and_lon_are_used_only_as_a_valid_pair(lat: str, lon: str, why: str) -> None:
    state, notices = parse_query_params({"lat": lat, "lon": lon, "zoom": "6"})
    assert state == ViewState(zoom=6)
    assert why in [n.reason for n in notices]
    assert any(n.reason.startswith("no valid") for n in notices)


def test_a_lone_coordinate_is_dropped() -> None:
    state, notices = parse_query_params({"lon": "2.35"})
    assert state == ViewState()
    assert [str(n) for n in notices] == ["ignored lon=2.35: no valid lat to pair it with"]


def test_the_map_centre_is_rounded_to_four_decimals() -> None:
    state, notices = parse_query_params({"lat": " 48.856613 ", "lon": "-0.00001", "zoom": "07"})
    assert (state.lat, state.lon, state.zoom, notices) == (48.8566, 0.0, 7, ())
    assert state.to_query_params() == {"lat": "48.8566", "lon": "0", "zoom": "7"}


@pytest.mark.parametrize(
    "params",
    [
        {"type": ["flood", "storm"]},
        {"type": "flood,storm"},
        {"type": "storm, flood"},
        {"type": ["Flood, STORM", "flood", ""]},
        {"type": ("storm", "flood,")},
    ],
)
def test_types_repeated_or_comma_separated(params: dict[str, str | list[str]]) -> None:
    state, _ = parse_query_params(params)
    assert state.types == ("flood", "storm")


@pytest.mark.parametrize("value", [["fr", "DE"], "de,Fr", ["FR,de", "fr"], "de, fr,"])
def test_countries_repeated_or_comma_separated_in_any_case(value: str | list[str]) -> None:
    assert parse_query_params({"country": value}) == (ViewState(countries=("DE", "FR")), ())


def test_one_bad_item_of_a_list_keeps_the_others() -> None:
    state, notices = parse_query_params({"type": "flood,volcanoes,storm", "country": ["FR", "France"]})
    assert (state.types, state.countries) == (("flood", "storm"), ("FR",))
    assert [str(n) for n in notices] == [
        "ignored type=volcanoes: not an event type",
        "ignored country=France: not a two-letter country code",
    ]


def test_a_repeated_single_parameter_keeps_its_last_valid_value() -> None:
    state, notices = parse_query_params({"severity": ["2", "4", "x"]})
    assert state.min_severity == 4
    assert [str(n) for n in notices] == [
        "ignored severity=x: not a level 1-5",
        "ignored severity=2: repeated; the last valid value is used",
    ]


def test_empty_values_count_as_absent() -> None:
    assert parse_query_params({"severity": "", "q": "   ", "type": "", "country": ",", "lat": "", "lon": ""}) == (
        ViewState(),
        (),
    )


def test_unknown_parameters_are_ignored_with_a_notice() -> None:
    state, notices = parse_query_params({"utm_source": "mail", "type": "flood", "Severity": "3"})
    assert state == ViewState(types=("flood",))
    assert [str(n) for n in notices] == [
        "ignored utm_source=mail: unknown parameter",
        "ignored Severity=3: unknown parameter",
    ]


def test_from_after_to_are_swapped() -> None:
    state, notices = parse_query_params({"from": "2025-02-01", "to": "2025-01-01"})
    assert (state.date_from, state.date_to) == (date(2025, 1, 1), date(2025, 2, 1))
    assert [str(n) for n in notices] == ["swapped from=2025-02-01: later than to=2025-01-01; the two dates are swapped"]


def test_one_sided_date_ranges() -> None:
    assert parse_query_params({"from": "2025-01-01"})[0] == ViewState(date_from=date(2025, 1, 1))
    assert parse_query_params({"to": "2025-01-01"})[0] == ViewState(date_to=date(2025, 1, 1))


def test_a_long_query_is_truncated_with_a_notice() -> None:
    state, notices = parse_query_params({"q": "  " + "a" * 250})
    assert state.query == "a" * MAX_QUERY
    assert [(n.parameter, n.action) for n in notices] == [("q", "truncated")]
    assert len(notices[0].value) == 60


def test_the_query_is_stripped_and_may_hold_commas_and_regex_characters() -> None:
    assert parse_query_params({"q": "  a.b(, c*  "}) == (ViewState(query="a.b(, c*"), ())
    assert parse_query_params({"q": "x < 1"}) == (ViewState(query="x < 1"), ())


def test_notices_quote_at_most_sixty_characters() -> None:
    _, notices = parse_query_params({"event": "x" * 500, "y" * 500: "1"})
    assert [(len(n.parameter), len(n.value)) for n in notices] == [(60, 1), (5, 60)]
    assert notices[0].parameter.endswith("y…")


def test_the_constructor_normalises_equal_views() -> None:
    state = ViewState(
        types=("storm", "flood", "storm"), countries=("fr", "DE", "FR"), query=" x ", lat=1.23456, lon=-0.0
    )
    assert state == ViewState(types=("flood", "storm"), countries=("DE", "FR"), query="x", lat=1.2346, lon=0.0)


def test_the_constructor_lists_every_invalid_field() -> None:
    with pytest.raises(
        DataFormatError, match=r"(?s)unknown event types \['volcanoes'\].*min_severity.*zoom.*lat and lon"
    ):
        ViewState(types=("volcanoes",), min_severity=0, zoom=30, lat=1.0)
    with pytest.raises(DataFormatError, match="date_from 2025-02-01 is after date_to 2025-01-01"):
        ViewState(date_from=date(2025, 2, 1), date_to=date(2025, 1, 1))
    with pytest.raises(DataFormatError, match="contains markup"):
        ViewState(query="<script>alert(1)</script>")
    with pytest.raises(DataFormatError, match="not the string 'flood'"):
        ViewState(types="flood")  # type: ignore[arg-type]


def test_notice_reads_as_a_sentence() -> None:
    assert str(Notice("zoom", "30", "not a zoom level 0-18")) == "ignored zoom=30: not a zoom level 0-18"


def test_describe() -> None:
    assert describe(FULL) == "earthquake, flood · severity >= 3 · 2025-01-01 to 2025-02-01 · FR · 'nice'"
    assert describe(ViewState()) == "all events"
    assert describe(ViewState(types=("tropical_cyclone",), date_from=date(2025, 1, 1))) == (
        "tropical cyclone · from 2025-01-01"
    )
    assert describe(ViewState(date_to=date(2025, 1, 1), countries=("DE", "FR"))) == "until 2025-01-01 · DE, FR"


@pytest.mark.parametrize(("text", "live"), [("false", False), ("False", False), ("true", True), (" TRUE ", True)])
def test_live_is_on_unless_the_url_turns_it_off(text: str, live: bool) -> None:
    state, notices = parse_query_params({"live": text})
    assert (state.live, notices) == (live, ())
    assert state.to_query_params() == ({} if live else {"live": "false"})
    assert state.filters_only().live  # not a filter: the downloads and the map's filters ignore it


def test_a_bad_live_value_is_ignored_with_a_notice() -> None:
    state, notices = parse_query_params({"live": "0"})
    assert state.live
    assert [str(n) for n in notices] == ["ignored live=0: give true or false"]
