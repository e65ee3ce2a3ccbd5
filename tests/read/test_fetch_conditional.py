"""Tests of geo.read.fetch.fetch_conditional against feeds on localhost: validators sent, 304 answered, errors
carrying their status and Retry-After, and the fetch rules of fetch_url kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geo.errors import DataFormatError
from geo.read.fetch import Fetched, FetchError, StatusError, fetch_conditional, fetch_url
from tests.feeds import FeedServer, Route, rss, serving

FEED = rss([("Floods hit Lyon, France", "Floods in Lyon, France.")])


@pytest.fixture(scope="module")
def server() -> Iterator[FeedServer]:
    with serving() as feeds:
        feeds.feed("feed.xml", FEED)
        feeds.serve("busy.xml", Route("error", status=503, retry_after="120"))
        feeds.serve("hang.xml", Route("hang"))
        yield feeds


def test_a_first_fetch_gives_the_body_and_its_validators(server: FeedServer) -> None:
    answer = fetch_conditional(server.url("feed.xml"))
    etag = server.routes["/feed.xml"].etag
    assert answer == Fetched(200, FEED, etag, "Mon, 06 Jan 2025 08:00:00 GMT", None)
    assert answer.modified


def test_a_repeat_fetch_sends_the_validators_and_a_304_is_an_answer(server: FeedServer) -> None:
    etag = server.routes["/feed.xml"].etag
    answer = fetch_conditional(server.url("feed.xml"), etag=etag, modified="Mon, 06 Jan 2025 08:00:00 GMT")
    assert server.validators["/feed.xml"] == (etag, "Mon, 06 Jan 2025 08:00:00 GMT")
    assert (answer.status, answer.body, answer.etag, answer.modified) == (304, b"", etag, False)


def test_a_changed_feed_is_fetched_whole(server: FeedServer) -> None:
    answer = fetch_conditional(server.url("feed.xml"), etag='"stale"')
    assert (answer.status, answer.body) == (200, FEED)


def test_an_error_status_carries_its_retry_after(server: FeedServer) -> None:
    with pytest.raises(StatusError, match="503") as caught:
        fetch_conditional(server.url("busy.xml"))
    assert (caught.value.status, caught.value.retry_after) == (503, "120")
    assert isinstance(caught.value, FetchError)


def test_the_rules_of_fetch_url_hold(server: FeedServer) -> None:
    with pytest.raises(DataFormatError, match="not an http"):
        fetch_conditional("file:///etc/passwd")
    with pytest.raises(FetchError, match=r"deadline of 0\.5 s|silent"):
        fetch_conditional(server.url("hang.xml"), deadline=0.5, stall=0.3)
    with pytest.raises(FetchError, match="larger than 10 bytes"):
        fetch_conditional(server.url("feed.xml"), limit=10)


def test_fetch_url_still_raises_for_an_error_status(server: FeedServer) -> None:
    assert fetch_url(server.url("feed.xml")) == FEED
    with pytest.raises(OSError, match="503"):
        fetch_url(server.url("busy.xml"))
