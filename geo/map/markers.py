"""What the map shows of each event, in plain Python (no folium): the records, the look and the HTML.

A :class:`MapEvent` is read from each placed row of the event table. Markers are coloured by severity (the
scale of EVENTS.md, one system for markers, clusters, legend and timeline) and carry their type's two-letter
code; an event placed only on a country's (or a sea's) centre is drawn dashed and says so. Popups and the
legend are HTML with everything taken from an article escaped with ``html.escape``. Each marker's tooltip starts
with a hidden ``event:<id>`` line, so streamlit-folium's ``last_object_clicked_tooltip`` names the clicked event
(see :func:`event_id_from_tooltip`).
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.map.words import (
    BROAD_FEATURES,
    SEVERITY_NAMES,
    TYPE_CODES,
    broad_place,
    fact_lines,
    reports_words,
    severity_words,
    source_label,
    type_label,
)

__all__ = [
    "BROAD_NOTE",
    "MARKER_SIZES",
    "SEVERITY_COLOURS",
    "TOOLTIP_ID_PREFIX",
    "MapEvent",
    "event_id_from_tooltip",
    "events_without_place",
    "legend_html",
    "map_events",
    "place_feature",
    "popup_html",
    "severity_chip",
    "shorten_title",
]

#: Severity colours of EVENTS.md: grey, green, yellow, orange, red (the same in geomap.css and the timeline).
SEVERITY_COLOURS: Final[dict[int, str]] = {1: "#8d9599", 2: "#3f9b46", 3: "#f2c21b", 4: "#f07f13", 5: "#d7262b"}
#: Marker diameter in pixels by severity.
MARKER_SIZES: Final[dict[int, int]] = {1: 18, 2: 20, 3: 23, 4: 27, 5: 32}
BROAD_NOTE: Final = "placed at the centre of the country or area it names"
TOOLTIP_ID_PREFIX: Final = "event:"
_REQUIRED = ("event_id", "title", "event_type", "severity", "lat", "lon")


@dataclass(frozen=True, slots=True)
class MapEvent:
    """What the map shows of one placed event, as read from a row of the event table."""

    event_id: str
    title: str
    event_type: str
    severity: int
    lat: float
    lon: float
    severity_reason: str | None = None
    facts: tuple[str, ...] = ()
    place_name: str | None = None
    country_code: str | None = None
    date: str | None = None
    url: str | None = None
    source: str | None = None
    places: str = "[]"
    #: True when the event sits on the centre of a country, region or sea: the text names nothing finer.
    broad: bool = False
    #: "3 reports from 2 sources" when several stories tell the event.
    reports: str | None = None

    @classmethod
    def from_row(cls, row: Mapping[Hashable, Any]) -> MapEvent:
        """The event of a table row (missing values as None)."""
        event_type = row["event_type"] if row["event_type"] in TYPE_CODES else "other"
        published = row.get("published_at")
        places = row.get("places") or "[]"
        lat, lon = float(row["lat"]), float(row["lon"])
        return cls(
            event_id=str(row["event_id"]),
            title=str(row["title"]),
            event_type=event_type,
            severity=min(max(int(row["severity"]), 1), 5),
            lat=lat,
            lon=lon,
            severity_reason=row.get("severity_reason"),
            facts=tuple(fact_lines(row)),
            place_name=row.get("place_name"),
            country_code=row.get("country_code"),
            date=None if published is None else pd.Timestamp(published).strftime("%Y-%m-%d"),
            url=row.get("url"),
            source=row.get("source"),
            places=places,
            broad=broad_row(row, lat, lon),
            reports=reports_words(row.get("stories"), row.get("sources")),
        )


#: Kinds of place an event may sit on the centre of, as written in the ``places`` JSON (a quick look first).
_BROAD_MARKS: Final = tuple(f'"feature": "{kind}"' for kind in BROAD_FEATURES)


#: Placements that say only the country or the sea or region: drawn apart, as its centre only.
BROAD_PRECISIONS: Final = frozenset({"country", "region"})


def broad_row(row: Mapping[Hashable, Any], lat: float, lon: float) -> bool:
    """Whether a stored event sits only on the centre of a country, sea or region: its ``place_precision``, or
    for a store written before that column, the kind of the place it sits on."""
    precision = row.get("place_precision")
    if isinstance(precision, str):
        return precision in BROAD_PRECISIONS
    places = str(row.get("places") or "[]")
    return any(mark in places for mark in _BROAD_MARKS) and broad_place(
        place_feature(places, row.get("place_name"), lat, lon)
    )


def place_feature(places: str, name: str | None, lat: float, lon: float) -> str | None:
    """The kind of the mentioned place the event sits on (its name and point), from the ``places`` JSON."""
    try:
        listed = json.loads(places)
    except ValueError:
        return None
    for place in listed if isinstance(listed, list) else []:
        if not isinstance(place, dict) or place.get("name") != name:
            continue
        try:
            if abs(float(place["lat"]) - lat) < 1e-3 and abs(float(place["lon"]) - lon) < 1e-3:
                return str(place.get("feature"))
        except (KeyError, TypeError, ValueError):
            continue
    return None


def _source_link(url: str | None, source: str | None) -> str:
    """An escaped link to ``url`` in a new tab, only for http(s) URLs, named by its site; else the source in words."""
    text = html.escape(source_label(url, source))
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return text
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return text
    href = html.escape((url or "").strip())
    return f"<a href='{href}' target='_blank' rel='noopener noreferrer'>{text}</a>"


def severity_chip(level: int) -> str:
    """A small badge in the severity's colour: "Severity 3 · significant" (styled inline: it shows in the page too)."""
    ink = "#1d1d1d" if level in (3, 4) else "#ffffff"
    style = f"background:{SEVERITY_COLOURS[level]};color:{ink};padding:1px 7px;border-radius:9px;font-weight:600"
    return f"<span class='geo-chip' style='{style}'>Severity {level} · {SEVERITY_NAMES[level]}</span>"


def popup_html(event: MapEvent, countries: Mapping[str, str] | None = None) -> str:
    """The popup of an event: title, severity and what gave it, type, facts, place (the country named from
    ``countries``, code -> name), date, source (all escaped).

    Attributes are single-quoted (``html.escape`` escapes quotes in the data) so the JSON carrying the popups
    needs no backslashes.
    """
    meaning = severity_words(event.severity_reason, event.severity).partition(": ")[2]
    lines = [
        f"<b>{html.escape(event.title)}</b>",
        f"{severity_chip(event.severity)} {html.escape(type_label(event.event_type))}",
        html.escape(meaning),
        html.escape(" · ".join(event.facts)),
    ]
    country = (countries or {}).get(event.country_code or "", event.country_code)
    where = ", ".join(dict.fromkeys(part for part in (event.place_name, country) if part))
    lines.append(html.escape(" · ".join(part for part in (where, event.date) if part)))
    if event.broad:
        lines.append(f"<em>{html.escape(BROAD_NOTE)}</em>")
    lines.append(_source_link(event.url, event.source))
    if event.reports:
        lines.append(html.escape(event.reports))
    return f"<div class='geo-popup'>{'<br>'.join(line for line in lines if line)}</div>"


def _dot(classes: str, colour: str | None = None) -> str:
    style = f" style='background:{colour}'" if colour else ""
    return f"<i class='geo-dot {classes}'{style}></i>"


def legend_html(type_counts: Mapping[str, int]) -> str:
    """The legend: the severity scale, the two special marks, and the codes of the types shown with counts."""
    levels = "".join(
        f"<span class='geo-key'>{_dot('', colour)}{level} {SEVERITY_NAMES[level]}</span>"
        for level, colour in SEVERITY_COLOURS.items()
    )
    marks = (
        f"<span class='geo-key'>{_dot('geo-broad')}country or area centre</span>"
        f"<span class='geo-key'>{_dot('geo-selected')}selected</span>"
    )
    counts = Counter({kind if kind in TYPE_CODES else "other": 0 for kind in type_counts})
    for kind, count in type_counts.items():
        counts[kind if kind in TYPE_CODES else "other"] += count
    shown = [kind for kind in EVENT_TYPES if counts[kind]]
    codes = "".join(
        f"<div><code>{TYPE_CODES[kind]}</code> {html.escape(type_label(kind))} ({counts[kind]:,})</div>"
        for kind in shown
    )
    types = f"<details><summary>Types ({len(shown)})</summary><div class='geo-codes'>{codes}</div></details>"
    body = f"<b>Severity</b><div class='geo-row'>{levels}</div><div class='geo-row'>{marks}</div>"
    return f"<details open><summary>Legend</summary>{body}{types if codes else ''}</details>"


def event_id_from_tooltip(text: str | None) -> str | None:
    """The event id of a clicked marker from streamlit-folium's ``last_object_clicked_tooltip``; None if none."""
    first = (text or "").strip().partition("\n")[0]
    return first.removeprefix(TOOLTIP_ID_PREFIX) if first.startswith(TOOLTIP_ID_PREFIX) else None


def events_without_place(events: gpd.GeoDataFrame | pd.DataFrame) -> pd.DataFrame:
    """The events the map cannot show, having no latitude or longitude (to be listed beside the map)."""
    unplaced = events[(events["lat"].isna() | events["lon"].isna()).to_numpy()]
    return pd.DataFrame(unplaced.drop(columns="geometry", errors="ignore"))


def map_events(events: gpd.GeoDataFrame | pd.DataFrame) -> list[MapEvent]:
    """The placed events of the table, in its order."""
    missing = [name for name in _REQUIRED if name not in events.columns]
    if missing:
        raise DataFormatError(
            f"the events lack the column(s) {', '.join(map(repr, missing))}: pass the store's event table "
            "(geo.store.schema.EVENT_COLUMNS)"
        )
    placed = pd.DataFrame(events[(events["lat"].notna() & events["lon"].notna()).to_numpy()])
    names = [name for name in placed.columns if name != "geometry"]
    columns = [_objects(placed[name]) for name in names]
    return [MapEvent.from_row(dict(zip(names, values, strict=True))) for values in zip(*columns, strict=True)]


def _objects(column: pd.Series) -> list[Any]:
    """The column's values as Python objects, None where missing."""
    values = column.astype(object)
    return list(values.where(column.notna(), None))


def shorten_title(text: str, limit: int) -> str:
    """The text cut to ``limit`` characters, ending in an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
