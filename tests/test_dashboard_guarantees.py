"""The page, driven by Streamlit's AppTest (no browser, no server): a damaged store reported in words with nothing
lost, and a timeline drawn for the events shown that follows each filter."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from geo.store.eventstore import append_events
from tests.rows import event, events
from tests.stores import part_files

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"
#: The stored events: id, title, type, severity, country, day; in two commits (two parts, two log entries).
EVENTS = [
    ("a", "Quake in Wellington", "earthquake", 5, "NZ", "2024-05-03"),
    ("b", "Flood in Lima", "flood", 4, "PE", "2024-05-05"),
    ("c", "Flood in Nairobi", "flood", 1, "KE", "2024-05-01"),
    ("d", "Flood in Lyon", "flood", 1, "FR", "2024-05-01"),
]


def _rows(listed: list[tuple[str, str, str, int, str, str]]) -> Any:
    return events(
        *(
            event(key, title=title, text=f"{title}.", event_type=kind, severity=level, country_code=country,
                  published_at=f"{day}T10:00:00Z")
            for key, title, kind, level, country, day in listed
        )
    )  # fmt: skip


def _write_store(path: Path) -> Path:
    """EVENTS in a store at ``path``, in two commits."""
    append_events(path, _rows(EVENTS[:2]))
    append_events(path, _rows(EVENTS[2:]))
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_store(tmp_path_factory.mktemp("guarantees") / "events.parquet")


def run(store: Path, monkeypatch: pytest.MonkeyPatch, **params: str | list[str]) -> AppTest:
    """The page over ``store`` with ``params`` in its address, run once."""
    monkeypatch.setenv("GEO_STORE", str(store))
    app = AppTest.from_file(str(DASHBOARD))
    for key, value in params.items():
        app.query_params[key] = value
    return app.run(timeout=60)


def events_count(app: AppTest) -> int:
    [metric] = [m for m in app.metric if m.label == "Events"]
    return int(metric.value)


# -- a damaged store ----------------------------------------------------------------------------------------------


def _newest_entry(store: Path) -> Path:
    return sorted((store / "_log").glob("*.json"))[-1]


def _damage(store: Path, how: str) -> Path:
    """Damage ``store`` as ``how`` says; the damaged file."""
    damaged = _newest_entry(store) if how.startswith("log entry") else part_files(store)[0]
    written = damaged.read_bytes()
    if how.endswith("garbage"):
        damaged.write_bytes(b"\x00garbage{" * 40)
    elif how.endswith("cut short"):
        damaged.write_bytes(written[: len(written) // 2])
    else:  # a log entry naming a file outside the store
        damaged.write_text(json.dumps({"version": 2, "parts": [{"name": "../elsewhere.parquet", "rows": 1}]}))
    return damaged


def _store_bytes(store: Path) -> dict[str, bytes]:
    """Every part and log entry of ``store``, by name."""
    return {path.name: path.read_bytes() for path in [*store.glob("part-*.parquet"), *store.glob("_log/*.json")]}


def _said(app: AppTest) -> str:
    """Every error, warning and code block of the page, as one text."""
    return "\n".join(str(element.value) for element in [*app.error, *app.warning, *app.code])


@pytest.mark.parametrize(
    "how",
    [
        "log entry: garbage",
        "log entry: cut short",
        "log entry: naming a file outside the store",
        "part file: garbage",
        "part file: cut short",
    ],
)
def test_a_damaged_store_is_reported_in_words_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    store = _write_store(tmp_path / "events.parquet")
    good = _store_bytes(store)
    damaged = _damage(store, how)
    kept = _store_bytes(store)
    app = run(store, monkeypatch)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "News event map"  # the page loads
    assert damaged.name in _said(app), _said(app)  # and names the file that is wrong
    assert _store_bytes(store) == kept  # nothing deleted or rewritten
    damaged.write_bytes(good[damaged.name])
    assert events_count(run(store, monkeypatch)) == len(EVENTS)  # every event back, once the file is


def test_a_damaged_search_index_is_rebuilt_and_the_search_finds_the_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _write_store(tmp_path / "events.parquet")
    kept = _store_bytes(store)
    (store / "_index.sqlite").write_bytes(b"\x00garbage{" * 40)
    app = run(store, monkeypatch, q="Nairobi")
    assert not app.exception, [e.value for e in app.exception]
    assert events_count(app) == 1
    assert _store_bytes(store) == kept


# -- the timeline -----------------------------------------------------------------------------------------------


def _bars(app: AppTest) -> list[tuple[date, int, int]]:
    """The timeline's bars that hold events: (first day, severity, events)."""
    [chart] = app.get("vega_lite_chart")
    [data] = chart.proto.datasets
    table: pd.DataFrame = pa.ipc.open_stream(data.data.data).read_all().to_pandas()
    shown = table[table["events"] > 0]
    return sorted(
        (pd.Timestamp(start).date(), int(level), int(n))
        for start, level, n in zip(shown["start"], shown["severity"], shown["events"], strict=True)
    )


def _title(app: AppTest) -> str:
    [chart] = app.get("vega_lite_chart")
    return str(json.loads(chart.proto.spec)["title"])


ALL_BARS = [(date(2024, 5, 1), 1, 2), (date(2024, 5, 3), 5, 1), (date(2024, 5, 5), 4, 1)]


def test_the_timeline_counts_the_shown_events_by_day(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(store, monkeypatch)
    assert _bars(app) == ALL_BARS
    assert _title(app) == "Events per day"


@pytest.mark.parametrize(
    ("key", "value", "bars"),
    [
        ("severity", 4, ALL_BARS[1:]),
        ("type", ["earthquake"], [ALL_BARS[1]]),
        ("country", ["FR"], [(date(2024, 5, 1), 1, 1)]),
        ("from", date(2024, 5, 2), ALL_BARS[1:]),
        ("q", "Lima", [ALL_BARS[2]]),
    ],
    ids=["severity", "type", "country", "from", "search"],
)
def test_the_timeline_follows_a_filter_change(
    store: Path, monkeypatch: pytest.MonkeyPatch, key: str, value: Any, bars: list[tuple[date, int, int]]
) -> None:
    app = run(store, monkeypatch)
    widget = next(w for kind in ("multiselect", "select_slider", "date_input", "text_input")
                  for w in app.sidebar.get(kind) if w.key == key)  # fmt: skip
    widget.set_value(value).run(timeout=60)
    assert not app.exception
    assert _bars(app) == bars
