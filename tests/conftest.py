"""Fixtures shared by the tests: ../shared and its files, the gazetteer, the geoparser (loaded once), the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from geo import settings
from geo.gazetteer import Gazetteer
from geo.geoparse import Geoparser


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The ``../shared`` folder beside the repository; skips the test when it is absent."""
    if not settings.SHARED_DIR.is_dir():
        pytest.skip(f"../shared not present: expected it at {settings.SHARED_DIR}")
    return settings.SHARED_DIR


def _shared_path(shared_dir: Path, relative: str) -> Path:
    path = shared_dir / relative
    if not path.exists():
        pytest.skip(f"../shared not present: {relative} is missing from {shared_dir}")
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

    def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
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
