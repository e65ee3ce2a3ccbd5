"""Tests of geo.events.classifier: the primary event type of a story, hazard precedence, and the classify contract."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from geo.events.classifier import EVENT_TYPES, classify, classify_type
from geo.events.lexicon import HAZARDS

#: Macro-F1 over the 21 types on ../shared/eval/events_dev.jsonl, the set the lexicon was tuned on (measured
#: 0.821): a regression there fails loudly; the held-out sources below say whether a gain generalises.
MACRO_F1_FLOOR = 0.80
CONTRACT_KEYS = {
    "event_type",
    "severity",
    "severity_reason",
    "deaths",
    "injured",
    "displaced",
    "magnitude",
    "category",
    "wind_kmh",
}

#: Two short texts per type: wire summaries, weather-service narratives and disaster alerts.
TYPED_TEXTS = [
    ("earthquake", "A magnitude 6.2 earthquake struck off the coast of Sumatra, Indonesia, the USGS said."),
    ("earthquake", "A strong aftershock rattled the region two days after the main quake; the epicentre was inland."),
    ("tsunami", "Tsunami waves up to two metres high swept into coastal villages on the island, officials said."),
    ("tsunami", "A tsunami struck the coast overnight, washing fishing boats ashore and destroying seafront homes."),
    ("volcano", "Mount Etna erupted overnight, sending an ash cloud over Catania and closing its airport."),
    ("volcano", "Lava flows from the volcano reached the outskirts of the town as scientists raised the alert level."),
    ("landslide", "A landslide buried a mountain village in Nepal after days of rain, leaving 14 people missing."),
    ("landslide", "An avalanche swept away three skiers near the resort of Chamonix."),
    ("flood", "Flash floods swept through villages in northern Pakistan after torrential rain, killing 23 people."),
    (
        "flood",
        "The river burst its banks and flooded hundreds of homes; water rescues are under way in low-lying areas.",
    ),
    ("tropical_cyclone", "Typhoon Haikui made landfall in Taiwan with winds of 190 km/h."),
    ("tropical_cyclone", "Hurricane Warning in effect for the Florida Keys; a dangerous storm surge is expected."),
    ("storm", "A tornado touched down near Tulsa, Oklahoma, destroying dozens of homes."),
    ("storm", "A blizzard dumped two feet of snow across Minnesota, closing highways and schools."),
    (
        "extreme_temperature",
        "A heat wave pushed temperatures above 45 °C in New Delhi; hospitals treated cases of heatstroke.",
    ),
    ("extreme_temperature", "Excessive Heat Warning in effect until 8 PM for Phoenix and the lower deserts."),
    ("drought", "A severe drought has destroyed crops across Somalia, and aid agencies warn of famine."),
    ("drought", "Reservoirs are at record lows as the drought enters its third year; water rationing begins Monday."),
    ("wildfire", "A wildfire in California has burned 20,000 acres and forced thousands to evacuate."),
    ("wildfire", "Bushfires raged across New South Wales as firefighters battled the blazes."),
    ("epidemic", "The World Health Organization declared a cholera outbreak in Zambia after 300 confirmed cases."),
    ("epidemic", "Health officials launched a measles vaccination campaign after an outbreak in Samoa."),
    ("armed_conflict", "Israeli air strikes on Gaza killed 30 people, the health ministry said."),
    ("armed_conflict", "Russian troops shelled Kharkiv overnight as fighting continued along the front line."),
    ("terror_attack_shooting", "A suicide bomber blew himself up at a market in Kabul, killing 12 people."),
    ("terror_attack_shooting", "A gunman opened fire at a school in Texas, killing 19 children."),
    ("crime", "Police arrested a man suspected of murdering his neighbour in Leeds."),
    ("crime", "A former mayor was sentenced to 10 years in prison for fraud."),
    (
        "protest_unrest",
        "Thousands of protesters marched through Paris against the pension reform, and police fired tear gas.",
    ),
    ("protest_unrest", "Teachers went on strike across Kenya over unpaid wages."),
    ("political", "Voters in Portugal go to the polls in a snap parliamentary election."),
    ("political", "The prime minister resigned after losing a no-confidence vote in parliament."),
    (
        "diplomatic",
        "The foreign ministers of India and China met in Beijing to discuss relations between the two countries.",
    ),
    ("diplomatic", "The United States imposed new sanctions on North Korea and expelled two diplomats."),
    ("economic", "The central bank raised interest rates by half a point as inflation hit 9 percent."),
    ("economic", "Shares of the carmaker fell 8 percent after it announced a merger with a rival company."),
    ("transport_accident", "A passenger train derailed in Odisha, India, killing 40 people."),
    ("transport_accident", "A ferry capsized on Lake Victoria with 60 passengers on board."),
    ("industrial_accident", "An explosion at a chemical factory in Tianjin killed 15 workers."),
    ("industrial_accident", "A gas leak at a coal mine trapped 20 miners underground."),
    ("other", "Astronomers discovered a new comet beyond the orbit of Neptune with the James Webb telescope."),
    ("other", "Argentina won the World Cup final in a penalty shoot-out."),
]


def test_the_texts_cover_every_type() -> None:
    assert {kind for kind, _ in TYPED_TEXTS} == set(EVENT_TYPES)
    assert len(EVENT_TYPES) == 21


@pytest.mark.parametrize(("event_type", "text"), TYPED_TEXTS)
def test_classify_type_on_clear_texts(event_type: str, text: str) -> None:
    assert classify_type(text).primary == event_type


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("A tsunami warning was issued after a 7.1 earthquake struck off northern Japan.", "earthquake"),
        ("A Tsunami Warning is in effect for the coast of Alaska following a magnitude 8.2 earthquake.", "earthquake"),
        ("Floods caused by Typhoon Yagi killed 50 people in Vietnam.", "tropical_cyclone"),
        ("Heavy rains from Hurricane Helene caused catastrophic flooding in North Carolina.", "tropical_cyclone"),
        ("Storm Ciarán battered the coast of Cornwall with winds of 150 km/h.", "storm"),
        ("Storm Ciarán made landfall in Brittany with hurricane-force winds, killing two people.", "storm"),
        ("Tropical Storm Alberto made landfall in Mexico, bringing heavy rain.", "tropical_cyclone"),
        ("A 6.4 magnitude earthquake triggered a landslide that buried a village.", "earthquake"),
        ("A volcanic eruption triggered a tsunami in Tonga.", "volcano"),
    ],
)
def test_the_triggering_hazard_wins(text: str, event_type: str) -> None:
    assert classify_type(text).primary == event_type


def test_the_consequence_is_listed_as_secondary() -> None:
    found = classify_type("A tsunami warning was issued after a 7.1 earthquake struck off northern Japan.")
    assert (found.primary, found.secondary) == ("earthquake", ("tsunami",))


@pytest.mark.parametrize(
    "text",
    [
        "The trade war between the United States and China escalated with new tariffs.",
        "The two countries agreed to end their trade war.",
    ],
)
def test_a_trade_war_is_not_armed_conflict(text: str) -> None:
    assert classify_type(text).primary == "economic"


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        pytest.param(
            "Storm Surge Warning in effect for Tampa Bay as Hurricane Milton approaches the Florida coast.",
            "tropical_cyclone",
            id="storm-surge-warning-is-no-named-storm",
        ),
        pytest.param(
            "Hurricane Helene made landfall in Florida as a Category 4 storm; "
            "the Storm Prediction Center issued tornado watches.",
            "tropical_cyclone",
            id="storm-prediction-center-is-no-named-storm",
        ),
        pytest.param(
            "A tsunami struck the coast overnight, flooding fishing villages and washing boats ashore.",
            "tsunami",
            id="flooding-by-a-tsunami",
        ),
        pytest.param(
            "A price war between the country's supermarket chains pushed food prices down for a third month.",
            "economic",
            id="price-war",
        ),
        pytest.param(
            "Budget airlines are locked in a fare war, cutting ticket prices on European routes.",
            "economic",
            id="fare-war",
        ),
    ],
)
def test_hazards_and_their_look_alikes(text: str, event_type: str) -> None:
    assert classify_type(text).primary == event_type


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Mud and rocks blocking both lanes of the canyon road.", "landslide"),
        ("A debris flow buried the trailhead parking lot.", "landslide"),
        ("Water covering the road at the low crossing near the school.", "flood"),
        ("The creek had a 6 foot rise in three hours.", "flood"),
        ("Several county roads were impassable after the overnight downpour.", "flood"),
    ],
)
def test_the_terse_words_of_weather_reports(text: str, event_type: str) -> None:
    assert classify_type(text).primary == event_type


@pytest.mark.parametrize(
    "text", ["", "Hello world.", "Lorem ipsum dolor sit amet.", "What is your opinion on this topic?"]
)
def test_nothing_recognisable_is_other(text: str) -> None:
    found = classify_type(text)
    assert (found.primary, found.secondary) == ("other", ())


@pytest.mark.parametrize(
    "text",
    [
        "Hello world.",
        "At least 69 people have died and almost 150 injured following a powerful 6.9-magnitude earthquake.",
        "Hurricane Melissa, a Category 5 storm with sustained winds of 185 mph (298 kph), struck Jamaica.",
    ],
)
def test_classify_to_dict_has_exactly_the_contract_keys(text: str) -> None:
    record = classify(text).to_dict()
    assert set(record) == CONTRACT_KEYS
    json.dumps(record, allow_nan=False)  # plain JSON values only


def test_classify_puts_type_severity_and_facts_together() -> None:
    record = classify(
        "At least 69 people have died and almost 150 injured following a powerful 6.9-magnitude earthquake."
    ).to_dict()
    assert record == {
        "event_type": "earthquake",
        "severity": 3,
        "severity_reason": "deaths 69 -> 3",
        "deaths": 69,
        "injured": 150,
        "displaced": None,
        "magnitude": 6.9,
        "category": None,
        "wind_kmh": None,
    }


def macro_f1(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> float:
    """Unweighted mean over ``labels`` of per-label F1 (0 for a label neither predicted nor present)."""
    pairs = Counter(zip(gold, predicted, strict=True))
    scores = []
    for label in labels:
        tp = pairs[label, label]
        fp = sum(n for (g, p), n in pairs.items() if p == label and g != label)
        fn = sum(n for (g, p), n in pairs.items() if g == label and p != label)
        scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return sum(scores) / len(labels)


@pytest.mark.parametrize(
    ("gold", "predicted", "score"),
    [
        (["a", "b"], ["a", "b"], 1.0),
        (["a", "b"], ["b", "a"], 0.0),
        (["a", "a", "b", "b"], ["a", "a", "a", "b"], (0.8 + 2 / 3) / 2),
    ],
)
def test_macro_f1_helper(gold: list[str], predicted: list[str], score: float) -> None:
    assert macro_f1(gold, predicted, ("a", "b")) == pytest.approx(score)


def test_macro_f1_on_the_dev_set_is_above_the_floor(events_dev: Path) -> None:
    with events_dev.open(encoding="utf-8") as lines:
        items = [json.loads(line) for line in lines if line.strip()]
    gold = [item["verified_event_type"] for item in items]
    assert set(gold) <= set(EVENT_TYPES)
    predicted = [classify_type(item["text"]).primary for item in items]
    score = macro_f1(gold, predicted, EVENT_TYPES)
    print(f"macro-F1 over {len(EVENT_TYPES)} types on {len(items)} dev texts: {score:.3f}")
    assert score > MACRO_F1_FLOOR


#: Sources the lexicon was not tuned on, each of one kind of event (casualties_dev.jsonl's NOAA storm narratives
#: and ISAF press releases): corpus -> (the types of that kind, the share of texts given one of them, at least).
#: Measured 0.705 (NOAA: the rest is mostly "other" and road crashes in the weather) and 0.981 (ISAF).
HELD_OUT_FLOORS = {
    "noaa": (HAZARDS, 0.68),
    "isaf": (frozenset({"armed_conflict", "terror_attack_shooting", "crime"}), 0.95),
}


@pytest.mark.parametrize("corpus", sorted(HELD_OUT_FLOORS))
def test_types_on_sources_the_lexicon_was_not_tuned_on_stay_above_their_floors(
    eval_file: Callable[[str], Path], corpus: str
) -> None:
    with eval_file("casualties_dev.jsonl").open(encoding="utf-8") as lines:
        texts = [item["text"] for line in lines if (item := json.loads(line))["corpus"] == corpus]
    kinds, floor = HELD_OUT_FLOORS[corpus]
    share = sum(classify_type(text).primary in kinds for text in texts) / len(texts)
    print(f"{corpus}: {share:.3f} of {len(texts)} texts given a type of their kind")
    assert len(texts) > 100 and share >= floor, f"{corpus}: {share:.3f} < {floor}"
