"""Fuzz pass over the ingest parsers and the text pipeline: any input in, no exception, well-formed output."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.events.classifier import classify
from geo.places.geoparse import Geoparser
from geo.read.articles import read_articles
from geo.read.records import Article, Problem

FUZZ = settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

words = st.text(st.characters(codec="utf-8", exclude_characters="<&"), max_size=30)

# JSONL: good objects among truncated JSON, non-UTF-8 bytes, NaN, arrays and wrong types.
good_object = st.builds(lambda t, x: json.dumps({"title": t, "text": x}).encode(), words, words)
jsonl_line = st.one_of(
    good_object,
    good_object.flatmap(lambda raw: st.integers(0, len(raw)).map(lambda cut: raw[:cut])),
    st.binary(max_size=40).map(lambda raw: b'{"title": "' + raw + b'", "text": "x"}'),
    st.sampled_from(
        [
            b"NaN",
            b'{"title": NaN, "text": Infinity}',
            b"[1, 2]",
            b'["title", "text"]',
            b"null",
            b"42",
            b'"text"',
            b'{"title": 1, "text": ["a"]}',
            b'{"title": {}, "text": null}',
            b"{}",
            b"",
            b"\xff\xfe\x00",
            b"{",
            b"}",
            b'{"text": "x", "published_at": "not a date"}',
        ]
    ),
    st.binary(max_size=60),
)
jsonl_doc = st.lists(jsonl_line, max_size=12).map(b"\n".join)

# CSV: a header (sometimes without title/text) and rows with quotes, unterminated quotes, missing columns.
csv_field = st.one_of(
    words,
    st.sampled_from(['"', '""', '"quoted, with comma"', '"unterminated', 'a"b', '"x"y', "\r", "\n", ",", ""]),
)
csv_header = st.one_of(
    st.sampled_from(["title,text", "title,text,url,source,published_at", "text", "Title , TEXT", "a,b"]),
    st.lists(csv_field, max_size=4).map(",".join),
)
csv_doc = st.builds(
    lambda header, rows: "\n".join([header, *(",".join(row) for row in rows)]),
    csv_header,
    st.lists(st.lists(csv_field, max_size=6), max_size=8),
)

# XML/RSS: feed pieces in any order, truncated tags, entities and DOCTYPEs declaring entities.
XML_PIECES = [
    '<?xml version="1.0" encoding="utf-8"?>', '<!DOCTYPE rss [<!ENTITY e "expanded">]>',
    '<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&e;", "&b;", "&xxe;", "&amp;", "&#60;", "&bogus;",
    '<rss version="2.0">', "<channel>", "<title>", "</title>", "<item>", "</item>", "<description>", "</description>",
    "</channel>", "</rss>", '<feed xmlns="http://www.w3.org/2005/Atom">', "<entry>", "</entry>", "<summary>",
    "</summary>", "<content type=\"html\">", "</content>", "<link>http://example.com/a</link>", "<pubDate>",
    "</pubDate>", "Mon, 06 Jan 2025 10:00:00 GMT", "<ite", "</tit", "<![CDATA[", "]]>", "<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;p&gt;", "Flood in Texas", " ", "\n",
]  # fmt: skip
xml_doc = st.lists(st.one_of(st.sampled_from(XML_PIECES), words), max_size=30).map("".join)

# HTML with scripts, in and out of place.
HTML_PIECES = [
    "<!DOCTYPE html>", "<html>", "</html>", "<head>", "</head>", "<title>", "</title>", "<body>", "</body>", "<p>",
    "</p>", "<article>", "</article>", "<script>", "</script>", "<script>alert(1)</script>",
    '<script type="text/javascript">document.write("<p>x</p>")</script>', "<SCRIPT>", "<scr", "ipt>", "<style>",
    "</style>", "<!--", "-->", "<div>", "</div>", "&amp;", "&nbsp;", "<meta charset=\"latin-1\">",
    '<meta charset="bogus">', "<h1>", "</h1>", "A storm hit Manila on Monday, killing 12 people.", " ", "\n",
]  # fmt: skip
html_doc = st.lists(st.one_of(st.sampled_from(HTML_PIECES), words), max_size=40).map("".join)


def _read(path: Path, data: bytes) -> tuple[list[Article], list[Problem]]:
    """Write ``data`` to ``path``, read it back and check what every reader must guarantee."""
    path.write_bytes(data)
    articles, problems = read_articles(path)
    for problem in problems:
        assert problem.where.startswith(str(path)), problem
        assert problem.message
    for article in articles:
        assert isinstance(article.title, str)
        assert isinstance(article.text, str)
        assert "<script" not in article.text.lower(), article
    return articles, problems


@FUZZ
@given(data=st.binary(max_size=2000), suffix=st.sampled_from([".bin", ".txt", ".jsonl", ".csv", ".xml", ".html"]))
def test_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    _read(tmp_path / f"input{suffix}", data)


@FUZZ
@given(text=st.text(max_size=2000))
def test_random_text(tmp_path: Path, text: str) -> None:
    _read(tmp_path / "input.txt", text.encode("utf-8", errors="surrogatepass"))


def test_jsonl_lone_surrogate(tmp_path: Path) -> None:
    _read(tmp_path / "surrogate.jsonl", b'{"title": "\\ud800", "text": "lone surrogate"}\n{"text": "good"}\n')


def test_feed_surrogate_reference(tmp_path: Path) -> None:
    feed = b'<rss version="2.0"><channel><item><title>a &#xD800; b</title></item></channel></rss>'
    _read(tmp_path / "surrogate.xml", feed)


@FUZZ
@given(data=jsonl_doc)
def test_jsonl_like(tmp_path: Path, data: bytes) -> None:
    _read(tmp_path / "input.jsonl", data)


@FUZZ
@given(text=csv_doc)
def test_csv_like(tmp_path: Path, text: str) -> None:
    _read(tmp_path / "input.csv", text.encode())


@FUZZ
@given(text=xml_doc)
def test_xml_like(tmp_path: Path, text: str) -> None:
    articles, _ = _read(tmp_path / "input.xml", text.encode())
    for article in articles:
        assert "root:" not in article.text  # no external entity was read


@FUZZ
@given(text=html_doc)
def test_html_with_scripts(tmp_path: Path, text: str) -> None:
    _read(tmp_path / "input.html", text.encode())


def test_entity_expansion_is_bounded(tmp_path: Path) -> None:
    levels = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    feed = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{levels}]>'
        '<rss version="2.0"><channel><item><title>Bomb</title><description>&l9;</description></item></channel></rss>'
    )
    articles, _ = _read(tmp_path / "laughs.xml", feed.encode())
    assert all(len(article.text) < 10_000 for article in articles)


@FUZZ
@given(text=st.text(max_size=1000))
def test_classify_never_raises(text: str) -> None:
    assert 1 <= classify(text).severity.level <= 5


@FUZZ
@given(text=st.text(max_size=1000))
def test_geoparse_never_raises(geoparser: Geoparser, text: str) -> None:
    for place in geoparser.parse(text):
        assert 0 <= place.start < place.end <= len(text)
