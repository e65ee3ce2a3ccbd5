"""Tests of geo.events.severity: counts as written, facts read from a story, and the 1-5 scale of EVENTS.md."""

from __future__ import annotations

from typing import Any

import pytest

from geo.events.classifier import classify
from geo.events.severity import Facts, Severity, extract_facts, parse_number, score_severity


def bug(reason: str) -> pytest.MarkDecorator:
    """A known wrong answer: the test fails until geo.events.severity is fixed."""
    return pytest.mark.xfail(reason=reason, strict=True)


# -- parse_number -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("69", 69),
        ("1,200", 1_200),
        ("120,000", 120_000),
        ("1,250,000", 1_250_000),
        ("1.5 million", 1_500_000),
        ("2 million", 2_000_000),
        ("2.5 thousand", 2_500),
        ("five", 5),
        ("twelve", 12),
        ("forty-five", 45),
        ("forty five", 45),
        ("ninety-nine", 99),
        ("two hundred", 200),
        ("three thousand", 3_000),
        ("Thousands", 1_000),
    ],
)
def test_parse_number_reads_digits_and_words(written: str, value: int) -> None:
    assert parse_number(written) == value


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("several", 3),
        ("a few", 3),
        ("dozens", 12),
        ("a dozen", 12),
        ("scores", 30),
        ("hundreds", 100),
        ("thousands", 1_000),
        ("tens of thousands", 10_000),
        ("hundreds of thousands", 100_000),
        ("millions", 1_000_000),
    ],
)
def test_parse_number_codes_vague_counts_as_acled_does(written: str, value: int) -> None:
    assert parse_number(written) == value


@pytest.mark.parametrize("written", ["", "many", "three apples", "lots"])
def test_parse_number_of_something_else_is_none(written: str) -> None:
    assert parse_number(written) is None


# -- extract_facts: casualties ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("At least 69 people have died and almost 150 injured", {"deaths": 69, "injured": 150}),
        ("A shooting left two people dead and five injured on Friday.", {"deaths": 2, "injured": 5}),
        ("Hundreds of civilians were reportedly killed", {"deaths": None, "vague_deaths": 100, "injured": None}),
        ("The bomb exploded at a market, killing 15 people, injuring 27 others.", {"deaths": 15, "injured": 27}),
        ("The death toll rises to 769", {"deaths": 769}),
        ("The death toll has risen to 1,024, officials said.", {"deaths": 1_024}),
        ("The storm killed forty-five people", {"deaths": 45}),
        ("Several people were killed", {"deaths": None, "vague_deaths": 3}),
        ("Scores of people were killed", {"deaths": None, "vague_deaths": 30}),
        ("Two people were killed and dozens were injured", {"deaths": 2, "injured": None, "vague_injured": 12}),
        ("The quake left at least 1,500 people dead", {"deaths": 1_500}),
        ("The landslide claimed the lives of 300 people", {"deaths": 300}),
        ("Rescuers found 14 bodies in the rubble", {"deaths": 14}),
        ("The explosion injured 30 and killed 4", {"deaths": 4, "injured": 30}),
        ("Three people died on Monday; by Friday 40 people had died.", {"deaths": 40}),
    ],
)
def test_extract_facts_reads_casualties(text: str, expected: dict[str, Any]) -> None:
    facts = extract_facts(text)
    assert {name: getattr(facts, name) for name in expected} == expected


@pytest.mark.parametrize(
    ("text", "deaths"),
    [
        ("12 people are missing after the boat capsized", 12),
        ("Eight people were killed and 12 people are missing", 20),
        ("At least 30 people died and 15 people are unaccounted for", 45),
    ],
)
def test_missing_people_count_as_deaths(text: str, deaths: int) -> None:
    assert extract_facts(text).deaths == deaths


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "The flood left 5,000 people homeless and killed 3.",
            {"deaths": 3, "displaced": 5_000},
            id="left-N-homeless-is-no-death-toll",
        ),
        pytest.param(
            "The storm left 200,000 customers without power; no deaths were reported.",
            {"deaths": None},
            id="left-N-without-power-is-no-death-toll",
        ),
        pytest.param(
            "The storm left a trail of destruction, but no deaths were reported.",
            {"deaths": None},
            id="left-a-trail-is-no-death",
        ),
        pytest.param(
            "The blast left 40 people wounded and killed 2.",
            {"deaths": 2, "injured": 40},
            id="left-N-wounded-is-no-death-toll",
        ),
        pytest.param("At least 30 people died and 15 remain missing", {"deaths": 45}, id="remain-missing"),
        pytest.param("Floods in 2019 killed 12 people in the region.", {"deaths": 12}, id="a-year-is-no-count"),
        pytest.param(
            "The ministry reported 250 new COVID-19 deaths on Tuesday.", {"deaths": 250}, id="covid-19-is-no-count"
        ),
        pytest.param("A gunman killed a five-year-old boy", {"deaths": 1}, id="a-five-year-old-is-one"),
        pytest.param("One person was killed", {"deaths": 1}, id="one-person"),
        pytest.param("Four men were killed", {"deaths": 4}, id="men-is-a-who-word"),
        pytest.param("The attackers killed 2 and wounded 11", {"deaths": 2, "injured": 11}, id="wounded-N-verb-first"),
        pytest.param("Floods affected 1.2 million people", {"displaced": 1_200_000}, id="affected-N-verb-first"),
    ],
)
def test_extract_facts_phrasings(text: str, expected: dict[str, Any]) -> None:
    facts = extract_facts(text)
    assert {name: getattr(facts, name) for name in expected} == expected


def test_no_one_died_is_no_death() -> None:
    assert not extract_facts("No one died in the fire, officials said.").deaths


@pytest.mark.parametrize(
    ("text", "displaced"),
    [
        ("The fighting ended on Monday after displacing 120,000 people.", 120_000),
        ("Thousands of people have been evacuated", 1_000),
        ("Tens of thousands of people were displaced by the floods", 10_000),
        ("Hundreds of thousands of residents were displaced", 100_000),
        ("Millions of people were affected", 1_000_000),
        ("Authorities evacuated 15,000 residents", 15_000),
        ("Floods forced the evacuation of 1.5 million people", 1_500_000),
        ("1.2 million people were affected", 1_200_000),
        ("About 2.5 million people have been displaced", 2_500_000),
    ],
)
def test_extract_facts_reads_displacement(text: str, displaced: int) -> None:
    facts = extract_facts(text)
    if text.split()[0].lower() in ("thousands", "tens", "hundreds", "millions"):  # vague: kept apart, for severity
        assert (facts.displaced, facts.vague_displaced) == (None, displaced)
    else:
        assert facts.displaced == displaced


# -- extract_facts: hazard figures and response cues --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "magnitude"),
    [
        ("a powerful 6.9-magnitude earthquake", 6.9),
        ("a magnitude 7.8 earthquake struck the Drake Passage", 7.8),
        ("a magnitude-6.4 earthquake", 6.4),
        ("An M6.1 earthquake shook the region", 6.1),
        ("The quake measured 5.2 on the Richter scale", 5.2),
        ("A 7.0 magnitude quake", 7.0),
    ],
)
def test_extract_facts_reads_magnitude(text: str, magnitude: float) -> None:
    assert extract_facts(text).magnitude == pytest.approx(magnitude)


@pytest.mark.parametrize(
    ("text", "category", "wind_kmh"),
    [
        ("The Category 5 storm made landfall", 5, None),
        ("Hurricane Ian strengthened to category-4", 4, None),
        ("with sustained winds of 185 mph (298 kph)", None, 298.0),
        ("maximum sustained winds of 120 knots", None, 222.2),
        ("winds of up to 250 km/h", None, 250.0),
        ("100 mph winds", None, 160.9),
    ],
)
def test_extract_facts_reads_category_and_wind_in_kmh(text: str, category: int | None, wind_kmh: float | None) -> None:
    facts = extract_facts(text)
    assert facts.category == category
    assert facts.wind_kmh == (None if wind_kmh is None else pytest.approx(wind_kmh, abs=0.1))


def test_wind_is_rounded_to_one_decimal_in_the_contract() -> None:
    assert extract_facts("winds of 120 knots").to_dict()["wind_kmh"] == 222.2


@pytest.mark.parametrize(
    ("text", "emergency", "international_aid"),
    [
        ("The governor declared a state of emergency in three counties.", True, False),
        ("The president declared a state of calamity.", True, False),
        ("The government appealed for international aid.", False, True),
        ("Officials asked for international assistance to reach the survivors.", False, True),
        ("Rescue teams searched the rubble.", False, False),
    ],
)
def test_extract_facts_reads_response_cues(text: str, emergency: bool, international_aid: bool) -> None:
    facts = extract_facts(text)
    assert (facts.emergency, facts.international_aid) == (emergency, international_aid)


@pytest.mark.parametrize(
    "text",
    [
        "The central bank held interest rates at 4 percent on Friday.",
        "Police arrested 12 people after the protest.",
        "The 2023 earthquake is still remembered.",
        "",
    ],
)
def test_extract_facts_is_empty_where_nothing_is_said(text: str) -> None:
    assert extract_facts(text) == Facts()


# -- score_severity: every row and band of EVENTS.md --------------------------------------------------------------


@pytest.mark.parametrize(
    ("deaths", "level"),
    [(0, 1), (1, 2), (9, 2), (10, 3), (99, 3), (100, 4), (999, 4), (1_000, 5), (250_000, 5)],
)
def test_deaths_thresholds(deaths: int, level: int) -> None:
    assert score_severity(Facts(deaths=deaths), "flood").level == level


@pytest.mark.parametrize(
    ("injured", "level"),
    [(5, 1), (9, 1), (10, 2), (99, 2), (100, 3), (999, 3), (1_000, 4), (50_000, 4)],
)
def test_injured_thresholds_never_reach_5(injured: int, level: int) -> None:
    assert score_severity(Facts(injured=injured), "flood").level == level


@pytest.mark.parametrize(
    ("displaced", "level"),
    [(99, 1), (100, 3), (79_999, 3), (80_000, 4), (799_999, 4), (800_000, 5)],
)
def test_displaced_thresholds(displaced: int, level: int) -> None:
    assert score_severity(Facts(displaced=displaced), "flood").level == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Tens of thousands of people were displaced by the floods.", 3),
        ("Hundreds of thousands of people were displaced by the floods.", 4),
        ("Millions of people were displaced by the floods.", 5),
    ],
)
def test_vague_displacement_counts_give_their_levels(text: str, level: int) -> None:
    assert classify(text).severity.level == level


@pytest.mark.parametrize(
    ("magnitude", "level"),
    [(4.9, 1), (5.0, 2), (5.9, 2), (6.0, 3), (6.9, 3), (7.0, 4), (7.8, 4), (9.0, 4)],
)
def test_magnitude_bands_are_capped_at_4(magnitude: float, level: int) -> None:
    assert score_severity(Facts(magnitude=magnitude), "earthquake").level == level


def test_a_great_earthquake_with_no_impact_figures_is_4_not_5() -> None:
    assert score_severity(Facts(magnitude=9.0), "earthquake") == Severity(4, "magnitude 9.0 -> 4")


@pytest.mark.parametrize(("category", "level"), [(None, 2), (1, 3), (2, 3), (3, 4), (4, 4), (5, 4)])
def test_tropical_cyclone_category_bands(category: int | None, level: int) -> None:
    assert score_severity(Facts(category=category), "tropical_cyclone").level == level


@pytest.mark.parametrize(
    ("wind_kmh", "category"),
    [(119.0, 1), (153.0, 1), (154.0, 2), (177.0, 2), (178.0, 3), (208.0, 3), (209.0, 4), (251.0, 4), (252.0, 5)],
)
def test_wind_speed_maps_to_a_saffir_simpson_category(wind_kmh: float, category: int) -> None:
    level = 4 if category >= 3 else 3
    assert score_severity(Facts(wind_kmh=wind_kmh), "tropical_cyclone") == Severity(
        level, f"category {category} -> {level}"
    )


@pytest.mark.parametrize(("mph", "category"), [(74, 1), (96, 2), (111, 3), (130, 4), (157, 5)])
def test_wind_in_mph_maps_to_the_saffir_simpson_bands(mph: int, category: int) -> None:
    facts = extract_facts(f"The hurricane had sustained winds of {mph} mph.")
    assert score_severity(facts, "tropical_cyclone").reason.startswith(f"category {category} ")


def test_wind_below_hurricane_force_is_a_tropical_storm() -> None:
    assert score_severity(Facts(wind_kmh=100.0), "tropical_cyclone").level == 2


@pytest.mark.parametrize(
    ("text", "level"),
    [
        pytest.param("Hurricane Otis made landfall near Acapulco, Mexico.", 3, id="hurricane-is-at-least-category-1"),
        pytest.param(
            "Tsunami waves up to 4 metres high struck the coast of Sulawesi.", 4, id="tsunami-wave-3m-or-more"
        ),
        pytest.param("Tsunami waves of 2 metres struck the coast of Sulawesi.", 3, id="tsunami-wave-1-to-3m"),
        pytest.param("The wildfire has burned 6,000 hectares of forest in Portugal.", 3, id="wildfire-5000-ha"),
        pytest.param(
            "The wildfire has burned 12,000 hectares, and 10,000 people were evacuated.",
            4,
            id="wildfire-10000-ha-and-10000-evacuated",
        ),
        pytest.param(
            "The volcano erupted, and authorities ordered residents near the crater to evacuate.",
            3,
            id="volcano-evacuation",
        ),
    ],
)
def test_hazard_only_levels(text: str, level: int) -> None:
    assert classify(text).severity.level == level


@pytest.mark.parametrize(
    ("facts", "severity"),
    [
        (Facts(emergency=True), Severity(3, "state of emergency -> 3")),
        (Facts(international_aid=True), Severity(4, "international assistance -> 4")),
        (Facts(emergency=True, international_aid=True), Severity(4, "international assistance -> 4")),
    ],
)
def test_response_cues_set_a_minimum(facts: Facts, severity: Severity) -> None:
    assert score_severity(facts, "flood") == severity


@pytest.mark.parametrize("event_type", ["political", "diplomatic", "economic", "other"])
def test_stories_with_no_figures_start_at_1(event_type: str) -> None:
    assert score_severity(Facts(), event_type) == Severity(1, "no impact figures -> 1")


def test_magnitude_counts_only_for_earthquakes() -> None:
    assert score_severity(Facts(magnitude=7.5), "political").level == 1


@pytest.mark.parametrize(
    ("facts", "event_type", "severity"),
    [
        (Facts(deaths=69, injured=150, magnitude=6.9), "earthquake", Severity(3, "deaths 69 -> 3")),
        (Facts(deaths=3, magnitude=7.2), "earthquake", Severity(4, "magnitude 7.2 -> 4")),
        (Facts(deaths=1_200, magnitude=7.8), "earthquake", Severity(5, "deaths 1200 -> 5")),
        (Facts(deaths=5, displaced=900_000), "flood", Severity(5, "displaced 900000 -> 5")),
        (Facts(deaths=2, injured=5), "terror_attack_shooting", Severity(2, "deaths 2 -> 2")),
        (Facts(injured=150, emergency=True), "storm", Severity(3, "injured 150 -> 3")),
        (Facts(deaths=4, emergency=True), "flood", Severity(3, "state of emergency -> 3")),
        (Facts(deaths=25, category=5, wind_kmh=298.0), "tropical_cyclone", Severity(4, "category 5 -> 4")),
        (Facts(deaths=2_000, category=5), "tropical_cyclone", Severity(5, "deaths 2000 -> 5")),
    ],
)
def test_severity_is_the_highest_level_and_names_the_deciding_fact(
    facts: Facts, event_type: str, severity: Severity
) -> None:
    assert score_severity(facts, event_type) == severity


def test_only_impact_numbers_reach_5() -> None:
    hazards = Facts(magnitude=9.5, category=5, wind_kmh=320.0, emergency=True, international_aid=True)
    assert max(score_severity(hazards, kind).level for kind in ("earthquake", "tropical_cyclone", "storm")) == 4


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("A magnitude 6.2 quake hit; 1.4 million people live within 100 km of the epicentre.", 4),
        ("The volcano erupted; 250,000 residents live within 30 miles of the summit.", 3),
        ("A magnitude 6.2 quake hit; 1.4 million people live within 300 km of it.", 3),  # too far: magnitude
        ("A magnitude 6.2 quake hit, killing two; 1.4 million people live within 100 km.", 3),  # impact known
    ],
)
def test_exposure_sets_a_level_only_where_no_impact_is_told(text: str, level: int) -> None:
    assert classify(text).severity.level == level


def test_exposure_is_no_level_for_a_story_that_is_no_hazard() -> None:
    facts = extract_facts("2 million people live within 50 km of the new airport.")
    assert facts.exposed == 2_000_000 and score_severity(facts, "economic").level == 1
