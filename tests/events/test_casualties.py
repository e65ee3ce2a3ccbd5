"""Tests of geo.events.casualties: people counted by reading the sentence (one person by grammar, lists that add
up, others, tolls, ranges), what is never people, vague quantities kept apart, background tolls, and the figures
on the development set (read in place)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from geo.events.casualties import Casualties, read_casualties
from geo.events.severity import Facts, extract_facts, score_severity


def counts(text: str, *names: str) -> dict[str, Any]:
    found = read_casualties(text)
    return {name: getattr(found, name) for name in names}


@pytest.mark.parametrize(
    "text",
    [
        "A 41-year-old fisherman was killed when his boat overturned.",
        "The town's deputy mayor is shot dead outside the council building.",
        "Retired general Anton Mirek dies in hospital after the crash.",
        "A cyclist died after being hit by a falling branch.",
        "A hiker was swept away and drowned in the swollen river.",
        "One fatality was reported near the pass.",
        "The blizzard caused a fatal crash on the interstate.",
        "A tornado claims at least one life in the county.",
        "The quake left an elderly woman dead in her home.",
        "Police confirmed the death of opposition leader Ivan Dorn.",
        "A driver was struck and killed by a truck on the icy road.",
        "Troops killed a rebel commander during the raid.",
        "An air strike killed militia leader Abu Karim near the border.",
        "The officer returned fire, killing him.",
    ],
)
def test_one_person_is_told_by_grammar(text: str) -> None:
    assert read_casualties(text).killed == 1


@pytest.mark.parametrize(
    "text",
    [
        "Nobody was killed in the blast.",
        "No one died, the fire service said.",
        "The storm dies down overnight.",
        "The protesters died in the crush.",  # plural: the verb does not tell how many
        "Officials said many of the elderly residents, who were alone at home, are reported to have died.",
        "The senator was nearly killed in the crash.",
        "Soldiers killed the insurgents in the valley.",
    ],
)
def test_no_one_person_where_the_grammar_does_not_say_so(text: str) -> None:
    assert read_casualties(text).killed is None


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("Three police officers and a civilian were killed in the ambush.", 4),
        ("The strike hit a market, killing two soldiers and one nurse.", 3),
        ("Nine miners, including a foreman, were killed underground.", 9),
        ("Six workers and two children drown when the ferry sinks.", 8),
        ("Twelve people were killed and three others died later in hospital.", 15),
        ("Two hikers are killed in a rockslide in the north, while three people die in floods in the south.", 5),
        ("At least 23 people die in the cold wave, with 18 dead in the capital.", 23),
        ("The avalanche killed all five climbers of the team.", 5),
        ("The rockfall took the lives of three hikers.", 3),
        ("A drone strike kills two Americans and a British service member.", 3),
        ("The blast killed five workers and their local driver.", 5 + 1),
        ("The strike killed two soldiers and a tank.", 2),
        ("Former prosecutor Elena Ruiz and businessman Tomas Vidal are shot dead in a cafe.", 2),
    ],
)
def test_lists_add_up_and_including_does_not(text: str, killed: int) -> None:
    assert read_casualties(text).killed == killed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Six people died and 20 others were injured.", {"killed": 6, "injured": 20}),
        ("Two villagers died and another was hurt.", {"killed": 2, "injured": 1}),
        ("The shelling wounded more than 1,800 people.", {"injured": 1800}),
        ("Between the two towns, 30-40 people were injured.", {"injured": 30}),
        ("Four men were critically injured and 11 remain missing.", {"injured": 4, "missing": 11}),
        (
            "Nine people are killed, 40 others are injured, including 12 critically, and 30 are missing.",
            {"killed": 9, "injured": 40, "missing": 30},
        ),
        ("Five climbers suffered minor injuries on the descent.", {"injured": 5}),
        ("The driver sustained minor injuries.", {"injured": 1}),
        ("Eight people were taken to hospitals after the pile-up.", {"injured": 8}),
        ("The bus hit a barrier, injuring six passengers, two seriously.", {"injured": 6}),
        ("Near the river, one angler was outside all night and suffered cold-related injuries.", {"injured": 1}),
        ("Three residents of the trailer park suffered minor injuries.", {"injured": 3}),
    ],
)
def test_injured_and_missing_in_their_forms(text: str, expected: dict[str, Any]) -> None:
    assert counts(text, *expected) == expected


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("The number of people who died in the heatwave has risen to 57.", 57),
        ("The death toll now stands at 112, officials said.", 112),
        ("The death toll from the explosion at a chemical depot rises to 31.", 31),
        ("The region surpasses 4,500 total deaths from the virus.", 4500),
        ("The death toll rises to 40; officials fear it could rise to 300.", 40),
        ("The death toll from the storms across three provinces rises to 41 after a pilot is killed.", 41),
    ],
)
def test_tolls_and_their_updates(text: str, killed: int) -> None:
    assert read_casualties(text).killed == killed


@pytest.mark.parametrize(
    "text",
    [
        "More than 3,000 sheep died in the snow.",
        "The fire killed 200 cattle on the ranch.",
        "Crops worth 2 million dollars perished in the drought.",
        "A court sentences 12 people to death for the attack.",
        "The agency warns that 40,000 children could die without aid.",
        "Maintenance of the Boeing 737 fleet is ordered after the incident; an inquiry into deaths follows.",
    ],
)
def test_what_is_no_count_of_people_killed(text: str) -> None:
    assert read_casualties(text).killed is None


def test_cases_listed_with_deaths_are_not_deaths() -> None:
    assert read_casualties("The country reports 900 new cases and 12 deaths, a total of 52,000 cases.").killed == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dozens were wounded in the clashes.", {"injured": None, "vague_injured": 12}),
        ("Several people were killed in the raid.", {"killed": None, "vague_killed": 3}),
        ("At least 25 people are killed and dozens are missing.", {"killed": 25, "missing": None}),
    ],
)
def test_vague_quantities_are_kept_apart(text: str, expected: dict[str, Any]) -> None:
    assert counts(text, *expected) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The blast killed two people and injured 40 others just hours after a warning.", {"injured": 40}),
        ("The quake killed six and injured about 90 others, several days after a larger shock.", {"injured": 90}),
        ("At least 48 people, most of whom were migrants, are reported to have died at sea.", {"killed": 48}),
        ("Gunmen massacred at least 30 villagers near the river.", {"killed": 30}),
        ("The island records their first death from the virus.", {"killed": 1}),
        ("On 3/4/21, three hikers were found frozen to death near the pass.", {"killed": 3}),
        ("Firefighters rescued 4 people trapped in a car by the floodwater.", {"missing": None}),
        ("Rescue teams search for eight fishermen reported as missing.", {"missing": 8}),
    ],
)
def test_groups_end_where_people_end(text: str, expected: dict[str, Any]) -> None:
    assert counts(text, *expected) == expected


def test_missing_people_add_to_the_deaths() -> None:
    assert Casualties(killed=20, missing=14).deaths == 34
    assert read_casualties("The toll of the floods rises to 20 and 14 people remain missing.").deaths == 34


@pytest.mark.parametrize(
    ("text", "killed"),
    [
        ("A quake kills four people, days after a series of earlier quakes killed over 1,000 in the province.", 4),
        ("At least 9 people were killed in the city. More than 600 have been killed across the region.", 9),
        ("Since March, the epidemic has killed 1,400 people.", 1400),  # the only toll the story gives
    ],
)
def test_the_story_s_own_toll_beats_a_background_one(text: str, killed: int) -> None:
    assert read_casualties(text).killed == killed


def test_vague_counts_still_set_severity_and_say_so() -> None:
    severity = score_severity(extract_facts("Dozens of people were killed in the floods."), "flood")
    assert severity.level == 3 and severity.reason == "deaths about 12 (vague) -> 3"


def test_a_political_story_s_toll_does_not_set_its_level() -> None:
    facts = Facts(deaths=1000)
    assert score_severity(facts, "political").level == 1
    assert "background" in score_severity(facts, "political").reason
    assert score_severity(facts, "armed_conflict").level == 5


def _figures(path: Path) -> dict[str, float]:
    items = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    tally = {"stated": 0, "exact": 0, "gross": 0}
    for item in items:
        facts = extract_facts(item["text"])
        for field in ("deaths", "injured"):
            found, truth = getattr(facts, field) or 0, item[field] or 0
            if truth:
                tally["stated"] += 1
                tally["exact"] += found == truth
            tally["gross"] += (truth > 0 and found > 10 * truth) or (found >= 1000 and truth < 100)
    return {"exact": tally["exact"] / tally["stated"], "gross": tally["gross"]}


def test_figures_on_the_development_set(eval_file: Callable[[str], Path]) -> None:
    path = eval_file("casualties_dev.jsonl")
    figures = _figures(path)  # measured 0.859 and 0 (0.70 and 6 before the sentence was read)
    assert figures["exact"] >= 0.84 and figures["gross"] <= 1
