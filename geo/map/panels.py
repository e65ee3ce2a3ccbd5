"""What the page shows beside and below the map, in plain Python (no Streamlit): the selected event's details,
the table of events with human column names, the country choices, and the live Share link.

Article text reaches the page only through these records; the page shows it as plain text.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

import pandas as pd

from geo.errors import DataFormatError
from geo.events.lexicon import EVENT_TYPES
from geo.map.markers import BROAD_NOTE, SEVERITY_COLOURS, broad_row
from geo.map.words import (
    SEVERITY_NAMES,
    fact_lines,
    markdown_plain,
    severity_words,
    source_label,
    type_label,
)
from geo.read.records import Problem
from geo.store.query import Bounds, Facets

__all__ = [
    "TABLE_COLUMNS",
    "EventDetails",
    "country_label",
    "filter_labels",
    "problem_list",
    "report_line",
    "share_box_html",
    "table_frame",
    "view_bounds",
]

#: The table's columns: (label, how each is read from an event row).
TABLE_COLUMNS: Final = ("Date", "Severity", "Type", "Place", "Country", "Title", "Source")
_KIND_WORDS: Final = {
    "capital": "capital",
    "city": "town",
    "admin1": "province or state",
    "admin2": "county or district",
    "country": "country",
    "continent": "continent",
    "water": "sea or water",
    "island": "island",
    "region": "region",
    "mountain": "mountain",
    "derived": "point worked out from the text",
}


def filter_labels(found: Facets, names: Mapping[str, str], *, chosen: Sequence[str] = ()) -> dict[str, dict[Any, str]]:
    """The options of the worded filter widgets and their labels, in order: every type ("Tropical cyclone (1)"),
    every level ("3 significant"), the countries present by count and any ``chosen`` besides ("Philippines (PH),
    12")."""
    types = dict(found.types)
    counts = dict(found.countries)
    countries = [*(code for code, _ in found.countries), *(code for code in chosen if code not in counts)]
    return {
        "type": {kind: f"{type_label(kind)} ({types.get(kind, 0):,})" for kind in EVENT_TYPES},
        "severity": {level: f"{level} {name}" for level, name in SEVERITY_NAMES.items()},
        "country": {code: country_label(code, names, counts.get(code, 0)) for code in countries},
    }


def country_label(code: str, names: Mapping[str, str], count: int | None = None) -> str:
    """ "Philippines (PH), 12": the country's name, its code and how many events it has."""
    name = names.get(code)
    label = f"{name} ({code})" if name else code
    return label if count is None else f"{label}, {count:,}"


@dataclass(frozen=True, slots=True)
class EventDetails:
    """The selected event in words, for the panel beside the map."""

    event_id: str
    title: str
    severity: int
    severity_text: str
    colour: str
    type_text: str
    place: str
    broad: bool
    date: str | None
    source: str
    url: str | None
    facts: tuple[str, ...]
    places: tuple[str, ...]
    text: str
    #: The stories that report the same event, the first report first (one line each), when there are several.
    reports: tuple[str, ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[Hashable, Any], countries: Mapping[str, str]) -> EventDetails:
        """The details of one row of the event table (``countries``: code -> name)."""
        level = min(max(int(row["severity"]), 1), 5)
        code = _value(row.get("country_code"))
        name, country = _value(row.get("place_name")), countries.get(code or "", code)
        place = ", ".join(dict.fromkeys(part for part in (name, country) if part))
        lat, lon = _value(row.get("lat")), _value(row.get("lon"))
        places = str(row.get("places") or "[]")
        url = _value(row.get("url"))
        published = _value(row.get("published_at"))
        return cls(
            event_id=str(row["event_id"]),
            title=str(row["title"]),
            severity=level,
            severity_text=severity_words(_value(row.get("severity_reason")), level),
            colour=SEVERITY_COLOURS[level],
            type_text=type_label(str(row["event_type"])),
            place=place or "no place on the map",
            broad=lat is not None and lon is not None and broad_row(row, lat, lon),
            date=None if published is None else pd.Timestamp(published).strftime("%d %B %Y"),
            source=source_label(url, _value(row.get("source"))),
            url=url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None,
            facts=tuple(fact_lines(row)),
            places=tuple(_mentioned(places, countries)),
            text=str(row.get("text") or ""),
        )

    def markdown(self) -> str:
        """What gave the severity, type, place, date, where the marker sits, facts and source, as Markdown in
        which every word from the article is escaped."""
        meaning = self.severity_text.partition(": ")[2] or self.severity_text
        line = " · ".join(part for part in (self.type_text, self.place, self.date) if part)
        lines = [f"*{markdown_plain(meaning)}*", "", markdown_plain(line), ""]
        if self.broad_note:
            lines += [f"*{markdown_plain('Marker ' + self.broad_note)}.*", ""]
        lines += [f"- {markdown_plain(fact)}" for fact in self.facts]
        lines += ["", markdown_plain(f"Source: {self.source}")]
        if len(self.reports) > 1:
            lines += ["", f"**{len(self.reports)} reports of this event**", ""]
            lines += [f"- {markdown_plain(line)}" for line in self.reports]
        return "\n".join(lines)

    def with_reports(self, stories: pd.DataFrame) -> EventDetails:
        """These details listing the stories of the event (columns of :meth:`EventQuery.reports`)."""
        return replace(self, reports=tuple(report_line(row) for row in stories.to_dict("records")))

    @property
    def broad_note(self) -> str | None:
        """Why the marker sits where it does, when the story names nothing finer than a country or area."""
        return BROAD_NOTE if self.broad else None


def report_line(row: Mapping[Hashable, Any]) -> str:
    """One story of an event in words: "01 May 2024 · reuters.com · Quake kills 12 in Padang · deaths 12"."""
    day, deaths = _value(row.get("day")), _value(row.get("deaths"))
    parts = [
        None if day is None else pd.Timestamp(day).strftime("%d %b %Y"),
        source_label(_value(row.get("url")), _value(row.get("source"))),
        str(row.get("title") or ""),
        None if deaths is None else f"deaths {int(deaths):,}",
    ]
    return " · ".join(part for part in parts if part)


def _value(value: Any) -> Any:
    """``value``, or None for a missing one (None, NaN, NaT, NA)."""
    return None if value is None or (not isinstance(value, str | bytes) and bool(pd.isna(value))) else value


def _mentioned(places: str, countries: Mapping[str, str]) -> list[str]:
    """Each place a story mentions, once, in words: "Cebu City (town, Philippines)"."""
    try:
        listed = json.loads(places)
    except ValueError:
        return []
    seen: dict[str, str] = {}
    for place in listed if isinstance(listed, list) else []:
        if not isinstance(place, dict) or not place.get("name"):
            continue
        name = str(place["name"])
        kind = _KIND_WORDS.get(str(place.get("feature")), str(place.get("feature") or "place"))
        code = place.get("country_code")
        where = countries.get(code, code) if isinstance(code, str) and kind != "country" else None
        seen.setdefault(name, f"{name} ({kind}{', ' + where if where else ''})")
    return list(seen.values())


def table_frame(events: pd.DataFrame, countries: Mapping[str, str]) -> pd.DataFrame:
    """The events as the page's table: human columns (and "Reports", how many stories tell each event, when one
    is told by several), most severe and latest first; the index is the event id."""
    severity = events["severity"].astype(int)
    date = pd.to_datetime(events["published_at"], utc=True).fillna(pd.to_datetime(events["ingested_at"], utc=True))
    codes = events["country_code"]
    frame = pd.DataFrame(
        {
            "Date": date.dt.tz_localize(None).dt.date.to_numpy(),
            "Severity": [f"{level} {SEVERITY_NAMES[level]}" for level in severity],
            "Type": [type_label(str(kind)) for kind in events["event_type"]],
            "Place": events["place_name"].fillna("").to_numpy(),
            "Country": [countries.get(code, code) if isinstance(code, str) else "" for code in codes],
            "Title": events["title"].to_numpy(),
            "Source": [
                source_label(_value(u), _value(s)) for u, s in zip(events["url"], events["source"], strict=True)
            ],
        },
        index=pd.Index(events["event_id"], name="event_id"),
    )
    told = events["stories"].fillna(1).astype(int) if "stories" in events else pd.Series(dtype=int)
    if (told > 1).any():  # some event is told by several stories
        frame["Reports"] = told.to_numpy()
    order = pd.DataFrame({"severity": severity.to_numpy(), "date": date.to_numpy()}, index=frame.index)
    return frame.loc[order.sort_values(["severity", "date"], ascending=False, na_position="last").index]


def view_bounds(bounds: Mapping[str, Mapping[str, float]] | None) -> Bounds | None:
    """The box of streamlit-folium's map bounds (``{"_southWest": {"lat", "lng"}, "_northEast": ...}``); None
    before the map has said where it is."""
    try:
        south, west = float(bounds["_southWest"]["lat"]), float(bounds["_southWest"]["lng"])  # type: ignore[index]
        north, east = float(bounds["_northEast"]["lat"]), float(bounds["_northEast"]["lng"])  # type: ignore[index]
        return Bounds.of_view(south, west, north, east)
    except (KeyError, TypeError, ValueError, DataFormatError):
        return None


def problem_list(problems: Sequence[Problem], limit: int = 50) -> tuple[str, str]:
    """A heading ("3 problems; the rest was read:") and the first ``limit`` problems, a line each, then a count
    of the rest (plain text: a problem may quote the input)."""
    lines = [f"{problem.where}: {problem.message}" for problem in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit:,} more")
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{len(problems):,} {noun}; the rest was read:", "\n".join(lines)


def share_box_html() -> str:
    """A box showing the page's whole current address (it follows the map as it moves) with a Copy button."""
    return _SHARE_BOX


_SHARE_BOX: Final = """
<div style="font: 13px 'Source Sans Pro', sans-serif; display: flex; gap: 6px;">
  <input id="link" readonly aria-label="Link to this view" style="flex: 1; min-width: 0; padding: 5px 6px;
    border: 1px solid rgba(128,128,128,.45); border-radius: 6px; background: transparent; color: inherit;">
  <button id="copy" type="button" style="padding: 4px 10px; border-radius: 6px; cursor: pointer;
    border: 1px solid rgba(128,128,128,.45); background: transparent; color: inherit;">Copy</button>
</div>
<script>
(function () {
  var input = document.getElementById("link"), button = document.getElementById("copy");
  function here() { try { return window.parent.location.href; } catch (e) { return window.location.href; } }
  function theme() {
    try {
      var colour = window.parent.getComputedStyle(window.parent.document.body).color;
      document.body.style.color = colour;
    } catch (e) {}
  }
  function update() { if (document.activeElement !== input) { input.value = here(); } theme(); }
  update();
  setInterval(update, 500);
  button.onclick = function () {
    input.value = here();
    input.select();
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy"; }, 1500);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(input.value).then(done, function () { document.execCommand("copy"); done(); });
    } else { document.execCommand("copy"); done(); }
  };
})();
</script>
"""
