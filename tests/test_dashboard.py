"""The page, driven by Streamlit's AppTest (no browser, no server): filters, URL parameters, odd states."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.ingest import ingest_sources
from geo.places.geoparse import Geoparser
from geo.store.eventstore import read_events
from tests.stores import rewrite_only_part

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"
SAMPLE = ROOT / "data" / "sample" / "news_page.txt"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, geoparser: Geoparser) -> Path:
    store = tmp_path_factory.mktemp("store") / "events.parquet"
    ingest_sources([str(SAMPLE)], store, geoparser)
    return store


def run(store: Path, monkeypatch: pytest.MonkeyPatch, **params: str | list[str]) -> AppTest:
    monkeypatch.setenv("GEO_STORE", str(store))
    app = AppTest.from_file(str(DASHBOARD))
    for key, value in params.items():
        app.query_params[key] = value
    app.run(timeout=60)
    assert not app.exception
    return app


def events_count(app: AppTest) -> int:
    [metric] = [m for m in app.metric if m.label == "Events"]
    return int(metric.value)


def test_no_store_offers_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(tmp_path / "none.parquet", monkeypatch)
    assert "No events yet" in app.info[0].value
    assert any(b.label == "Load the sample news page" for b in app.button)


def test_all_events_of_the_sample(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert events_count(run(sample_store, monkeypatch)) == 11


@pytest.mark.parametrize(
    ("params", "count"),
    [
        ({"type": ["earthquake"]}, 2),
        ({"type": ["earthquake"], "severity": "4"}, 1),
        ({"severity": "4"}, 3),
        ({"country": ["UA"]}, 2),
        ({"q": "Nice"}, 1),
        ({"type": ["armed_conflict"], "country": ["UA"]}, 2),
    ],
)
def test_url_parameters_filter_the_events(
    sample_store: Path, monkeypatch: pytest.MonkeyPatch, params: dict[str, str | list[str]], count: int
) -> None:
    assert events_count(run(sample_store, monkeypatch, **params)) == count


def test_bad_parameters_are_ignored_with_a_notice(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch, severity="abc", type=["<script>"], lat="999")
    assert events_count(app) == 11
    notices = " ".join(t.value for t in app.text)
    assert "severity" in notices and "type" in notices and "lat" in notices


def test_a_notice_quoting_the_url_is_plain_text(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch, x="www.evil.example", type=["![x](http://evil.example/t.png)"])
    notices = [t.value for t in app.text]
    assert any("x='www.evil.example'" in n or "www.evil.example" in n for n in notices)
    assert any("![x](http://evil.example/t.png)" in n for n in notices)
    markdown = " ".join(str(m.value) for m in [*app.markdown, *app.caption])
    assert "evil.example" not in markdown


def test_the_filters_speak_words(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch)
    types = app.sidebar.multiselect(key="type")
    assert types.format_func("tropical_cyclone") == "Tropical cyclone (1)"
    countries = app.sidebar.multiselect(key="country")
    assert countries.options[0] == "Ukraine (UA), 2"
    assert "Philippines (PH), 1" in countries.options
    severity = app.sidebar.select_slider(key="severity")
    assert severity.options == ["1 minimal", "2 minor", "3 significant", "4 severe", "5 catastrophic"]


def test_a_selected_event_shows_beside_the_map(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = read_events(sample_store)
    quake = events[events["title"].str.contains("Cebu")].iloc[0]
    app = run(sample_store, monkeypatch, event=str(quake["event_id"]))
    words = " ".join(str(m.value) for m in [*app.markdown, *app.caption]).replace("\\", "")
    assert "Cebu" in words and "Severity" in words and "Earthquake" in words
    assert "Deaths and missing: 69" in words and "10-99 deaths" in words
    assert "Philippines" in words
    assert any("69 people have died" in t.value for t in app.text)
    app.button(key="clear").click().run(timeout=60)
    assert "event" not in app.query_params
    assert any("Click an event on the map" in i.value for i in app.info)


def test_the_table_has_human_columns(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch)
    frame = app.dataframe[0].value
    assert list(frame.columns) == ["Date", "Severity", "Type", "Place", "Country", "Title", "Source"]
    assert frame["Severity"].iloc[0].startswith("5 ") or frame["Severity"].iloc[0].startswith("4 ")
    assert "Tropical cyclone" in set(frame["Type"]) and "Philippines" in set(frame["Country"])
    assert set(frame["Source"]) == {"uploaded file (news_page.txt)"}


def test_changing_a_filter_changes_the_count(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch)
    app.sidebar.select_slider(key="severity").set_value(4).run(timeout=60)
    assert events_count(app) == 3


def test_no_match_says_so(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch, q="no such words anywhere")
    assert events_count(app) == 0
    assert any("No events match" in i.value for i in app.info)


def test_events_without_a_place_are_listed(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch)
    assert any("without a place" in e.label for e in app.expander)


def test_downloads_are_built_only_when_asked_for(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch, q="Nice")
    assert app.get("download_button") == []
    app.toggle(key="downloads").set_value(True).run(timeout=60)
    assert not app.exception
    labels = [button.proto.label for button in app.get("download_button")]
    assert labels == ["CSV", "GeoJSON", "Map (HTML)"]


@pytest.mark.parametrize(
    "url",
    ["/etc/hostname", "file:///etc/hostname", "ftp://127.0.0.1/x.xml", "http://[::1", "data/sample/news_page.txt"],
)
def test_the_url_box_reads_no_file_on_the_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    store = tmp_path / "events.parquet"
    app = run(store, monkeypatch)
    app.text_input(key="add_url").set_value(url)
    app.button(key="add").click().run(timeout=60)
    assert not app.exception
    assert any("the URL is not one the page fetches" in e.value for e in app.error)
    shown = " ".join(str(c.value) for c in app.code)
    assert "not an http:// or https:// URL" in shown or "not a valid URL" in shown
    assert not store.exists()


def test_pasted_text_with_huge_numbers_is_added_and_shown_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "events.parquet"
    app = run(store, monkeypatch)
    app.text_area(key="add_text").set_value(f"{'9' * 400} people were killed in Lyon, France, on Monday.")
    app.button(key="add").click().run(timeout=60)
    assert not app.exception
    assert any("added 1 event;" in s.value for s in app.success)
    assert events_count(app) == 1


def test_a_row_another_tool_stored_outside_the_schema_is_reported_and_the_rest_shown(
    sample_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    import pyarrow as pa

    damaged = tmp_path / "damaged.parquet"
    shutil.copytree(sample_store, damaged)
    table = rewrite_only_part(damaged)
    index = table.schema.get_field_index("severity")
    levels = table.column("severity").to_pylist()
    levels[0] = 9
    rewrite_only_part(damaged, table.set_column(index, table.schema.field(index), pa.array(levels, pa.int64())))
    app = run(damaged, monkeypatch)
    assert events_count(app) == 10
    assert any("1 stored rows do not fit the event schema" in str(w.value) for w in app.warning)


def test_the_page_says_when_the_store_was_updated_and_follows_it(
    sample_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = run(sample_store, monkeypatch)
    [updated] = [c.value for c in app.caption if str(c.value).startswith("Updated ")]
    assert re.fullmatch(r"Updated (\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d UTC · 11 events", updated)
    assert app.toggle(key="live").value  # auto-refresh is on unless the URL turns it off


def test_auto_refresh_off_is_read_from_the_url(sample_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run(sample_store, monkeypatch, live="false")
    assert not app.toggle(key="live").value
    assert not [text for text in app.text if "ignored live" in str(text.value)]
    app.toggle(key="live").set_value(True).run(timeout=60)  # the browser writes it into the URL (browser tests)
    assert app.toggle(key="live").value and not app.exception
