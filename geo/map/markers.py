"""What the map shows of each event, in plain Python (no folium): the records, the look and the HTML.

A :class:`MapEvent` is read from each placed row of the event table; the colour of each event type, its
label and the marker size of each severity; the popup and legend HTML, with everything taken from an
article escaped with ``html.escape``. Each marker's tooltip starts with a hidden ``event:<id>`` line, so
streamlit-folium's ``last_object_clicked_tooltip`` names the clicked event (see :func:`event_id_from_tooltip`).
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd

from geo.errors import DataFormatError

__all__ = [
    "EVENT_COLOURS",
    "RING_COLOUR",
    "SELECTED_RING_COLOUR",
    "SEVERITY_RADIUS",
    "TOOLTIP_ID_PREFIX",
    "MapEvent",
    "event_id_from_tooltip",
    "events_without_place",
    "legend_html",
    "map_events",
    "popup_html",
    "shorten_title",
    "type_label",
]

#: One colour per event type: Kelly's 21 colours of maximum contrast (white left out).
EVENT_COLOURS: Final[dict[str, str]] = {
    "earthquake": "#882D17",
    "volcano": "#E25822",
    "tropical_cyclone": "#604E97",
    "tsunami": "#0067A5",
    "wildfire": "#F38400",
    "flood": "#A1CAF1",
    "landslide": "#654522",
    "storm": "#875692",
    "extreme_temperature": "#F6A600",
    "drought": "#C2B280",
    "epidemic": "#008856",
    "transport_accident": "#F3C300",
    "industrial_accident": "#DCD300",
    "terror_attack_shooting": "#222222",
    "armed_conflict": "#BE0032",
    "protest_unrest": "#F99379",
    "crime": "#B3446C",
    "diplomatic": "#8DB600",
    "political": "#E68FAC",
    "economic": "#2B3D26",
    "other": "#848482",
}
#: Marker radius in pixels by severity level; levels 4 and 5 also get a thick dark ring.
SEVERITY_RADIUS: Final[dict[int, int]] = {1: 4, 2: 6, 3: 8, 4: 10, 5: 13}
RING_COLOUR: Final = "#1a1a1a"
SELECTED_RING_COLOUR: Final = "#00b8d4"
_LABELS = {"terror_attack_shooting": "Terror attack or shooting", "protest_unrest": "Protest or unrest"}
TOOLTIP_ID_PREFIX: Final = "event:"
#: Tooltip titles are cut to this many characters (fewer above geo.map.view.LARGE_INPUT events, to keep the page small).
_TITLE_CHARS = 120
_LARGE_TITLE_CHARS = 40
_REQUIRED = ("event_id", "title", "event_type", "severity", "lat", "lon")
_FACTS = (("deaths", "deaths {:,}"), ("injured", "injured {:,}"), ("displaced", "displaced {:,}"))
_MEASURES = (("magnitude", "magnitude {:g}"), ("category", "category {}"), ("wind_kmh", "wind {:,.0f} km/h"))


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

    @classmethod
    def from_row(cls, row: Mapping[Hashable, Any]) -> MapEvent:
        """The event of a table row (missing values as None)."""
        event_type = row["event_type"] if row["event_type"] in EVENT_COLOURS else "other"
        facts = [text.format(int(row[key])) for key, text in _FACTS if row.get(key) is not None]
        facts += [text.format(row[key]) for key, text in _MEASURES if row.get(key) is not None]
        published = row.get("published_at")
        return cls(
            event_id=str(row["event_id"]),
            title=str(row["title"]),
            event_type=event_type,
            severity=min(max(int(row["severity"]), 1), 5),
            lat=float(row["lat"]),
            lon=float(row["lon"]),
            severity_reason=row.get("severity_reason"),
            facts=tuple(facts),
            place_name=row.get("place_name"),
            country_code=row.get("country_code"),
            date=None if published is None else pd.Timestamp(published).strftime("%Y-%m-%d"),
            url=row.get("url"),
            source=row.get("source"),
            places=row.get("places") or "[]",
        )


def type_label(event_type: str) -> str:
    """The event type as shown to people: ``tropical_cyclone`` -> ``Tropical cyclone``."""
    return _LABELS.get(event_type, event_type.replace("_", " ").capitalize())


def _source_link(url: str | None, source: str | None) -> str:
    """An escaped link opening ``url`` in a new tab, only for http(s) URLs; else the source name, or nothing."""
    text = html.escape(source or "")
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return text
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return text
    href = html.escape((url or "").strip())
    return f"<a href='{href}' target='_blank' rel='noopener noreferrer'>{text or html.escape(parts.netloc)}</a>"


def popup_html(event: MapEvent) -> str:
    """The popup of an event: title, type, severity and reason, facts, place, date, source link (escaped).

    Attributes are single-quoted (``html.escape`` escapes quotes in the data) so the JSON carrying the popups
    needs no backslashes.
    """
    heading = f"{html.escape(type_label(event.event_type))} · severity {event.severity}"
    if event.severity_reason:
        heading += f": {html.escape(event.severity_reason)}"
    swatch = f"<i class='geo-swatch' style='background:{EVENT_COLOURS[event.event_type]}'></i>"
    lines = [f"<b>{html.escape(event.title)}</b>", swatch + heading]
    where = ", ".join(part for part in (event.place_name, event.country_code) if part)
    lines += [html.escape(" · ".join(event.facts)), html.escape(" · ".join(p for p in (where, event.date) if p))]
    lines.append(_source_link(event.url, event.source))
    return f"<div class='geo-popup'>{'<br>'.join(line for line in lines if line)}</div>"


def _swatch(colour: str, size: int, ring: str | None = None) -> str:
    border = f"border:2px solid {ring};" if ring else ""
    return f"<i class='geo-swatch' style='background:{colour};width:{size}px;height:{size}px;{border}'></i>"


def legend_html(event_types: Iterable[str]) -> str:
    """The legend: each event type present with its colour and count, then the marker size of each severity."""
    counts = Counter(event_types)
    types = [
        f"<div>{_swatch(colour, 10)}{html.escape(type_label(event_type))} ({counts[event_type]:,})</div>"
        for event_type, colour in EVENT_COLOURS.items()
        if counts[event_type]
    ]
    wide = " geo-wide" if len(types) > 8 else ""
    sizes = [
        f"<span>{_swatch('#9aa5ae', 2 * radius, RING_COLOUR if level >= 4 else None)}{level}</span>"
        for level, radius in SEVERITY_RADIUS.items()
    ]
    listed = "".join(types) or "<div>No placed events</div>"
    body = f"<b>Event type</b><div class='geo-types{wide}'>{listed}</div><b>Severity</b><div>{''.join(sizes)}</div>"
    return f"<details open><summary>Legend</summary>{body}</details>"


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
    table = placed.drop(columns="geometry", errors="ignore").astype(object)
    return [MapEvent.from_row(row) for row in table.where(table.notna(), None).to_dict("records")]


def shorten_title(text: str, large: bool) -> str:
    """The text cut to the tooltip's length, ending in an ellipsis when cut."""
    limit = _LARGE_TITLE_CHARS if large else _TITLE_CHARS
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
