"""Attacks on the readers, each a class of input rather than one payload: entities hidden by an encoding, charsets
that are no character set, records that would raise, limits on one story, binary-looking text."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from geo.limits import MAX_STORY_CHARS, MAX_TITLE_CHARS, bounded_number
from geo.read import records
from geo.read.articles import Upload, read_articles
from geo.read.charsets import html_encoding, looks_binary, text_encoding, xml_encoding
from geo.read.dates import EARLIEST, LATEST, parse_date
from geo.read.defuse import MAX_TAG_CHARS, feed_bytes, lean_markup

ITEM = "<item><title>Flood in Lyon</title><description>Floods killed 3 people in Lyon.</description></item>"
#: Nested entities: a million "lol" if expanded (six levels of ten).
LAUGHS = "".join(
    f'<!ENTITY l{n} "{("&l" + str(n - 1) + ";") * 10 if n else "lol"}">' for n in range(7)
)  # fmt: skip


def feed(encoding: str, *, declared: str | None = None, bom: bool = False) -> bytes:
    """A feed declaring nested entities and using them, written in ``encoding``."""
    name = declared or encoding
    text = (
        f'<?xml version="1.0" encoding="{name}"?><!DOCTYPE rss [{LAUGHS}]>'
        f"<rss><channel><title>Wire &l6;</title>{ITEM}<item><title>Laughs &l6;</title>"
        "<description>x &l6;</description></item></channel></rss>"
    )
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" if bom and encoding == "utf-8" else b"") + data


ENCODINGS = [
    ("utf-8", None, True),
    ("utf-16", None, False),  # Python's utf-16 writes a byte-order mark
    ("utf-16-le", "utf-16", False),  # no mark: told by the layout of "<?xml"
    ("utf-16-be", "utf-16", False),
    ("utf-32", None, False),
    ("utf-32-le", "utf-32", False),
    ("utf-7", None, False),
    ("cp037", None, False),  # EBCDIC
    ("cp500", None, False),
    ("latin-1", None, False),
]


@pytest.mark.parametrize(("encoding", "declared", "bom"), ENCODINGS, ids=[e[0] for e in ENCODINGS])
def test_no_encoding_hides_an_entity_from_the_defence(encoding: str, declared: str | None, bom: bool) -> None:
    articles, problems = read_articles(Upload("feed.xml", feed(encoding, declared=declared, bom=bom)))
    assert "Flood in Lyon" in [a.title for a in articles]
    assert all("lol" not in a.title + a.text + (a.source or "") for a in articles)
    assert any("DOCTYPE was dropped" in p.message for p in problems)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-7", "cp037"])
def test_entities_outside_a_doctype_are_refused_in_any_encoding(encoding: str) -> None:
    text = f'<?xml version="1.0" encoding="{encoding}"?><rss><!ENTITY b "BOOM">{ITEM}</rss>'
    articles, problems = read_articles(Upload("feed.xml", text.encode(encoding)))
    assert articles == []
    assert problems[-1].message == "XML entity declarations outside a DOCTYPE: not read"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><rss/>', "iso8859-1"),
        (b'<?xml version="1.0"?><rss/>', "utf-8"),
        (b'<?xml version="1.0" encoding="utf-16"?><rss/>', "utf-8"),  # ASCII bytes cannot be UTF-16
        (b'<?xml version="1.0" encoding="base64"?><rss/>', "utf-8"),
        (b'<?xml version="1.0" encoding="no-such-thing"?><rss/>', "utf-8"),
        (b"\xff\xfe<\x00?\x00", "utf-16"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"<\x00?\x00x\x00m\x00", "utf-16-le"),
        (b"Lo\xa7\x94\x93@\xa5\x85", "cp037"),
    ],
)
def test_the_encoding_of_a_feed_is_decided_from_its_bytes(data: bytes, expected: str) -> None:
    assert xml_encoding(data) == expected


@pytest.mark.parametrize(
    "label", ["base64", "hex", "rot13", "rot-13", "zlib", "bz2", "quopri", "uu", "idna", "punycode"]
)
def test_codecs_that_are_no_character_set_are_refused(label: str) -> None:
    assert text_encoding(label) is None


@pytest.mark.parametrize("label", ["base64", "hex", "rot13", "zlib", "unicode_escape", "undefined", "x-nonsense"])
def test_an_html_page_declaring_a_codec_is_read_as_utf8(label: str) -> None:
    page = (
        f'<html><head><meta charset="{label}"><title>Floods in Lyon</title></head><body><p>Floods killed 3 people'
        " in Lyon, France, on Monday after the river burst its banks overnight.</p></body></html>"
    )
    [article], problems = read_articles(Upload("page.html", page.encode()))
    assert "Floods killed 3 people in Lyon" in article.text
    assert problems == []


def test_an_html_page_in_utf16_with_its_mark_is_read() -> None:
    page = '<html><head><meta charset="utf-16"><title>Crue à Lyon</title></head><body><p>La crue a tué 3 personnes.'
    page += " Les secours sont intervenus toute la nuit à Lyon.</p></body></html>"
    [article], _ = read_articles(Upload("page.html", page.encode("utf-16")))
    assert article.title == "Crue à Lyon"
    assert html_encoding(page.encode("utf-8")) == "utf-8"  # a UTF-16 declaration in UTF-8 bytes


def test_an_html_doctype_with_an_internal_subset_shows_no_trace() -> None:
    page = f"<!DOCTYPE html [{LAUGHS}]><html><body><p>Floods killed 3 people in Lyon, France, on Monday. &l6;</p>"
    page += "<p>The river burst its banks overnight and rescuers worked until dawn.</p></body></html>"
    [article], _ = read_articles(Upload("page.html", page.encode()))
    assert "lol" not in article.text and "]>" not in article.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
@pytest.mark.parametrize(
    ("name", "text", "title"),
    [
        ("a.jsonl", '{"title": "Flood in Lyon", "text": "Floods killed 3 people in Lyon."}\n', "Flood in Lyon"),
        ("a.csv", "title,text\nFlood in Lyon,Floods killed 3 people in Lyon.\n", "Flood in Lyon"),
        (
            "a.txt",
            "Flood in Lyon kills three\nFloods killed 3 people in Lyon, officials said.\n",
            "Flood in Lyon kills three",
        ),
    ],
)
def test_line_formats_in_utf16_or_utf32_with_a_mark_are_read(encoding: str, name: str, text: str, title: str) -> None:
    [article], problems = read_articles(Upload(name, text.encode(encoding)))
    assert (article.title, problems) == (title, [])


def test_a_nul_byte_in_one_jsonl_line_is_that_line_s_problem() -> None:
    data = b'{"title": "Bad", "text": "x\x00y"}\n{"title": "Flood in Lyon", "text": "Floods in Lyon."}\n'
    [article], [problem] = read_articles(Upload("a.jsonl", data))
    assert article.title == "Flood in Lyon"
    assert problem.where == "a.jsonl:1" and "not JSON" in problem.message


@pytest.mark.parametrize("name", ["a.csv", "a.txt"])
def test_control_characters_in_a_story_are_dropped(name: str) -> None:
    head = "title,text\n" if name == "a.csv" else "Flood in Lyon\n"
    row = "Flood in Lyon,Floods\x00 killed\x07 3 people.\n" if name == "a.csv" else "Floods\x00 killed\x07 3 people.\n"
    [article], _ = read_articles(Upload(name, (head + row).encode()))
    assert article.text == "Floods killed 3 people."


def test_binary_data_is_still_refused() -> None:
    assert looks_binary(bytes(range(256)) * 4)
    assert not looks_binary(b'{"text": "a"}\n' * 100 + b"\x00")
    articles, [problem] = read_articles(Upload("a.jsonl", b"\x89PNG\r\n\x1a\n" + bytes(2000)))
    assert articles == [] and problem.message.startswith("binary data, not text")


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_thousands_deep_is_that_line_s_problem(depth: int) -> None:
    data = b'{"title": "x", "text": ' + b"[" * depth + b"\n" + b'{"title": "Flood in Lyon", "text": "Floods."}\n'
    data += b'{"title": "y", "text": "z", "extra": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}\n"
    articles, problems = read_articles(Upload("a.jsonl", data))
    assert "Flood in Lyon" in [a.title for a in articles]
    assert problems[0].where == "a.jsonl:1"


@pytest.mark.parametrize(
    "value",
    [
        "1500-01-01",
        "2300-06-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "Mon, 01 Jan 0001",
    ],
)
def test_a_date_outside_the_store_s_years_is_left_empty_with_a_problem(value: str) -> None:
    lines = [{"title": "Old", "text": "Floods in Lyon.", "published_at": value}, {"title": "Flood", "text": "Lyon."}]
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    articles, [problem] = read_articles(Upload("a.jsonl", data))
    assert [a.published_at for a in articles] == [None, None]
    assert f"is not a date in {EARLIEST.year}-{LATEST.year}" in problem.message


def test_dates_at_the_edges_of_the_range_are_kept() -> None:
    assert parse_date("1678-01-01T00:00:00Z") == EARLIEST
    assert parse_date("2261-12-31T23:59:59Z") == LATEST
    assert parse_date("2025-01-06T10:00:00+02:00") == datetime(2025, 1, 6, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,200", 1200.0),
        ("2.5", 2.5),
        ("1" * 15, float("1" * 15)),
        ("1" * 16, None),
        ("1" * 400, None),
        ("1e400", None),
    ],
)
def test_every_number_read_from_text_is_bounded(text: str, value: float | None) -> None:
    assert bounded_number(text) == value


def test_a_long_story_is_cut_with_a_problem_naming_it() -> None:
    text = "Floods in Lyon. " * (MAX_STORY_CHARS // 16 + 1000)
    data = json.dumps({"title": "Endless flood", "text": text}).encode() + b"\n"
    [article], [problem] = read_articles(Upload("a.jsonl", data))
    assert len(article.text) <= MAX_STORY_CHARS and article.text.startswith("Floods in Lyon.")
    assert problem.where == "a.jsonl:1" and "'Endless flood'" in problem.message and "cut to" in problem.message


def test_a_long_title_is_cut_and_a_long_url_dropped() -> None:
    data = json.dumps({"title": "Flood " * 1000, "text": "Floods in Lyon.", "url": "http://x.org/" + "a" * 9000})
    [article], problems = read_articles(Upload("a.jsonl", data.encode() + b"\n"))
    assert len(article.title) <= MAX_TITLE_CHARS and article.url is None
    assert len(problems) == 2


def test_a_page_dump_story_never_outgrows_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.read import pagesplit

    monkeypatch.setattr(pagesplit, "MAX_STORY_CHARS", 500)
    monkeypatch.setattr(records, "MAX_STORY_CHARS", 500)
    lines = ["Floods hit Paris on Monday, officials said."]
    lines += [f"He said that the water rose again near the river, report {n}." for n in range(100)]
    articles, problems = read_articles(Upload("page.txt", "\n".join(lines).encode()))
    assert len(articles) > 1 and all(len(a.text) <= 500 for a in articles)
    assert " ".join(a.text for a in articles).split() == " ".join(lines).split()
    assert problems == []


@pytest.mark.parametrize(
    ("markup", "lean", "cut"),
    [
        ("<a>x<!-- a comment -->y</a>", "<a>xy</a>", 0),
        ("<a><![CDATA[<!-- content ]]></a><!-- never closed", "<a><![CDATA[<!-- content ]]></a>", 0),
        ('<i a="x>y">t</i>', '<i a="x>y">t</i>', 0),
        (f'<item a="{"x" * (MAX_TAG_CHARS + 1)}">t</item>', "<item>t</item>", 1),
        (f"<b/><c {'d' * MAX_TAG_CHARS}/>", "<b/><c/>", 1),
    ],
)
def test_lean_markup_drops_comments_and_the_attributes_of_overlong_tags(markup: str, lean: str, cut: int) -> None:
    assert lean_markup(markup) == (lean, cut)


def test_a_feed_of_tokens_expat_rereads_reaches_the_parser_small() -> None:
    """A 16 MB comment and a 16 MB attribute (minutes for expat before 2.6): the story is read, from a few bytes."""
    story = "<title>Flood in Lyon</title><description>Floods hit Lyon.</description>"
    item = f'<item note="{"x" * (16 << 20)}">{story}</item>'
    feed = f"<rss><channel><!--{'c' * (16 << 20)}-->{item}</channel></rss>".encode()
    problems: list[records.Problem] = []
    handed = feed_bytes(feed, "slow.xml", problems)
    assert handed is not None and len(handed) < 500
    assert [str(p) for p in problems] == ["slow.xml: 1 tags of more than 65,536 characters: their attributes dropped"]
    articles, _ = read_articles(Upload("slow.xml", feed))
    assert [article.title for article in articles] == ["Flood in Lyon"]
