"""Fixtures shared by the tests: ../shared and its files, the gazetteer, the geoparser (loaded once), the CLI, and
for the browser tests the page served over a module's ``store`` and a Chromium page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from geo import settings
from geo.places.gazetteer import INDEX_VERSION, Gazetteer, normalize
from geo.places.geoparse import Geoparser
from geo.places.sources import english_commonness
from tests.browser import Browser, chromium_page, serving

#: Put on the PYTHONPATH of every process the tests start (the `geo` commands, the Streamlit server, Dask's
#: workers): its ``sitecustomize`` lets them reach nothing but localhost, as pytest-socket does for this one.
OFFLINE = Path(__file__).resolve().parent / "offline"
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(OFFLINE), os.environ.get("PYTHONPATH")]))


#: Set (to 1) to run the tests marked ``slow`` too, as `make test-all` and CI do; `make test` leaves them out and
#: says so.
RUN_SLOW = "GEO_TESTS_SLOW"
_SLOW_LEFT_OUT = pytest.StashKey[int]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the tests marked ``slow`` unless ``GEO_TESTS_SLOW`` is set or ``-m`` chooses the tests."""
    if os.environ.get(RUN_SLOW) or config.getoption("markexpr"):
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]
    config.stash[_SLOW_LEFT_OUT] = len(slow)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say how many slow tests were left out, and how to run them."""
    left_out = config.stash.get(_SLOW_LEFT_OUT, 0)
    if left_out:
        terminalreporter.write_line(
            f"{left_out} slow tests not run (marked slow: 100 MB inputs, a thousand polls, the page at scale); "
            f"make test-all or {RUN_SLOW}=1 runs them, as CI does",
            yellow=True,
        )


#: Set (to 1) where ``../shared`` must be there, as in CI: the tests that read it then fail instead of skipping.
REQUIRE_SHARED = "GEO_TESTS_REQUIRE_SHARED"


def _missing_shared(reason: str) -> None:
    if os.environ.get(REQUIRE_SHARED):
        pytest.fail(f"{reason}, and {REQUIRE_SHARED} says the tests that read it must run", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder beside the repository; skips the test when it is absent (fails where
    ``GEO_TESTS_REQUIRE_SHARED`` is set)."""
    if not settings.SHARED_DIR.is_dir():
        _missing_shared(f"../shared not present: expected it at {settings.SHARED_DIR}")
    return settings.SHARED_DIR


def _shared_path(shared_dir: Path, relative: str) -> Path:
    path = shared_dir / relative
    if not path.exists():
        _missing_shared(f"../shared not present: {relative} is missing from {shared_dir}")
    return path


@pytest.fixture(scope="session")
def seed_page(shared_dir: Path) -> Path:
    """The seed news page, ``../shared/seed/news_page.txt``."""
    return _shared_path(shared_dir, "seed/news_page.txt")


@pytest.fixture(scope="session")
def eval_dir(shared_dir: Path) -> Path:
    """The annotated corpora folder, ``../shared/eval``."""
    return _shared_path(shared_dir, "eval")


@pytest.fixture(scope="session")
def eval_file(eval_dir: Path) -> Callable[[str], Path]:
    """The path of a file of ``../shared/eval`` by name (read in place); skips, or fails where
    ``GEO_TESTS_REQUIRE_SHARED`` is set, when it is missing."""
    return lambda name: _shared_path(eval_dir.parent, f"eval/{name}")


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    """The built gazetteer index, loaded once per session."""
    if not settings.GAZETTEER_PATH.exists():
        pytest.skip(f"gazetteer index missing at {settings.GAZETTEER_PATH}: run 'make data'")
    return Gazetteer.load()


@pytest.fixture(scope="session")
def geoparser(gazetteer: Gazetteer) -> Geoparser:
    """A geoparser over the session's gazetteer."""
    return Geoparser(gazetteer)


@pytest.fixture(scope="session")
def run_geo() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m geo ARGS...`` from the project folder; returns the finished process (text mode)."""

    def run(
        *args: str, stdin: str | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "geo", *args],
            cwd=settings.PROJECT_DIR,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            env={**os.environ, **(env or {})},
            timeout=120,
            check=False,
        )

    return run


#: (name, lat, lon, country, feature, prominence) of the tiny gazetteer: real-looking places whose names
#: are also persons, weekdays, words or a newspaper, so that the filters of geo.places.toponyms are tested whatever
#: the built gazetteer happens to hold (it holds none of Trump, Xi, Monday, Play, App, Leave, Izvestia).
TINY_PLACES = [
    ("Trump", 39.6, -76.6, "US", "city", 0.3),
    ("Monday", 39.3, -82.0, "US", "city", 0.3),
    ("Xi", 35.0, 110.0, "CN", "city", 0.3),
    ("Play", 45.0, 7.0, "IT", "city", 0.3),
    ("Leave", 46.0, 5.0, "FR", "city", 0.3),
    ("App", 44.0, 9.0, "IT", "city", 0.3),
    ("Izvestia", 55.0, 40.0, "RU", "city", 0.3),
    ("Wednesday", 36.0, -90.0, "US", "city", 0.3),
    ("Thursday", 37.0, -91.0, "US", "city", 0.3),
    ("Friday", 38.0, -92.0, "US", "city", 0.3),
    ("Interstate", 40.0, -95.0, "US", "city", 0.3),
    ("Melissa", 33.3, -96.6, "US", "city", 0.4),
    ("Dublin", 53.35, -6.26, "IE", "capital", 0.9),
    ("France", 46.6, 2.5, "FR", "country", 1.0),
]


@pytest.fixture(scope="session")
def tiny_gazetteer() -> Gazetteer:
    """A gazetteer of the places of ``TINY_PLACES``, built in memory."""
    france = [p[0] for p in TINY_PLACES].index("France")
    columns: dict[str, Any] = {
        "name": [p[0] for p in TINY_PLACES],
        "lat": [p[1] for p in TINY_PLACES],
        "lon": [p[2] for p in TINY_PLACES],
        "country_code": [p[3] for p in TINY_PLACES],
        "feature": [p[4] for p in TINY_PLACES],
        "prominence": [p[5] for p in TINY_PLACES],
        "population": [0] * len(TINY_PLACES),
        "admin1": [None] * len(TINY_PLACES),
        "bbox": {},
        "country_entry": [{"FR": france}],
        "admin1_entry": [{}],
    }
    names = {normalize(p[0]): idx for idx, p in enumerate(TINY_PLACES)}
    payload = {
        "version": INDEX_VERSION,
        "columns": columns,
        "names": names,
        "prefix_len": dict.fromkeys([*names, "french"], 1),
        "demonyms": {"french": france},
        "commonness": english_commonness(names),  # as the built gazetteer has it
        "first_names": frozenset({"donald", "melissa"}),
        "surnames": frozenset({"trump"}),
    }
    return Gazetteer(payload)


@pytest.fixture(scope="session")
def events_dev(eval_file: Callable[[str], Path]) -> Path:
    """The event-type development set, ``../shared/eval/events_dev.jsonl`` (read in place)."""
    return eval_file("events_dev.jsonl")


@pytest.fixture(scope="session")
def sample_page() -> Path:
    """The news page shipped with the project, ``data/sample/news_page.txt``."""
    if not settings.SAMPLE_PAGE.exists():
        pytest.skip(f"no shipped sample page at {settings.SAMPLE_PAGE}")
    return settings.SAMPLE_PAGE


@pytest.fixture(scope="module")
def server(store: Path) -> Iterator[str]:
    """The dashboard with its map server, over the ``store`` fixture of the module asking."""
    with serving(store) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Browser]:
    """A page of headless Chromium that reaches nothing but localhost."""
    with chromium_page() as page:
        yield page
