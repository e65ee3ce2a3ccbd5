"""Split a plain-text page dump (one paragraph a line) into stories.

Boilerplate lines are dropped, a headline starts a story, a truncated teaser ("...") is replaced by its
full paragraph wherever that appears, repeats merge into the first copy, and a paragraph joins the story
before it when it continues the topic: it opens with a cue ("He", "According to", a quotation mark) or
shares at least two salient terms with the story, one of them a name or a number. Requiring a shared name
keeps two unrelated stories of one kind apart ("earthquake" and "magnitude" alone do not join two quakes).

A page is read line by line and only the last ``WINDOW_STORIES`` stories are held: teasers, repeats and
repeated headlines are matched within that window, and a story that falls out of it is handed on and
forgotten, so a page dump of any length is split in bounded memory.
"""

from __future__ import annotations

import calendar
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Final

from geo.limits import MAX_STORY_CHARS
from geo.read.prose import first_sentence, fold, sentences

__all__ = ["Story", "split_lines", "split_page"]

#: A headline has fewer words than this and no terminal punctuation.
HEADLINE_MAX_WORDS: Final = 20
#: A line of fewer words than this without terminal punctuation is a menu item, not news.
MIN_WORDS: Final = 4
#: Boilerplate patterns only drop lines shorter than this, so a long story that mentions "cookies" stays.
BOILERPLATE_MAX_WORDS: Final = 30
#: Paragraphs are matched as repeats or teasers on at least this many folded characters.
MATCH_CHARS: Final = 24
#: Teasers, repeats and repeated headlines are matched within the last this many stories; an older story is
#: handed on and forgotten (a repeat of it further down the page starts a new story).
WINDOW_STORIES: Final = 200
#: Paragraphs remembered per opening (their first ``MATCH_CHARS`` folded characters) to match teasers and
#: repeats against: the most recent ones. Bounds the work per paragraph on a page where every paragraph
#: opens alike ("He said that the ...").
SAME_OPENING: Final = 16

_BOILERPLATE: Final = re.compile(
    r"""\b(?:app\s?store|play\s?store|google\s+play|download\s+(?:the|our)\b.*\bapp(?:lication)?
    |share\s+(?:this|on|via|the\s+article|the\s+story)|^share\b|subscribe|newsletter|cookies?\b
    |(?:sign|log)\s+(?:in|up)\b|follow\s+us|read\s+(?:more|also|next)|^see\s+also|advertisement|sponsored
    |(?:leave|add|post|write|load|view|show|see)\s+(?:a|the\s+first|all|\d+)?\s*comments?|\b\d+\s+comments?\b
    |first\s+to\s+comment|no\s+comments\s+yet|your\s+(?:opinion|thoughts|view)s?\b.*\?$
    |©|all\s+rights\s+reserved|^copyright\b|^(?:photo|image|picture|video|caption|credit)s?\s*:)""",
    re.IGNORECASE | re.VERBOSE,
)
_LABELS: Final = frozenset("live breaking update updated developing exclusive watch video".split())
_LABEL: Final = re.compile(r"^(?P<word>[^\W\d_]+)(?P<sep>\s*[:|•–—-]\s*|\s+)(?P<rest>\S.*)$")
_TERMINAL: Final = tuple('.!?"”’»')
_POSSESSIVE: Final = ("'s", "’s")
_CUE: Final = re.compile(
    r"""^(?:["“”‘'«]|(?:he|she|they|it|its|this|these|those|his|her|their|that|such)\b
    |the\s+(?:announcement|statement|move|decision|report|talks|incident|attack|spokesperson|spokesman)\b
    |according\s+to\b|meanwhile\b|however\b|in\s+addition\b|additionally\b|moreover\b)""",
    re.IGNORECASE | re.VERBOSE,
)
_WORD: Final = re.compile(r"(?:[A-Za-z]\.){2,}|\d+(?:[.,]\d+)*|[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_STOPWORDS: Final = frozenset(
    """about across after against almost already although always another around because before behind
    being below beside besides between beyond cannot during either enough further having however itself
    neither others rather should since themselves though through toward towards whether which within
    without according including previously reportedly recently reported saying
    """.split()
)
_GENERIC_NAMES: Final = frozenset(n.casefold() for n in (*calendar.day_name, *calendar.month_name) if n) | frozenset(
    "the a an in on at of and but for he she it they this these we i".split()
)


@dataclass(frozen=True, slots=True)
class Story:
    """One story of a page: a title and its full text (paragraphs joined by newlines)."""

    title: str
    text: str


@dataclass(slots=True)
class _Draft:
    title: str | None
    paragraphs: list[str] = field(default_factory=list)
    terms: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    #: Text whose salient terms are not yet in ``terms`` and ``names`` (they are only needed by ``_continues``).
    unlearned: list[str] = field(default_factory=list)
    #: False once a teaser ends the story: what follows a teaser is another card.
    open: bool = True
    #: The keys under which its paragraphs and teasers are indexed, to drop them when the story is forgotten.
    keys: set[str] = field(default_factory=set)
    #: Characters of its paragraphs.
    size: int = 0

    def add(self, paragraph: str) -> int:
        self.paragraphs.append(paragraph)
        self.size += len(paragraph)
        self.learn(paragraph)
        return len(self.paragraphs) - 1

    def takes(self, paragraph: str) -> bool:
        """Whether ``paragraph`` may join this story: it is open and stays under ``MAX_STORY_CHARS``."""
        return self.open and self.size + len(paragraph) <= MAX_STORY_CHARS

    def learn(self, paragraph: str) -> None:
        self.unlearned.append(paragraph)

    def salient(self) -> tuple[set[str], set[str]]:
        """(salient terms, names and numbers) of the title and paragraphs learned so far."""
        for paragraph in self.unlearned:
            terms, names = salient_terms(paragraph)
            self.terms |= terms
            self.names |= names
        self.unlearned.clear()
        return self.terms, self.names

    def story(self) -> Story:
        text = "\n".join(self.paragraphs) or (self.title or "")
        return Story(self.title or first_sentence(text), text)


@dataclass(frozen=True, slots=True)
class _Seen:
    draft: _Draft
    index: int
    folded: str


def salient_terms(paragraph: str) -> tuple[set[str], set[str]]:
    """(all salient terms, the names and numbers among them) of ``paragraph``, case folded."""
    terms: set[str] = set()
    names: set[str] = set()
    for sentence in sentences(paragraph):
        for position, match in enumerate(_WORD.finditer(sentence)):
            word = match.group()
            word = word[:-2] if word.endswith(_POSSESSIVE) else word
            key = word.casefold()
            if key in _GENERIC_NAMES:
                continue
            if word[0].isdigit() or (len(word) > 1 and word.isupper()) or (position > 0 and word[0].isupper()):
                names.add(key)
            elif len(word) < 6 or key in _STOPWORDS:
                continue
            terms.add(key)
    return terms, names


def strip_label(line: str) -> str:
    """``line`` without a leading "live", "LIVE" or "Breaking:" label (a title-case "Live music" stays)."""
    match = _LABEL.match(line)
    if not match or match.group("word").casefold() not in _LABELS:
        return line
    word, separated = match.group("word"), bool(match.group("sep").strip())
    return match.group("rest") if separated or word.islower() or word.isupper() else line


def is_boilerplate(line: str) -> bool:
    """True for share/subscribe/comment/cookie/app-store lines and short lines that are no sentence."""
    words = len(line.split())
    if words < MIN_WORDS and not line.endswith(_TERMINAL):
        return True
    return words < BOILERPLATE_MAX_WORDS and _BOILERPLATE.search(line) is not None


def teaser_text(line: str) -> str | None:
    """The text of a teaser, a paragraph cut short with "..." or "…" (None when ``line`` is not one)."""
    body = line.rstrip()
    if body.endswith("…"):
        body = body[:-1]
    elif body.endswith("..."):
        body = body.rstrip(".")
    else:
        return None
    return body.rstrip()


def is_headline(line: str) -> bool:
    """True for a short line without terminal punctuation."""
    return not line.endswith(_TERMINAL) and len(line.split()) < HEADLINE_MAX_WORDS


def _continues(draft: _Draft, paragraph: str) -> bool:
    """True when ``paragraph`` carries on the topic of ``draft``."""
    if _CUE.match(paragraph):
        return True
    terms, names = salient_terms(paragraph)
    draft_terms, draft_names = draft.salient()
    shared = draft_terms & terms
    return len(shared) >= 2 and bool(shared & (names | draft_names))


class _Page:
    """The last ``window`` stories of a page as they are read, with their paragraphs for repeats and teasers."""

    def __init__(self, window: int = WINDOW_STORIES) -> None:
        self.window = window
        self.drafts: deque[_Draft] = deque()
        self.current: _Draft | None = None
        self.seen: dict[str, list[_Seen]] = {}
        self.teasers: dict[str, list[_Seen]] = {}
        self.titles: dict[str, _Draft] = {}

    def read(self, raw: str) -> None:
        """Take the next line of the page (boilerplate and blank lines are dropped)."""
        line = strip_label(" ".join(raw.split()))
        if not line or is_boilerplate(line):
            return
        teaser = teaser_text(line)
        if is_headline(line) and teaser is None:
            self.headline(line)
        else:
            self.paragraph(line if teaser is None else teaser, teaser=teaser is not None)

    def overflow(self, *, final: bool = False) -> Iterator[Story]:
        """Forget the oldest stories beyond the window (all of them when ``final``); those that hold text."""
        while len(self.drafts) > (0 if final else self.window):
            draft = self._forget()
            if draft.paragraphs or draft.title:
                yield draft.story()

    def headline(self, line: str) -> None:
        known = self.titles.get(fold(line))
        self.current = known if known is not None else self._start(line)

    def paragraph(self, text: str, *, teaser: bool) -> None:
        folded = fold(text)
        known = self._repeat(folded, teaser) or (None if teaser else self._fill_teaser(text, folded))
        if known is not None:
            self.current = known
            return
        draft = self.current
        if draft is None or not draft.takes(text) or (draft.paragraphs and not _continues(draft, text)):
            draft = self._start(None)
        seen = _Seen(draft, draft.add(text), folded)
        _remember(self.teasers if teaser else self.seen, folded[:MATCH_CHARS], seen)
        draft.keys.add(folded[:MATCH_CHARS])
        draft.open = not teaser
        self.current = draft

    def _start(self, title: str | None) -> _Draft:
        draft = _Draft(title)
        if title is not None:
            draft.learn(title)
            self.titles[fold(title)] = draft
        self.drafts.append(draft)
        return draft

    def _forget(self) -> _Draft:
        """Drop the oldest story and its entries in the indexes; the story."""
        draft = self.drafts.popleft()
        title = fold(draft.title) if draft.title is not None else None
        if title is not None and self.titles.get(title) is draft:
            del self.titles[title]
        for index in (self.seen, self.teasers):
            for key in draft.keys:
                kept = [seen for seen in index.get(key, []) if seen.draft is not draft]
                if kept:
                    index[key] = kept
                else:
                    index.pop(key, None)
        if self.current is draft:
            self.current = None
        return draft

    def _repeat(self, folded: str, teaser: bool) -> _Draft | None:
        """The story that already holds this paragraph (or, for a teaser, a copy of it)."""
        candidates = self.seen.get(folded[:MATCH_CHARS], [])
        if teaser:
            candidates = candidates + self.teasers.get(folded[:MATCH_CHARS], [])
        for seen in candidates:
            if seen.folded == folded or (len(folded) >= MATCH_CHARS and seen.folded.startswith(folded)):
                return seen.draft
        return None

    def _fill_teaser(self, text: str, folded: str) -> _Draft | None:
        """Put a full paragraph in place of its teaser; the teaser's story, or None if there is none."""
        key = folded[:MATCH_CHARS]
        teasers = self.teasers.get(key, [])
        for seen in teasers:
            if len(folded) >= MATCH_CHARS and folded.startswith(seen.folded):
                seen.draft.size += len(text) - len(seen.draft.paragraphs[seen.index])
                seen.draft.paragraphs[seen.index] = text
                seen.draft.learn(text)
                seen.draft.open = True
                teasers.remove(seen)
                _remember(self.seen, key, _Seen(seen.draft, seen.index, folded))
                return seen.draft
        return None


def _remember(index: dict[str, list[_Seen]], key: str, seen: _Seen) -> None:
    """Index a paragraph under its opening, keeping the ``SAME_OPENING`` most recent ones per opening."""
    entries = index.setdefault(key, [])
    entries.append(seen)
    if len(entries) > SAME_OPENING:
        del entries[0]


def split_lines(lines: Iterable[str]) -> Iterator[Story]:
    """The stories of a page dump read lazily, line by line, in the order they first appear (see ``WINDOW_STORIES``)."""
    page = _Page()
    for raw in lines:
        page.read(raw)
        yield from page.overflow()
    yield from page.overflow(final=True)


def split_page(text: str) -> list[Story]:
    """The stories of a page dump, in the order they first appear."""
    return list(split_lines(text.splitlines()))
