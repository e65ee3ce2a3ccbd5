"""Tests of what the page shows in words: geo.map.words, geo.map.panels (details, table, in view, countries) and
geo.map.timeline (bins, player steps, the chart and its date selection)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pandas as pd
import pytest

from geo.map.markers import SEVERITY_COLOURS
from geo.map.panels import TABLE_COLUMNS, EventDetails, country_label, table_frame, view_bounds
from geo.map.timeline import (
    SELECTION,
    bin_starts,
    day_counts,
    player_steps,
    selected_days,
    timeline_chart,
    unit_for,
)
from geo.map.words import count_words, fact_lines, markdown_plain, severity_words, source_label, type_label
from geo.store.query import Bounds
from geo.store.schema import conform
from tests.rows import event

COUNTRIES = {"PH": "Philippines", "FR": "France"}


@pytest.mark.parametrize(
    ("reason", "level", "words"),
    [
        ("deaths 69 -> 3", 3, "Severity 3, significant: 10-99 deaths"),
        ("deaths 1200 -> 5", 5, "Severity 5, catastrophic: 1,000 deaths or more"),
        ("injured 150 -> 3", 3, "Severity 3, significant: 100-999 injured"),
        ("displaced 90000 -> 4", 4, "Severity 4, severe: 80,000-799,999 displaced"),
        ("magnitude 6.9 -> 3", 3, "Severity 3, significant: magnitude 6-6.9"),
        ("category 5 -> 4", 4, "Severity 4, severe: a category 3-5 storm"),
        ("hurricane -> 3", 3, "Severity 3, significant: a hurricane or typhoon"),
        ("state of emergency -> 3", 3, "Severity 3, significant: a state of emergency"),
        ("no impact figures -> 1", 1, "Severity 1, minimal: no impact figures in the text"),
        ("something new -> 2", 2, "Severity 2, minor: something new"),
        (None, 2, "Severity 2, minor"),
    ],
)
def test_severity_in_words_says_what_the_level_means(reason: str | None, level: int, words: str) -> None:
    assert severity_words(reason, level) == words


def test_words_for_types_facts_sources_and_counts() -> None:
    assert type_label("tropical_cyclone") == "Tropical cyclone"
    assert type_label("terror_attack_shooting") == "Terror attack or shooting"
    facts = fact_lines({"deaths": 69, "injured": 150.0, "magnitude": 6.9, "wind_kmh": 298.4, "displaced": float("nan")})
    assert facts == ["Deaths and missing: 69", "Injured: 150", "Magnitude: 6.9", "Wind: 298 km/h"]
    facts = fact_lines({"deaths": 74, "killed": 68, "missing": 6.0})
    assert facts == ["Deaths and missing: 74", "Of them missing: 6"]
    assert source_label("https://www.reuters.com/world/x", "Reuters") == "reuters.com"
    assert source_label(None, "news_page.txt") == "uploaded file (news_page.txt)"
    assert source_label("javascript:alert(1)", "Wire") == "Wire"
    assert source_label(None, None) == "unknown source"
    assert (count_words(1, "event"), count_words(2, "event"), count_words(1234, "story", "stories")) == (
        "1 event",
        "2 events",
        "1,234 stories",
    )
    assert country_label("PH", COUNTRIES, 12) == "Philippines (PH), 12"
    assert country_label("XK", COUNTRIES) == "XK"


def _events(*rows: dict[str, Any]) -> pd.DataFrame:
    frame: pd.DataFrame = conform(pd.DataFrame(list(rows)))
    return frame


def test_details_of_an_event_in_words() -> None:
    places = [
        {"name": "Cebu City", "lat": 10.3, "lon": 123.9, "country_code": "PH", "feature": "city"},
        {"name": "Philippines", "lat": 12.0, "lon": 122.0, "country_code": "PH", "feature": "country"},
        {"name": "Cebu City", "lat": 10.3, "lon": 123.9, "country_code": "PH", "feature": "city"},
    ]
    row = event(
        "q", title="Quake near Cebu", event_type="earthquake", severity=3, severity_reason="deaths 69 -> 3",
        deaths=69, place_name="Cebu City", country_code="PH", lat=10.3, lon=123.9, places=json.dumps(places),
        url="https://news.example.org/cebu", source="Example",
    )  # fmt: skip
    details = EventDetails.from_row(_events(row).iloc[0].to_dict(), COUNTRIES)
    assert details.severity_text == "Severity 3, significant: 10-99 deaths"
    assert details.colour == SEVERITY_COLOURS[3]
    assert (details.type_text, details.place, details.date) == ("Earthquake", "Cebu City, Philippines", "01 May 2024")
    assert details.places == ("Cebu City (town, Philippines)", "Philippines (country)")
    assert details.source == "news.example.org" and details.url == "https://news.example.org/cebu"
    assert "Deaths and missing: 69" in details.facts and details.broad_note is None


def test_details_say_when_the_marker_sits_on_a_country_centre_and_never_link_other_schemes() -> None:
    country = [{"name": "France", "lat": 46.6, "lon": 2.4, "country_code": "FR", "feature": "country"}]
    row = event("f", place_name="France", lat=46.6, lon=2.4, places=json.dumps(country), url="javascript:alert(1)")
    details = EventDetails.from_row(_events(row).iloc[0].to_dict(), COUNTRIES)
    assert details.place == "France" and details.broad_note is not None and details.url is None


def test_the_table_speaks_words_and_puts_the_worst_first() -> None:
    events = _events(
        event("a", severity=2, published_at="2024-05-03T00:00:00Z"),
        event("b", severity=5, country_code="PH", place_name="Cebu City"),
        event("c", severity=2, published_at="2024-05-04T00:00:00Z", url=None, source="feed.xml"),
    )
    frame = table_frame(events, COUNTRIES)
    assert tuple(frame.columns) == TABLE_COLUMNS
    assert list(frame.index) == ["b", "c", "a"]
    first = frame.iloc[0]
    assert (first["Severity"], first["Type"], first["Country"]) == ("5 catastrophic", "Flood", "Philippines")
    assert frame.loc["c", "Source"] == "uploaded file (feed.xml)"


def test_the_table_counts_reports_only_when_an_event_has_several() -> None:
    events = _events(event("a", severity=2), event("b", severity=5))
    assert "Reports" not in table_frame(events.assign(stories=[1, 1]), COUNTRIES)
    frame = table_frame(events.assign(stories=[4, 1]), COUNTRIES)
    assert frame.loc["a", "Reports"] == 4 and frame.loc["b", "Reports"] == 1


def test_view_bounds_reads_the_map_s_bounds_and_wraps_the_antimeridian() -> None:
    europe = {"_southWest": {"lat": 40.0, "lng": -10.0}, "_northEast": {"lat": 55.0, "lng": 20.0}}
    assert view_bounds(europe) == Bounds(40.0, -10.0, 55.0, 20.0)
    pacific = {"_southWest": {"lat": -30.0, "lng": 170.0}, "_northEast": {"lat": 40.0, "lng": 200.0}}  # across 180°
    assert view_bounds(pacific) == Bounds(-30.0, 170.0, 40.0, -160.0)
    world = {"_southWest": {"lat": -95.0, "lng": -400.0}, "_northEast": {"lat": 95.0, "lng": 400.0}}
    assert view_bounds(world) == Bounds(-90.0, -180.0, 90.0, 180.0)
    for unknown in (None, {}, {"_southWest": {"lat": None, "lng": None}, "_northEast": {"lat": None, "lng": None}}):
        assert view_bounds(unknown) is None


def test_time_is_binned_by_day_week_or_month_to_suit_the_range() -> None:
    assert unit_for(date(2025, 1, 1), date(2025, 2, 1)) == "day"
    assert unit_for(date(2025, 1, 1), date(2025, 8, 1)) == "week"
    assert unit_for(date(2024, 1, 1), date(2025, 8, 1)) == "month"
    days = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-08", "2025-03-19"]))
    assert list(bin_starts(days, "week").dt.date) == [date(2024, 12, 30), date(2025, 1, 6), date(2025, 3, 17)]
    assert list(bin_starts(days, "month").dt.date) == [date(2025, 1, 1), date(2025, 1, 1), date(2025, 3, 1)]


def test_the_player_steps_through_each_bin_to_its_last_day() -> None:
    days = pd.Series(pd.to_datetime(["2025-01-01", "2025-01-03", None, "2025-01-03"]))
    assert player_steps(days) == [(20089, "2025-01-01"), (20091, "2025-01-03")]
    assert player_steps(pd.Series([None, None], dtype="datetime64[ns]")) == []


def test_the_timeline_stacks_severity_in_the_map_s_colours_and_reads_back_a_drag() -> None:
    events = _events(event("a", severity=2), event("b", severity=4), event("c", severity=4, published_at=None))
    chart = timeline_chart(day_counts(events))
    assert chart is not None
    assert day_counts(events)["count"].tolist() == [1, 1, 1]
    spec = chart.to_dict()
    assert spec["encoding"]["color"]["scale"]["range"] == list(SEVERITY_COLOURS.values())
    assert spec["params"][0]["name"] == SELECTION
    selection = {"selection": {SELECTION: {"start": [1735689600000, 1736294400000]}}}
    assert selected_days(selection) == (date(2025, 1, 1), date(2025, 1, 8))
    assert selected_days({"selection": {}}) is None and selected_days(None) is None
    assert timeline_chart(day_counts(events.iloc[:0])) is None


def test_details_list_the_reports_of_one_event() -> None:
    details = EventDetails.from_row(event("a"), {"FR": "France"})
    reports = pd.DataFrame(
        {
            "event_id": ["a", "b"],
            "title": ["Flood in Paris", "Paris flood toll rises"],
            "url": ["https://example.org/a", None],
            "source": ["Example News", "Other Wire"],
            "day": [pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-03")],
            "deaths": [None, 4],
        }
    )
    text = details.with_reports(reports).markdown()
    assert "**2 reports of this event**" in text
    assert "- 01 May 2024 · example\\.org · Flood in Paris" in text
    assert "- 03 May 2024 · Other Wire · Paris flood toll rises · deaths 4" in text
    assert "reports of this event" not in details.with_reports(reports.head(1)).markdown()


@pytest.mark.parametrize(
    ("text", "breaks"),
    [
        ("see http://example.org now", "http\\:\u2060//example\\.org"),
        ("HTTPS://X.Y", "HTTPS\\:\u2060//X\\.Y"),
        ("www.evil.example", "www\u2060\\.evil\\.example"),
        ("write to a@b.org", "a\u2060@b\\.org"),
        ("Flood in Lyon: 3 dead", "Flood in Lyon\\: 3 dead"),
    ],
)
def test_markdown_plain_escapes_and_breaks_what_would_become_a_link(text: str, breaks: str) -> None:
    assert breaks in markdown_plain(text)
    assert markdown_plain(text).replace("\u2060", "").replace("\\", "") == text  # nothing else is changed
