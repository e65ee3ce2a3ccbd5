"""Tests of geo.read.feedlist: lists of URLs and OPML files, bad lines reported, never raised."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.errors import GeoError
from geo.read.feedlist import read_feed_list, urls_in_opml, urls_in_text
from geo.read.records import Problem

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="News" title="News">
      <outline type="rss" text="Wire" xmlUrl="https://wire.example/rss.xml" htmlUrl="https://wire.example/"/>
      <outline type="rss" text="Quakes" xmlUrl="http://quakes.example/feed?format=rss&amp;min=4"/>
    </outline>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
    <outline type="rss" text="Wire again" xmlUrl=" https://wire.example/rss.xml "/>
    <outline type="link" text="A page, no feed" url="https://page.example/"/>
  </body>
</opml>
"""


def test_a_list_of_urls_skips_comments_and_blank_lines_and_reports_bad_lines() -> None:
    text = (
        "# feeds I follow\n"
        "https://wire.example/rss.xml\n"
        "\n"
        "   http://quakes.example/feed  \n"
        "ftp://files.example/feed\n"
        "not a url\n"
        "https://wire.example/rss.xml\n"
    )
    problems: list[Problem] = []
    assert urls_in_text(text, "feeds.txt", problems) == ["https://wire.example/rss.xml", "http://quakes.example/feed"]
    assert [problem.where for problem in problems] == ["feeds.txt:5", "feeds.txt:6"]
    assert "not an http:// or https:// URL" in problems[0].message and "skipped" in problems[0].message


def test_an_opml_file_gives_the_xml_url_of_every_outline() -> None:
    problems: list[Problem] = []
    urls = urls_in_opml(OPML, "feeds.opml", problems)
    assert urls == ["https://wire.example/rss.xml", "http://quakes.example/feed?format=rss&min=4"]
    [problem] = problems
    assert problem.where == "feeds.opml ('Local file')" and "file:///etc/passwd" in problem.message


@pytest.mark.parametrize(
    ("data", "message", "urls"),
    [
        (b"<opml><body><outline xmlUrl='https://a.example/'></body>", "not a well-formed OPML file", []),
        (b"<html><body>no feeds</body></html>", "no <outline> elements", []),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<opml><body><outline text="&b;" xmlUrl="https://a.example/"/></body></opml>',
            "DOCTYPE was dropped",
            ["https://a.example/"],
        ),
    ],
)
def test_a_bad_opml_file_is_a_problem(data: bytes, message: str, urls: list[str]) -> None:
    problems: list[Problem] = []
    assert urls_in_opml(data, "feeds.opml", problems) == urls
    assert any(message in problem.message for problem in problems), problems


def test_a_file_is_read_as_opml_or_as_a_list_by_its_content(tmp_path: Path) -> None:
    problems: list[Problem] = []
    exported = tmp_path / "subscriptions"
    exported.write_bytes(OPML)
    assert read_feed_list(exported, problems)[0] == "https://wire.example/rss.xml"
    listed = tmp_path / "feeds.txt"
    listed.write_text("\ufeffhttps://a.example/feed\r\nhttps://b.example/feed\r\n", encoding="utf-8")
    assert read_feed_list(listed, problems) == ["https://a.example/feed", "https://b.example/feed"]


def test_a_missing_list_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(GeoError, match=r"cannot read the list of feeds .*missing\.txt"):
        read_feed_list(tmp_path / "missing.txt", [])
