"""What each event type sounds like: weighted word patterns, from the type definitions in EVENTS.md.

Weights: 3 for a word that names the event itself ("earthquake", "air strike"), 2 for a strong sign
("magnitude", "troops"), 1 for context that only leans ("rain", "police"). Patterns are regular
expressions matched case-insensitively at word starts; each pattern counts once per text.
"""

from __future__ import annotations

from typing import Final

#: Event types in order of precedence: on a tie the earlier type wins, so the hazard that triggered a
#: disaster beats its consequences (floods from a typhoon are the typhoon's).
EVENT_TYPES: Final = (
    "earthquake",
    "volcano",
    "tropical_cyclone",
    "tsunami",
    "wildfire",
    "flood",
    "landslide",
    "storm",
    "extreme_temperature",
    "drought",
    "epidemic",
    "transport_accident",
    "industrial_accident",
    "terror_attack_shooting",
    "armed_conflict",
    "protest_unrest",
    "crime",
    "diplomatic",
    "political",
    "economic",
    "other",
)

#: Natural hazards: when one is named with casualties or damage, it is the story's type.
HAZARDS: Final = frozenset(EVENT_TYPES[:10])

LEXICON: Final[dict[str, tuple[tuple[str, int], ...]]] = {
    "earthquake": (
        (r"earthquakes?", 4), (r"quakes?", 4), (r"tremors?", 2), (r"aftershocks?", 4), (r"seismic", 3),
        (r"magnitude[- ]\d", 3), (r"\d(?:\.\d)?[- ]magnitude", 3), (r"epicent(?:er|re)", 3), (r"richter", 3),
        (r"usgs", 1),
    ),
    "tsunami": ((r"tsunamis?", 4), (r"tidal waves?", 3)),
    "volcano": (
        (r"volcan(?:o|oes|ic)", 4), (r"erupt(?:s|ed|ing|ion|ions)?", 4), (r"lava", 3), (r"ash (?:cloud|plume|column)s?", 3),
        (r"pyroclastic", 3), (r"magma", 2), (r"crater", 1), (r"phreatic", 3),
    ),
    "landslide": (
        (r"landslides?", 4), (r"mudslides?", 4), (r"landslips?", 4), (r"avalanches?", 4), (r"rockslides?", 4),
        (r"mudflows?", 4), (r"rock ?falls?", 3), (r"debris flows?", 3), (r"sinkholes?", 2),
    ),
    "flood": (
        (r"floods?", 4), (r"flooding", 4), (r"flooded", 3), (r"floodwaters?", 4), (r"flash floods?", 4),
        (r"inundat\w*", 3), (r"torrential", 2), (r"heavy rain\w*", 2), (r"monsoon", 2), (r"downpours?", 2),
        (r"overflow\w*", 1), (r"rainfall", 1), (r"river (?:burst|rose|rising)", 2), (r"dam (?:burst|breach|collapse)\w*", 2),
    ),
    "tropical_cyclone": (
        (r"hurricanes?", 5), (r"typhoons?", 5), (r"cyclones?", 5), (r"tropical (?:storm|depression|cyclone)s?", 5),
        (r"storm surges?", 3), (r"landfall", 3), (r"saffir", 3), (r"category [1-5]", 2),
    ),
    "storm": (
        (r"bomb cyclone", 9), (r"extratropical", 5), (r"windstorm", 4), (r"met office", 2), (r"weather warnings?", 2),
        (r"tornado(?:es|s)?", 4), (r"twisters?", 4), (r"hail(?:storms?|stones?)?", 3), (r"blizzards?", 4),
        (r"snow ?storms?", 4), (r"ice storms?", 4), (r"wind ?storms?", 4), (r"thunderstorms?", 3), (r"storms?", 3),
        (r"derecho", 4), (r"gales?", 2), (r"heavy snow\w*", 3), (r"snowfall", 2), (r"lightning", 2), (r"winds?", 1),
        (r"waterspouts?", 3),
    ),
    "extreme_temperature": (
        (r"heat ?waves?", 5), (r"cold ?waves?", 5), (r"cold snaps?", 5), (r"extreme (?:heat|cold)", 4),
        (r"heat ?stroke", 3), (r"temperatures?", 2), (r"scorching", 2), (r"freezing", 2), (r"record (?:high|low)s?", 1),
        (r"hypothermia", 3), (r"heat[- ]related", 3), (r"hottest", 2), (r"frost", 2), (r"°[cf]", 1),
    ),
    "drought": (
        (r"droughts?", 5), (r"famine", 4), (r"dry spells?", 4), (r"water shortages?", 3), (r"crop failures?", 3),
        (r"food insecurity", 2), (r"rainfall deficit", 3), (r"water rationing", 3), (r"arid", 1),
    ),
    "wildfire": (
        (r"wild ?fires?", 5), (r"bush ?fires?", 5), (r"forest fires?", 5), (r"brush ?fires?", 4), (r"grass ?fires?", 4),
        (r"blazes?", 2), (r"fires?", 1), (r"burn(?:ed|t|ing)", 1), (r"hectares", 1), (r"acres", 1),
        (r"firefighters?", 1), (r"evacuat\w+", 1),
    ),
    "epidemic": (
        (r"(?:new|confirmed|active) cases", 4), (r"masks?|face coverings?", 3), (r"social distancing", 4), (r"restrictions", 1), (r"single-day", 1), (r"health minist\w+", 2), (r"intensive care", 2), (r"deaths", 1),
        (r"outbreaks?", 4), (r"epidemics?", 4), (r"pandemics?", 4), (r"covid[- ]?(?:19)?", 4), (r"coronavirus", 4),
        (r"sars[- ]cov[- ]2", 4), (r"cholera", 4), (r"ebola", 4), (r"measles", 4), (r"dengue", 4), (r"malaria", 3),
        (r"influenza", 4), (r"flu\b", 3), (r"h[0-9]n[0-9]", 4), (r"mpox", 4), (r"monkeypox", 4), (r"zika", 4),
        (r"polio", 4), (r"plague", 3), (r"infect(?:ed|ions?|ious)", 3), (r"cases?", 1), (r"vaccin\w+", 3),
        (r"doses?", 2), (r"virus(?:es)?", 3), (r"diseases?", 2), (r"quarantin\w+", 3), (r"lockdowns?", 3),
        (r"world health organi[sz]ation", 2), (r"\bwho\b", 1), (r"tested positive", 3), (r"hospitali[sz]\w+", 1),
        (r"omicron", 4), (r"variant", 2), (r"booster", 3), (r"tuberculosis", 4), (r"hiv", 3), (r"aids\b", 3),
    ),
    "armed_conflict": (
        (r"bombed by", 3), (r"jets\b", 1),
        (r"air raids?", 5), (r"drones?", 2), (r"shoot(?:s)? down|shot down", 3), (r"peacekeep\w+", 3), (r"abduct\w+", 2), (r"behead\w+", 2), (r"boko haram", 3), (r"bomb explodes|explosion kills", 2), (r"saboteurs?|sabotage", 2), (r"killings", 2), (r"defen[cs]e ministry|ministry of defen[cs]e", 3), (r"air defen[cs]es?", 3), (r"warships?", 2), (r"marines", 2), (r"navy|naval", 2), (r"weapons?", 2), (r"nuclear test", 3), (r"ballistic", 3), (r"annex\w+", 3), (r"settlements?", 1),
        (r"air ?strikes?", 5), (r"airstrikes?", 5), (r"drone strikes?", 5), (r"shelling", 5), (r"shelled", 4),
        (r"artillery", 4), (r"troops", 3), (r"military", 2), (r"army", 2), (r"armed forces", 3), (r"soldiers?", 3),
        (r"offensive", 3), (r"rebels?", 3), (r"insurgen\w+", 3), (r"militants?", 2), (r"militias?", 3),
        (r"clash(?:es|ed)?", 3), (r"fighting", 3), (r"fighters", 2), (r"ceasefire", 4), (r"cease-fire", 4),
        (r"truce", 2), (r"war\b", 3), (r"wars\b", 2), (r"battles?", 3), (r"missiles?", 3), (r"rockets?", 3),
        (r"invasion", 3), (r"invade\w*", 3), (r"occupied", 1), (r"front ?line", 3), (r"besieg\w+", 3),
        (r"siege", 3), (r"bombard\w+", 4), (r"combat", 3), (r"forces", 2), (r"guerrillas?", 3),
        (r"paramilitar\w+", 3), (r"peace (?:talks|deal|agreement|process)", 3), (r"captur(?:e|ed|es) the", 2),
        (r"recaptur\w+", 3), (r"warplanes?", 4), (r"jets?", 1), (r"mortar", 3), (r"ambush\w*", 3),
        (r"taliban", 2), (r"al-shabaab", 2), (r"isis|isil|islamic state", 2), (r"hezbollah", 2), (r"hamas", 2),
        (r"idf", 2), (r"nato", 1), (r"conflict", 2), (r"killed in (?:fighting|clashes)", 3),
    ),
    "terror_attack_shooting": (
        (r"mass (?:school )?shootings?", 3), (r"domestic terrorism", 3),
        (r"terror\w*", 4), (r"suicide (?:bomb\w*|attack\w*)", 5), (r"car bomb\w*", 4), (r"bombings?", 3),
        (r"bomb(?:s|ed)?\b", 2), (r"gunm[ae]n", 4), (r"mass shootings?", 5), (r"shootings?", 4), (r"shooter", 4),
        (r"opened fire", 4), (r"open fire", 3), (r"hostages?", 3), (r"stabb\w+", 3), (r"knife attack", 4),
        (r"explosive device", 3), (r"\bied\b", 3), (r"jihadis\w*", 3), (r"extremists?", 2), (r"massacre", 3),
        (r"attack(?:s|ed|er|ers)?", 1), (r"grenade", 2), (r"assassinat\w+", 2), (r"gunfire", 2), (r"shot dead", 3),
        (r"vehicle[- ]ramming|ramm(?:ed|ing) (?:a|his|into)", 3),
    ),
    "crime": (
        (r"incarcerat\w+", 3), (r"criminal", 3), (r"to death", 1), (r"hunt for", 1), (r"courthouse", 2), (r"stoned", 2),
        (r"arrest(?:s|ed|ing)?", 3), (r"charged", 3), (r"convict\w*", 3), (r"sentenc\w+", 3), (r"murder\w*", 3),
        (r"police", 1), (r"trial", 2), (r"prison", 2), (r"jail\w*", 3), (r"fraud", 3), (r"robber\w*", 3),
        (r"kidnap\w*", 3), (r"smuggl\w+", 3), (r"traffick\w+", 3), (r"drugs?", 2), (r"cartel", 3),
        (r"homicide", 3), (r"suspects?", 2), (r"indict\w+", 3), (r"guilty", 3), (r"corruption", 2),
        (r"bribe\w*", 3), (r"theft", 3), (r"stolen", 2), (r"gang", 2), (r"detain\w*", 2), (r"extradit\w+", 3),
        (r"raid", 1), (r"investigat\w+", 1), (r"prosecut\w+", 3), (r"embezzl\w+", 3), (r"money laundering", 3),
        (r"rape", 3), (r"assault", 2), (r"killed (?:his|her)", 2), (r"manslaughter", 3), (r"custody", 2),
    ),
    "protest_unrest": (
        (r"protest\w*", 4), (r"demonstrat(?:ion|ions|ors|ors')", 4), (r"demonstrators?", 4), (r"rall(?:y|ies)", 3),
        (r"riot\w*", 4), (r"unrest", 4), (r"general strike", 5), (r"strikes? (?:by|over|for)", 3),
        (r"(?:went|go|goes|going) on strike", 5), (r"striking (?:workers|teachers|doctors|nurses)", 5),
        (r"walkouts?", 4), (r"tear ?gas", 4), (r"march(?:es|ed)? (?:through|on|against|in)", 2),
        (r"dispers\w+", 2), (r"sit-ins?", 4), (r"boycott\w*", 2), (r"uprising", 3), (r"looting", 2),
        (r"curfew", 2), (r"crackdown", 2), (r"activists?", 2), (r"pro-democracy", 3), (r"opposition supporters", 3),
    ),
    "political": (
        (r"dissidents?", 2), (r"nominee|nominat\w+", 3), (r"senators?", 2), (r"\bbans?\b", 1), (r"moratorium", 2), (r"speech", 1), (r"dialogues?", 1), (r"politician", 3), (r"political", 2), (r"leader of the", 1), (r"human rights", 2), (r"democra\w+", 2), (r"govern(?:s|ing)", 1), (r"mandat\w+", 1), (r"pardon\w*", 3), (r"amnesty", 2), (r"ruling party", 3), (r"intelligence committee", 3),
        (r"elections?", 4), (r"elected", 3), (r"re-?election", 4), (r"vot(?:e|es|ed|ing|ers)", 3), (r"ballots?", 3),
        (r"referendum", 4), (r"parliament\w*", 3), (r"congress", 2), (r"senate", 2), (r"legislat\w+", 3),
        (r"\bbill\b", 2), (r"\blaws?\b", 2), (r"constitution\w*", 3), (r"resign\w*", 4), (r"impeach\w*", 4),
        (r"prime minister", 2), (r"president", 1), (r"government", 1), (r"cabinet", 3), (r"coalition", 2),
        (r"opposition", 2), (r"party", 2), (r"candidates?", 3), (r"sworn in", 4), (r"inaugurat\w+", 4),
        (r"supreme court", 3), (r"court rul\w+", 3), (r"rul(?:es|ed|ing) that", 2), (r"coup", 4), (r"polls?", 2),
        (r"appoint\w*", 3), (r"minister", 1), (r"mps?\b", 2), (r"lawmakers", 3), (r"inspect\w+", 2),
        (r"policy", 1), (r"reform", 2), (r"dissolv\w+", 3), (r"no-confidence", 4), (r"primar(?:y|ies)", 2),
        (r"campaign", 1), (r"governor", 1), (r"mayor", 1),
    ),
    "diplomatic": (
        (r"agree(?:s|d)? to", 1), (r"two countries", 3), (r"criticism", 1), (r"border", 1), (r"joint (?:statement|press conference)", 3), (r"signs? the", 1), (r"aid\b", 1), (r"foreign\b", 1), (r"relations with", 3), (r"angering|condemn\w*", 1), (r"president (?:of|xi|putin|biden|trump|macron)", 1), (r"meets? with|meeting with", 2),
        (r"summit", 4), (r"diplomat\w*", 4), (r"ambassadors?", 4), (r"embass(?:y|ies)", 4), (r"sanctions?", 4),
        (r"treaty", 4), (r"bilateral", 3), (r"foreign minister", 3), (r"foreign ministry", 3), (r"secretary of state", 3),
        (r"state visit", 4), (r"visits?", 1), (r"talks", 2), (r"relations", 2), (r"united nations", 2), (r"\bun\b", 1),
        (r"security council", 3), (r"recogni[sz]\w+", 2), (r"expel\w*", 3), (r"envoy", 3), (r"accord", 2),
        (r"agreement", 1), (r"negotiat\w+", 2), (r"counterpart", 3), (r"delegation", 2), (r"consulate", 3),
        (r"nuclear deal", 3), (r"memorandum", 2), (r"g7|g20|g-20|asean|european union", 1), (r"foreign affairs", 2),
    ),
    "economic": (
        (r"chief executive|\bceo\b", 3), (r"credit ratings?", 4), (r"downgrad\w+", 2), (r"stores", 2), (r"retail\w*", 3), (r"austerity", 3), (r"patents?", 3), (r"sells?|sold|sale", 2), (r"production", 2), (r"brands?", 2), (r"suppl(?:y|ier|iers)", 2), (r"workers", 1), (r"contract", 1), (r"firms?", 2), (r"corporation|\bcorp\b|\binc\b|ltd", 3), (r"economists?", 3), (r"census", 2), (r"poverty|low-income", 2), (r"layoffs?|job cuts", 3), (r"auto ?makers?|carmakers?", 3), (r"pharmaceutical", 2), (r"ratings agency", 3), (r"bailout", 4), (r"shareholders?", 3), (r"earnings", 3), (r"oil", 1), (r"gas\b", 1), (r"opec", 3), (r"bans? (?:the )?(?:import|export)", 2),
        (r"econom\w+", 3), (r"stock\w*", 3), (r"shares", 3), (r"markets?", 2), (r"trade", 2), (r"tariffs?", 4),
        (r"gdp", 4), (r"inflation", 4), (r"recession", 4), (r"compan(?:y|ies)", 2), (r"merger", 4), (r"acqui\w+", 3),
        (r"initial public offering|\bipo\b", 4), (r"banks?", 2), (r"billion", 2), (r"million", 1), (r"invest\w+", 2),
        (r"oil prices?", 3), (r"currency", 3), (r"exports?", 2), (r"imports?", 2), (r"bankrupt\w*", 4),
        (r"unemployment", 3), (r"interest rates?", 4), (r"central bank", 4), (r"budget", 2), (r"debt", 2),
        (r"revenue", 2), (r"profits?", 2), (r"prices?", 1), (r"\$|€|£|¥|us\$", 1), (r"nasdaq|nyse|dow jones|s&p", 4),
        (r"minerals?", 1), (r"rare earths?", 2), (r"deal", 1), (r"loan", 2), (r"imf", 3), (r"fiscal", 3), (r"jobs", 1),
    ),
    "transport_accident": (
        (r"airlines?|airways", 3), (r"passengers?", 2), (r"accident", 2), (r"gorge|ravine|cliff", 2), (r"balloon", 2), (r"submarine", 2), (r"migrants?", 1), (r"rescue\w*", 1), (r"missing (?:plane|flight|ship|boat|vessel)", 4), (r"freight", 2), (r"waterbomber|airship", 3), (r"road", 1), (r"motorway|expressway", 2), (r"crash site", 3),
        (r"plane crash\w*", 5), (r"air crash\w*", 5), (r"(?:plane|aircraft|airliner|jet|helicopter|flight)s?\b", 2),
        (r"crash(?:es|ed|ing)?", 2), (r"derail\w*", 5), (r"(?:train|rail) (?:crash|collision|accident)", 5),
        (r"trains?", 2), (r"collid\w+", 3), (r"collision", 3), (r"bus(?:es)?\b", 2), (r"ferr(?:y|ies)", 3),
        (r"capsiz\w+", 5), (r"sank|sinks|sinking", 3), (r"shipwreck", 4), (r"boat", 2), (r"vessel", 2), (r"ship", 1),
        (r"road accident", 5), (r"traffic accident", 5), (r"car accident", 5), (r"(?:car|truck|lorry|minibus)s?\b", 1),
        (r"plunged", 2), (r"overturn\w*", 3), (r"runway", 3), (r"emergency landing", 4), (r"passengers", 2),
        (r"pilot", 1), (r"air traffic", 2), (r"migrant boat", 4), (r"highway", 1),
    ),
    "industrial_accident": (
        (r"stampedes?", 5), (r"crush", 2), (r"fire (?:at|in|inside|broke out|engulfed|swept)", 3), (r"poison(?:ing|ed|ous)", 2), (r"methanol", 3), (r"tankers?", 2), (r"nightclub", 1), (r"collaps(?:e|es|ed) (?:of|at|in)", 2), (r"viaduct|bridge collapse", 4), (r"accidents?", 1),
        (r"explosions?", 3), (r"blast", 3), (r"exploded", 3), (r"factory", 3), (r"plant\b", 2), (r"refiner(?:y|ies)", 3),
        (r"mines?\b", 3), (r"mining", 2), (r"miners", 4), (r"colliery", 4), (r"collaps\w+", 2), (r"gas leak", 4),
        (r"chemical", 3), (r"oil spill", 5), (r"spill\w*", 3), (r"warehouse", 3), (r"fire (?:at|in|broke)", 2),
        (r"fire\b", 1), (r"building collapse", 5), (r"construction", 2), (r"industrial", 3), (r"toxic", 2),
        (r"leak\w*", 2), (r"pipeline", 2), (r"nuclear (?:plant|accident|disaster)", 3), (r"radiation", 2),
        (r"trapped", 2), (r"fireworks", 3), (r"gas cylinder", 4), (r"boiler", 4), (r"dam\b", 1),
    ),
    "other": (
        (r"scientists?", 2), (r"astronom\w+", 3), (r"spacecraft", 3), (r"nasa|esa\b|spacex", 3), (r"launch\w*", 1),
        (r"orbit\w*", 3), (r"planets?", 3), (r"asteroids?|comets?|interstellar", 3), (r"discover\w*", 2),
        (r"species", 2), (r"fossils?", 3), (r"archaeolog\w+", 3), (r"olympic\w*", 3), (r"championships?", 3),
        (r"world cup", 3), (r"tournament", 3), (r"wins? the", 2), (r"award\w*", 2), (r"prize", 2), (r"festival", 2),
        (r"film", 2), (r"album", 2), (r"dies at|died at the age", 3), (r"museum", 2), (r"solar system", 3),
        (r"telescope", 3), (r"research\w*", 1), (r"study", 1), (r"football|soccer|cricket|tennis|marathon", 2),
    ),
}  # fmt: skip
