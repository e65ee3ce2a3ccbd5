"""Time for the timeline and the map's player: each event's day, and bins of a day, a week or a month that suit
the range of the days shown."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final, Literal

import altair as alt
import numpy as np
import pandas as pd

from geo.map.markers import SEVERITY_COLOURS
from geo.map.words import SEVERITY_NAMES

__all__ = [
    "SELECTION",
    "Unit",
    "bin_starts",
    "day_counts",
    "day_numbers",
    "event_days",
    "player_steps",
    "selected_days",
    "timeline_chart",
    "unit_for",
]

Unit = Literal["day", "week", "month"]
#: Ranges up to this many days are binned by day, up to the second by week, beyond by month.
DAY_RANGE: Final = 62
WEEK_RANGE: Final = 400
#: Days since 1970-01-01 of an event with no date (the player shows it throughout).
NO_DAY: Final = -(10**6)


def _utc(series: pd.Series) -> pd.Series:
    """The column as UTC times (naive times are taken as UTC; unreadable ones become NaT)."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        converted: pd.Series = series.dt.tz_convert("UTC")
        return converted
    return pd.to_datetime(series, utc=True, errors="coerce", format="ISO8601")


def event_days(events: pd.DataFrame) -> pd.Series:
    """Each event's UTC day, published or else ingested (NaT where neither is known), as the store's filters
    count it (:data:`geo.store.query.DAY`)."""
    published, ingested = (_utc(events[name]) for name in ("published_at", "ingested_at"))
    when = published.where(published.notna(), ingested)
    days: pd.Series = when.dt.tz_localize(None).dt.floor("D").astype("datetime64[ns]")
    return days


def unit_for(first: date, last: date) -> Unit:
    """The bin that suits the range from ``first`` to ``last``: day, week or month."""
    span = (last - first).days
    return "day" if span <= DAY_RANGE else "week" if span <= WEEK_RANGE else "month"


def bin_starts(days: pd.Series, unit: Unit) -> pd.Series:
    """The first day of the bin of each day: itself, the Monday of its week, or the first of its month."""
    if unit == "day":
        return days
    if unit == "week":
        monday: pd.Series = days - pd.to_timedelta(days.dt.day_of_week, unit="D")
        return monday
    first: pd.Series = days.dt.to_period("M").dt.start_time
    return first


def _label(start: date, unit: Unit) -> str:
    if unit == "day":
        return start.isoformat()
    if unit == "week":
        return f"week of {start.isoformat()}"
    return start.strftime("%B %Y")


def player_steps(days: pd.Series) -> list[tuple[int, str]]:
    """The steps of the map's player: (last day shown, as days since 1970, label) for each bin in turn."""
    known = days.dropna()
    if known.empty:
        return []
    unit = unit_for(known.min().date(), known.max().date())
    starts = sorted(set(bin_starts(known, unit).dt.date))
    return [((_bin_end(start, unit) - date(1970, 1, 1)).days, _label(start, unit)) for start in starts]


def _bin_end(start: date, unit: Unit) -> date:
    """The last day of the bin that starts on ``start``."""
    if unit == "day":
        return start
    if unit == "week":
        return start + timedelta(days=6)
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def day_numbers(days: pd.Series) -> list[int]:
    """Days since 1970-01-01 of each day (``NO_DAY`` where unknown), for the map's markers."""
    numbers = (days - pd.Timestamp("1970-01-01")).dt.days
    return [int(n) for n in np.where(numbers.isna(), NO_DAY, numbers.fillna(0))]


#: The name of the timeline's date selection (a drag across the bars).
SELECTION: Final = "dates"
_LEVELS: Final = [f"{level} {name}" for level, name in SEVERITY_NAMES.items()]
_FORMATS: Final = {"day": "%d %b", "week": "%d %b", "month": "%b %Y"}


def timeline_chart(counts: pd.DataFrame, *, height: int = 170) -> alt.Chart | None:
    """Events per day, week or month, stacked by severity in the map's colours; a drag across it selects dates.

    ``counts`` has a row per day and level: ``day``, ``severity``, ``count`` (:meth:`EventQuery.days`). None
    when no event has a date."""
    days = pd.Series(pd.to_datetime(counts["day"]) if len(counts) else [], dtype="datetime64[ns]").dropna()
    if days.empty:
        return None
    unit = unit_for(pd.Timestamp(days.min()).date(), pd.Timestamp(days.max()).date())
    starts = bin_starts(days, unit)
    frame = pd.DataFrame(
        {
            "start": starts,
            "severity": counts.loc[days.index, "severity"].astype(int),
            "n": counts.loc[days.index, "count"],
        }
    )
    counts = frame.groupby(["start", "severity"])["n"].sum().reset_index(name="events")
    width = {"day": pd.Timedelta(days=1), "week": pd.Timedelta(days=7)}.get(unit)
    ends = counts["start"] + width if width is not None else counts["start"] + pd.offsets.MonthBegin(1)
    counts = counts.assign(end=ends, level=counts["severity"].map(lambda level: _LEVELS[level - 1]))
    brush = alt.selection_interval(encodings=["x"], name=SELECTION)
    colours = alt.Scale(domain=_LEVELS, range=list(SEVERITY_COLOURS.values()))
    padding = width if width is not None else pd.Timedelta(days=31)
    edges = pd.DataFrame(  # empty bins either side, so that a single bin does not fill the chart
        {"start": [counts["start"].min() - padding, counts["end"].max()], "severity": 1, "events": 0}
    )
    edges = edges.assign(end=edges["start"] + padding, level=_LEVELS[0])
    counts = pd.concat([counts, edges], ignore_index=True)
    axis = alt.Axis(format=_FORMATS[unit], labelOverlap=True, title=None)
    chart: alt.Chart = (
        alt.Chart(counts, title=f"Events per {unit}")
        .mark_bar()
        .encode(
            x=alt.X("start:T", axis=axis),
            x2="end:T",
            y=alt.Y("sum(events):Q", title="events", stack=True),
            color=alt.Color("level:N", scale=colours, legend=alt.Legend(title="Severity", orient="right")),
            order=alt.Order("severity:Q"),
            tooltip=[alt.Tooltip("start:T", title=unit.capitalize()), alt.Tooltip("level:N", title="Severity"),
                     alt.Tooltip("events:Q", title="Events")],
        )
        .add_params(brush)
        .properties(height=height)
    )  # fmt: skip
    return chart


def day_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Events per day and severity of an event table, in the form :func:`timeline_chart` takes."""
    frame = pd.DataFrame({"day": event_days(events), "severity": events["severity"].astype(int)}).dropna()
    return frame.groupby(["day", "severity"]).size().reset_index(name="count")


def selected_days(selection: Any) -> tuple[date, date] | None:
    """The first and last day of a drag across the timeline (Streamlit's selection state), or None."""
    try:
        values = selection["selection"][SELECTION]["start"]
        first, last = (
            pd.Timestamp(value, unit="ms") if isinstance(value, int | float) else pd.Timestamp(value)
            for value in values
        )
    except (KeyError, TypeError, ValueError):
        return None
    return min(first, last).date(), max(first, last).date()
