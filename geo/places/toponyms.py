"""Find place mentions in text: capitalised n-grams looked up in the gazetteer, then filtered.

The recogniser tries the longest name first at each capitalised token ("Puerto Williams" before
"Puerto"), then drops what is not a place: persons ("President Trump", "Chiquita Henry"), storms
("Hurricane Melissa"), weekdays and months, streets ("Dublin Road") and roads ("US-101", "Highway 142"), weather
words ("Hail", not Ha'il), agency acronyms ("MODOT"), a town inside the name of a lake, river or range ("Lake
Erie", "San Juan Mountains"), common words at the start of a sentence ("Nice to meet"), and words inside other
proper names ("Play Store").
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Final

from geo.places.gazetteer import Gazetteer, normalize
from geo.settings import MAX_NAME_TOKENS

__all__ = ["Mention", "find_mentions"]

#: A word: letters joined by inner dots or apostrophes ("U.S", "O'Fallon"), not by a possessive "'s".
_TOKEN: Final = re.compile(r"[^\W\d_]+(?:(?:\.|['’](?![sS]\b))[^\W\d_]+)*")
#: What may stand between the words of one name.
_NAME_GAPS: Final = frozenset((" ", "-"))
_CONNECTORS: Final = frozenset(
    "of de del della la le les du da das do dos di and upon on the y el al au aux des sur an am im in".split()
)
_ARABIC_ARTICLES: Final = frozenset("el al ad ar as ash an az".split())
_CALENDAR: Final = frozenset(
    normalize(n) for n in (*calendar.day_name, *calendar.month_name, *calendar.day_abbr, *calendar.month_abbr) if n
)
_STORM_WORDS: Final = frozenset(
    "hurricane typhoon cyclone storm depression tornado tropical supertyphoon blizzard winter".split()
)
_TITLES: Final = frozenset(
    """president mr mrs ms miss dr sen senator gov governor rep representative sheriff chief judge justice
    officer coach rev reverend pastor father sister lt sgt capt gen general col maj det deputy trooper minister
    secretary king queen prince princess pope mayor commissioner attorney professor prof dean director chairman
    chancellor lord lady sir dame rabbi imam bishop cardinal corporal cpl pvt private sergeant lieutenant captain
    colonel major admiral superintendent councilman councilwoman councillor spokesman spokeswoman sheikh emir
    ambassador envoy premier president-elect lawmaker assemblyman congressman congresswoman jr sr""".split()
)
_STREET_WORDS: Final = frozenset(
    """street st avenue ave road rd drive dr boulevard blvd lane ln highway hwy parkway pkwy way court ct
    circle cir terrace trail pike expressway freeway turnpike alley""".split()
)
#: Capitalised words after a name that make it a store, a newspaper or a broadcaster's ("App Store", "Washington
#: Post", "Jerusalem Times"): the place is not meant.
_OUTLET_AFTER: Final = frozenset("store times post herald tribune journal gazette chronicle".split())
_NOT_THE_PLACE_AFTER: Final = _STREET_WORDS | _OUTLET_AFTER
#: Words before a name that make it a newspaper, an agency or a person told something ("the newspaper Izvestia",
#: "he told Izvestia"): a small place of that name is not meant.
_OUTLET_BEFORE: Final = frozenset(
    "newspaper newspapers daily tabloid broadcaster magazine agency outlet channel told tells telling".split()
)
#: Weather words that are also place names somewhere ("Hail" is Ha'il, Saudi Arabia): no place without a cue.
_WEATHER_WORDS: Final = frozenset(
    "hail sleet snow rain fog frost ice thunder lightning wind winds drizzle mist heat cold flood floods".split()
)
#: Words around a name that make it a natural feature's ("Lake Erie", "Ohio River", "San Juan Mountains"): the
#: town or state of that name is not meant.
_FEATURE_BEFORE: Final = frozenset("lake lakes mount mt river gulf bay".split())
_FEATURE_AFTER: Final = frozenset(
    "lake lakes river mountains mountain range creek bay canyon glacier peak falls reservoir dam volcano".split()
)
#: What follows a place name in capitals that opens a story ("NEWARK, N.J. -", "BEIRUT (AP) -", "MANSFIELD -").
_DATELINE_END: Final = re.compile(r"\s*[,(—–:-]")
#: A name followed by a number is a road, a route or a flight ("US-101", "Highway 142", "Flight 182").
_NUMBERED: Final = re.compile(r"[ -]?\d")
_LOCATIVE: Final = frozenset(
    """in at near from to of outside inside across around toward towards into via through throughout between
    within off over under northern southern eastern western central coastal""".split()
)
_PLACE_NOUNS: Final = frozenset(
    """city town village county area residents resident police officials native natives mayor council
    community region province state capital neighborhood neighbourhood suburb district township borough""".split()
)
_SENTENCE_END: Final = frozenset(".!?:;\"“”‘'(\n")


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of text that names a place, with the gazetteer entries it may mean."""

    start: int
    end: int
    key: str
    ids: tuple[int, ...]
    #: True when the span is an adjective or demonym ("Ukrainian") rather than a name.
    demonym: bool = False
    #: True when the span alone does not show it is a place (a bare name that is also a surname).
    weak: bool = False
    #: True for a single small-place name with no cue around it ("Obama administration").
    bare: bool = False


@dataclass(slots=True)
class _Tokens:
    starts: list[int]
    ends: list[int]


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _starts_name(text: str, tokens: _Tokens, i: int) -> bool:
    """Whether token ``i`` may begin a name: capitalised, or an article as in 'el-Fasher', 'al-Raqqa'."""
    word = text[tokens.starts[i] : tokens.ends[i]]
    if word[0].isupper():
        return True
    return (
        word in _ARABIC_ARTICLES
        and i + 1 < len(tokens.starts)
        and text[tokens.ends[i] : tokens.starts[i + 1]] == "-"
        and text[tokens.starts[i + 1]].isupper()
    )


def _is_sentence_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\r\u00a0":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END or text[i] == "\n"


def _lookup(text: str, tokens: _Tokens, i: int, gaz: Gazetteer) -> tuple[int, str, tuple[int, ...], bool] | None:
    """Longest known name starting at token ``i``: (last token, key, ids, is_demonym)."""
    starts, ends = tokens.starts, tokens.ends
    first = normalize(text[starts[i] : ends[i]]).partition(" ")[0]
    longest = min(gaz.prefix_len.get(first, 0), MAX_NAME_TOKENS, len(starts) - i)
    last = i
    for j in range(i + 1, i + longest):
        if text[ends[j - 1] : starts[j]] not in _NAME_GAPS:
            break
        word = text[starts[j] : ends[j]]
        if not _capitalised(word) and word.lower() not in _CONNECTORS:
            break
        last = j
    for j in range(last, i - 1, -1):
        word = text[starts[j] : ends[j]]
        if j > i and not _capitalised(word):
            continue
        end = ends[j]
        key = normalize(text[starts[i] : end])
        if end < len(text) and text[end] == "." and gaz.has_key(key + "."):
            return j, key + ".", gaz.ids(key + "."), False
        ids = gaz.ids(key)
        demonym = gaz.demonym(key)
        if demonym is not None and not _strong(gaz, ids):
            return j, key, (demonym,), True  # "Spanish" is Spain's adjective before it is Spanish, Ontario
        if ids:
            return j, key, ids, False
    return None


def _prev_word(text: str, tokens: _Tokens, i: int) -> str:
    if i == 0:
        return ""
    return text[tokens.starts[i - 1] : tokens.ends[i - 1]]


def _adjacent(text: str, tokens: _Tokens, i: int, j: int) -> bool:
    """Whether tokens i and j (j = i + 1) are separated by one space (or '. ' after a title)."""
    gap = text[tokens.ends[i] : tokens.starts[j]]
    if gap == ". ":
        return normalize(text[tokens.starts[i] : tokens.ends[i]]) in _TITLES
    return gap == " "


def _is_person_context(text: str, tokens: _Tokens, i: int, gaz: Gazetteer) -> bool:
    """Whether the token before ``i`` is a title or a given name, making token ``i`` a surname."""
    if i == 0 or not _adjacent(text, tokens, i - 1, i):
        return False
    prev = _prev_word(text, tokens, i)
    key = normalize(prev)
    if key in _TITLES:
        return True
    if not (_capitalised(prev) and gaz.is_first_name(key)):
        return False
    return all(gaz.prominence_of(idx) < 0.7 for idx in gaz.ids(key))


def _strong(gaz: Gazetteer, ids: tuple[int, ...]) -> bool:
    """Whether some sense is a country, first-level region, continent or large city."""
    for idx in ids:
        feature = gaz.feature_of(idx)
        if feature in ("country", "continent", "water") or gaz.prominence_of(idx) >= 0.8:
            return True
    return False


def _judge(text: str, tokens: _Tokens, i: int, j: int, key: str, ids: tuple[int, ...], gaz: Gazetteer) -> str:
    """'keep'; 'drop'; 'weak' (a place only if the document confirms the name elsewhere); or 'bare'
    (a lone small place with no cue, kept only if the rest of the document agrees, see geo.places.geoparse)."""
    if key in _CALENDAR or _is_person_context(text, tokens, i, gaz):
        return "drop"
    adjacent_prev = i > 0 and _adjacent(text, tokens, i - 1, i)
    prev = normalize(_prev_word(text, tokens, i)) if adjacent_prev else ""
    if prev in _STORM_WORDS:
        return "drop"
    nxt = _next_word(text, tokens, j)
    if _capitalised(nxt) and normalize(nxt) in _NOT_THE_PLACE_AFTER:
        return "drop"
    strong = _strong(gaz, ids)
    if prev in _OUTLET_BEFORE and not strong:
        return "drop"
    word = text[tokens.starts[i] : tokens.ends[j]]
    if word.isupper() and not strong and (len(word) <= 4 or not _DATELINE_END.match(text, tokens.ends[j])):
        return "drop"  # an acronym ("MODOT", "CVG"), unless a dateline ("NEWARK, N.J.", "BEIRUT (AP) -")
    if _NUMBERED.match(text, tokens.ends[j]):
        return "drop"
    if i == j and key in _WEATHER_WORDS and prev not in _LOCATIVE:
        return "drop"
    feature_named = prev in _FEATURE_BEFORE or (_capitalised(nxt) and normalize(nxt) in _FEATURE_AFTER)
    if feature_named and not any(gaz.feature_of(idx) == "country" for idx in ids):
        return "drop"  # the lake, river or range, not the town or state of that name ("Congo River" keeps Congo)
    one_word_abbreviation = key.endswith(".") and "." not in word and gaz.feature_of(ids[0]) == "admin1"
    if one_word_abbreviation and not text[: tokens.starts[i]].endswith(", ") and prev not in _LOCATIVE:
        return "drop"  # a one-word state abbreviation follows its town: "Jackson, Miss." but "Miss Smith"
    if i == j and not strong and _capitalised(nxt) and gaz.is_first_name(key):
        return "drop"  # "David Smith"
    if (
        prev == "of"
        and i > 1
        and _adjacent(text, tokens, i - 2, i - 1)
        and _capitalised(_prev_word(text, tokens, i - 1))
    ):
        prev = ""  # "Chamber of Commerce": 'of' inside a proper name is no locative cue
    cue = prev in _LOCATIVE or _followed_by_place(text, tokens.ends[j], gaz) or normalize(nxt) in _PLACE_NOUNS
    if not _keep_common_word(text, tokens, i, j, key, ids, gaz, cue):
        return "drop"
    if i == j and not strong and not cue:
        return "weak" if gaz.is_person_name(key) else "bare"
    return "keep"


def _next_word(text: str, tokens: _Tokens, j: int) -> str:
    """The word right after token ``j`` when only a space separates them, else ''."""
    if j + 1 < len(tokens.starts) and _adjacent(text, tokens, j, j + 1):
        return text[tokens.starts[j + 1] : tokens.ends[j + 1]]
    return ""


def _keep_common_word(
    text: str, tokens: _Tokens, i: int, j: int, key: str, ids: tuple[int, ...], gaz: Gazetteer, cue: bool
) -> bool:
    """A name that is also an English word needs a capital mid-sentence and, if very common, a locative cue."""
    common = gaz.commonness(key)
    strong = _strong(gaz, ids)
    in_phrase = i > 0 and _adjacent(text, tokens, i - 1, i) and _capitalised(_prev_word(text, tokens, i))
    if in_phrase and not strong and not _is_sentence_start(text, tokens.starts[i - 1]):
        return common < 2.5 and i == j  # inside another proper name ("Play Store"), unless a rare word
    if common < 3.0:
        return True
    if _capitalised(_next_word(text, tokens, j)) and common >= 3.5:
        return False  # a common word opening a longer name: "Eastern Europe", "Gulf War"
    if _is_sentence_start(text, tokens.starts[i]):
        country = any(gaz.feature_of(idx) == "country" for idx in ids)
        return cue or (strong and common < 5.0) or (country and common < 5.5)
    return strong or cue or common < 4.0


def _keep_demonym(text: str, tokens: _Tokens, j: int) -> bool:
    """A demonym counts unless it opens another proper name ('American Red Cross'); titles are fine."""
    if j + 1 >= len(tokens.starts) or not _adjacent(text, tokens, j, j + 1):
        return True
    nxt = text[tokens.starts[j + 1] : tokens.ends[j + 1]]
    return not _capitalised(nxt) or normalize(nxt) in _TITLES


def _followed_by_place(text: str, end: int, gaz: Gazetteer) -> bool:
    """Whether the span at ``end`` is followed by ', <known place>' ('Nice, southeastern France')."""
    if not text.startswith(", ", end):
        return False
    match = _TOKEN.match(text, end + 2)
    words = 0
    while match and words < 3:
        key = normalize(match.group())
        if gaz.has_key(key) or (text.startswith(".", match.end()) and gaz.has_key(key + ".")):
            return True
        words += 1
        match = _TOKEN.match(text, match.end() + 1)
    return False


def find_mentions(text: str, gaz: Gazetteer) -> list[Mention]:
    """Every place mention in ``text``, in order, without overlaps."""
    pairs = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    tokens = _Tokens([p[0] for p in pairs], [p[1] for p in pairs])
    mentions: list[Mention] = []
    i, n = 0, len(pairs)
    while i < n:
        first = text[pairs[i][0]]
        if not first.isupper() and (first not in "ae" or not _starts_name(text, tokens, i)):
            i += 1
            continue
        found = _lookup(text, tokens, i, gaz)
        if found is None:
            i += 1
            continue
        j, key, ids, demonym = found
        verdict = (
            ("keep" if _keep_demonym(text, tokens, j) else "drop")
            if demonym
            else _judge(text, tokens, i, j, key, ids, gaz)
        )
        if verdict != "drop":
            start, end = pairs[i][0], pairs[j][1] + (1 if key.endswith(".") else 0)
            if (
                i > 0
                and text[pairs[i - 1][1] : start] == "-"
                and text[pairs[i - 1][0] : pairs[i - 1][1]] in _ARABIC_ARTICLES
            ):
                start = pairs[i - 1][0]  # "al-Raqqa" names Raqqa with its article
            mentions.append(Mention(start, end, key, ids, demonym, verdict == "weak", verdict == "bare"))
        i = j + 1
    confirmed = {m.key for m in mentions if not m.weak}
    mentions = [m for m in mentions if not m.weak or m.key in confirmed]
    return _drop_person_names(text, mentions, tokens, gaz)


def _drop_person_names(text: str, mentions: list[Mention], tokens: _Tokens, gaz: Gazetteer) -> list[Mention]:
    """One sense per document: a name used as a surname anywhere ('Sheriff Anderson') is not a place elsewhere."""
    names = {text[m.start : m.end] for m in mentions if not m.demonym and " " not in text[m.start : m.end]}
    surnames = set()
    for i in range(1, len(tokens.starts)):
        word = text[tokens.starts[i] : tokens.ends[i]]
        if word in names and _is_person_context(text, tokens, i, gaz):
            surnames.add(normalize(word))
    if not surnames:
        return mentions
    return [m for m in mentions if m.demonym or m.key not in surnames or _strong(gaz, m.ids)]
