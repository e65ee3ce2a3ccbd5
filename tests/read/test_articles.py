"""Tests of geo.read.articles (JSONL, CSV, feeds, HTML and page dumps) and geo.read.pagesplit (splitting a page)."""

from __future__ import annotations

import io
import json
import sys
import time
import urllib.error
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from geo import settings
from geo.read import textio
from geo.read.articles import iter_articles, read_articles
from geo.read.dates import parse_date
from geo.read.pagesplit import WINDOW_STORIES, _Page, _Seen, split_lines, split_page
from geo.read.prose import first_sentence
from geo.read.records import Article, Problem, article_id
from geo.read.webpages import html_text

TRUMP_XI_HEADLINE = "Trump, Xi hold high-stakes talks in South Korea amidst renewed tensions"
TRUMP_XI_FULL = (
    "U.S. President Donald Trump met with China's leader Xi Jinping at a South Korean air base on Thursday"
    " for discussions on a possible trade war truce between the world's two largest economies."
)
#: A phrase that only one story of the sample page holds.
SAMPLE_EVENTS = [
    "Xi Jinping",
    "rare earth",
    "object from another star",
    "Cebu City",
    "Drake Passage",
    "The war in Ukraine",
    "A shooting in Nice",
    "el-Fasher",
    "Pokrovsk",
    "International Atomic Energy Agency",
    "Hurricane Melissa",
]
BOILERPLATE_WORDS = ["App Store", "Play Store", "opinion", "comment", "download"]


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def jsonl(*items: object) -> str:
    return "".join(json.dumps(item) + "\n" for item in items)


def read(tmp_path: Path, name: str, data: bytes | str) -> tuple[list[Article], list[Problem]]:
    return read_articles(write(tmp_path, name, data))


# --- the sample page -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> list[Article]:
    articles, problems = read_articles(settings.SAMPLE_PAGE)
    assert problems == []
    return articles


def holding(articles: list[Article], phrase: str) -> list[Article]:
    return [a for a in articles if phrase in a.text]


def test_sample_has_eleven_stories(sample: list[Article]) -> None:
    assert len(sample) == 11


@pytest.mark.parametrize("phrase", SAMPLE_EVENTS)
def test_sample_has_one_story_per_event(sample: list[Article], phrase: str) -> None:
    assert len(holding(sample, phrase)) == 1


def test_sample_stories_are_in_page_order(sample: list[Article]) -> None:
    assert [next(i for i, a in enumerate(sample) if p in a.text) for p in SAMPLE_EVENTS] == list(range(11))


@pytest.mark.parametrize("word", BOILERPLATE_WORDS)
def test_sample_has_no_boilerplate(sample: list[Article], word: str) -> None:
    assert not [a for a in sample if word.casefold() in f"{a.title}\n{a.text}".casefold()]


def test_sample_headline_teaser_and_full_text_are_one_story(sample: list[Article]) -> None:
    [story] = holding(sample, "Xi Jinping")
    assert (story.title, story.text) == (TRUMP_XI_HEADLINE, TRUMP_XI_FULL)
    assert not [a for a in sample if a.text.endswith(("...", "…"))]


def test_sample_rare_earth_article_is_one_story(sample: list[Article]) -> None:
    [story] = holding(sample, "Moscow and Washington have initiated")
    paragraphs = story.text.split("\n")
    assert len(paragraphs) == 9
    assert paragraphs[-1].endswith("geopolitical dynamics.")
    assert story.title.startswith("Moscow and Washington have initiated discussions")
    assert len(story.title) <= 121
    assert len(holding(sample, "Dmitriev")) == len(holding(sample, "Izvestia")) == 1


@pytest.mark.parametrize(
    ("phrase", "title"),
    [
        (
            "Nice",
            "A shooting in Nice, southeastern France, left two people dead and five injured on Friday,"
            " authorities said.",
        ),
        (
            "Drake",
            "A tsunami threat was issued in Chile after a magnitude 7.8 earthquake struck the Drake Passage on Friday.",
        ),
        ("object", "A small, silent object from another star is cutting through the Solar System."),
    ],
)
def test_sample_one_paragraph_story_is_titled_by_its_first_sentence(
    sample: list[Article], phrase: str, title: str
) -> None:
    [story] = holding(sample, phrase)
    assert story.title == title
    assert "\n" not in story.text


def test_sample_reads_the_same_twice(sample: list[Article]) -> None:
    again, _ = read_articles(settings.SAMPLE_PAGE)
    assert [a.id for a in again] == [a.id for a in sample]
    assert len({a.id for a in sample}) == len(sample)
    assert all(a.id == article_id(a.title, a.text) and a.source == "news_page.txt" for a in sample)


# --- page splitting in general -----------------------------------------------------------------------------

PARAGRAPH = "A shooting in Nice, southeastern France, left two people dead on Friday, authorities said."


@pytest.mark.parametrize(
    "line",
    [
        "Share this article on Facebook",
        "Subscribe to our newsletter for daily updates",
        "We use cookies to improve your experience on our site.",
        "Sign in to continue reading",
        "Follow us on Telegram and X",
        "Read more",
        "Advertisement",
        "Get the Example News app on Google Play.",
        "Download our application from the App Store today.",
        "12 comments",
        "Be the first to comment!",
        "What do you think? Tell us your views on this story?",
        "Home News Sport",
        "© 2025 Example Media. All rights reserved.",
        "Photo: rescue workers search the rubble in Cebu City.",
    ],
)
def test_boilerplate_lines_are_dropped(line: str) -> None:
    assert [s.text for s in split_page(f"{line}\n{PARAGRAPH}\n{line}\n")] == [PARAGRAPH]


def test_a_story_that_mentions_comment_is_kept() -> None:
    line = "The ministry declined to comment on the report about the border closure."
    assert [s.text for s in split_page(line)] == [line]


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("BREAKING: Quake strikes off the coast of Chile", "Quake strikes off the coast of Chile"),
        ("LIVE Quake strikes off the coast of Chile", "Quake strikes off the coast of Chile"),
        ("UPDATE - Quake strikes off the coast of Chile", "Quake strikes off the coast of Chile"),
        ("Live music returns to the streets of Kyiv", "Live music returns to the streets of Kyiv"),
    ],
)
def test_label_word_is_stripped_from_headline(line: str, title: str) -> None:
    [story] = split_page(f"{line}\n{PARAGRAPH}\n")
    assert (story.title, story.text) == (title, PARAGRAPH)


def test_teaser_without_full_text_is_kept_without_dots() -> None:
    [story] = split_page("Flooding closes the main road into Porto Alegre after days of heavy rain in the south…\n")
    assert story.text == "Flooding closes the main road into Porto Alegre after days of heavy rain in the south"


def test_a_teaser_ends_its_card() -> None:
    teaser = "Trump met Xi Jinping in Busan on Thursday to discuss a trade truce between the two larg..."
    after = "Xi Jinping later told Trump in Busan that China wants a stable trade relationship."
    stories = split_page(f"{TRUMP_XI_HEADLINE}\n{teaser}\n{after}\n")
    assert [(s.title, s.text) for s in stories] == [(TRUMP_XI_HEADLINE, teaser[:-3]), (after, after)]


def test_teaser_after_its_full_text_merges_into_it() -> None:
    [story] = split_page(f"{PARAGRAPH}\n{PARAGRAPH[:40]}...\n")
    assert story.text == PARAGRAPH


def test_repeated_paragraph_merges_into_the_first() -> None:
    other = "Hurricane Melissa tore through the Caribbean on Wednesday, leaving at least 25 dead in Haiti."
    longer = f"{PARAGRAPH} Police are searching for the gunman."
    stories = split_page(f"{longer}\n{other}\n{longer}\n{PARAGRAPH}\n")
    assert [s.text for s in stories] == [longer, other]


def test_paragraphs_sharing_a_name_and_a_term_join() -> None:
    second = "Police in Nice said the shooting followed a dispute between two groups."
    [story] = split_page(f"{PARAGRAPH}\n{second}\n")
    assert story.text == f"{PARAGRAPH}\n{second}"


def test_same_kind_of_event_elsewhere_starts_a_new_story() -> None:
    first = "A magnitude 6.9 earthquake struck off the coast of Cebu City, killing 69 people."
    second = "A magnitude 7.8 earthquake struck the Drake Passage, prompting a tsunami threat in Chile."
    assert len(split_page(f"{first}\n{second}\n")) == 2


# --- page splitting in a window, line by line ---------------------------------------------------------------

RESCUE_HEADLINE = "Rescue teams reach villages cut off by the floods"
RESCUE_TEASER = "Rescue teams worked through the night to reach stranded families near Riverton..."
RESCUE_FULL = "Rescue teams worked through the night to reach stranded families near Riverton on Tuesday."
RESCUE_MORE = "They said more than 200 people had been moved to shelters."
QUAKE = "A magnitude 6.1 earthquake struck near Lima, Peru, killing 3 people."


def card(n: int) -> list[str]:
    """A headline and its paragraph, sharing nothing with another card's."""
    return [f"Flood report {n} from the lower valley", f"{n}: heavy rain closed the road to the coast on Monday."]


def cards(count: int) -> list[str]:
    return [line for n in range(count) for line in card(n)]


def test_split_lines_yields_a_story_once_it_leaves_the_window() -> None:
    read: list[str] = []

    def lines() -> Iterator[str]:
        for line in cards(WINDOW_STORIES + 1):
            read.append(line)
            yield line
        raise RuntimeError("read past the window")

    stories = split_lines(lines())
    first = next(stories)
    assert [first.title, first.text] == card(0)
    assert len(read) == 2 * WINDOW_STORIES + 1
    with pytest.raises(RuntimeError, match="past the window"):
        list(stories)


def indexed(index: dict[str, list[_Seen]]) -> int:
    return sum(len(entries) for entries in index.values())


def test_the_window_bounds_the_indexes_of_a_long_page() -> None:
    page, largest, count = _Page(), 0, 5000
    for n in range(count):
        teaser = f"District {n} rescue teams worked through the night to reach stranded families..."
        for line in [card(n)[0], teaser, *([teaser[:-3] + " on Tuesday."] if n % 2 else [])]:
            page.read(line)
            list(page.overflow())
        sizes = (len(page.drafts), len(page.titles), len(page.seen), len(page.teasers))
        largest = max(largest, *sizes, indexed(page.seen), indexed(page.teasers))
    assert largest == WINDOW_STORIES
    window = {id(draft) for draft in page.drafts}
    assert {id(draft) for draft in page.titles.values()} == window
    assert {id(seen.draft) for entries in (*page.seen.values(), *page.teasers.values()) for seen in entries} == window


def test_split_lines_of_a_long_page_keeps_every_story_in_order() -> None:
    count = 3 * WINDOW_STORIES + 7
    stories = list(split_lines(iter(cards(count))))
    assert [[story.title, story.text] for story in stories] == [card(n) for n in range(count)]


@pytest.mark.parametrize(("between", "merged"), [(WINDOW_STORIES - 2, True), (WINDOW_STORIES, False)])
def test_teasers_repeats_and_headlines_merge_within_the_window(between: int, merged: bool) -> None:
    lines = [RESCUE_HEADLINE, RESCUE_TEASER, QUAKE, *cards(between), RESCUE_FULL, QUAKE, RESCUE_HEADLINE, RESCUE_MORE]
    stories = [(story.title, story.text) for story in split_lines(lines)]
    middle = [(title, text) for title, text in map(card, range(between))]
    if merged:
        assert stories == [(RESCUE_HEADLINE, f"{RESCUE_FULL}\n{RESCUE_MORE}"), (QUAKE, QUAKE), *middle]
    else:
        first = [(RESCUE_HEADLINE, RESCUE_TEASER[:-3]), (QUAKE, QUAKE)]
        last = [(RESCUE_FULL, RESCUE_FULL), (QUAKE, QUAKE), (RESCUE_HEADLINE, RESCUE_MORE)]
        assert stories == [*first, *middle, *last]


def test_first_sentence_skips_abbreviations_and_cuts_on_a_word() -> None:
    assert first_sentence("U.S. officials met Dr. Smith in Seoul. Then they left.") == (
        "U.S. officials met Dr. Smith in Seoul."
    )
    cut = first_sentence("word " * 60)
    assert cut.endswith("word…")
    assert len(cut) <= 121


def test_article_id_ignores_case_width_and_spacing() -> None:
    assert article_id("Quake  in CHILE", "Ｔext\n here") == article_id("quake in chile", "text here")
    assert article_id("a", "b") != article_id("a b", "")
    assert len(article_id("a", "b")) == 16


# --- JSONL ---------------------------------------------------------------------------------------------------


def test_jsonl_fields_extras_and_id_hint(tmp_path: Path) -> None:
    record = {
        "id": "given-id",
        "title": "Quake strikes Chile",
        "text": "A magnitude 7.8 earthquake struck the Drake Passage.",
        "url": "https://example.org/quake",
        "source": "Example Wire",
        "published_at": "2025-10-10T08:00:00+02:00",
        "tags": ["quake"],
        "score": {"nested": 1},
    }
    [article], problems = read(tmp_path, "news.jsonl", jsonl(record))
    assert problems == []
    assert article == Article(
        article_id(record["title"], record["text"]),  # type: ignore[arg-type]
        "Quake strikes Chile",
        "A magnitude 7.8 earthquake struck the Drake Passage.",
        "https://example.org/quake",
        "Example Wire",
        datetime(2025, 10, 10, 6, 0, tzinfo=UTC),
    )


def test_jsonl_bad_line_is_a_problem_and_the_rest_is_kept(tmp_path: Path) -> None:
    data = jsonl({"text": "First story."}) + "{not json\n\n" + jsonl({"text": "Second story."}, {"title": 5})
    articles, problems = read(tmp_path, "news.ndjson", data)
    assert [a.text for a in articles] == ["First story.", "Second story."]
    assert [p.where for p in problems] == [f"{tmp_path / 'news.ndjson'}:2", f"{tmp_path / 'news.ndjson'}:5"]
    assert "not JSON" in problems[0].message
    assert '"title" must be a string' in problems[1].message


def test_jsonl_record_without_title_or_text_is_a_problem(tmp_path: Path) -> None:
    articles, [problem] = read(tmp_path, "news.jsonl", jsonl({"id": 1, "url": "https://example.org"}))
    assert articles == []
    assert problem.where.endswith("news.jsonl:1")
    assert "neither" in problem.message
    assert "skipped" in problem.message


def test_jsonl_title_only_and_text_only(tmp_path: Path) -> None:
    data = jsonl({"title": "Quake strikes Chile"}, {"text": "Two dead in Nice. Police are searching."})
    articles, _ = read(tmp_path, "news.jsonl", data)
    assert [(a.title, a.text, a.source) for a in articles] == [
        ("Quake strikes Chile", "Quake strikes Chile", "news.jsonl"),
        ("Two dead in Nice.", "Two dead in Nice. Police are searching.", "news.jsonl"),
    ]


def test_jsonl_bad_date_keeps_the_article(tmp_path: Path) -> None:
    [article], [problem] = read(tmp_path, "news.jsonl", jsonl({"text": "x y z.", "published_at": "last Friday"}))
    assert article.published_at is None
    assert "'last Friday' is not a date" in problem.message


def test_json_file_streams_lazily(tmp_path: Path) -> None:
    data = jsonl({"text": "First."}) + jsonl(*[{"text": f"Story {n}."} for n in range(2000)]) + "oops\n"
    problems: list[Problem] = []
    articles = iter_articles(write(tmp_path, "big.json", data), problems)
    assert next(articles).text == "First."
    assert problems == []
    assert len(list(articles)) == 2000
    assert [p.where.rsplit(":", 1)[1] for p in problems] == ["2002"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-10-10T08:00:00+02:00", datetime(2025, 10, 10, 6, 0, tzinfo=UTC)),
        ("2025-10-10T08:00:00Z", datetime(2025, 10, 10, 8, 0, tzinfo=UTC)),
        ("2025-10-10 08:00", datetime(2025, 10, 10, 8, 0, tzinfo=UTC)),
        ("2025-10-10", datetime(2025, 10, 10, tzinfo=UTC)),
        ("Fri, 10 Oct 2025 08:00:00 +0200", datetime(2025, 10, 10, 6, 0, tzinfo=UTC)),
        ("Fri, 10 Oct 2025 08:00:00", datetime(2025, 10, 10, 8, 0, tzinfo=UTC)),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(value: str, expected: datetime | None) -> None:
    assert parse_date(value) == expected


def test_parse_date_falls_back_to_the_parsed_struct() -> None:
    assert parse_date("10/10/25 8am", time.gmtime(0)) == datetime(1970, 1, 1, tzinfo=UTC)


def test_to_dict_is_json_and_round_trips() -> None:
    article = Article.create("T", "Body.", url="https://e.org", published_at=datetime(2025, 1, 2, 3, 4, tzinfo=UTC))
    data = json.loads(json.dumps(article.to_dict()))
    assert data["published_at"] == "2025-01-02T03:04:00+00:00"
    assert Article.from_dict(data) == article


# --- CSV -------------------------------------------------------------------------------------------------------


def test_csv_with_missing_optional_columns(tmp_path: Path) -> None:
    articles, problems = read(tmp_path, "news.csv", 'Title,text\nQuake,"A quake, a big one."\n,Only text here.\n')
    assert problems == []
    assert [(a.title, a.text, a.url, a.published_at) for a in articles] == [
        ("Quake", "A quake, a big one.", None, None),
        ("Only text here.", "Only text here.", None, None),
    ]


def test_csv_unterminated_quote_is_a_problem_and_other_rows_are_kept(tmp_path: Path) -> None:
    articles, [problem] = read(tmp_path, "news.csv", 'title,text\nOne,first\nTwo,"never closed\nThree,third\n')
    assert [(a.title, a.text) for a in articles] == [("One", "first"), ("Three", "third")]
    assert problem.where == f"{tmp_path / 'news.csv'}:3"
    assert problem.message == "bad CSV row (a quoted field is never closed); skipped line 3"


def test_csv_stray_quote_before_a_multiline_field(tmp_path: Path) -> None:
    data = 'title,text\nOne,first\nTwo,"stray\nThree,third\nFour,"multi\nline"\nFive,fifth\n'
    articles, [problem] = read(tmp_path, "news.csv", data)
    assert [a.title for a in articles] == ["One", "Three", "Four", "Five"]
    assert articles[2].text == "multi\nline"
    assert problem.where == f"{tmp_path / 'news.csv'}:3"


def test_csv_bad_rows_name_their_lines(tmp_path: Path) -> None:
    data = 'title,text\n"One"x,first\nTwo,second,extra\nThree,third\n'
    articles, problems = read(tmp_path, "news.csv", data)
    assert [a.title for a in articles] == ["Three"]
    assert [p.where.rsplit(":", 1)[1] for p in problems] == ["2", "3"]
    assert "3 fields but the header has 2" in problems[1].message


def test_csv_big_field(tmp_path: Path) -> None:
    body = "word " * 100_000
    [article], problems = read(tmp_path, "news.csv", f'title,text\nBig,"{body}"\n')
    assert (problems, article.text) == ([], body.strip())


def test_csv_without_title_or_text_column(tmp_path: Path) -> None:
    articles, [problem] = read(tmp_path, "news.csv", "headline,body\na,b\n")
    assert articles == []
    assert 'neither a "title" nor a "text" column' in problem.message


# --- feeds ------------------------------------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Example Wire</title><link>https://example.org</link>
<item><title>Quake strikes Chile</title><link>https://example.org/quake</link>
<description>&lt;p&gt;A magnitude 7.8 earthquake struck the &lt;b&gt;Drake Passage&lt;/b&gt;.&lt;/p&gt;
&lt;script&gt;alert(1)&lt;/script&gt;</description>
<pubDate>Fri, 10 Oct 2025 08:00:00 +0200</pubDate></item>
<item><title>Shooting in Nice</title><link>https://example.org/nice</link>
<description><![CDATA[<p>Two dead &amp; five injured.</p><script>steal()</script>
<style>p{color:red}</style>]]></description>
</item></channel></rss>
"""
ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>
<entry><title type="html">Hurricane &lt;i&gt;Melissa&lt;/i&gt; hits Jamaica</title>
<link href="https://example.org/melissa"/><updated>2025-10-29T12:00:00Z</updated>
<content type="html">&lt;p&gt;Winds of 185 mph.&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</content></entry></feed>
"""


def test_rss_items_become_articles(tmp_path: Path) -> None:
    articles, problems = read(tmp_path, "wire.rss", RSS)
    assert problems == []
    assert [(a.title, a.text, a.url, a.source, a.published_at) for a in articles] == [
        (
            "Quake strikes Chile",
            "A magnitude 7.8 earthquake struck the Drake Passage.",
            "https://example.org/quake",
            "Example Wire",
            datetime(2025, 10, 10, 6, 0, tzinfo=UTC),
        ),
        ("Shooting in Nice", "Two dead & five injured.", "https://example.org/nice", "Example Wire", None),
    ]


def test_atom_entries_become_articles(tmp_path: Path) -> None:
    [article], problems = read(tmp_path, "feed.atom", ATOM)
    assert problems == []
    assert (article.title, article.text, article.url) == (
        "Hurricane Melissa hits Jamaica",
        "Winds of 185 mph.",
        "https://example.org/melissa",
    )
    assert article.published_at == datetime(2025, 10, 29, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("feed", [RSS, ATOM])
def test_feed_is_sniffed_without_an_extension(tmp_path: Path, feed: str) -> None:
    articles, _ = read(tmp_path, "download", feed)
    assert articles
    assert not [a for a in articles if "alert" in a.text or "steal" in a.text or "color" in a.text or "<" in a.text]


def test_truncated_feed_keeps_recovered_entries(tmp_path: Path) -> None:
    articles, [problem, *_] = read(tmp_path, "wire.xml", RSS[: RSS.index("<title>Shooting")] + "<title>Shoot")
    assert [a.title for a in articles][:1] == ["Quake strikes Chile"]
    assert "not well-formed" in problem.message
    assert problem.where == str(tmp_path / "wire.xml")


def test_entity_expansion_is_not_performed(tmp_path: Path) -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    feed = (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n' + "\n".join(levels) + "\n]>\n"
        "<rss version='2.0'><channel><title>T</title><item><title>Boom &lol9;</title>"
        "<description>x &lol9; y</description></item></channel></rss>"
    )
    started = time.monotonic()
    articles, problems = read(tmp_path, "bomb.xml", feed)
    assert time.monotonic() - started < 10
    assert [p.message for p in problems] == [
        "the feed declares XML entities: its DOCTYPE was dropped, nothing was expanded"
    ]  # and their references went with it, so the feed is well-formed
    assert [(a.title, a.text) for a in articles] == [("Boom", "x y")]
    assert articles
    assert all("lollol" not in a.title + a.text for a in articles)


# --- HTML -------------------------------------------------------------------------------------------------------

PAGE = """<!doctype html><html><head><title>Quake hits Chile | Example News</title>
<meta property="og:title" content="Quake hits Chile">
<meta property="og:site_name" content="Example News">
<meta property="og:url" content="https://example.org/quake">
<meta property="article:published_time" content="2025-10-10T08:00:00+02:00">
<style>body { color: red }</style><script>var tracker = "secret";</script></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>Quake hits Chile</h1>
<p>A magnitude 7.8 earthquake struck the Drake Passage on Friday, officials in Santiago said.</p>
<script>alert(1)</script><style>.ad { display: none }</style>
<p>The epicenter was located 135 miles south of Puerto Williams on Navarino Island.</p></article></body></html>
"""


def test_html_page_without_scripts_and_styles(tmp_path: Path) -> None:
    [article], problems = read(tmp_path, "quake.html", PAGE)
    assert problems == []
    assert article.title == "Quake hits Chile"
    assert "Drake Passage" in article.text
    assert "Puerto Williams" in article.text
    for leak in ("alert", "tracker", "color", "display", "<"):
        assert leak not in article.text
    assert (article.url, article.source) == ("https://example.org/quake", "Example News")
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2025-10-10"


def test_html_title_from_title_element(tmp_path: Path) -> None:
    page = (
        "<html><head><title>Shooting in Nice</title><style>p{color:red}</style></head><body>"
        f"<p>{PARAGRAPH}</p><script>alert(1)</script></body></html>"
    )
    [article], _ = read(tmp_path, "page.txt", page)
    assert (article.title, article.text) == ("Shooting in Nice", PARAGRAPH)


def test_html_in_a_declared_charset(tmp_path: Path) -> None:
    page = f"<html><head><meta charset='iso-8859-1'><title>Café</title></head><body><p>{PARAGRAPH}</p></body></html>"
    [article], problems = read(tmp_path, "page.htm", page.encode("latin-1"))
    assert (article.title, problems) == ("Café", [])


def test_html_text_of_a_fragment() -> None:
    fragment = "<p>Tom &amp; Jerry&#39;s <b>café</b></p><script>if (a < b) alert(1)</script><p>Second</p>"
    assert html_text(fragment) == "Tom & Jerry's café\nSecond"


# --- empty, binary, undecodable, missing -----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "data"), [("empty.txt", b""), ("blank.jsonl", b"\n  \n"), ("empty.csv", b"")])
def test_empty_file(tmp_path: Path, name: str, data: bytes) -> None:
    articles, [problem] = read(tmp_path, name, data)
    assert articles == []
    assert (problem.where, problem.message) == (str(tmp_path / name), "empty: no articles")


@pytest.mark.parametrize("name", ["image.txt", "data.jsonl", "page.html"])
def test_binary_file(tmp_path: Path, name: str) -> None:
    articles, [problem] = read(tmp_path, name, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01" * 20)
    assert articles == []
    assert "binary" in problem.message


def test_non_utf8_text_is_replaced_with_a_problem(tmp_path: Path) -> None:
    [article], [problem] = read(
        tmp_path, "latin.txt", "Café owners in Nice said the shooting was shocking.".encode("cp1252")
    )
    assert article.text == "Caf\ufffd owners in Nice said the shooting was shocking."
    assert problem.where == str(tmp_path / "latin.txt")
    assert "not UTF-8" in problem.message


def test_non_utf8_lines_give_one_problem_naming_the_first(tmp_path: Path) -> None:
    data = f"{PARAGRAPH}\n".encode() + b"Caf\xe9 owners in Nice were shocked.\n" + b"\xff " + PARAGRAPH.encode()
    found, [problem] = read(tmp_path, "latin.txt", data)
    assert [a.text for a in found] == [PARAGRAPH, "Caf\ufffd owners in Nice were shocked.", f"\ufffd {PARAGRAPH}"]
    assert problem.where == str(tmp_path / "latin.txt")
    offset = data.index(b"\xe9")
    assert problem.message == f"not UTF-8 (first bad byte on line 2, at offset {offset}): replaced by U+FFFD"


def test_page_dump_with_a_bom_and_crlf(tmp_path: Path) -> None:
    [article], problems = read(
        tmp_path, "bom.txt", b"\xef\xbb\xbf" + f"{TRUMP_XI_HEADLINE}\r\n{PARAGRAPH}\r\n".encode()
    )
    assert ((article.title, article.text), problems) == ((TRUMP_XI_HEADLINE, PARAGRAPH), [])


def test_page_dump_of_boilerplate_only(tmp_path: Path) -> None:
    found, [problem] = read(tmp_path, "menu.txt", "Home\nNews\nSport\nSubscribe to our newsletter\n")
    assert found == []
    assert problem.message == "no news text found (only menu or boilerplate lines)"


def test_page_dump_line_longer_than_the_limit_is_read_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 196
    monkeypatch.setattr(textio, "MAX_PARAGRAPH_BYTES", limit)
    long = " ".join(f"Report {n}: the storm cut power in São Paulo and Zürich overnight." for n in range(20))
    encoded = long.encode()
    assert any(encoded[cut] & 0xC0 == 0x80 for cut in range(limit + 1, len(encoded), limit + 1)), (
        "no cut inside a character"
    )
    path = write(tmp_path, "long.txt", f"Storm cuts power in São Paulo\n{long}\n")
    [article], [problem] = read_articles(path)
    assert article.title == "Storm cuts power in São Paulo"
    assert article.text.split() == long.split()
    assert article.text.count("\n") >= len(encoded) // limit
    assert (problem.where, problem.message) == (
        f"{path}:2",
        f"longer than {limit} bytes: read in pieces cut at spaces, each a paragraph",
    )


def test_page_dump_line_of_exactly_the_limit_is_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textio, "MAX_PARAGRAPH_BYTES", 60)
    line = "A storm cut power across the north of the city on Monday "
    line += "a" * (59 - len(line)) + "."
    articles, problems = read(
        tmp_path, "exact.txt", f"Storm cuts power in Leeds\n{line}\nThe power came back on Tuesday.\n"
    )
    assert problems == []
    assert articles[0].text.split("\n")[0] == line


def test_csv_line_over_the_limit_is_refused_by_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(textio, "MAX_LINE_BYTES", 80)
    data = (
        "title,text\nFlood in Lyon,Water rose in Lyon.\nLong one," + "x" * 100 + "\nQuake in Oslo,A quake hit Oslo.\n"
    )
    articles, [problem] = read(tmp_path, "long.csv", data)
    assert [a.title for a in articles] == ["Flood in Lyon", "Quake in Oslo"]
    assert (problem.where, problem.message) == (f"{tmp_path / 'long.csv'}:3", "longer than 80 bytes; skipped line 3")


@pytest.mark.parametrize(
    "feed",
    [
        b'<!-- <!DOCTYPE x> --><!DOCTYPE rss [<!ENTITY b "BOOM">]><rss><channel><item><title>Flood &b; hits</title>'
        b"</item></channel></rss>",
        b'<!DOCTYPE rss [<!ENTITY b "BO>O]M">]><rss><channel><item><title>Flood &b; hits</title></item>'
        b"</channel></rss>",
        b"<!DOCTYPE rss " + b"[]" * 5000 + b"[<rss><channel><item><title>Flood &b; hits</title></item></channel></rss>",
    ],
    ids=["doctype-in-a-comment", "brackets-in-a-value", "unclosed-subset"],
)
def test_no_feed_gets_an_entity_expanded(tmp_path: Path, feed: bytes) -> None:
    started = time.monotonic()
    articles, _ = read(tmp_path, "feed.xml", feed)
    assert time.monotonic() - started < 5
    assert all("BOOM" not in a.title + a.text for a in articles)


def test_entities_declared_outside_a_doctype_are_refused(tmp_path: Path) -> None:
    articles, problems = read(
        tmp_path, "feed.xml", b'<rss><!ENTITY b "BOOM"><channel><item><title>T &b;</title></item></channel></rss>'
    )
    assert articles == []
    assert problems[-1].message == "XML entity declarations outside a DOCTYPE: not read"


def test_missing_file(tmp_path: Path) -> None:
    articles, [problem] = read_articles(tmp_path / "nope.jsonl")
    assert articles == []
    assert "could not open" in problem.message


# --- URL and stdin ----------------------------------------------------------------------------------------------


def test_url_goes_through_fetch(tmp_path: Path) -> None:
    asked: list[str] = []

    def fetch(url: str) -> bytes:
        asked.append(url)
        return RSS.encode()

    articles, problems = read_articles("https://example.org/feed", fetch=fetch)
    assert asked == ["https://example.org/feed"]
    assert (len(articles), problems) == (2, [])


def test_url_page_dump_is_credited_to_its_host() -> None:
    [article], _ = read_articles("https://news.example.org/today", fetch=lambda url: PARAGRAPH.encode())
    assert (article.text, article.url, article.source) == (
        PARAGRAPH,
        "https://news.example.org/today",
        "news.example.org",
    )


def test_url_extension_picks_the_format() -> None:
    data = jsonl({"title": "Quake", "text": "Body."}).encode()
    [article], _ = read_articles("https://example.org/dump.jsonl?x=1", fetch=lambda url: data)
    assert (article.title, article.text) == ("Quake", "Body.")


def test_url_that_fails_is_a_problem() -> None:
    def fetch(url: str) -> bytes:
        raise urllib.error.URLError("no route to host")

    articles, [problem] = read_articles("http://example.org/x", fetch=fetch)
    assert articles == []
    assert problem.where == "http://example.org/x"
    assert "could not fetch" in problem.message


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = jsonl({"title": "Quake", "text": "Body."}, {"text": "Other."}).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    articles, problems = read_articles("-")
    assert ([a.text for a in articles], problems) == (["Body.", "Other."], [])
    assert articles[0].source is None


def test_stdin_page_dump(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(settings.SAMPLE_PAGE.read_bytes())))
    articles, _ = read_articles("-")
    assert len(articles) == 11


def test_stdin_csv_is_sniffed_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'"Title",Text\nQuake,"Body, long."\n')))
    [article], problems = read_articles("-")
    assert ((article.title, article.text), problems) == (("Quake", "Body, long."), [])
