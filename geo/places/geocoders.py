"""Geocode a place name: offline from the gazetteer, with an opt-in cached online fallback.

The offline :class:`GazetteerGeocoder` follows geopy's contract (``geocode`` returns a
:class:`geopy.location.Location`, a list of them, or None on a miss). :class:`CachedGeocoder`
puts any geopy geocoder (Nominatim) behind a 1 request/s rate limiter and an sqlite cache, and
:class:`FallbackGeocoder` asks it only when the gazetteer misses and the fallback is turned on.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, overload

from geopy import exc
from geopy.distance import great_circle
from geopy.extra.rate_limiter import RateLimiter
from geopy.geocoders import Nominatim
from geopy.geocoders.base import DEFAULT_SENTINEL, Geocoder
from geopy.location import Location

from geo.errors import GeocoderServiceError
from geo.places.gazetteer import Gazetteer, normalize
from geo.settings import GEOCODE_CACHE_PATH, NOMINATIM_USER_AGENT

__all__ = ["CachedGeocoder", "FallbackGeocoder", "GazetteerGeocoder", "geocoder_from_settings"]

#: Environment variable that turns the online fallback on when set to 1 (or true/yes/on).
ONLINE_FALLBACK_ENV: Final = "GEO_ONLINE_FALLBACK"
#: A place counts as inside a non-US first-level region within this distance (km) of its point.
REGION_KM: Final = 300.0
_TRUE: Final = frozenset(("1", "true", "yes", "on"))

#: geopy error -> (what happened, how to fix it); the first matching class wins.
_ADVICE: Final[tuple[tuple[type[Exception], str, str], ...]] = (
    (exc.GeocoderTimedOut, "timed out", "check the network connection or retry later"),
    (exc.GeocoderQuotaExceeded, "refused: too many requests", "wait a few minutes before retrying"),
    (exc.GeocoderAuthenticationFailure, "refused the credentials", "check the user agent or API key"),
    (exc.GeocoderInsufficientPrivileges, "refused access", "check the user agent or API key"),
    (exc.GeocoderUnavailable, "could not be reached", "check the network connection"),
    (exc.GeocoderQueryError, "rejected the query", "rephrase the query"),
    (exc.GeocoderParseError, "sent a reply that could not be read", "retry later"),
    (exc.GeopyError, "failed", "retry later"),
)


@dataclass(frozen=True, slots=True)
class _Container:
    """A place a query qualifier may name: a country, a US state or another first-level region."""

    country_code: str
    us_state: str | None = None
    point: tuple[float, float] | None = None

    def match(self, gaz: Gazetteer, idx: int) -> int:
        """2 when entry ``idx`` lies in this place, 1 when only in its country, else 0."""
        if gaz.country_of(idx) != self.country_code:
            return 0
        if self.point is not None:
            return 2 if great_circle(self.point, gaz.point_of(idx)).km <= REGION_KM else 1
        return 2 if self.us_state in (None, gaz.admin1_of(idx)) else 0


class GazetteerGeocoder(Geocoder):  # type: ignore[misc]  # geopy ships no type hints
    """Offline geocoder over the gazetteer: "Name", "Name, Region", "Name, Region, Country"."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        super().__init__()
        self.gazetteer = gazetteer

    @overload
    def geocode(self, query: str, *, exactly_one: Literal[True] = ..., timeout: object = ...) -> Location | None: ...
    @overload
    def geocode(self, query: str, *, exactly_one: bool, timeout: object = ...) -> Any: ...
    def geocode(self, query: str, *, exactly_one: bool = True, timeout: object = DEFAULT_SENTINEL) -> Any:
        """Places named ``query``, most likely first; None when none fits. ``timeout`` is ignored."""
        return _pick(self.candidates(query), exactly_one)

    def reverse(self, query: object, *, exactly_one: bool = True, timeout: object = DEFAULT_SENTINEL) -> Any:
        """Not offered offline: the gazetteer is a list of names, not a spatial index."""
        raise NotImplementedError("GazetteerGeocoder cannot reverse-geocode; use geopy's Nominatim.reverse")

    def candidates(self, query: str) -> list[Location]:
        """Every place that fits ``query``, best first, one per distinct place."""
        name, *rest = [part.strip() for part in query.split(",") if part.strip()] or [""]
        qualifiers = [self._containers(part) for part in rest]
        ranked = self._rank(self.gazetteer.ids(normalize(name)), qualifiers)
        if not ranked and rest:  # a name with a comma in it: "Washington, D.C."
            ranked = self._rank(self.gazetteer.ids(normalize(query)), [])
        seen: set[tuple[str, str, str | None, str | None]] = set()
        out = []
        for idx in ranked:
            entry = self.gazetteer.entry(idx)
            key = (entry.name, entry.feature, entry.country_code, entry.admin1)
            if key not in seen:
                seen.add(key)
                out.append(self._location(idx))
        return out

    def _containers(self, qualifier: str) -> tuple[_Container, ...]:
        """The places a qualifier may mean: a country name or code, a US state name or code, a region."""
        gaz = self.gazetteer
        found = []
        code = qualifier.replace(".", "").replace(" ", "").upper()
        if code in gaz.country_entry:
            found.append(_Container(code))
        if ("US", code) in gaz.admin1_entry:
            found.append(_Container("US", us_state=code))
        for idx in gaz.ids(normalize(qualifier)):
            cc, feature = gaz.country_of(idx), gaz.feature_of(idx)
            if cc is None or feature not in ("country", "admin1"):
                continue
            if feature == "country":
                found.append(_Container(cc))
            elif cc == "US":
                found.append(_Container(cc, us_state=gaz.admin1_of(idx)))
            else:
                found.append(_Container(cc, point=gaz.point_of(idx)))
        return tuple(dict.fromkeys(found))

    def _rank(self, ids: tuple[int, ...], qualifiers: list[tuple[_Container, ...]]) -> list[int]:
        """Entries that fit every qualifier, by prominence plus how closely they fit."""
        scores: dict[int, float] = {}
        for idx in ids:
            fits = [max((c.match(self.gazetteer, idx) for c in q), default=0) for q in qualifiers]
            if all(fits):
                scores[idx] = self.gazetteer.prominence_of(idx) + sum(fits)
        return sorted(scores, key=lambda idx: (-scores[idx], idx))

    def _location(self, idx: int) -> Location:
        entry = self.gazetteer.entry(idx)
        raw = {**entry.to_dict(), "prominence": entry.prominence}
        return Location(self._address(idx), (entry.lat, entry.lon), raw)

    def _address(self, idx: int) -> str:
        """Readable "Name, Admin1, Country" (parts that are unknown or repeat the name left out)."""
        gaz = self.gazetteer
        cc, admin1 = gaz.country_of(idx), gaz.admin1_of(idx)
        parts = [gaz.name_of(idx)]
        region = gaz.admin1_entry.get((cc, admin1)) if cc and admin1 else None
        if region is not None:
            parts.append(gaz.name_of(region))
        country = gaz.country_entry.get(cc) if cc else None
        if country is not None:
            parts.append(gaz.name_of(country))
        return ", ".join(dict.fromkeys(parts))


class _TimedRateLimiter(RateLimiter):  # type: ignore[misc]  # geopy ships no type hints
    """geopy's RateLimiter with its clock and sleep given, so that time is testable."""

    def __init__(
        self, func: Callable[..., Any], *, clock: Callable[[], float], sleep: Callable[[float], None], **kwargs: Any
    ) -> None:
        super().__init__(func, **kwargs)
        self._clock_fn = clock
        self._sleep_fn = sleep

    def _clock(self) -> float:
        return self._clock_fn()

    def _sleep(self, seconds: float) -> None:
        self._sleep_fn(seconds)


class CachedGeocoder:
    """A geopy geocoder behind a rate limiter and a persistent sqlite cache of hits and misses.

    The table ``geocode`` maps (query, exactly_one) to a JSON list of
    ``{"address", "lat", "lon", "raw"}``; an empty list records a miss. The file is opened on
    each lookup, never in the constructor.
    """

    def __init__(
        self,
        geocoder: Geocoder,
        cache_path: Path,
        *,
        min_delay_seconds: float = 1.0,
        max_retries: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.geocoder = geocoder
        self.cache_path = cache_path
        self._limited = _TimedRateLimiter(
            geocoder.geocode,
            min_delay_seconds=min_delay_seconds,
            max_retries=max_retries,
            error_wait_seconds=max(2.0, min_delay_seconds),
            swallow_exceptions=False,
            clock=clock,
            sleep=sleep,
        )

    @overload
    def geocode(self, query: str, *, exactly_one: Literal[True] = ..., timeout: object = ...) -> Location | None: ...
    @overload
    def geocode(self, query: str, *, exactly_one: bool, timeout: object = ...) -> Any: ...
    def geocode(self, query: str, *, exactly_one: bool = True, timeout: object = DEFAULT_SENTINEL) -> Any:
        """The cached answer for ``query``, or the service's (at most one request a second)."""
        key = " ".join(query.split()).casefold()
        records = self._read(key, exactly_one)
        if records is None:
            records = [_record(loc) for loc in _as_list(self._ask(query, exactly_one, timeout))]
            self._write(key, exactly_one, records)
        return _pick([Location(r["address"], (r["lat"], r["lon"]), r["raw"]) for r in records], exactly_one)

    def _ask(self, query: str, exactly_one: bool, timeout: object) -> Any:
        options: dict[str, Any] = {"exactly_one": exactly_one}
        if timeout is not DEFAULT_SENTINEL:
            options["timeout"] = timeout
        try:
            return self._limited(query, **options)
        except exc.GeopyError as err:
            what, fix = next((w, f) for kind, w, f in _ADVICE if isinstance(err, kind))
            raise GeocoderServiceError(
                f"online geocoder {type(self.geocoder).__name__} {what} for {query!r} ({err}): {fix},"
                f" or turn the online fallback off (drop --online, unset {ONLINE_FALLBACK_ENV})"
            ) from err

    def _connect(self) -> sqlite3.Connection:
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.cache_path)
            connection.execute(
                "CREATE TABLE IF NOT EXISTS geocode (query TEXT NOT NULL, exactly_one INTEGER NOT NULL,"
                " result TEXT NOT NULL, PRIMARY KEY (query, exactly_one))"
            )
        except (OSError, sqlite3.Error) as err:
            raise GeocoderServiceError(
                f"cannot open the geocode cache {self.cache_path} ({err}): set GEO_GEOCODE_CACHE to a writable file"
            ) from err
        return connection

    def _read(self, key: str, exactly_one: bool) -> list[dict[str, Any]] | None:
        with closing(self._connect()) as db:
            row = db.execute(
                "SELECT result FROM geocode WHERE query = ? AND exactly_one = ?", (key, exactly_one)
            ).fetchone()
        return None if row is None else list(json.loads(row[0]))

    def _write(self, key: str, exactly_one: bool, records: list[dict[str, Any]]) -> None:
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR REPLACE INTO geocode VALUES (?, ?, ?)", (key, exactly_one, json.dumps(records)))


class FallbackGeocoder:
    """Geocode offline first; ask the online geocoder only when offline misses and it is given."""

    def __init__(self, offline: GazetteerGeocoder, online: CachedGeocoder | None = None) -> None:
        self.offline = offline
        self.online = online

    @overload
    def geocode(self, query: str, *, exactly_one: Literal[True] = ..., timeout: object = ...) -> Location | None: ...
    @overload
    def geocode(self, query: str, *, exactly_one: bool, timeout: object = ...) -> Any: ...
    def geocode(self, query: str, *, exactly_one: bool = True, timeout: object = DEFAULT_SENTINEL) -> Any:
        """The gazetteer's answer, else the online one when the fallback is on, else None."""
        found = self.offline.geocode(query, exactly_one=exactly_one)
        if found is None and self.online is not None:
            return self.online.geocode(query, exactly_one=exactly_one, timeout=timeout)
        return found


def geocoder_from_settings(
    *, online: bool = False, gazetteer: Gazetteer | None = None, cache_path: Path | None = None
) -> FallbackGeocoder:
    """Build the offline geocoder, with the cached Nominatim fallback when asked for.

    The fallback is on when ``online`` is true or the environment variable
    ``GEO_ONLINE_FALLBACK`` is ``1`` (or ``true``, ``yes``, ``on``); it is off otherwise.
    ``gazetteer`` defaults to :meth:`Gazetteer.load`, ``cache_path`` to ``GEOCODE_CACHE_PATH``.
    """
    offline = GazetteerGeocoder(gazetteer if gazetteer is not None else Gazetteer.load())
    if not (online or os.environ.get(ONLINE_FALLBACK_ENV, "").strip().lower() in _TRUE):
        return FallbackGeocoder(offline)
    nominatim = Nominatim(user_agent=NOMINATIM_USER_AGENT)
    return FallbackGeocoder(offline, CachedGeocoder(nominatim, cache_path or GEOCODE_CACHE_PATH))


def _pick(locations: list[Location], exactly_one: bool) -> Any:
    """geopy's shape of an answer: the first place, the list, or None when there is none."""
    if not locations:
        return None
    return locations[0] if exactly_one else locations


def _as_list(found: Any) -> list[Location]:
    if found is None:
        return []
    return list(found) if isinstance(found, list) else [found]


def _record(location: Location) -> dict[str, Any]:
    return {"address": location.address, "lat": location.latitude, "lon": location.longitude, "raw": location.raw}
