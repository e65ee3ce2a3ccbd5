"""The gazetteer index: named places, their coordinates and how prominent they are.

The index is built once by :mod:`geo.places.build` and loaded here. Entries are held as
columns (so loading is one unpickling of a few lists) and turned into :class:`Entry`
records on demand.
"""

from __future__ import annotations

import pickle
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from geo.errors import GazetteerError
from geo.settings import GAZETTEER_PATH

__all__ = ["FEATURES", "INDEX_VERSION", "Entry", "Gazetteer", "normalize"]

INDEX_VERSION: Final = 5

#: Feature kinds, from most to least administrative.
FEATURES: Final = (
    "continent",
    "country",
    "admin1",
    "admin2",
    "capital",
    "city",
    "water",
    "island",
    "region",
    "mountain",
)

_DROP = str.maketrans({"'": "", "’": "", "‘": "", "`": "", ".": "", "ʻ": "", "ʼ": ""})
_SPACE = str.maketrans({"-": " ", "‐": " ", "–": " ", "—": " ", "_": " ", ",": " ", "/": " "})


@lru_cache(maxsize=200_000)
def normalize(name: str) -> str:
    """Fold a place name to its lookup key: no accents, no case, no dots or apostrophes."""
    if name.isascii():
        folded = name
    else:
        decomposed = unicodedata.normalize("NFKD", name)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.translate(_DROP).translate(_SPACE).casefold().split())


@dataclass(frozen=True, slots=True)
class Entry:
    """One place of the gazetteer."""

    id: int
    name: str
    lat: float
    lon: float
    country_code: str | None
    feature: str
    population: int
    admin1: str | None
    #: Prominence prior in [0, 1]: how likely a bare mention of the name means this place.
    prominence: float
    bbox: tuple[float, float, float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "id": self.id,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "country_code": self.country_code,
            "feature": self.feature,
            "population": self.population,
            "admin1": self.admin1,
        }


class Gazetteer:
    """Lookup of normalised names to entries, plus per-entry columns."""

    def __init__(self, payload: dict[str, Any]) -> None:
        columns = payload["columns"]
        self._names: dict[str, Any] = payload["names"]
        self._demonyms: dict[str, int] = payload["demonyms"]
        self._commonness: dict[str, float] = payload["commonness"]
        self._first_names: frozenset[str] = payload["first_names"]
        self._surnames: frozenset[str] = payload["surnames"]
        #: First word of a key -> most words of any key starting with it.
        self.prefix_len: dict[str, int] = payload["prefix_len"]
        self._name = columns["name"]
        self._country = columns["country_code"]
        self._feature = columns["feature"]
        self._admin1 = columns["admin1"]
        self._lat = columns["lat"]
        self._lon = columns["lon"]
        self._prominence = columns["prominence"]
        self._population = columns["population"]
        self._bbox = columns["bbox"]
        self.country_entry: dict[str, int] = columns["country_entry"][0]
        self.admin1_entry: dict[tuple[str, str], int] = columns["admin1_entry"][0]

    @classmethod
    def load(cls, path: Path | None = None) -> Gazetteer:
        """Load the index built by ``python -m geo gazetteer build``."""
        path = path or GAZETTEER_PATH
        try:
            with path.open("rb") as fh:
                payload = pickle.load(fh)
        except FileNotFoundError as err:
            raise GazetteerError(
                f"no gazetteer index at {path}: run 'python -m geo gazetteer build' (or 'make data')"
            ) from err
        except (pickle.UnpicklingError, EOFError, AttributeError) as err:
            raise GazetteerError(f"gazetteer index {path} is damaged ({err}): rebuild it") from err
        if not isinstance(payload, dict) or payload.get("version") != INDEX_VERSION:
            raise GazetteerError(f"gazetteer index {path} is from another version: run 'python -m geo gazetteer build'")
        return cls(payload)

    def __len__(self) -> int:
        return len(self._name)

    def ids(self, key: str) -> tuple[int, ...]:
        """Entry ids whose name or alias normalises to ``key`` (empty when none)."""
        found = self._names.get(key)
        if found is None:
            return ()
        return (found,) if isinstance(found, int) else found

    def has_key(self, key: str) -> bool:
        """Whether any place is known under ``key``."""
        return key in self._names

    def country_points(self, min_population: int = 0) -> list[tuple[str, float, float]]:
        """(name, lat, lon) of the countries of at least ``min_population`` people, for map labels."""
        return [
            (self.name_of(i), *self.point_of(i))
            for i in self.country_entry.values()
            if self.population_of(i) >= min_population
        ]

    def demonym(self, key: str) -> int | None:
        """Entry id of the country or state a demonym key ('ukrainian', 'texans') refers to."""
        return self._demonyms.get(key)

    def commonness(self, key: str) -> float:
        """Zipf frequency of the key as an English word; 0 when it is not a common word."""
        return self._commonness.get(key, 0.0)

    def is_first_name(self, key: str) -> bool:
        """Whether the key is a common given name."""
        return key in self._first_names

    def is_person_name(self, key: str) -> bool:
        """Whether the key is a common given name or family name."""
        return key in self._first_names or key in self._surnames

    def entry(self, idx: int) -> Entry:
        """The record of entry ``idx``."""
        return Entry(
            id=idx,
            name=self._name[idx],
            lat=self._lat[idx],
            lon=self._lon[idx],
            country_code=self._country[idx],
            feature=self._feature[idx],
            population=self._population[idx],
            admin1=self._admin1[idx],
            prominence=self._prominence[idx],
            bbox=self._bbox.get(idx),
        )

    # Column accessors for hot loops (no record allocation).
    def country_of(self, idx: int) -> str | None:
        """ISO country code of entry ``idx``."""
        return self._country[idx]  # type: ignore[no-any-return]

    def feature_of(self, idx: int) -> str:
        """Feature kind of entry ``idx``."""
        return self._feature[idx]  # type: ignore[no-any-return]

    def admin1_of(self, idx: int) -> str | None:
        """First-level region code or name of entry ``idx``."""
        return self._admin1[idx]  # type: ignore[no-any-return]

    def prominence_of(self, idx: int) -> float:
        """Prominence prior of entry ``idx``."""
        return self._prominence[idx]  # type: ignore[no-any-return]

    def point_of(self, idx: int) -> tuple[float, float]:
        """(lat, lon) of entry ``idx``."""
        return self._lat[idx], self._lon[idx]

    def name_of(self, idx: int) -> str:
        """Preferred name of entry ``idx``."""
        return self._name[idx]  # type: ignore[no-any-return]

    def population_of(self, idx: int) -> int:
        """Population of entry ``idx`` (0 when unknown)."""
        return self._population[idx]  # type: ignore[no-any-return]
