"""Tests of geo.places.naturalearth: deriving the compact place table from a tiny Natural Earth CSV, and reading it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from geo.errors import DataFormatError
from geo.places.naturalearth import NaturalEarthPlace, derive_table, read_table

HEADER = [
    "layer", "featurecla", "name", "name_alt", "country_code", "country_name", "lat", "lon",
    "min_lon", "min_lat", "max_lon", "max_lat", "scalerank", "population",
]  # fmt: skip
ROWS = [
    ["country", "Admin-0 country", "Chile", "Rep. of Chile|Chile Rep.", "CL", "Chile", "-35.7", "-71.3",
     "-109.4", "-55.9", "-66.4", "-17.5", "1", "18952038"],
    ["admin1", "Admin-1 scale rank", "Georgia", "", "US", "United States", "32.6", "-83.4",
     "", "", "", "", "2", ""],
    ["marine", "strait", " Drake Passage ", "Mar de Hoces", "", "", "-58.0", "-65.0",
     "", "", "", "", "", ""],
    ["region", "Dragons-be-here", "Null Island", "Geocode fails routed to 0,0", "", "", "0.0", "-0.0",
     "-0.0", "-0.0", "0.0", "0.0", "100", ""],
    ["region", "Island", "Navarino Island", "", "CL", "Chile", "-55.1", "-67.7", "", "", "", "", "5", ""],
    ["country", "Admin-0 country", "   ", "", "XX", "", "1", "1", "", "", "", "", "1", ""],
    ["road", "Major highway", "Ruta 9", "", "CL", "Chile", "-53.0", "-70.9", "", "", "", "", "3", ""],
]  # fmt: skip


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def derived(tmp_path: Path) -> tuple[int, list[NaturalEarthPlace]]:
    source = write_csv(tmp_path / "ne.csv", HEADER, ROWS)
    target = tmp_path / "places.tsv.gz"
    count = derive_table(source, target)
    return count, read_table(target)


def test_round_trip_keeps_known_layers_and_drops_the_rest(derived: tuple[int, list[NaturalEarthPlace]]) -> None:
    count, places = derived
    assert count == len(places) == 4
    assert [(p.kind, p.name) for p in places] == [
        ("country", "Chile"),
        ("admin1", "Georgia"),
        ("water", "Drake Passage"),
        ("island", "Navarino Island"),
    ]


def test_country_row(derived: tuple[int, list[NaturalEarthPlace]]) -> None:
    chile = derived[1][0]
    assert chile == NaturalEarthPlace(
        kind="country",
        name="Chile",
        alt_names=("Rep. of Chile", "Chile Rep."),
        country_code="CL",
        lat=-35.7,
        lon=-71.3,
        bbox=(-109.4, -55.9, -66.4, -17.5),
        scalerank=1,
        population=18952038,
    )


def test_missing_box_rank_and_country_take_defaults(derived: tuple[int, list[NaturalEarthPlace]]) -> None:
    georgia, drake = derived[1][1], derived[1][2]
    assert georgia.bbox == (-83.4, 32.6, -83.4, 32.6)  # the point stands in for the box
    assert (georgia.population, georgia.alt_names) == (0, ())
    assert (drake.country_code, drake.scalerank, drake.alt_names) == (None, 10, ("Mar de Hoces",))


def test_no_temporary_file_left(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "ne.csv", HEADER, ROWS)
    derive_table(source, tmp_path / "places.tsv.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ne.csv", "places.tsv.gz"]


def test_missing_columns_are_named(tmp_path: Path) -> None:
    header = [c for c in HEADER if c not in ("featurecla", "scalerank")]
    source = write_csv(tmp_path / "bad.csv", header, [])
    with pytest.raises(DataFormatError, match=r"lacks columns \['featurecla', 'scalerank'\]"):
        derive_table(source, tmp_path / "places.tsv.gz")
    assert not (tmp_path / "places.tsv.gz").exists()


def test_empty_file_is_a_format_error(tmp_path: Path) -> None:
    source = tmp_path / "empty.csv"
    source.write_text("", encoding="utf-8")
    with pytest.raises(DataFormatError, match=r"empty\.csv lacks columns \['country_code', "):
        derive_table(source, tmp_path / "places.tsv.gz")


def test_refused_source_leaves_no_temporary_file(tmp_path: Path) -> None:
    source = write_csv(tmp_path / "bad.csv", ["layer", "name"], [])
    with pytest.raises(DataFormatError):
        derive_table(source, tmp_path / "places.tsv.gz")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


def test_a_refused_source_keeps_the_old_table(tmp_path: Path) -> None:
    target = tmp_path / "places.tsv.gz"
    derive_table(write_csv(tmp_path / "ne.csv", HEADER, ROWS), target)
    before = target.read_bytes()
    with pytest.raises(DataFormatError):
        derive_table(write_csv(tmp_path / "bad.csv", ["layer", "name"], []), target)
    assert target.read_bytes() == before
