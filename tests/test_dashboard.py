"""The placeholder page, driven by Streamlit's AppTest (no browser, no server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.articles import iter_articles
from geo.geoparse import Geoparser
from geo.ingest import build_events
from geo.store import append_events

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample" / "news_page.txt"


def test_no_store_offers_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEO_STORE", str(tmp_path / "none.parquet"))
    app = AppTest.from_file(str(DASHBOARD)).run(timeout=30)
    assert not app.exception
    assert "geo ingest" in app.warning[0].value


def test_events_metric_counts_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, geoparser: Geoparser) -> None:
    store = tmp_path / "events.parquet"
    append_events(store, build_events(iter_articles(str(SAMPLE), []), geoparser))
    monkeypatch.setenv("GEO_STORE", str(store))
    app = AppTest.from_file(str(DASHBOARD)).run(timeout=30)
    assert not app.exception
    [metric] = [m for m in app.metric if m.label == "Events"]
    assert metric.value == "11"
