"""Reading news: articles from files, http(s) URLs, feeds, HTML pages and page dumps, as typed records.
The first stage: it knows nothing of the others; every reader is linear in its input and held to geo.limits."""

from __future__ import annotations

from typing import Any

from geo import lazy_export

__all__ = [
    "Article",
    "FetchError",
    "Fetched",
    "Origin",
    "Problem",
    "Source",
    "StatusError",
    "Story",
    "TextRecord",
    "Upload",
    "answer_records",
    "feed_urls",
    "fetch_conditional",
    "fetch_url",
    "iter_articles",
    "parse_date",
    "read_articles",
    "read_feed_list",
    "read_text_records",
    "split_lines",
    "split_page",
    "web_url",
]

_HOMES = {
    "Article": "records",
    "Origin": "records",
    "Problem": "records",
    "Source": "articles",
    "Upload": "articles",
    "iter_articles": "articles",
    "read_articles": "articles",
    "FetchError": "fetch",
    "Fetched": "fetch",
    "StatusError": "fetch",
    "fetch_conditional": "fetch",
    "fetch_url": "fetch",
    "feed_urls": "feedlist",
    "read_feed_list": "feedlist",
    "web_url": "fetch",
    "parse_date": "dates",
    "Story": "pagesplit",
    "split_lines": "pagesplit",
    "split_page": "pagesplit",
    "TextRecord": "jsonl",
    "answer_records": "jsonl",
    "read_text_records": "jsonl",
}


def __getattr__(name: str) -> Any:
    return lazy_export(__name__, _HOMES, name)
