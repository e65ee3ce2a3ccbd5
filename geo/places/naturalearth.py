"""Derive the project's compact place table from the Natural Earth CSV in ``../shared``.

The raw CSV is not shipped. This module reads it at build time and writes the small table the
gazetteer needs (kind, names, country, point, box, rank), which is committed so that a clone
without ``../shared`` builds the same gazetteer.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from geo.errors import DataFormatError

__all__ = ["NaturalEarthPlace", "derive_table", "read_table"]

_COLUMNS: Final = (
    "kind",
    "name",
    "alt_names",
    "country_code",
    "lat",
    "lon",
    "min_lon",
    "min_lat",
    "max_lon",
    "max_lat",
    "scalerank",
    "population",
)

_REGION_KINDS: Final = {
    "island": "island",
    "island group": "island",
    "range/mtn": "mountain",
    "mountain": "mountain",
    "pass": "mountain",
    "continent": "continent",
}


@dataclass(frozen=True, slots=True)
class NaturalEarthPlace:
    """One named feature of the derived table."""

    kind: str
    name: str
    alt_names: tuple[str, ...]
    country_code: str | None
    lat: float
    lon: float
    bbox: tuple[float, float, float, float]
    scalerank: int
    population: int


def _kind(layer: str, featurecla: str) -> str | None:
    """Our feature kind for a Natural Earth layer and class, or None to leave the row out."""
    cla = featurecla.strip().lower()
    if layer == "country":
        return "country"
    if layer == "admin1":
        return "admin1"
    if layer == "marine":
        return "water"
    if cla == "dragons-be-here":
        return None
    if layer in ("region", "region_point", "elevation_point"):
        return _REGION_KINDS.get(cla, "region")
    return None


def _rows(source: Path) -> Iterator[dict[str, str]]:
    """Rows of the raw CSV, checked for the columns this module needs."""
    with source.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        needed = {"layer", "featurecla", "name", "name_alt", "country_code", "lat", "lon", "scalerank"}
        missing = needed - set(reader.fieldnames or ())
        if missing:
            raise DataFormatError(f"{source} lacks columns {sorted(missing)}: is it the Natural Earth places CSV?")
        yield from reader


def derive_table(source: Path, target: Path) -> int:
    """Write the derived table (gzipped TSV) from the raw CSV; return the number of rows."""
    tmp = target.with_suffix(target.suffix + ".tmp")
    try:
        count = _write_table(source, tmp)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)
    return count


def _write_table(source: Path, tmp: Path) -> int:
    count = 0
    with gzip.open(tmp, "wt", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(_COLUMNS)
        for row in _rows(source):
            kind = _kind(row["layer"], row["featurecla"])
            if kind is None or not row["name"].strip():
                continue
            writer.writerow(
                [
                    kind,
                    row["name"].strip(),
                    row["name_alt"].strip(),
                    row["country_code"].strip(),
                    row["lat"],
                    row["lon"],
                    row.get("min_lon") or row["lon"],
                    row.get("min_lat") or row["lat"],
                    row.get("max_lon") or row["lon"],
                    row.get("max_lat") or row["lat"],
                    row["scalerank"] or "10",
                    row.get("population") or "0",
                ]
            )
            count += 1
    return count


def read_table(path: Path) -> list[NaturalEarthPlace]:
    """Read the derived table written by :func:`derive_table`."""
    places = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            places.append(
                NaturalEarthPlace(
                    kind=row["kind"],
                    name=row["name"],
                    alt_names=tuple(a.strip() for a in row["alt_names"].split("|") if a.strip()),
                    country_code=row["country_code"] or None,
                    lat=float(row["lat"]),
                    lon=float(row["lon"]),
                    bbox=(
                        float(row["min_lon"]),
                        float(row["min_lat"]),
                        float(row["max_lon"]),
                        float(row["max_lat"]),
                    ),
                    scalerank=int(float(row["scalerank"])),
                    population=int(float(row["population"] or 0)),
                )
            )
    return places
