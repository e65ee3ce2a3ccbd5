"""What the live map asks of the server as it moves: the events in its view, or counts per area when the view
holds too many; one event (to show a selection the view does not hold); the player's steps and the legend
for the filters in the page address; the version of the store, which the map and the page follow to show new
events as they are committed. Plain data in, JSON-ready dicts out: :mod:`geo.map.api` serves them.

The filters come from the page address exactly as the page reads them (:func:`parse_query_params`), so the
map and the page always agree on which events they show. Every string sent is HTML-escaped here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, Final

import pandas as pd

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.map.markers import legend_html, map_events
from geo.map.timeline import day_numbers, event_days, player_steps
from geo.map.urlstate import ViewState, parse_query_params
from geo.map.urlvalues import read_day, read_event, read_zoom
from geo.map.view import event_columns, place_columns
from geo.map.words import count_words
from geo.store.query import Bounds, EventFilter, EventQuery

__all__ = [
    "EVENTS_IN_VIEW",
    "ViewRequest",
    "cell_size",
    "event_payload",
    "parse_view_request",
    "selection",
    "summary_payload",
    "updated_words",
    "version_payload",
    "view_payload",
]

#: A view holding at most this many events gets the events themselves; more, counts per area.
EVENTS_IN_VIEW: Final = 5_000
#: Width of an area on screen, in pixels, and the sizes (degrees) areas snap to.
AREA_PIXELS: Final = 64
AREA_SIZES: Final = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 45.0)
#: The columns the markers are drawn from.
MARKER_COLUMNS: Final = (
    "event_id", "title", "event_type", "severity", "lat", "lon", "place_name", "place_precision", "places",
    "published_at", "ingested_at", "stories", "sources",
)  # fmt: skip
#: Parameters of a view request besides the page's own.
VIEW_PARAMETERS: Final = frozenset({"bbox", "zoom", "until", "density", "places"})
_TYPE_INDEX: Final = {event_type: index for index, event_type in enumerate(EVENT_TYPES)}


@dataclass(frozen=True, slots=True)
class ViewRequest:
    """A map view asking for its events: the page's filters, the box and zoom shown, the player's last day, and
    what else to send (density cells, the places each story mentions)."""

    state: ViewState
    bounds: Bounds
    zoom: int
    until: date | None = None
    density: bool = False
    places: bool = False


def selection(
    state: ViewState, *, until: date | None = None, bounds: Bounds | None = None, placed: bool | None = None
) -> EventFilter:
    """The store filter of the page's filters (the view and the selection do not filter)."""
    return EventFilter(
        types=state.types,
        min_severity=state.min_severity,
        date_from=state.date_from,
        date_to=state.date_to,
        countries=state.countries,
        text=state.query,
        until=until,
        bounds=bounds,
        placed=placed,
    )


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = [value for value in params.get(name, ()) if value]
    return values[-1].strip() if values else None


def _bbox(text: str | None) -> Bounds:
    try:
        south, west, north, east = (float(part) for part in (text or "").split(","))
    except ValueError:
        raise DataFormatError("bbox: give south,west,north,east in degrees") from None
    if not all(math.isfinite(v) and abs(v) < 1e6 for v in (south, west, north, east)):
        raise DataFormatError("bbox: not a map view")
    return Bounds.of_view(south, west, north, east)


def parse_view_request(params: Mapping[str, Sequence[str]]) -> ViewRequest:
    """The view request in query parameters (DataFormatError naming what is wrong). Unknown or unusable filter
    values are ignored, as the page ignores them."""
    page = {key: list(values) for key, values in params.items() if key not in VIEW_PARAMETERS}
    state = parse_query_params(page)[0]
    try:
        zoom = read_zoom(_one(params, "zoom") or "")
        until_text = _one(params, "until")
        until = read_day(until_text) if until_text else None
    except ValueError as err:
        raise DataFormatError(f"zoom or until: {err}") from None
    flags = {name: _one(params, name) == "1" for name in ("density", "places")}
    return ViewRequest(state, _bbox(_one(params, "bbox")), zoom, until, **flags)


def cell_size(zoom: int) -> float:
    """The side of an area, in degrees, at ``zoom``: about AREA_PIXELS on screen, snapped to a round size."""
    wanted = 360.0 / (256 * 2**zoom) * AREA_PIXELS
    return next((size for size in AREA_SIZES if size >= wanted), AREA_SIZES[-1])


def _marker_columns(rows: pd.DataFrame) -> dict[str, list[Any]]:
    """The columns ``GeoMap`` draws markers from (see :func:`geo.map.view.event_columns`)."""
    placed = map_events(rows)
    days = day_numbers(event_days(rows).reset_index(drop=True)) if len(rows) else []
    return event_columns(placed, days, popups=False, countries={})


def _areas(cells: pd.DataFrame) -> dict[str, list[Any]]:
    """Counts per area as columns: centre, count, worst level, count per level, the main types (index, count)."""
    columns: dict[str, list[Any]] = {
        "lat": [round(float(v), 4) for v in cells["lat"]],
        "lon": [round(float(v), 4) for v in cells["lon"]],
        "count": [int(v) for v in cells["count"]],
        "worst": [int(v) for v in cells["worst"]],
    }
    for level in range(1, 6):
        columns[f"s{level}"] = [int(v) for v in cells[f"s{level}"]]
    columns["types"] = [
        [[_TYPE_INDEX.get(str(item["t"]), _TYPE_INDEX["other"]), int(item["n"])] for item in listed]
        for listed in cells["types"]
    ]
    return columns


def _density(cells: pd.DataFrame, size: float) -> dict[str, Any]:
    return {
        "south": [float(v) * size for v in cells["gy"]],
        "west": [float(v) * size for v in cells["gx"]],
        "count": [int(v) for v in cells["count"]],
        "size": size,
        "max": int(cells["count"].max()) if len(cells) else 1,
    }


def view_payload(query: EventQuery, request: ViewRequest) -> dict[str, Any]:
    """What the map draws for ``request``: ``mode`` "events" (marker columns) or "areas" (counts per area), the
    number of events in the view, and on request the density cells and the places the stories mention."""
    chosen = selection(request.state, until=request.until)
    here = replace(chosen, bounds=request.bounds)
    size = cell_size(request.zoom)
    cells = query.cells(here, size)  # the areas, and with them how many events the view holds
    in_view = int(cells["count"].sum()) if len(cells) else 0
    payload: dict[str, Any] = {"token": query.token, "inView": in_view, "zoom": request.zoom}
    if in_view <= EVENTS_IN_VIEW:
        rows = query.rows(here, MARKER_COLUMNS, limit=EVENTS_IN_VIEW)
        payload.update(mode="events", events=_marker_columns(rows))
        if request.places:
            payload["places"] = place_columns(map_events(rows))
    else:
        payload.update(mode="areas", areas=_areas(cells), size=size)
    if request.density:
        size = cell_size(request.zoom) / 2
        payload["density"] = _density(query.cells(here, size, types=1), size)
    return payload


def summary_payload(query: EventQuery, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """For the filters of the page address: how many events the map can show and the box around them, the
    player's steps, the legend."""
    page = {key: list(values) for key, values in params.items() if key not in VIEW_PARAMETERS}
    chosen = selection(parse_query_params(page)[0])
    overview = query.overview(chosen)  # the page asks the same: one scan
    days = overview.days(placed_only=True)["day"].drop_duplicates().reset_index(drop=True)
    return {
        "token": query.token,
        "total": overview.total - overview.unplaced,
        "bounds": query.extent(chosen),
        "steps": player_steps(days),
        "legend": legend_html(Counter(overview.types(placed_only=True))),
    }


def event_payload(query: EventQuery, event_id: str) -> dict[str, Any] | None:
    """The marker of one placed event, as one-row columns (None when it is not stored or has no place)."""
    try:
        wanted = read_event(event_id)
    except ValueError as err:
        raise DataFormatError(f"id: {err}") from None
    found = query.event(wanted)
    if found is None or found.get("lat") is None or found.get("lon") is None:
        return None
    rows = pd.DataFrame([{name: found.get(name) for name in MARKER_COLUMNS}])
    return {"token": query.token, "events": _marker_columns(rows)}


def version_payload(query: EventQuery, params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The version of the store the server reads now: the map asks for it every few seconds and redraws its view
    when it changed (the token is the one the view and summary answers carry)."""
    del params  # the version is the store's, whatever the filters
    return {"token": query.token}


def updated_words(committed: datetime | None, events: int, *, now: datetime) -> str:
    """When the store shown was last changed and how many events it holds: "Updated 21:43:05 UTC · 12,345
    events", with the day when that is not today (UTC)."""
    if committed is None:
        return f"{count_words(events, 'event')} · not updated yet"
    when = committed.astimezone(UTC)
    day = "" if when.date() == now.astimezone(UTC).date() else f"{when:%Y-%m-%d} "
    return f"Updated {day}{when:%H:%M:%S} UTC · {count_words(events, 'event')}"
