"""A fuzz target per reader with structured strategies: nested JSON with numbers no double holds, feeds and pages in
odd encodings declaring odd charsets and entities, CSV with odd quoting, page dumps of teasers, cues and repeats.
Each must read without raising, expand no entity and keep every story within its limits."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo.limits import MAX_STORY_CHARS, MAX_TITLE_CHARS
from geo.read.articles import Upload, read_articles
from geo.read.records import Article, Problem

FUZZ = settings(
    max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
GOOD = {"title": "Flood in Lyon", "text": "Floods killed 3 people in Lyon, France."}


def read(name: str, data: bytes) -> tuple[list[Article], list[Problem]]:
    """Read an upload and check what every reader guarantees."""
    articles, problems = read_articles(Upload(name, data), files=False)
    for problem in problems:
        assert problem.where.startswith(name) and problem.message
    for article in articles:
        assert len(article.text) <= MAX_STORY_CHARS and len(article.title) <= MAX_TITLE_CHARS
        assert "lollollol" not in article.title + article.text, "an entity was expanded"
        assert "root:" not in article.text, "an external entity was read"
        assert "\x00" not in article.title + article.text
    return articles, problems


# -- JSONL: nested values, numbers out of range, depths beyond the parser's --------------------------------------

NUMBERS = ["1e400", "-1e400", "1" + "0" * 5000, "-0.0", "2.5e-400", "123456789012345678901234567890", "NaN"]
json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(max_size=8), st.sampled_from(NUMBERS).map(lambda n: ("raw", n))),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=12,
)


def _dump(value: object) -> str:
    """JSON text of ``value``, with ("raw", token) leaves written as the bare token."""
    if isinstance(value, tuple):
        return str(value[1])
    if isinstance(value, list):
        return "[" + ",".join(map(_dump, value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def _with_extra(extra: object, ident: object) -> str:
    return '{"id": ' + _dump(ident) + ', "title": "T", "text": "x", "extra": ' + _dump(extra) + "}"


def _deep_array(depth: int) -> str:
    return '{"title": "T", "text": ' + "[" * depth + "]" * depth + "}"


def _deep_object(depth: int) -> str:
    return '{"title": "T", "text": "x", "z": ' + '{"a":' * depth + "1" + "}" * depth + "}"


jsonl_line = st.one_of(
    st.builds(_with_extra, json_value, json_value),
    st.integers(1, 5000).map(_deep_array),
    st.integers(1, 5000).map(_deep_object),
    st.just(json.dumps(GOOD)),
)


@FUZZ
@given(lines=st.lists(jsonl_line, min_size=1, max_size=8))
def test_jsonl_of_nested_values(lines: list[str]) -> None:
    articles, _ = read("a.jsonl", "\n".join(lines).encode())
    assert [a.title for a in articles].count("Flood in Lyon") == lines.count(json.dumps(GOOD))


# -- feeds and pages in odd encodings ---------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be", "utf-7", "cp037",
             "cp500", "latin-1", "cp1252", "shift_jis"]  # fmt: skip
LABELS = [*ENCODINGS, "base64", "rot13", "zlib", "hex", "unicode_escape", "bogus", "UTF-16", "ebcdic-cp-us"]
DOCTYPES = [
    "",
    '<!DOCTYPE rss [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>',
    "<!DOCTYPE rss [<!ENTITY % p \"<!ENTITY q 'lol'>\"> %p;]>",
    "<!-- <!DOCTYPE x> --><!DOCTYPE rss [ <!ENTITY c '>]]>' > ]>",
]
REFERENCES = ["", "&b;", "&x;", "&q;", "&c;", "&amp;", "&#60;", "&#xD800;"]


@FUZZ
@given(
    encoding=st.sampled_from(ENCODINGS),
    label=st.one_of(st.none(), st.sampled_from(LABELS)),
    doctype=st.sampled_from(DOCTYPES),
    reference=st.sampled_from(REFERENCES),
    body=st.text(st.characters(codec="utf-8", exclude_characters="<&"), max_size=30),
)
def test_feeds_in_odd_encodings(encoding: str, label: str | None, doctype: str, reference: str, body: str) -> None:
    declaration = f'<?xml version="1.0" encoding="{label}"?>' if label else ""
    text = (
        f"{declaration}{doctype}<rss version='2.0'><channel><title>Wire {reference}</title><item>"
        f"<title>Flood {reference} {body}</title><description>Floods in Lyon {reference}.</description></item>"
        "</channel></rss>"
    )
    read("feed.xml", text.encode(encoding, errors="replace"))


@FUZZ
@given(
    encoding=st.sampled_from([e for e in ENCODINGS if e != "shift_jis"]),
    declared=st.booleans(),
    doctype=st.sampled_from(DOCTYPES[1:]),
    body=st.text(st.characters(codec="utf-8", exclude_characters="<&"), max_size=30),
)
def test_no_entity_is_expanded_in_a_well_formed_feed_of_any_encoding(
    encoding: str, declared: bool, doctype: str, body: str
) -> None:
    label = encoding.replace("-sig", "") if declared or encoding in ("utf-7", "cp037", "cp500") else None
    declaration = f'<?xml version="1.0" encoding="{label}"?>' if label else '<?xml version="1.0"?>'
    text = (
        f"{declaration}{doctype}<rss version='2.0'><channel><title>Wire &b;&x;&q;</title><item>"
        f"<title>Flood &b; {body}</title><description>Floods in Lyon &b;&x;&c;.</description></item></channel></rss>"
    )
    _, problems = read("feed.xml", text.encode(encoding, errors="replace"))
    assert any("DOCTYPE was dropped" in p.message for p in problems)


@FUZZ
@given(
    encoding=st.sampled_from(ENCODINGS),
    label=st.sampled_from(LABELS),
    doctype=st.sampled_from(DOCTYPES),
    body=st.text(st.characters(codec="utf-8", exclude_characters="<&"), max_size=60),
)
def test_pages_in_odd_encodings(encoding: str, label: str, doctype: str, body: str) -> None:
    page = (
        f'{doctype}<html><head><meta charset="{label}"><title>Floods</title></head><body><p>Floods killed 3 people'
        f" in Lyon. {body}</p><script>alert(1)</script></body></html>"
    )
    read("page.html", page.encode(encoding, errors="replace"))


# -- CSV with odd quoting ----------------------------------------------------------------------------------------

FIELDS = ['"', '""', '"""', '"a', 'a"', '"a"b', 'a""b', '"a,b"', '"a\nb"', "a\rb", "", "Flood in Lyon", "x\x00y"]


@FUZZ
@given(rows=st.lists(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=4), max_size=12))
def test_csv_with_odd_quoting(rows: list[list[str]]) -> None:
    lines = ["title,text", *(",".join(row) for row in rows), "Sentinel,Floods killed 3 people in Lyon."]
    articles, problems = read("a.csv", "\n".join(lines).encode())
    assert articles[-1].title == "Sentinel", "a bad row cost a later good one"
    for problem in problems:
        assert problem.where.startswith("a.csv:")


# -- page dumps --------------------------------------------------------------------------------------------------

PAGE_LINES = [
    "Floods hit Lyon as the river rises",
    "Floods killed 3 people in Lyon, France, on Monday, officials said.",
    "He said that the water rose again near the river.",
    "He said that the water rose again near the river ...",
    "The storm hit the U.S. coast, and Dr. Smith said the U.S. Army helped.",
    "A. B. C. D. E. F. G. H.",
    "." * 200 + " x",
    "1" * 300 + " people were killed.",
    "Share this story",
    "Leave the first comment",
    "…",
    "",
]


@FUZZ
@given(lines=st.lists(st.sampled_from(PAGE_LINES), max_size=40))
def test_page_dumps_of_teasers_cues_and_repeats(lines: list[str]) -> None:
    articles, _ = read("page.txt", "\n".join(lines).encode())
    words = set(" ".join(lines).replace("…", " ").replace("...", " ").split())
    for article in articles:
        assert set(article.text.replace("...", " ").split()) <= words | {"."}
