"""From articles to the event table: geoparse, classify, choose the event location, one row per story.

The functions here are pure given the loaded geoparser, so the single-process command and a Dask
cluster run the same code on partitions of articles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.articles import Article
from geo.events import classify
from geo.geoparse import Geoparser
from geo.location import primary_place
from geo.store import conform, empty_events

__all__ = ["build_events", "event_row", "story_text"]


def story_text(article: Article) -> str:
    """The text analysed for a story: its title, then its body unless the body already opens with it."""
    title, body = article.title.strip(), article.text.strip()
    if not title or body.startswith(title.rstrip(".…")):
        return body
    if not body:
        return title
    return f"{title}\n{body}"


def event_row(article: Article, parser: Geoparser, ingested_at: datetime) -> dict[str, Any]:
    """One row of the event table for one story."""
    text = story_text(article)
    places = parser.parse(text)
    found = classify(text)
    where = primary_place(text, places)
    return {
        "event_id": article.id,
        "title": article.title,
        "text": text,
        "url": article.url,
        "source": article.source,
        "published_at": article.published_at,
        "ingested_at": ingested_at,
        "event_type": found.event_type,
        "secondary_types": ",".join(found.secondary),
        "severity": found.severity.level,
        "severity_reason": found.severity.reason,
        **found.facts.to_dict(),
        "place_name": where.name if where else None,
        "country_code": where.country_code if where else None,
        "lat": where.lat if where else None,
        "lon": where.lon if where else None,
        "places": json.dumps([p.to_dict() for p in places], ensure_ascii=False),
    }


def build_events(
    articles: Iterable[Article], parser: Geoparser, *, ingested_at: datetime | None = None
) -> gpd.GeoDataFrame:
    """The event table (EPSG:4326 points; no geometry for stories with no place) of the articles."""
    now = ingested_at or datetime.now(UTC)
    seen: set[str] = set()
    rows = []
    for article in articles:
        if article.id in seen:
            continue
        seen.add(article.id)
        rows.append(event_row(article, parser, now))
    if not rows:
        return empty_events()
    return conform(pd.DataFrame(rows))
