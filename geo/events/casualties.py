"""Who was killed, went missing, was injured or displaced: counts read from the sentences of a story.

A count is read where a sentence ties people to a word of death, injury or displacement:

- subject first, "<people> (have been) killed", where <people> may be a list whose counts add up ("four soldiers
  and one official were killed" is 5; "including" names a part of a group, which does not add);
- verb first, "killing <people>", "claimed the lives of <people>", "the deaths of <people>";
- a toll, "the death toll rises to 76", "the number of deaths has risen to 34";
- one person, by grammar: a singular verb or subject ("a woman was killed", "the police chief is shot dead",
  "X dies", "a passenger died"), or a singular noun ("one death", "a traffic fatality").

Animals, money and property are never people. A vague quantity ("dozens", "several") is kept apart from the exact
counts, coded as ACLED does, and only severity uses it. Of several exact counts of one kind, the largest is the
story's (a toll that rises, a total and its parts); missing people are added to the killed as deaths.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from dataclasses import dataclass
from typing import Final

from geo.limits import bounded_number

__all__ = ["KINDS", "Casualties", "parse_number", "read_casualties"]

#: The kinds of count, in the order of the contract.
KINDS: Final = ("killed", "missing", "injured", "displaced")

_UNITS: Final = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
#: One more person: "and another was hurt", "a second officer died".
_ONE_MORE: Final = ("another", "a second", "a third", "a fourth", "a fifth", "his", "her", "their")
_SCALES: Final = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
#: Vague counts, coded conservatively (ACLED).
_VAGUE: Final = {
    "several": 3, "a few": 3, "dozens": 12, "a dozen": 12, "scores": 30, "hundreds": 100, "thousands": 1_000,
    "tens of thousands": 10_000, "hundreds of thousands": 100_000, "millions": 1_000_000,
}  # fmt: skip
_TENS: Final = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_NUMBER: Final = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:one|two|three|four|five|six|seven|eight|nine))?|(?:"
    + "|".join(sorted((u for u in _UNITS if u not in _TENS), key=len, reverse=True))
    + r"))(?![- ](?:year|month|week|day|hour|storey|story|member)s?\b)"
)
_COUNT: Final = (
    r"(?:(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s*(?:million|thousand))?)(?:\s*(?:-|–|to)\s*\d[\d,]*(?!\.\d))?"
    r"|(?:tens of thousands|hundreds of thousands|hundreds|thousands|millions|dozens|scores|several|a few|a dozen)"
    r"|(?:another|a second|a third|a fourth|a fifth)"
    rf"|{_WORD_NUMBER}(?:\s+(?:hundred|thousand|million))?)\b"
)
_QUALIFIER: Final = (
    r"(?:(?:at least|almost|nearly|about|around|over|more than|some|up to|an estimated|approximately|all|"
    r"a total of|another)\s+)?"
)
#: The words of a group of people after its count, a few words that are no verb of the sentence: "people", "more
#: civilians", "of the passengers", "French Foreign Legion soldiers", "fire fighters", "others".
_WHO: Final = (
    r"(?:\s+(?!(?:and|or|but|were|was|are|is|have|has|had|been|be|being|could|would|may|might|will|shall|should|"
    r"must|to|missing|injured|injuries|injury|wounded|hurt|dead|killed|died|die|dies|death|deaths|fatalities|"
    r"displaced|evacuated|homeless|affected|including|in|at|on|after|as|when|while|by|from|during|with|since|"
    r"suffered|sustained|received|critically|seriously|severely|slightly|badly|fatally|mortally|reportedly|"
    r"later|also|still|then)\b)[a-z][\w-]*){0,5}"
)
#: A later group of a list is named the same way ("one government official").
_WHO_ANY: Final = _WHO
_GROUP: Final = rf"{_QUALIFIER}{_COUNT}{_WHO}"
_PERSON: Final = (
    r"(?:man|woman|child|boy|girl|baby|person|teenager|soldier|officer|policeman|official|civilian|driver|"
    r"passenger|worker|member|journalist|student|resident|firefighter|guard|pilot|commander|guide|nurse|doctor)"
)
#: A later group of a list opens with a count; "a", "an", "his", "her" or "their" only before a person, with at
#: most two words between ("two children and a man", "two Americans and a British service member", "five
#: workers and their driver": one each).
_LATER_GROUP: Final = (
    rf"(?:(?:his|her|their)\s+(?=(?:[\w-]+\s+){{0,2}}{_PERSON}\b)|"
    rf"(?!an?\s+(?!(?:[\w-]+\s+){{0,2}}{_PERSON}\b)){_QUALIFIER}{_COUNT}){_WHO_ANY}"
)
#: A part of a group named after it, which does not add: "including two women", ", two seriously".
_PART: Final = (
    rf"(?:,?\s+including\s+{_QUALIFIER}{_COUNT}{_WHO_ANY}|,\s+{_COUNT}\s+(?:of them\s+)?"
    r"(?:seriously|critically|severely|badly|fatally|slightly))"
)
_INCLUDING: Final = rf"(?:{_PART},?)?"
_SEP: Final = r"(?:\s*,(?!\d)\s*(?:and\s+)?|\s+and\s+)"
#: An aside about the group between commas: "123 people, many of whom were elderly, are reported to have died".
_ASIDE: Final = r"(?:,\s+(?:(?:many|most|some|all|several|none) of (?:whom|them)|who)\b[^,.;]{0,60},)?"
_LIST: Final = rf"(?P<list>{_GROUP}{_INCLUDING}(?:{_SEP}{_LATER_GROUP}{_INCLUDING}){{0,4}}){_ASIDE}"
_BE: Final = (
    r"(?:\s+(?:have|has|had|are|were|was|is|been|being|reportedly|reported|believed|feared|confirmed|"
    r"found|now|still|later|also|left|remain|remained|remains|all|as|declared|listed|seriously|critically|"
    r"severely|slightly|badly|fatally|mortally|repeatedly|to be|to have|presumed)){0,4}"
    r"(?:\s+(?!(?:wounded|injured|killed|displaced|evacuated)\b)[a-z]+ed\s+and)?"
)
#: Ways of being killed told with "to death".
_TO_DEATH: Final = r"(?:stoned|stabbed|burned|beaten|frozen|crushed) to death"
_WORDS: Final = {
    "killed": r"(?:killed|dead|died|die|dies|deaths|death|fatalities|perished|drowned|drown|lost their lives|"
    r"lives lost|bodies|gunned down|shot dead|beheaded|executed|assassinated|massacred|"
    rf"{_TO_DEATH})",
    "missing": r"(?:missing|unaccounted for|trapped)",
    "injured": r"(?:injured|wounded|hurt|(?:(?:minor|serious|critical|severe|(?:non-)?life-threatening)\s+)?injuries|"
    r"hospitali[sz]ed|burned|burnt|stabbed(?!\s+to death)|taken to (?:a |the )?hospitals?|treated for injuries|"
    r"(?:suffered|sustained|received)\s+(?:[\w-]+\s+){0,2}injur(?:y|ies))",
    "displaced": r"(?:displaced|evacuated|homeless|affected|fled|left homeless|relocated|in shelters|rescued)",
}
_VERB_FIRST: Final = {
    "killed": r"(?:killing|kills|kill|killed|claim(?:ed|ing|s)?(?: the lives of)?|"
    r"(?:took|take|takes|taking) the lives of|shoots? dead|shooting dead|massacr(?:ed|ing|es?)|"
    r"fatally (?:shoots|shot|shooting|stabs|stabbed|stabbing)|gunn(?:ed|ing) down|guns down|beheads?|beheading|"
    r"deaths? of)",
    "injured": r"(?:injuring|injures|injure|wounding|wounds|wounded|injured|hurting)",
    "displaced": r"(?:displacing|displaces|displace|displaced|evacuat(?:ing|ion of|ed)|forcing|affect(?:ed|ing|s))",
}
#: A word that says the people counted are something else ("N were killed" is not read from "injured N").
_NOT_AFTER_VERB_FIRST: Final = r"(?!\s*(?:injured|wounded|hurt|missing))"
#: After a list of objects, a verb says its last group was the subject of a new clause ("killed 246 people and
#: 2,000 more were left homeless").
_NEW_CLAUSE: Final = re.compile(r"\s+(?:have|has|had|are|were|was|is|been|remain|remains)\b", re.IGNORECASE)
#: A count right after these words is the figure of something else ("the toll rises to 209 and 28 are missing").
_AFTER_FIGURE_WORD: Final = re.compile(r"(?<!\bup)\s+(?:to|at)\s+$", re.IGNORECASE)
#: Where a clause ends: a full stop, a semicolon, a comma before a space.
_CLAUSE_END: Final = re.compile(r"[.;](?!\d)|,\s")
#: Two counts of one sentence set against each other by "while" add up ("two are killed in A, while three die in
#: B"); "with" would name a part ("23 died, with 18 in Tennessee").
_WHILE: Final = re.compile(r"[^.;]*[,;]\s*while\b[^.;]*", re.IGNORECASE)
#: Words of a toll over a long time or a wide area: such a toll is the story's only when it gives no other.
_BACKGROUND: Final = re.compile(
    r"\b(?:since|so far this year|this year|to date|in total|overall|across|a series of|cumulative|earlier|"
    r"previous|over the (?:past|last)|in the (?:past|last)|in recent (?:days|weeks|months|years)|one of)\b",
    re.IGNORECASE,
)
#: Words that say people were found alive: such people are not missing.
_TRAPPED_ALIVE: Final = re.compile(
    r"^(?!.*\b(?:missing|unaccounted)\b).*\b(?:rescu\w*|sav(?:e|ed|ing)|freed|pulled (?:out )?alive|found alive)\b",
    re.IGNORECASE | re.DOTALL,
)
#: A toll that is feared or foreseen, not counted.
_SPECULATIVE: Final = re.compile(r"\b(?:could|may|might|would|will|expected|feared|fears|projected|likely)\b", re.I)
#: Never people: animals, money, property, land.
_NOT_PEOPLE: Final = re.compile(
    r"\b(?:cattle|cows?|livestock|animals?|sheep|goats?|pigs?|chickens?|poultry|birds?|fish|dogs?|horses?|camels?|"
    r"alpacas?|llamas?|head|dolphins?|whales?|elephants?|deer|buffalo(?:es)?|dollars?|euros?|pounds?|rupees?|yuan|"
    r"yen|pesos?|homes?|houses?|buildings?|vehicles?|cars?|hectares?|acres?|trees?|crops?|flights?|businesses|"
    r"propert(?:y|ies)|structures?|customers?|years?|months?|weeks?|days?|hours?|times?|percent|per cent|cases|"
    r"infections|tests|doses|inches|feet|foot|miles|mph|km|kilomet(?:er|re)s|met(?:er|re)s|tons|tonnes|degrees|"
    r"cm|mm|towns?|villages?|cit(?:y|ies)|districts?|provinces?|countries|regions?|states|areas?|places)\b",
    re.IGNORECASE,
)
#: A count that is not "a" or "an" (after "to" or "at", those open a noun: "at a fuel depot").
_FIGURE: Final = rf"(?!an?\b){_COUNT}"
_TOLL: Final = re.compile(
    rf"\b(?:(?:death |casualty )?toll|number of (?:[\w-]+\s+){{0,6}}?(?:deaths|dead|fatalities|people killed|victims|"
    rf"(?:[\w-]+\s+){{0,2}}who (?:have )?died))\b[^.;]{{0,200}}?\b(?:to|at|of|reached|reaches|hits|is|is now|now|"
    rf"stands at|surpass(?:es|ed)|passe[sd]|exceeds?|exceeded|tops?|topped)\s+{_QUALIFIER}(?P<list>{_FIGURE})",
    re.IGNORECASE,
)
_INJURY_TOLL: Final = re.compile(
    rf"\b(?:injury (?:count|toll)|number of (?:people )?(?:injured|wounded))\b[^.;]{{0,80}}?\b(?:to|at|of|reached|"
    rf"is|is now|now|stands at)\s+{_QUALIFIER}(?P<list>{_FIGURE})",
    re.IGNORECASE,
)
#: "surpasses 7,000 total deaths": a figure before the death word that no group pattern reads.
_TOTAL: Final = re.compile(
    rf"\b(?:surpass(?:es|ed)?|pass(?:es|ed)?|exceeds?|exceeded|tops?|topped|reach(?:es|ed)?)\s+{_QUALIFIER}"
    rf"(?P<list>{_COUNT})\s+(?:total\s+|confirmed\s+|recorded\s+)*(?:deaths|fatalities)\b",
    re.IGNORECASE,
)
_SINGLE_DEATH: Final = (
    rf"(?:(?:\w+\s+and\s+)?killed|{_TO_DEATH}|shot dead|gunned down|"
    r"beheaded|executed|assassinated|found dead|pronounced dead|confirmed dead|killed in action)"
)
#: One person, told by a singular verb: "X is killed", "X was shot dead", "X dies", "X passes away".
_ONE_BY_VERB: Final = {
    "killed": re.compile(
        rf"\b(?P<subject>[^,.;:]{{0,80}}?)\s+(?:(?:is|was|has been|had been)(?:\s+(?:also|reportedly|later|then|"
        rf"allegedly|fatally|subsequently))?\s+{_SINGLE_DEATH}|(?:dies|passes away|succumbs)\b(?!\s+(?:down|out))|"
        r"(?:died|drowned|perished|succumbed)\b(?!\s+(?:down|out))|(?:suffered|sustained) fatal injuries)",
        re.IGNORECASE,
    ),
    "injured": re.compile(
        r"\b(?P<subject>[^,.;:]{0,80}?)\s+(?:is|was|has been|had been)(?:\s+(?:also|critically|seriously|"
        r"severely|slightly|badly|reportedly))?\s+(?:injured|wounded|hurt|hospitali[sz]ed|taken to (?:a |the )?"
        r"hospital)\b|\b(?P<subject2>[^,.;:]{0,80}?)\s+(?:suffered|sustained|received)\s+(?!fatal)(?:[\w-]+\s+){0,2}"
        r"injur(?:y|ies)\b",
        re.IGNORECASE,
    ),
    "missing": re.compile(
        r"\b(?P<subject>[^,.;:]{0,80}?)\s+(?:is|was|remains|has been)(?:\s+(?:still|reportedly|also))?\s+missing\b",
        re.IGNORECASE,
    ),
}
#: One person as the object of a killing: "killing a Taliban commander", "killed Qari Ziauddin", "killing him".
_ONE_KILLED: Final = re.compile(
    r"\b(?:killed|killing|kills|shot dead|shooting dead|shoots dead|assassinated|assassinating)\s+"
    r"(?P<object>(?:him|her)\b|(?:(?:a|an|the|one|another|his|her|its|their)\s+)?[^,.;:()]{1,60}?)"
    r"(?=\s+(?:in|at|on|during|near|with|after|before|while|as|when|who|which|and|by|from|outside|inside)\b|"
    r"\s*[,.;:(]|$)",
    re.IGNORECASE,
)
_CALENDAR_WORD: Final = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|"
    r"August|September|October|November|December)"
)
_SINGULAR_OPENER: Final = re.compile(r"(?i:a|an|the|one|another|his|her|its|their)\s|(?-i:[A-Z])")
#: "one death", "a traffic fatality", "the first death", "resulted in one injury".
_ONE_BY_NOUN: Final = {
    "killed": re.compile(
        r"\b(?:one|1|a|an|the first|its first|their first|a second|another)\s+(?:[a-z]+\s+)?(?:death|fatality)\b"
        r"(?!\s+toll)",
        re.IGNORECASE,
    ),
    "injured": re.compile(r"\b(?:one|an|a single)\s+(?:[a-z]+\s+)?injury\b", re.IGNORECASE),
}
#: Two named people, coordinated, as the subject of a plural death verb: "Former prosecutor Elena Ruiz and
#: businessman Tomas Vidal are shot dead".
_TWO_NAMED: Final = re.compile(
    r"(?-i:[A-Z][\w'-]+(?: [A-Z][\w'-]+)+) and (?:[a-z][\w-]* ){0,3}(?-i:[A-Z][\w'-]+(?: [A-Z][\w'-]+)+),? "
    rf"(?:are|were|have been|had been)(?: (?:both|reportedly|later|also))? {_SINGLE_DEATH}",
    re.IGNORECASE,
)
#: More ways of telling of one death: "claims at least one life", "a body was found", "left a man dead",
#: "the death of Haqqani leader Shabeer" (a name follows: case matters).
_ONE_DEATH: Final = (
    re.compile(r"\bclaim(?:s|ed|ing)?\s+(?:at least\s+)?(?:one|a|another)\s+(?:more\s+)?life\b", re.IGNORECASE),
    re.compile(
        r"\b(?:a|one|another)\s+(?:dead\s+)?body\s+(?:is|was|has been)\s+(?:found|recovered|pulled)", re.IGNORECASE
    ),
    re.compile(r"\bleft\s+(?:a|an|one)\s+(?:[\w-]+\s+){0,3}dead\b", re.IGNORECASE),
    re.compile(
        r"\ba fatal\s+(?:[\w-]+\s+){0,3}(?:accident|crash|collision|wreck|shooting|stabbing|attack)\b", re.IGNORECASE
    ),
    re.compile(r"\b(?:[Tt]he|[Hh]is|[Hh]er) (?:death|killing|assassination) of (?:[a-z]+ ){0,3}(?:[A-Z]|an? |the )"),
)
_AGE: Final = re.compile(r"\b[\w]+[- ](?:years?|months?)[- ]old\b|\baged \d+\b", re.IGNORECASE)
#: A subject that is nobody, or a plural one (the verb "died" does not tell).
_NOBODY: Final = re.compile(r"\b(?:no one|nobody|none|no\s+\w+)\b", re.IGNORECASE)
_PLURAL_HEAD: Final = re.compile(
    r"(?:s|people|men|women|children|police|cattle|personnel|staff|crew|family|families)$", re.IGNORECASE
)
#: A subject that ends in a verb or an auxiliary has no noun to count ("... are reported to have died").
_NOT_A_HEAD: Final = re.compile(
    r"\b(?:have|has|had|are|were|is|was|be|been|to|who|which|that)(?:\s+(?:reportedly|also|later|then))?$",
    re.IGNORECASE,
)
_NOT_ONE_BY_VERB_BEFORE: Final = re.compile(r"\b(?:not|nearly|almost|narrowly|never)$", re.IGNORECASE)
#: A count is no count when a unit of age or size follows it ("a five-year-old").
_NOT_A_COUNT_AFTER: Final = re.compile(
    r"-(?:year|month|week|day|hour|storey|story|floor|member|point)|[- ](?:year|month|week)s?[- ]old", re.IGNORECASE
)
#: A capitalised word inside a sentence right before digits names them ("Boeing 737", "Route 66").
_NAME_BEFORE: Final = re.compile(
    r"(?<=[\w,;:)] )(?!(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|"
    r"June|July|August|September|October|November|December)\b)(?-i:[A-Z][\w-]*)\s+$"
)
#: Words a count may open with ("a" is left out: too common to try at every article).
_COUNT_WORDS: Final = (frozenset(_UNITS) - {"a", "an"}) | {
    "hundreds", "thousands", "millions", "tens", "dozens", "scores", "several", "another",
}  # fmt: skip
_COUNT_START: Final = re.compile(
    r"\b(?:\d+|(?:" + "|".join(sorted(_COUNT_WORDS, key=len, reverse=True)) + r")\b)", re.IGNORECASE
)
_SENTENCE: Final = re.compile(r"(?<=[.!?])\s+")
_TRIGGER: Final = re.compile(
    r"\b(?:(?P<killed>kill|dead|die|death|fatal|perish|drown|lives|life|lost|bodies|toll|gunn|shot|behead|execut|massacr|"
    r"assassinat|succumb|passes away|stoned|stabbed|beaten|frozen|crushed)"
    r"|(?P<missing>missing|unaccounted|trapped)|(?P<injured>injur|wound|hurt|hospital|burn|stabbed)"
    r"|(?P<displaced>displac|evacuat|homeless|affect|fled|relocat|shelter|rescued|forc))",
    re.IGNORECASE,
)


def parse_number(text: str) -> int | None:
    """The value of a count as written: '1,200', '69', 'forty-five', 'two hundred', 'dozens', '1.5 million'."""
    words = " ".join(text.lower().replace(",", "").split())
    if words in _VAGUE:
        return _VAGUE[words]
    if words in _ONE_MORE:
        return 1
    scale = 1
    for name, factor in _SCALES.items():
        if words.endswith(" " + name) or words == name:
            scale, words = factor, words[: -len(name)].strip() or "one"
            break
    if words[:1].isdigit():
        value = bounded_number(words)
        return None if value is None else int(value * scale)
    total = 0
    for part in re.split(r"[- ]", words):
        if part not in _UNITS:
            return None
        total += _UNITS[part]
    return total * scale


def is_vague(text: str) -> bool:
    """Whether a count as written is a vague quantity ("dozens", "hundreds of thousands")."""
    return " ".join(text.lower().split()) in _VAGUE


@dataclass(frozen=True, slots=True)
class Count:
    """One count of people read from the text: its value, whether the text gave it only vaguely, and whether it
    adds to the count before it ("and 48 others are feared dead")."""

    value: int
    vague: bool
    others: bool = False
    #: A toll over a long time or a wider area than the story's own event ("since March", "across the region").
    background: bool = False


@dataclass(frozen=True, slots=True)
class Casualties:
    """The exact counts a story states (None where it states none) and, where it gives only a vague quantity,
    that quantity coded as ACLED does."""

    killed: int | None = None
    missing: int | None = None
    injured: int | None = None
    displaced: int | None = None
    vague_killed: int | None = None
    vague_missing: int | None = None
    vague_injured: int | None = None
    vague_displaced: int | None = None

    @property
    def deaths(self) -> int | None:
        """Dead and missing, as EVENTS.md counts deaths (None when the text states neither exactly)."""
        if self.killed is None and self.missing is None:
            return None
        return (self.killed or 0) + (self.missing or 0)


#: A group of "others" is more people, told apart from those counted before it.
_OTHERS: Final = re.compile(rf"{_QUALIFIER}{_COUNT}\s+(?:\w+\s+)?others?\b", re.IGNORECASE)
_GROUP_START: Final = re.compile(rf"{_QUALIFIER}(?P<n>{_COUNT}|his|her|their)\b", re.IGNORECASE)
_SPLIT: Final = re.compile(_SEP, re.IGNORECASE)
#: A group of "others" ends with that word ("65 others just four days after").
_AFTER_OTHERS: Final = re.compile(r"(?<=\bothers)\b.*", re.IGNORECASE | re.DOTALL)
_DROP_INCLUDING: Final = re.compile(rf"{_PART},?", re.IGNORECASE)


def _list_count(words: str, *, last: bool = True) -> Count | None:
    """The people of a list of groups ("four soldiers and one official"): their counts added up (without the last
    group unless ``last``)."""
    groups = _SPLIT.split(_DROP_INCLUDING.sub("", words))
    if not last and len(groups) > 1:
        groups = groups[:-1]
    groups = [_AFTER_OTHERS.sub("", group) for group in groups]
    things = [n for n, group in enumerate(groups) if _NOT_PEOPLE.search(_AGE.sub("", group))]
    if things:  # a list ends before a group of things ("150 others, several days after"); none of things counts
        groups = groups[: things[0]]
    if not groups:
        return None
    total, vague = 0, False
    for group in groups:
        match = _GROUP_START.match(group.strip())
        if match is None:
            continue
        value = parse_number(re.split(r"\s*(?:-|–|\bto\b)\s*(?=\d)", match.group("n"))[0])
        if value is None:
            continue
        total += value
        vague = vague or is_vague(match.group("n"))
    others = bool(_OTHERS.match(groups[0].strip())) and len(groups) == 1
    return Count(total, vague, others) if total else None


def _pattern(kind: str) -> re.Pattern[str]:
    return re.compile(rf"{_LIST}{_BE}\s+{_WORDS[kind]}\b", re.IGNORECASE)


_SUBJECT_FIRST: Final = {kind: _pattern(kind) for kind in KINDS}
_OBJECT_AFTER: Final = {
    kind: re.compile(
        rf"\b{verb}(?:\s+(?:at least|all|some|about|nearly|more than|over|around))?\s+(?P<list>{_GROUP}{_INCLUDING}"
        rf"(?:{_SEP}{_LATER_GROUP}{_INCLUDING}){{0,4}}){_NOT_AFTER_VERB_FIRST}",
        re.IGNORECASE,
    )
    for kind, verb in _VERB_FIRST.items()
}


def _opens_count(text: str, match: re.Match[str]) -> bool:
    """Whether a word starts a count: a number word, or digits not inside a number ('1.2', '1,200')."""
    word, at, end = match.group(), match.start(), match.end()
    digits = word[0].isdigit()
    if not digits and word.lower() not in _COUNT_WORDS:
        return False
    if _NOT_A_COUNT_AFTER.match(text, end) or text[max(0, at - 3) : at].lower() == "no ":
        return False  # "a five-year-old", "no one died"
    if not digits:
        return True
    if at > 0 and (text[at - 1] in "-/" or (at > 1 and text[at - 1] in ".," and text[at - 2].isdigit())):
        return False  # inside a number, a date or a name: "1.2 million", "2/2/19", "COVID-19"
    if _NAME_BEFORE.search(text, max(0, at - 40), at):
        return False  # a model or a route: "a Boeing 737", "Flight 182"
    return not (len(word) == 4 and 1800 <= int(word) <= 2100 and text[end : end + 1] != ",")  # a year


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds = [0, *(m.end() for m in _SENTENCE.finditer(text)), len(text)]
    return list(itertools.pairwise(bounds))


def _relevant(text: str) -> dict[str, str]:
    """Per kind of count, the sentences of ``text`` that name it at all (the other patterns are slower)."""
    sentences = _sentences(text)
    starts = [a for a, _ in sentences]
    found: dict[str, set[int]] = {}
    for match in _TRIGGER.finditer(text):
        found.setdefault(str(match.lastgroup), set()).add(bisect.bisect_right(starts, match.start()) - 1)
    return {
        kind: " ".join(text[a:b] for n, (a, b) in enumerate(sentences) if n in hits) for kind, hits in found.items()
    }


def _one_by_grammar(kind: str, text: str) -> list[tuple[int, Count]]:
    """A person told by a singular verb or noun: 1 each time (never added up: the same person may be told twice)."""
    found = []
    pattern = _ONE_BY_VERB.get(kind)
    for match in pattern.finditer(text) if pattern else ():
        said = match.group("subject") if match.group("subject") is not None else match.group("subject2")
        subject = _AGE.sub("", said).strip()
        verb = match.group(0)[len(said) :].strip().lower()
        if not subject or _NOBODY.search(subject) or _NOT_ONE_BY_VERB_BEFORE.search(subject):
            continue
        counted = [m.group().lower() for m in _COUNT_START.finditer(subject) if _opens_count(subject, m)]
        if any(word not in ("one", "another") for word in counted):
            continue  # a subject of more than one is read by the group patterns
        past = verb.startswith(("died", "drowned", "perished", "succumbed"))
        if past and (_PLURAL_HEAD.search(subject) or _NOT_A_HEAD.search(subject)):
            continue  # "the villagers died", "are reported to have died": the verb does not tell how many
        if _NOT_PEOPLE.search(subject.split()[-1]):
            continue
        found.append((match.start(), Count(1, False)))
    noun = _ONE_BY_NOUN.get(kind)
    found += [(m.start(), Count(1, False)) for m in noun.finditer(text)] if noun else []
    if kind == "killed":
        found += [(m.start(), Count(1, False)) for pattern in _ONE_DEATH for m in pattern.finditer(text)]
        found += [(m.start(), Count(1, False)) for m in _ONE_KILLED.finditer(text) if _one_object(m.group("object"))]
        found += [(m.start(), Count(2, False)) for m in _TWO_NAMED.finditer(text)]
    return found


def _one_object(words: str) -> bool:
    """Whether the object of a killing is one person: "him", "a commander", "the Taliban leader Saifullah"."""
    if words.lower() in ("him", "her"):
        return True
    head = words.split()[-1]
    plural = any(word.islower() and _PLURAL_HEAD.search(word) for word in words.split())
    named = " " in words and head[:1].isupper() and not plural and not _CALENDAR_WORD.fullmatch(head)
    if not (_SINGULAR_OPENER.match(words) or named) or _COUNT_START.match(words.split(" ", 1)[-1]):
        return False
    return not _PLURAL_HEAD.search(head) and not _NOT_PEOPLE.search(words) and not _NOBODY.search(words)


def _counts(kind: str, text: str) -> list[Count]:
    """The counts of ``kind`` in ``text`` (the sentences that name it), in the order of the text."""
    starts = [m.start() for m in _COUNT_START.finditer(text) if _opens_count(text, m)]
    found: list[tuple[int, Count | None]] = []
    for at in starts:
        match = _SUBJECT_FIRST[kind].match(text, at)
        if match and not _AFTER_FIGURE_WORD.search(text, max(0, at - 12), at):
            found.append((at, _list_count(match.group("list"))))
    if kind in _OBJECT_AFTER:
        found += [
            (m.start(), _list_count(m.group("list"), last=not _NEW_CLAUSE.match(text, m.end())))
            for m in _OBJECT_AFTER[kind].finditer(text)
        ]
    found_tolls: list[tuple[int, Count | None]] = []  # a toll is the story's own, whatever its clause says
    if kind == "killed":
        for pattern in (_TOLL, _TOTAL):
            told = (m for m in pattern.finditer(text) if not _SPECULATIVE.search(m[0]))
            found_tolls += [(m.start(), _list_count(m.group("list"))) for m in told]
        found += found_tolls
    if kind == "injured":
        found += [(m.start(), _list_count(m.group("list"))) for m in _INJURY_TOLL.finditer(text)]
    found += _one_by_grammar(kind, text)
    kept = [(at, count) for at, count in found if count is not None and count.value < 100_000_000]
    if kind == "missing":  # people trapped and then rescued or saved are not missing
        kept = [(at, count) for at, count in kept if not _TRAPPED_ALIVE.search(_clause(text, at))]
    toll_starts = {at for at, _ in found_tolls}
    ordered = sorted(kept, key=lambda pair: pair[0])
    return [
        dataclasses.replace(
            count,
            background=at not in toll_starts and _background(text, at),
            others=count.others or (n > 0 and _WHILE.fullmatch(text, ordered[n - 1][0], at) is not None),
        )
        for n, (at, count) in enumerate(ordered)
    ]


def _clause(text: str, at: int) -> str:
    """The clause of ``text`` around ``at``."""
    start = max((m.end() for m in _CLAUSE_END.finditer(text, 0, at)), default=0)
    after = _CLAUSE_END.search(text, at)
    return text[start : after.start() if after else len(text)]


def _background(text: str, at: int) -> bool:
    """Whether the clause around ``at`` tells of a toll over a long time or a wide area."""
    return bool(_BACKGROUND.search(_clause(text, at)))


def _add_others(counts: list[Count]) -> list[Count]:
    """Each count of "others" added to the count before it (the counts are in the order of the text)."""
    folded: list[Count] = []
    for count in counts:
        if count.others and folded:
            before = folded.pop()
            count = Count(before.value + count.value, before.vague or count.vague, background=before.background)
        folded.append(count)
    return folded


def read_casualties(text: str) -> Casualties:
    """The counts of people killed, missing, injured and displaced that ``text`` states."""
    relevant = _relevant(text)
    if not relevant:
        return Casualties()
    values: dict[str, int | None] = {}
    for kind in KINDS:
        if kind not in relevant:
            continue
        counts = _add_others(_counts(kind, relevant[kind]))
        own = [c for c in counts if not c.background and not c.vague]
        exact = [c.value for c in own] or [c.value for c in counts if not c.vague]
        vague = [c.value for c in counts if c.vague]
        values[kind] = max(exact) if exact else None
        values[f"vague_{kind}"] = None if exact or not vague else max(vague)
    return Casualties(**values)
