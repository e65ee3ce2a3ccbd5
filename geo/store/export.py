"""Export events as CSV or GeoJSON text, safe to open in a spreadsheet or a GIS."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import pandas as pd

from geo.errors import DataFormatError
from geo.read.records import Problem
from geo.store.eventstore import StoreError, StorePath, read_events
from geo.store.schema import COLUMNS

__all__ = ["FORMULA_STARTS", "export_events", "to_csv", "to_geojson"]

#: A cell whose first character (once its compatibility form is taken: full-width "＝" is "=") is one of these
#: would start a formula or a command in some spreadsheet (OWASP CSV injection, DDE "|"): it gets a leading "'".
FORMULA_STARTS: Final = frozenset("=+-@|%\t\r\n")
#: Unicode categories whose characters a spreadsheet may take for an operator: math symbols ("−", "﹢") and dashes.
_OPERATOR_CATEGORIES: Final = frozenset({"Sm", "Pd"})


def _iso_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with the date columns as ISO 8601 text (None where missing)."""
    out = frame.copy()
    for column in (c for c in COLUMNS if c.kind == "time"):
        times = out[column.name]
        out[column.name] = pd.Series([None if pd.isna(t) else t.isoformat() for t in times], times.index, object)
    return out


def _formula_like(cell: str) -> bool:
    """Whether a spreadsheet could read ``cell`` as a formula: it starts, after any spaces, with an operator."""
    first = cell.lstrip(" \u00a0\u3000")[:1]
    if not first:
        return cell[:1] in FORMULA_STARTS
    folded = unicodedata.normalize("NFKC", first)[:1]
    return folded in FORMULA_STARTS or first in FORMULA_STARTS or unicodedata.category(first) in _OPERATOR_CATEGORIES


def _defuse(cell: str) -> str:
    """The cell with a leading ``'`` if a spreadsheet could read it as a formula."""
    return "'" + cell if _formula_like(cell) else cell


def to_csv(events: gpd.GeoDataFrame) -> str:
    """CSV of events (no geometry; ISO dates; cells a spreadsheet would run as formulas neutralised)."""
    table = _iso_dates(pd.DataFrame(events.drop(columns="geometry")))
    for column in (c for c in COLUMNS if c.kind == "str"):
        table[column.name] = table[column.name].map(_defuse, na_action="ignore")
    return str(table.to_csv(index=False, lineterminator="\n"))


def to_geojson(events: gpd.GeoDataFrame) -> str:
    """RFC 7946 GeoJSON of events, one feature per event (id = event_id; null geometry when unplaced)."""
    features = gpd.GeoDataFrame(_iso_dates(events)).set_index("event_id", drop=False).rename_axis(None)
    return str(features.to_json(na="null", ensure_ascii=False))


def export_events(
    path: StorePath, fmt: Literal["geojson", "csv"], out: Path | None = None, *, problems: list[Problem] | None = None
) -> Path | str:
    """The store as GeoJSON (RFC 7946, feature id = event_id) or CSV (no geometry; formulas defused).

    With ``out`` the text is written there and ``out`` returned; without, the text itself is returned. With
    ``problems`` given, stored rows that cannot be read are left out with a problem each (see ``read_events``).
    """
    writers = {"geojson": to_geojson, "csv": to_csv}
    if fmt not in writers:
        raise DataFormatError(f"unknown export format {fmt!r}: choose 'geojson' or 'csv'")
    text = writers[fmt](read_events(path, problems=problems))
    if out is None:
        return text
    try:
        out.write_text(text, encoding="utf-8", newline="")
    except OSError as err:
        raise StoreError(f"cannot write the export to {out}: {type(err).__name__}: {err}") from err
    return out
