"""From articles to the event table: geoparse, classify, choose the event location, one row per story.

The functions here are pure given the loaded geoparser, so the single-process command and a Dask
cluster run the same code on partitions of articles.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

import geopandas as gpd
import pandas as pd

from geo.errors import DataFormatError
from geo.events.classifier import classify
from geo.events.clusters import SCOPES, ClusterIndex, first_day, stories, with_clusters
from geo.events.location import place_precision, primary_place
from geo.limits import shown
from geo.places.geoparse import Geoparser
from geo.read.articles import Source, iter_articles
from geo.read.records import Article, Problem
from geo.store.eventstore import StagedEvents, StorePath, staged_events
from geo.store.location import StoreError
from geo.store.query import EventQuery
from geo.store.schema import conform_rows, empty_events

__all__ = [
    "IngestReport",
    "StoryClusters",
    "article_batches",
    "build_events",
    "event_row",
    "finish_ingest",
    "ingest_sources",
    "story_text",
]

#: Stories analysed per batch (progress is reported between batches).
BATCH_SIZE = 256

#: A story and its row of the event table.
Row = tuple[Article, dict[str, Any]]


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
    places = parser.parse(text, locale=article.locale)
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
        "killed": found.facts.killed,
        "missing": found.facts.missing,
        "place_name": where.name if where else None,
        "place_precision": place_precision(where),
        "country_code": where.country_code if where else None,
        "lat": where.lat if where else None,
        "lon": where.lon if where else None,
        "places": json.dumps([p.to_dict() for p in places], ensure_ascii=False),
    }


def _failure(article: Article, err: Exception) -> Problem:
    """The problem reported for a story that could not be analysed or stored."""
    where = article.source or "story"
    return Problem(where, f"story {shown(article.title, 60)} ({article.id}) skipped: {type(err).__name__}: {err}")


def _rows(articles: Iterable[Article], parser: Geoparser, now: datetime, problems: list[Problem]) -> list[Row]:
    """(article, event row) of each story, repeats dropped; a story whose analysis fails is a problem."""
    seen: set[str] = set()
    rows = []
    for article in articles:
        if article.id in seen:
            continue
        seen.add(article.id)
        try:
            rows.append((article, event_row(article, parser, now)))
        except Exception as err:  # one odd story must not cost the others of its batch
            problems.append(_failure(article, err))
    return rows


def _table(rows: list[Row], problems: list[Problem]) -> gpd.GeoDataFrame:
    """The rows in the store schema; a row that does not fit is left out with a problem."""
    frame = pd.DataFrame([row for _, row in rows])
    return conform_rows(frame, lambda label, err: problems.append(_failure(rows[int(str(label))][0], err)))


def build_events(
    articles: Iterable[Article],
    parser: Geoparser,
    *,
    ingested_at: datetime | None = None,
    problems: list[Problem] | None = None,
) -> gpd.GeoDataFrame:
    """The event table (EPSG:4326 points; no geometry for stories with no place) of the articles.

    A story that cannot be analysed or does not fit the schema is left out, with a problem in ``problems``
    (given); without it, the first such failure is raised."""
    found: list[Problem] = []
    rows = _rows(articles, parser, ingested_at or datetime.now(UTC), found)
    table = _table(rows, found) if rows else empty_events()
    if problems is not None:
        problems.extend(found)
    elif found:
        raise DataFormatError(found[0].message)
    return table


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What an ingest did: stories read, events added to the store, and the problems met."""

    read: int
    added: int
    unplaced: int
    store: StorePath
    problems: tuple[Problem, ...] = field(default=())

    @property
    def skipped(self) -> int:
        """Stories not added: already stored, or repeated within the input."""
        return self.read - self.added

    def sentence(self) -> str:
        """The run in words, for a person: "Read 3 stories, added 1 event; 2 already stored"."""
        stories = "story" if self.read == 1 else "stories"
        events = "event" if self.added == 1 else "events"
        return f"Read {self.read:,} {stories}, added {self.added:,} {events}; {self.skipped:,} already stored."

    def summary(self) -> str:
        """The one-line summary the command line prints last."""
        return (
            f"read {self.read} stories, added {self.added} events, skipped {self.skipped}, "
            f"unplaced {self.unplaced} -> {self.store}"
        )


def _batches(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def article_batches(
    sources: Iterable[Source],
    problems: list[Problem],
    *,
    size: int = BATCH_SIZE,
    files: bool = True,
    locale: str | None = None,
) -> Iterator[list[Article]]:
    """The articles of every source, read lazily, in batches of at most ``size`` (a batch never spans sources);
    with ``files=False`` only uploads and http(s) URLs are read (see :func:`geo.read.articles.iter_articles`).
    ``locale`` is the country of a story that does not give its own."""
    for source in sources:
        articles = iter_articles(source, problems, files=files)
        if locale is not None:
            articles = (a if a.locale else dataclasses.replace(a, locale=locale) for a in articles)
        yield from _batches(articles, size)


class StoryClusters:
    """Each new story's event (``cluster_id``) among the stories stored and those added before it: the stored
    stories of the days a batch may join are read from the store once, when a batch first needs them."""

    #: Days before a batch's first story whose stories it may join: the longest window of any type.
    REACH: Final = timedelta(days=max(scope.days for scope in SCOPES.values()))

    def __init__(self, store: StorePath) -> None:
        self.store = store
        self.index = ClusterIndex()
        self._since: date | None = None

    def assign(self, table: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """``table`` with the ``cluster_id`` of each of its stories."""
        if table.empty:
            return table
        first = first_day(table)
        if first is not None:
            self._read_stored(first - self.REACH)
        return with_clusters(table, self.index)

    def _read_stored(self, since: date) -> None:
        if self._since is not None and since >= self._since:
            return
        try:
            query = EventQuery(self.store)
            try:
                stored = query.stories(since, self._since)
            finally:
                query.close()
        except StoreError:
            stored = pd.DataFrame()
        if not stored.empty:
            for story, cluster in zip(stories(stored), stored["cluster_id"], strict=True):
                self.index.add(story, cluster_id=cluster if isinstance(cluster, str) and cluster else None)
        self._since = since


def finish_ingest(staged: StagedEvents, problems: Iterable[Problem], *, read: int) -> IngestReport:
    """Append the staged events to the store in one atomic write and report the run.

    ``read`` counts every story read, repeats included, so the report does not depend on the batch size."""
    added = staged.commit().added if staged.rows else 0
    return IngestReport(read, added, staged.unplaced, staged.path, tuple(problems))


def ingest_sources(
    sources: Iterable[Source],
    store: StorePath,
    parser: Geoparser,
    *,
    progress: Callable[[int], None] | None = None,
    ingested_at: datetime | None = None,
    files: bool = True,
    locale: str | None = None,
) -> IngestReport:
    """Read every source, build the events and append them to the store in one atomic write.

    Each batch's events are staged beside the store as soon as they are built, so memory stays flat however
    long the input. A failure before the write leaves the store as it was; ``progress`` is told how many
    stories each batch held. Every event gets the same ``ingested_at`` (default: now). With ``files=False``
    (the dashboard) a source that is a path or "-" is refused with a problem: only uploads and URLs are read.
    ``locale`` (a country code) is where the stories come from when they do not say: its places are preferred."""
    now = ingested_at or datetime.now(UTC)
    problems: list[Problem] = []
    read = 0
    clusters = StoryClusters(store)
    with staged_events(store) as staged:
        for batch in article_batches(sources, problems, files=files, locale=locale):
            staged.add(clusters.assign(build_events(batch, parser, ingested_at=now, problems=problems)))
            read += len(batch)
            if progress is not None:
                progress(len(batch))
        return finish_ingest(staged, problems, read=read)
