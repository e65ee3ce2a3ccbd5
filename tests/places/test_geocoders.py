"""Tests of geo.places.geocoders: the offline gazetteer geocoder and the cached, rate-limited online fallback."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from geopy import exc
from geopy.adapters import AdapterHTTPError, BaseSyncAdapter
from geopy.geocoders import Nominatim
from geopy.location import Location

from geo.errors import GeocoderServiceError, GeoError
from geo.places.gazetteer import Gazetteer
from geo.places.geocoders import CachedGeocoder, FallbackGeocoder, GazetteerGeocoder, geocoder_from_settings
from geo.settings import NOMINATIM_USER_AGENT

# The fallback must never reach the network, whatever the pytest configuration says.
pytestmark = pytest.mark.disable_socket

ATLANTIS = Location("Atlantis, Ocean", (31.0, -24.0), {"place_id": 7, "class": "place"})


class FakeTime:
    """A clock that moves only when slept on, recording every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeGeocoder:
    """Stands in for Nominatim: answers from a dict, or raises ``error``; records each query."""

    def __init__(self, answers: dict[str, Location] | None = None, error: Exception | None = None) -> None:
        self.answers = answers or {}
        self.error = error
        self.calls: list[str] = []

    def geocode(self, query: str, *, exactly_one: bool = True, timeout: Any = None) -> Any:
        self.calls.append(query)
        if self.error is not None:
            raise self.error
        found = self.answers.get(query)
        return found if exactly_one or found is None else [found]


class FakeAdapter(BaseSyncAdapter):  # type: ignore[misc]
    """A geopy HTTP adapter that serves one canned JSON reply (or error) and records the URLs."""

    def __init__(self, reply: Any, *, proxies: Any = None, ssl_context: Any = None) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.reply = reply
        self.requests: list[tuple[str, dict[str, str]]] = []

    def get_json(self, url: str, *, timeout: float, headers: dict[str, str]) -> Any:
        self.requests.append((url, headers))
        if isinstance(self.reply, Exception):
            raise self.reply
        return self.reply

    def get_text(self, url: str, *, timeout: float, headers: dict[str, str]) -> str:
        raise NotImplementedError


@pytest.fixture(scope="module")
def offline(gazetteer: Gazetteer) -> GazetteerGeocoder:
    return GazetteerGeocoder(gazetteer)


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


def cached(fake: Any, path: Path, fake_time: FakeTime, **options: Any) -> CachedGeocoder:
    return CachedGeocoder(fake, path, clock=fake_time.clock, sleep=fake_time.sleep, **options)


# --- offline --------------------------------------------------------------------------------------------


def test_bare_name_is_the_most_prominent_place(offline: GazetteerGeocoder) -> None:
    location = offline.geocode("Paris")
    assert isinstance(location, Location)
    assert location.address == "Paris, Île-de-France, France"
    assert location.raw["country_code"] == "FR"
    assert location.raw["feature"] == "capital"
    assert location.latitude == pytest.approx(48.85, abs=0.1)
    assert location.longitude == pytest.approx(2.35, abs=0.1)


@pytest.mark.parametrize(
    ("query", "country_code", "admin1"),
    [
        ("Paris, Texas", "US", "TX"),
        ("Paris, TX", "US", "TX"),
        ("paris ,  texas", "US", "TX"),
        ("Nice, France", "FR", None),
        ("Nice, FR", "FR", None),
        ("Nice, Alpes-Maritimes", "FR", None),
        ("Springfield, Illinois", "US", "IL"),
        ("Springfield, IL", "US", "IL"),
        ("Springfield, Illinois, USA", "US", "IL"),
        ("London, Ontario", "CA", None),
        ("Tbilisi, Georgia", "GE", None),
        ("Washington, D.C.", "US", "DC"),
    ],
)
def test_qualifiers_choose_the_place(
    offline: GazetteerGeocoder, query: str, country_code: str, admin1: str | None
) -> None:
    location = offline.geocode(query)
    assert location is not None
    assert location.raw["country_code"] == country_code
    if admin1 is not None:
        assert location.raw["admin1"] == admin1


def test_address_reads_name_state_country(offline: GazetteerGeocoder) -> None:
    location = offline.geocode("Paris, Texas")
    assert location is not None
    assert location.address == "Paris, Texas, United States"
    assert set(location.raw) >= {"id", "name", "feature", "country_code", "population", "admin1", "prominence"}
    assert location.raw["population"] > 0


def test_region_is_not_repeated_in_its_own_address(offline: GazetteerGeocoder) -> None:
    location = offline.geocode("Texas")
    assert location is not None
    assert location.address == "Texas, United States"


def test_all_matches_are_ranked_and_distinct(offline: GazetteerGeocoder) -> None:
    locations = offline.geocode("Springfield", exactly_one=False)
    assert isinstance(locations, list)
    assert len(locations) > 5
    assert all(isinstance(loc, Location) for loc in locations)
    prominence = [loc.raw["prominence"] for loc in locations]
    assert prominence == sorted(prominence, reverse=True)
    ids = [loc.raw["id"] for loc in locations]
    assert len(ids) == len(set(ids))


def test_duplicate_entries_of_one_region_are_listed_once(offline: GazetteerGeocoder) -> None:
    locations = offline.geocode("Texas", exactly_one=False)
    assert locations is not None
    assert [loc.address for loc in locations].count("Texas, United States") == 1


def test_qualifier_ranks_matching_places_first(offline: GazetteerGeocoder) -> None:
    locations = offline.geocode("Paris, US", exactly_one=False)
    assert locations is not None
    assert {loc.raw["country_code"] for loc in locations} == {"US"}
    assert locations[0].raw["admin1"] == "TX"  # the largest US Paris


@pytest.mark.parametrize("query", ["Xyzzyplatz", "Paris, Narnia", "Springfield, Illinois, France", "", " , "])
def test_a_miss_is_none(offline: GazetteerGeocoder, query: str) -> None:
    assert offline.geocode(query) is None
    assert offline.geocode(query, exactly_one=False) is None


def test_reverse_is_not_offered(offline: GazetteerGeocoder) -> None:
    with pytest.raises(NotImplementedError, match="Nominatim"):
        offline.reverse((48.85, 2.35))


# --- fallback -------------------------------------------------------------------------------------------


def test_fallback_unused_when_offline_finds_the_place(
    offline: GazetteerGeocoder, tmp_path: Path, fake_time: FakeTime
) -> None:
    fake = FakeGeocoder({"Paris": ATLANTIS})
    location = FallbackGeocoder(offline, cached(fake, tmp_path / "c.sqlite", fake_time)).geocode("Paris")
    assert location is not None
    assert location.raw["country_code"] == "FR"
    assert fake.calls == []


def test_fallback_used_when_offline_misses(offline: GazetteerGeocoder, tmp_path: Path, fake_time: FakeTime) -> None:
    fake = FakeGeocoder({"Xyzzyplatz": ATLANTIS})
    geocoder = FallbackGeocoder(offline, cached(fake, tmp_path / "c.sqlite", fake_time))
    location = geocoder.geocode("Xyzzyplatz")
    assert location == ATLANTIS
    assert fake.calls == ["Xyzzyplatz"]
    assert geocoder.geocode("Xyzzyplatz", exactly_one=False) == [ATLANTIS]


def test_fallback_off_by_default(offline: GazetteerGeocoder) -> None:
    assert FallbackGeocoder(offline).geocode("Xyzzyplatz") is None


def test_settings_leave_the_fallback_off(gazetteer: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEO_ONLINE_FALLBACK", raising=False)
    geocoder = geocoder_from_settings(gazetteer=gazetteer, cache_path=tmp_path / "c.sqlite")
    assert geocoder.online is None
    assert geocoder.geocode("Paris, Texas") is not None


@pytest.mark.parametrize(("online", "env"), [(True, None), (False, "1"), (False, "true")])
def test_settings_turn_nominatim_on(
    gazetteer: Gazetteer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, online: bool, env: str | None
) -> None:
    if env is None:
        monkeypatch.delenv("GEO_ONLINE_FALLBACK", raising=False)
    else:
        monkeypatch.setenv("GEO_ONLINE_FALLBACK", env)
    path = tmp_path / "c.sqlite"
    geocoder = geocoder_from_settings(online=online, gazetteer=gazetteer, cache_path=path)
    assert geocoder.online is not None
    assert isinstance(geocoder.online.geocoder, Nominatim)
    assert geocoder.online.geocoder.headers["User-Agent"] == NOMINATIM_USER_AGENT
    assert not path.exists()  # nothing opened until a query misses offline


# --- cache ----------------------------------------------------------------------------------------------


def test_hits_are_cached_on_disk(tmp_path: Path, fake_time: FakeTime) -> None:
    fake = FakeGeocoder({"Atlantis": ATLANTIS})
    first = cached(fake, tmp_path / "c.sqlite", fake_time).geocode("Atlantis")
    again = cached(fake, tmp_path / "c.sqlite", fake_time).geocode("  atlantis ")
    assert fake.calls == ["Atlantis"]
    assert first is not None
    assert again is not None
    assert (again.address, again.point, again.raw) == (first.address, first.point, first.raw)


def test_misses_are_cached_too(tmp_path: Path, fake_time: FakeTime) -> None:
    fake = FakeGeocoder()
    geocoder = cached(fake, tmp_path / "c.sqlite", fake_time)
    assert geocoder.geocode("Nowhere") is None
    assert geocoder.geocode("Nowhere") is None
    assert fake.calls == ["Nowhere"]
    with sqlite3.connect(tmp_path / "c.sqlite") as db:
        assert db.execute("SELECT query, result FROM geocode").fetchall() == [("nowhere", "[]")]


def test_unwritable_cache_is_a_clear_error(tmp_path: Path, fake_time: FakeTime) -> None:
    (tmp_path / "file").write_text("")
    geocoder = cached(FakeGeocoder(), tmp_path / "file" / "c.sqlite", fake_time)
    with pytest.raises(GeoError, match=r"cannot open the geocode cache .*GEO_GEOCODE_CACHE"):
        geocoder.geocode("Atlantis")


# --- errors and rate limit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (exc.GeocoderTimedOut("slow"), r"timed out for 'Atlantis' \(slow\): check the network"),
        (exc.GeocoderUnavailable("down"), r"could not be reached for 'Atlantis' \(down\): check the network"),
        (exc.GeocoderRateLimited("429"), "refused: too many requests for 'Atlantis' .*: wait"),
        (exc.GeocoderServiceError("boom"), r"failed for 'Atlantis' \(boom\): retry later"),
    ],
)
def test_geopy_errors_become_ours(tmp_path: Path, fake_time: FakeTime, error: Exception, message: str) -> None:
    fake = FakeGeocoder(error=error)
    geocoder = cached(fake, tmp_path / "c.sqlite", fake_time, max_retries=1)
    with pytest.raises(GeocoderServiceError, match=f"FakeGeocoder {message}.*turn the online fallback off") as info:
        geocoder.geocode("Atlantis")
    assert info.value.__cause__ is error
    assert isinstance(info.value, ConnectionError)
    assert len(fake.calls) == 2  # retried once, after a (fake) wait
    fake.error = None
    assert geocoder.geocode("Atlantis") is None  # the failure was not cached as a miss
    assert len(fake.calls) == 3


def test_requests_are_spaced_one_second_apart(tmp_path: Path, fake_time: FakeTime) -> None:
    fake = FakeGeocoder({"Atlantis": ATLANTIS})
    geocoder = cached(fake, tmp_path / "c.sqlite", fake_time)
    geocoder.geocode("Atlantis")
    geocoder.geocode("Lemuria")
    assert fake_time.sleeps == [pytest.approx(1.0)]
    geocoder.geocode("Atlantis")  # a cache hit sends no request and waits for nothing
    assert fake_time.sleeps == [pytest.approx(1.0)]
    fake_time.now += 5.0
    geocoder.geocode("Mu")
    assert fake_time.sleeps == [pytest.approx(1.0)]
    assert fake.calls == ["Atlantis", "Lemuria", "Mu"]


def test_nominatim_through_a_fake_adapter(tmp_path: Path, fake_time: FakeTime) -> None:
    reply = [{"lat": "31.0", "lon": "-24.0", "display_name": "Atlantis, Ocean", "place_id": 7}]
    adapter = FakeAdapter(reply)
    nominatim = Nominatim(user_agent=NOMINATIM_USER_AGENT, adapter_factory=lambda **kw: adapter)
    location = cached(nominatim, tmp_path / "c.sqlite", fake_time).geocode("Atlantis")
    assert location is not None
    assert (location.address, location.latitude, location.longitude) == ("Atlantis, Ocean", 31.0, -24.0)
    assert location.raw["place_id"] == 7
    [(url, headers)] = adapter.requests
    assert "q=Atlantis" in url
    assert headers["User-Agent"] == NOMINATIM_USER_AGENT


def test_nominatim_http_429_becomes_our_error(tmp_path: Path, fake_time: FakeTime) -> None:
    adapter = FakeAdapter(AdapterHTTPError("Too Many Requests", status_code=429, headers={}, text=""))
    nominatim = Nominatim(user_agent=NOMINATIM_USER_AGENT, adapter_factory=lambda **kw: adapter)
    geocoder = cached(nominatim, tmp_path / "c.sqlite", fake_time, max_retries=0)
    with pytest.raises(GeocoderServiceError, match="Nominatim refused: too many requests"):
        geocoder.geocode("Atlantis")
