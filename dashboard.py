"""The Streamlit page: the map of the event store, its filters and a link that reproduces the view.

Only this module imports streamlit. The filters are widgets bound to query parameters
(``bind="query-params"``), so the URL always holds the view; the map centre, zoom and the selected
event are query parameters the page sets itself. Everything heavy is cached: the store read, the
filtering, the map.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.events.lexicon import EVENT_TYPES
from geo.ingest import ingest_sources
from geo.map.assets import asset_urls, install_assets
from geo.map.filters import facets, filter_events
from geo.map.markers import event_id_from_tooltip, events_without_place
from geo.map.urlstate import ViewState, parse_query_params
from geo.map.view import build_map, map_html
from geo.places.geoparse import Geoparser
from geo.read.articles import Upload
from geo.read.fetch import web_url
from geo.read.records import Problem
from geo.settings import SAMPLE_PAGE
from geo.store.eventstore import default_store_path, read_events
from geo.store.export import to_csv, to_geojson

TABLE_COLUMNS = ["published_at", "event_type", "severity", "place_name", "country_code", "title", "event_id"]
#: Characters Markdown gives a meaning to; :func:`plain` escapes them.
MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()<>#+\-.!|~$:=&]")
#: Problems listed after an upload; the rest are counted.
SHOWN_PROBLEMS = 50
UPLOAD_TYPES = ["txt", "jsonl", "ndjson", "json", "csv", "xml", "rss", "atom", "html", "htm"]


@st.cache_resource
def geoparser() -> Geoparser:
    """The geoparser, loaded once per server."""
    return Geoparser.load()


@st.cache_resource
def static_assets() -> str:
    """Copy Leaflet and its plugins from installed packages to static/ once per server."""
    install_assets()
    return "/app/static/vendor"


@st.cache_data(show_spinner=False)
def load_events(path: str, mtime: float) -> tuple[pd.DataFrame, list[Problem]]:
    """The stored events and the stored rows that could not be read (cached until the store file changes)."""
    del mtime  # part of the cache key only
    problems: list[Problem] = []
    return read_events(Path(path), problems=problems), problems


@st.cache_data(show_spinner=False)
def filtered(path: str, mtime: float, state: ViewState) -> pd.DataFrame:
    """The events that pass the filters of ``state``."""
    return filter_events(load_events(path, mtime)[0], state)


@st.cache_data(show_spinner=False, max_entries=8)
def event_map(path: str, mtime: float, state: ViewState, layers: tuple[str, bool, bool, bool]) -> Any:
    """The map of the filtered events (cached per filter state and layer choice; st_folium changes the map
    it renders, so every session gets its own copy, which cache_data gives)."""
    basemap, cluster, heat, places = layers
    events = filtered(path, mtime, state)
    return build_map(
        events,
        urls=asset_urls(static_assets()),
        basemap=basemap,
        cluster=cluster,
        heat=heat,
        show_places=places,
        selected=state.event,
        labels=geoparser().gazetteer.country_points(min_population=8_000_000),
        sync_url=True,
    )


def sidebar_filters(events: pd.DataFrame) -> None:
    """Filter widgets, each bound to its query parameter."""
    found = facets(events)
    st.sidebar.header("Filters")
    st.sidebar.multiselect("Event type", list(EVENT_TYPES), key="type", bind="query-params")
    st.sidebar.slider("Minimum severity", 1, 5, 1, key="severity", bind="query-params")
    st.sidebar.date_input("From", value=None, key="from", bind="query-params", min_value=date(1900, 1, 1))
    st.sidebar.date_input("To", value=None, key="to", bind="query-params", min_value=date(1900, 1, 1))
    countries = sorted({*(code for code, _ in found.countries), *st.session_state.get("country", [])})
    st.sidebar.multiselect("Country", countries, key="country", bind="query-params")
    st.sidebar.text_input("Search", key="q", bind="query-params", placeholder="words in title, text or place")


def layer_options() -> tuple[str, bool, bool, bool]:
    """Basemap and layer toggles (not part of the shared view)."""
    st.sidebar.header("Map")
    basemap = st.sidebar.radio(
        "Basemap", ["plain", "osm", "carto-light"], horizontal=True, help="plain works offline; the others need tiles"
    )
    cluster = st.sidebar.toggle("Cluster markers", value=True)
    heat = st.sidebar.toggle("Density layer", value=False)
    places = st.sidebar.toggle("All places each story mentions", value=False)
    return str(basemap), cluster, heat, places


def url_notices() -> list[str]:
    """A notice for every value of the URL that is ignored."""
    params = {key: st.query_params.get_all(key) for key in st.query_params}
    return [str(n) for n in parse_query_params(params)[1]]


def current_state() -> ViewState:
    """The view: the filter widgets' values plus the map view and selected event from the URL."""
    session = st.session_state
    params: dict[str, str | list[str]] = {
        "type": list(session.get("type") or []),
        "severity": str(session.get("severity") or 1),
        "country": list(session.get("country") or []),
        "q": str(session.get("q") or ""),
    }
    for key in ("from", "to"):
        if session.get(key):
            params[key] = session[key].isoformat()
    for key in ("lat", "lon", "zoom", "event"):
        if key in st.query_params:
            params[key] = st.query_params[key]
    return parse_query_params(params)[0]


def copy_link(state: ViewState) -> None:
    """The shareable link of this view, with a copy button."""
    query = "&".join(
        f"{k}={v}"
        for k, values in state.to_query_params().items()
        for v in ([values] if isinstance(values, str) else values)
    )
    st.sidebar.header("Share")
    st.sidebar.code(f"?{query}" if query else "?", language=None)
    st.sidebar.caption("Copy this and append it to the page address: the link reproduces the view.")


def show_map(path: str, mtime: float, state: ViewState, layers: tuple[str, bool, bool, bool]) -> None:
    """The map; a click on a marker selects its event."""
    center = (state.lat, state.lon) if state.lat is not None and state.lon is not None else None
    result = st_folium(
        event_map(path, mtime, state, layers),
        key="map",
        height=560,
        use_container_width=True,
        center=center,
        zoom=state.zoom,
        returned_objects=["last_object_clicked_tooltip"],
    )
    event_id = event_id_from_tooltip((result or {}).get("last_object_clicked_tooltip"))
    if event_id and event_id != state.event:
        st.query_params["event"] = event_id
        st.rerun()


def show_details(events: pd.DataFrame, event_id: str | None) -> None:
    """The selected event: plain text only, so nothing from an article can run or load."""
    if not event_id:
        return
    rows = events[events["event_id"] == event_id]
    if rows.empty:
        return
    row = rows.iloc[0]
    st.subheader("Selected event")
    st.text(str(row["title"]))
    facts = {k: row[k] for k in ("event_type", "severity", "severity_reason", "place_name", "country_code")}
    facts.update(
        {k: row[k] for k in ("deaths", "injured", "displaced", "magnitude", "category", "wind_kmh") if pd.notna(row[k])}
    )
    st.table(pd.DataFrame({"": list(facts.keys()), "value": [str(v) for v in facts.values()]}).set_index(""))
    if isinstance(row["url"], str) and row["url"].startswith(("http://", "https://")):
        st.link_button("Open the article", row["url"])
    with st.expander("Article text"):
        st.text(str(row["text"]))


def show_table(events: pd.DataFrame) -> None:
    """The filtered events; selecting a row selects the event and centres the map on it."""
    table = pd.DataFrame(events[TABLE_COLUMNS]).sort_values(["severity", "published_at"], ascending=False)
    picked = st.dataframe(
        table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="table"
    )
    rows = picked.selection.rows if picked else []
    if rows:
        chosen = table.iloc[rows[0]]
        event = events[events["event_id"] == chosen["event_id"]].iloc[0]
        if chosen["event_id"] != st.query_params.get("event"):
            st.query_params["event"] = str(chosen["event_id"])
            if pd.notna(event["lat"]):
                st.query_params["lat"] = f"{event['lat']:.4f}"
                st.query_params["lon"] = f"{event['lon']:.4f}"
                st.query_params["zoom"] = "6"
            st.rerun()


def show_timeline(events: pd.DataFrame) -> None:
    """Events per day and type, following the filters."""
    when = pd.to_datetime(events["published_at"].fillna(events["ingested_at"]), utc=True).dt.date
    counts = pd.crosstab(when, events["event_type"]).sort_index()
    if len(counts):
        st.bar_chart(counts, height=180)


@st.cache_data(show_spinner="Preparing the downloads", max_entries=2)
def exports(path: str, mtime: float, state: ViewState, layers: tuple[str, bool, bool, bool]) -> tuple[str, str, str]:
    """The filtered events as CSV and GeoJSON text, and the map as a standalone HTML page."""
    events = filtered(path, mtime, state)
    return to_csv(events), to_geojson(events), map_html(event_map(path, mtime, state, layers))


def downloads(path: str, mtime: float, state: ViewState, layers: tuple[str, bool, bool, bool]) -> None:
    """Download buttons for the events shown, built only when asked for (on 100,000 events they take seconds)."""
    if not st.toggle("Prepare downloads: CSV, GeoJSON, the map as HTML", key="downloads"):
        return
    csv_text, geojson_text, page = exports(path, mtime, state, layers)
    left, middle, right = st.columns(3)
    left.download_button("CSV", csv_text, "events.csv", "text/csv")
    middle.download_button("GeoJSON", geojson_text, "events.geojson", "application/geo+json")
    right.download_button("Map (HTML)", page, "event-map.html", "text/html")


def plain(text: str) -> str:
    """``text`` with every Markdown character escaped, for messages of our own that name paths or counts.

    Text that quotes input goes through ``st.text``/``st.code`` instead: Markdown would still autolink it."""
    return MARKDOWN_SPECIAL.sub(r"\\\g<0>", text)


def show_error(what: str, err: GeoError) -> None:
    """An error: what it means for the user, then its message as plain text (it may quote the input)."""
    st.error(what)
    st.code(str(err), language=None, wrap_lines=True)


def show_problems(problems: Sequence[Problem]) -> None:
    """What was skipped, and where: the first ``SHOWN_PROBLEMS`` as plain text, then a count of the rest."""
    if not problems:
        return
    lines = [f"{problem.where}: {problem.message}" for problem in problems[:SHOWN_PROBLEMS]]
    if len(problems) > SHOWN_PROBLEMS:
        lines.append(f"... and {len(problems) - SHOWN_PROBLEMS} more")
    st.warning(f"{len(problems)} problem{'s' if len(problems) > 1 else ''}; the rest was read:")
    st.code("\n".join(lines), language=None, wrap_lines=True)


def add_news(store: Path) -> None:
    """Paste text, upload files or give a feed URL; the new events join the store."""
    with st.expander("Add news"):
        pasted = st.text_area("Paste news text (one paragraph a line, or JSON lines)", key="add_text")
        uploads = st.file_uploader("Or upload files", type=UPLOAD_TYPES, accept_multiple_files=True)
        url = st.text_input("Or a feed or page URL: http:// or https:// (uses the network)", key="add_url")
        if st.button("Add", key="add"):
            try:
                sources = _sources(pasted, uploads or [], url)
            except GeoError as err:
                show_error("Nothing was added: the URL is not one the page fetches.", err)
                return
            if not sources:
                st.warning("Nothing to add: paste text, choose a file or give a URL.")
                return
            bar = st.progress(0.0, text="Reading stories")
            done = {"n": 0}

            def advance(n: int) -> None:
                done["n"] += n
                bar.progress(min(1.0, done["n"] / 1000), text=f"{done['n']} stories")

            try:
                report = ingest_sources(sources, store, geoparser(), progress=advance, files=False)
            except GeoError as err:
                show_error("Nothing was added.", err)
                return
            except Exception as err:  # a bug must not show the server's traceback and paths; the log has it
                st.error("Nothing was added: reading this input failed unexpectedly.")
                st.code(f"{type(err).__name__}: {err}", language=None, wrap_lines=True)
                return
            show_problems(report.problems)
            st.success(plain(report.summary()))
            st.cache_data.clear()


def _sources(pasted: str, uploads: Sequence[Any], url: str) -> list[str | Upload]:
    """What to read: the pasted text and each uploaded file (kept in memory, named as uploaded), then the URL,
    which must be http(s) (DataFormatError otherwise: the page reads no file on the server)."""
    sources: list[str | Upload] = []
    if pasted.strip():
        sources.append(Upload("pasted text", pasted.encode("utf-8")))
    sources += [Upload(upload.name, upload.getvalue()) for upload in uploads]
    if url.strip():
        sources.append(web_url(url))
    return sources


def no_store(store: Path) -> None:
    """The first visit: no store yet."""
    st.info(plain(f"No events yet (no store at {store})."))
    if SAMPLE_PAGE.exists() and st.button("Load the sample news page"):
        st.success(plain(ingest_sources([str(SAMPLE_PAGE)], store, geoparser()).summary()))
        st.rerun()
    add_news(store)


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="News event map", layout="wide")
    st.title("News event map")
    store = default_store_path()
    if not store.exists():
        no_store(store)
        return
    path, mtime = str(store), store.stat().st_mtime
    try:
        events, damaged = load_events(path, mtime)
    except GeoError as err:
        show_error("The event store cannot be read.", err)
        return
    show_problems(damaged)
    notices = url_notices()  # before the bound widgets drop what they cannot use
    sidebar_filters(events)
    layers = layer_options()
    state = current_state()
    copy_link(state)
    for notice in notices:
        st.text(notice)
    shown = filtered(path, mtime, state)
    unplaced = events_without_place(shown)
    st.metric("Events", len(shown))
    if shown.empty:
        st.info("No events match these filters.")
    show_map(path, mtime, state, layers)
    show_details(shown, state.event)
    show_timeline(shown)
    show_table(shown)
    if len(unplaced):
        with st.expander(f"{len(unplaced)} events without a place (not on the map)"):
            st.dataframe(unplaced[["title", "event_type", "severity"]], hide_index=True)
    downloads(path, mtime, state, layers)
    add_news(store)


main()
