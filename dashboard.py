"""The Streamlit page: the map of the event store, its filters, the selected event beside the map, the timeline,
the table, and a link that reproduces the view. Start it with ``streamlit run app.py`` (``make run``).

Only this module imports streamlit. The page never holds the event table: every number, the timeline, the
facets, the table's page and the selected event are queries of the store (:class:`geo.store.query.EventQuery`),
and the map asks the server beside the page (:mod:`geo.map.api`) for what its view shows. The filters are
widgets bound to query parameters; the map view (``lat``, ``lon``, ``zoom``) and the selected event (``event``)
are query parameters the map keeps itself in the browser. The map follows the filters of the address, so one
map serves them all: a click, a pan or a filter change never rebuilds it. Run without ``app.py`` (no map
server), the page draws the filtered events into the map itself, up to EMBED_LIMIT of them.

The page follows the store: while auto-refresh is on (the default; ``live=false`` in the address turns it off) it
looks at the store's version every LIVE_SECONDS and reruns when another process (a feed watcher, ``python -m geo
ingest``) has committed, and the live map redraws its view likewise; the view and the selection are in the
address, so both stay as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import streamlit as st
from streamlit_folium import st_folium

from geo.errors import GeoError
from geo.ingest import ingest_sources
from geo.map import api
from geo.map.assets import asset_urls, install_assets
from geo.map.live import selection, updated_words
from geo.map.markers import event_id_from_tooltip, severity_chip
from geo.map.panels import EventDetails, filter_labels, problem_list, share_box_html, table_frame, view_bounds
from geo.map.tiles import inline_tiles
from geo.map.timeline import selected_days, timeline_chart
from geo.map.urlstate import ViewState, describe, parse_query_params, with_widgets
from geo.map.view import build_map, export_notes, live_map, map_html
from geo.map.words import count_words, markdown_plain
from geo.places.geoparse import Geoparser
from geo.read.articles import Upload, given_sources
from geo.read.records import Problem
from geo.settings import SAMPLE_PAGE
from geo.store.eventstore import StorePath, default_store_path
from geo.store.export import to_csv, to_geojson
from geo.store.query import EventFilter, EventQuery, Facets, Overview, shared_query

UPLOAD_TYPES = ["txt", "jsonl", "ndjson", "json", "csv", "xml", "rss", "atom", "html", "htm"]
MAP_HEIGHT = 600
#: Rows a page of the table shows; events a map without its server draws; events the downloads hold at most.
TABLE_PAGE = 100
EMBED_LIMIT = 20_000
EXPORT_LIMIT = 100_000
#: Seconds between looks at the store's version while auto-refresh is on (the live map looks as often).
LIVE_SECONDS = 2.0
Layers = tuple[str, bool, bool, bool]


@st.cache_resource
def geoparser() -> Geoparser:
    """The geoparser, loaded once per server."""
    return Geoparser.load()


@st.cache_resource
def country_names() -> dict[str, str]:
    """Country code -> name, from the gazetteer."""
    gazetteer = geoparser().gazetteer
    return {code: gazetteer.name_of(index) for code, index in gazetteer.country_entry.items()}


@st.cache_resource
def static_assets() -> str:
    """Copy Leaflet, its plugins and the map's script from installed packages to static/ once per server."""
    install_assets()
    return "/app/static/vendor"


def store_query() -> EventQuery:
    """The queries of the store the page shows (shared with the map's server)."""
    return shared_query(default_store_path())


@st.cache_data(show_spinner=False, max_entries=64)
def counted(token: str, chosen: EventFilter) -> int:
    """How many events pass ``chosen`` (cached per version of the store)."""
    del token  # part of the cache key only
    return store_query().count(chosen)


@st.cache_data(show_spinner=False, max_entries=8)
def summary(token: str) -> Facets:
    """Types, countries and levels present in the store, with counts (for the filter widgets)."""
    del token
    return store_query().facets()


@st.cache_data(show_spinner=False, max_entries=16)
def overview(token: str, chosen: EventFilter) -> Overview:
    """The events that pass ``chosen`` counted by day, severity, type and place (one scan of the store, which
    the map's server reuses for its legend and player)."""
    del token
    return store_query().overview(chosen)


@st.cache_data(show_spinner=False, max_entries=8)
def problems(token: str) -> list[str]:
    """What is wrong with rows other tools stored."""
    del token
    return store_query().problems()


@st.cache_data(show_spinner=False, max_entries=8)
def commit_time(token: str) -> datetime | None:
    """When the version of the store ``token`` names was committed."""
    del token
    return store_query().committed_at()


@st.cache_data(show_spinner=False, max_entries=4)
def event_map(token: str, layers: Layers) -> Any:
    """The live map, cached per layers and the version of the store a session first drew it from: it follows the
    filters, the view and the selection of the address and the store's new versions itself, so nothing the user
    does, and no commit, rebuilds it."""
    del token
    basemap, cluster, heat, places = layers
    urls = asset_urls(static_assets())
    extent = store_query().extent()
    return live_map(
        urls=urls, api=api.API_PREFIX, basemap=basemap, cluster=cluster, heat=heat, show_places=places, bounds=extent
    )


@st.cache_data(show_spinner=False, max_entries=4)
def embedded_map(token: str, chosen: EventFilter, layers: Layers) -> Any:
    """The map with the filtered events inside it, for a page started without the map's server."""
    del token
    basemap, cluster, heat, places = layers
    events = store_query().table(replace(chosen, placed=True), limit=EMBED_LIMIT)
    urls = asset_urls(static_assets())
    return build_map(events, urls=urls, basemap=basemap, cluster=cluster, heat=heat, show_places=places, popups=False)


#: Filters whose widgets show words for codes: Streamlit would write the words into the URL, so these keep
#: their parameters themselves (the others are bound to theirs with ``bind="query-params"``).
WORDED = ("type", "severity", "country")


def sync_worded_filters(state: ViewState) -> None:
    """Start each worded widget from the URL, and follow the URL when it changes by itself (a link, Back)."""
    seen = st.session_state.setdefault("url_seen", {})
    worded = {"type": list(state.types), "severity": state.min_severity, "country": list(state.countries)}
    for key, value in worded.items():
        if key not in st.session_state or seen.get(key) != value:
            st.session_state[key] = value
        seen[key] = value


#: Worded widgets whose words hold counts, which change as events are added.
COUNTED = ("type", "country")


def renew_counted_filters(token: str) -> None:
    """Give the counted widgets their values again when the store has changed, so that the browser shows them in
    the new words: a browser left with the old words ("France (FR), 4") would send them back, and Streamlit keeps
    a choice it does not know as a value."""
    if st.session_state.get("words_token") == token:
        return
    st.session_state["words_token"] = token
    for key in COUNTED:
        if key in st.session_state:
            st.session_state[key] = list(st.session_state[key])


def _to_url(key: str) -> None:
    """Write a worded widget's new value (codes, not words) into the URL, if it changed."""
    value = st.session_state[key]
    if st.session_state.get("url_seen", {}).get(key) == (list(value) if key in COUNTED else value):
        return  # nothing to write: a write would also put the page's older copy of the address back
    empty = value == 1 if key == "severity" else not value
    if empty:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value) if key == "severity" else list(value)
    st.session_state.setdefault("url_seen", {})[key] = value


def live_switch() -> bool:
    """The auto-refresh switch, kept in the URL (``live=false`` when off); whether it is on."""
    st.sidebar.header("Updates")
    help_text = (
        f"Show the events other processes add to the store (checked every {LIVE_SECONDS:g} s); the map's view, "
        "the filters and the selected event stay as they are"
    )
    return st.sidebar.toggle("Auto-refresh", value=True, key="live", bind="query-params", help=help_text)


@st.fragment(run_every=LIVE_SECONDS)
def follow_store(token: str) -> None:
    """Rerun the page when the store has a version newer than ``token``, the one it was drawn from (a fragment:
    it runs again every LIVE_SECONDS, alone, and costs a look at the store's log)."""
    try:
        changed = store_query().token != token
    except GeoError:
        return  # the page's next run says what is wrong
    if changed:
        st.rerun()


def sidebar_filters(found: Facets) -> None:
    """Filter widgets, each kept in its query parameter, labelled in words with the counts in the store."""
    labels = filter_labels(found, country_names(), chosen=st.session_state.get("country", []))
    sidebar = st.sidebar
    sidebar.header("Filters")
    worded = {"on_change": _to_url, "format_func": lambda value: value}
    for key, title in (("type", "Event type"), ("severity", "Minimum severity"), ("country", "Country")):
        if key == "country":
            sidebar.date_input("From", value=None, key="from", bind="query-params", min_value=date(1900, 1, 1))
            sidebar.date_input("To", value=None, key="to", bind="query-params", min_value=date(1900, 1, 1))
        widget = sidebar.select_slider if key == "severity" else sidebar.multiselect
        widget(title, list(labels[key]), key=key, args=(key,), **{**worded, "format_func": labels[key].get})
    sidebar.text_input("Search", key="q", bind="query-params", placeholder="words in title, text or place")


#: The map's layer widgets: key -> (label, default). Not part of the shared view.
LAYER_TOGGLES = {
    "cluster": ("Group nearby events", True),
    "heat": ("Density layer", False),
    "places": ("Every place each story mentions", False),
}
BASEMAP_LABELS = {"offline": "Offline", "osm": "OpenStreetMap", "carto-light": "CARTO light"}


def layer_settings() -> Layers:
    """The basemap and layer toggles as last set (their widgets are drawn after the map)."""
    cluster, heat, places = (bool(st.session_state.get(key, on)) for key, (_, on) in LAYER_TOGGLES.items())
    return str(st.session_state.get("basemap", "offline")), cluster, heat, places


def layer_options() -> None:
    """Basemap and layer toggles."""
    st.sidebar.header("Map")
    help_text = "Offline draws Natural Earth with no network; the others load tiles and fall back to it"
    st.sidebar.radio(
        "Basemap", list(BASEMAP_LABELS), horizontal=True, key="basemap", format_func=BASEMAP_LABELS.get, help=help_text
    )
    for key, (label, on) in LAYER_TOGGLES.items():
        st.sidebar.toggle(label, value=on, key=key)


def query_params() -> dict[str, list[str]]:
    """The page address's query parameters, every value as a list."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def url_notices() -> list[str]:
    """A notice for every value of the URL that is ignored."""
    return [str(n) for n in parse_query_params(query_params())[1]]


def current_state() -> ViewState:
    """The view: each filter widget's value (its parameter in the URL before the widget is drawn this run), the
    map view and the selected event from the URL."""
    widgets = {
        key: st.session_state[key]
        for key in ("type", "severity", "from", "to", "country", "q")
        if key in st.session_state
    }
    return parse_query_params(with_widgets(query_params(), widgets))[0]


def share_box() -> None:
    """The whole link of the current view (it follows the map as it moves), with a copy button."""
    st.sidebar.header("Share")
    with st.sidebar:
        st.iframe(share_box_html(), height=44)
    st.sidebar.caption("The link holds the filters, the map view and the selected event.")


def show_map(token: str, state: ViewState, layers: Layers, *, track_view: bool) -> Any:
    """The map; a click on an event selects it (the map writes it into the URL and the page reruns to show it).
    With ``track_view`` the page also reruns as the map moves, to list the events in view."""
    returned = ["last_object_clicked_tooltip", *(["bounds"] if track_view else [])]
    too_many = False
    if api.mounted():  # the map asks its server, and follows the store itself: kept as long as the session
        shown = event_map(st.session_state.setdefault("map_token", token), layers)
    else:
        chosen = selection(state)
        too_many = counted(token, replace(chosen, placed=True)) > EMBED_LIMIT
        shown = embedded_map(token, chosen, layers)
    result = st_folium(
        shown,
        key="map-in-view" if track_view else "map",  # streamlit-folium takes what to return when it mounts
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=returned,
    )
    if too_many:  # after the map, so that it never moves the map
        st.warning(
            f"The map draws at most {EMBED_LIMIT:,} events without its server: narrow the filters, or start the "
            "page with `streamlit run app.py` (as `make run` does) to map them all."
        )
    clicked = event_id_from_tooltip((result or {}).get("last_object_clicked_tooltip"))
    if clicked and clicked != st.session_state.get("clicked"):
        st.session_state["clicked"] = clicked
        if clicked != state.event:
            st.query_params["event"] = clicked
    return result


def show_details(event_id: str | None) -> None:
    """The selected event beside the map, every word of the article as plain text."""
    row = store_query().event(event_id) if event_id else None
    if row is None:
        st.info("Click an event on the map, or a row of the table, to see it here.")
        return
    cluster = row.get("cluster_id") or row["event_id"]
    details = EventDetails.from_row(row, country_names()).with_reports(store_query().reports(str(cluster)))
    st.markdown(f"**{markdown_plain(details.title)}**")
    st.markdown(severity_chip(details.severity), unsafe_allow_html=True)  # our own words and colours only
    st.markdown(details.markdown())
    if details.url:
        st.link_button("Open the article", details.url)
    if details.places:
        with st.expander(f"Places it mentions ({len(details.places)})"):
            st.text("\n".join(details.places))
    with st.container(height=240):
        st.text(details.text)
    if st.button("Clear the selection", key="clear"):
        del st.query_params["event"]
        st.rerun()


def pick_dates() -> None:
    """A drag across the timeline sets the From and To filters (before the widgets are drawn again)."""
    chosen = selected_days(st.session_state.get("timeline"))
    if chosen is not None:
        st.session_state["from"], st.session_state["to"] = chosen


def show_timeline(token: str, chosen: EventFilter) -> None:
    """Events per day, week or month by severity, in the map's colours; drag across it to set the dates."""
    chart = timeline_chart(overview(token, chosen).days())
    if chart is not None:
        st.altair_chart(chart, key="timeline", on_select=pick_dates, selection_mode="dates", width="stretch")
        st.caption("Drag across the chart to show those dates; the ▶ on the map plays the events through time.")


TABLE_COLUMNS = ("event_id", "title", "event_type", "severity", "place_name", "country_code", "url", "source",
                 "published_at", "ingested_at", "stories")  # fmt: skip


def show_table(token: str, chosen: EventFilter, bounds: Any) -> None:
    """The events (all that pass the filters, or those in view), most severe first, a page at a time; a row
    selects its event on the map."""
    only = st.toggle("Only the events in view", key="in_view", help="List only the events the map shows now")
    box = view_bounds(bounds) if only else None
    listed = replace(chosen, bounds=box) if box is not None else chosen
    total = counted(token, listed) if box is not None else overview(token, chosen).total
    pages = max((total + TABLE_PAGE - 1) // TABLE_PAGE, 1)
    left, right = st.columns([3, 1])
    page = right.number_input("Page", min_value=1, max_value=pages, value=1, step=1, key="table_page")
    page = min(int(page), pages)
    first = (page - 1) * TABLE_PAGE
    rows = store_query().rows(listed, TABLE_COLUMNS, limit=TABLE_PAGE, offset=first, order="severity")
    table = table_frame(rows, country_names())
    shown = f"; {first + 1:,}-{first + len(table):,} shown" if total > len(table) else ""
    left.caption(count_words(total, "event") + (" in view" if box is not None else "") + shown + ", most severe first")
    picked = st.dataframe(
        table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="table"
    )
    chosen_rows = picked.selection.rows if picked else []
    if chosen_rows:
        event_id = str(table.index[chosen_rows[0]])
        if event_id != st.query_params.get("event"):
            st.query_params["event"] = event_id
            st.rerun()


def show_unplaced(token: str, chosen: EventFilter) -> None:
    """The events the map cannot show (no place found), in an expander."""
    unplaced = replace(chosen, placed=False)
    count = overview(token, chosen).unplaced
    if count:
        with st.expander(f"{count_words(count, 'event')} without a place (not on the map)"):
            rows = store_query().rows(unplaced, TABLE_COLUMNS, limit=TABLE_PAGE, order="severity")
            st.dataframe(table_frame(rows, country_names()), hide_index=True)
            if count > TABLE_PAGE:
                st.caption(f"The {TABLE_PAGE} most severe of {count:,}.")


@st.cache_data(show_spinner="Preparing the downloads", max_entries=2)
def exports(token: str, filters: ViewState, layers: Layers) -> tuple[str, str, str]:
    """The filtered events as CSV and GeoJSON text, and the map as a standalone HTML page that works offline."""
    del token
    events = store_query().table(selection(filters), limit=EXPORT_LIMIT)
    _, cluster, heat, places = layers
    m = build_map(
        events, urls=asset_urls(), cluster=cluster, heat=heat, show_places=places, countries=country_names(),
        inline_basemap=inline_tiles(),
    )  # fmt: skip
    notes = export_notes(describe(filters), len(events), datetime.now(UTC))
    return to_csv(events), to_geojson(events), map_html(m, notes=notes)


def downloads(token: str, state: ViewState, layers: Layers, count: int) -> None:
    """Download buttons for the events shown, built only when asked for (on 100,000 events they take seconds)."""
    if not st.toggle("Prepare downloads: CSV, GeoJSON, the map as HTML", key="downloads"):
        return
    if count > EXPORT_LIMIT:
        st.warning(f"{count:,} events match: narrow the filters to {EXPORT_LIMIT:,} or fewer to download them.")
        return
    csv_text, geojson_text, page = exports(token, state.filters_only(), layers)
    left, middle, right = st.columns(3)
    left.download_button("CSV", csv_text, "events.csv", "text/csv")
    middle.download_button("GeoJSON", geojson_text, "events.geojson", "application/geo+json")
    right.download_button("Map (HTML)", page, "event-map.html", "text/html")


def show_error(what: str, err: GeoError) -> None:
    """An error: what it means for the user, then its message as plain text (it may quote the input)."""
    st.error(what)
    st.code(str(err), language=None, wrap_lines=True)


def show_problems(found: Sequence[Problem]) -> None:
    """What was skipped, and where, as plain text."""
    if found:
        heading, listed = problem_list(found)
        st.warning(heading)
        st.code(listed, language=None, wrap_lines=True)


def add_news(store: StorePath) -> None:
    """Paste text, upload files or give a feed URL; the new events join the store and the page shows them."""
    with st.expander("Add news", expanded="added" in st.session_state):
        if "added" in st.session_state:
            message, problems = st.session_state.pop("added")
            show_problems(problems)
            st.success(markdown_plain(message))
        pasted = st.text_area("Paste news text (one paragraph a line, or JSON lines)", key="add_text")
        uploads = st.file_uploader("Or upload files", type=UPLOAD_TYPES, accept_multiple_files=True)
        url = st.text_input("Or a feed or page URL: http:// or https:// (uses the network)", key="add_url")
        if st.button("Add", key="add"):
            _add(store, pasted, uploads or [], url)


def _add(store: StorePath, pasted: str, uploads: Sequence[Any], url: str) -> None:
    try:
        sources = given_sources(pasted, [Upload(upload.name, upload.getvalue()) for upload in uploads], url)
    except GeoError as err:
        show_error("Nothing was added: the URL is not one the page fetches.", err)
        return
    if not sources:
        st.warning("Nothing to add: paste text, choose a file or give a URL.")
        return
    with st.spinner("Reading the news and placing the events"):
        try:
            report = ingest_sources(sources, store, geoparser(), files=False)
        except GeoError as err:
            show_error("Nothing was added.", err)
            return
        except Exception as err:  # a bug must not show the server's traceback and paths; the log has it
            st.error("Nothing was added: reading this input failed unexpectedly.")
            st.code(f"{type(err).__name__}: {err}", language=None, wrap_lines=True)
            return
    st.session_state["added"] = (report.sentence(), list(report.problems))
    store_query().snapshot(force=True)
    st.rerun()


def no_store(store: StorePath) -> None:
    """The first visit: no store yet."""
    st.info(markdown_plain(f"No events yet (no store at {store})."))
    if SAMPLE_PAGE.exists() and st.button("Load the sample news page"):
        ingest_sources([str(SAMPLE_PAGE)], store, geoparser())
        store_query().snapshot(force=True)
        st.rerun()
    add_news(store)


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="News event map", layout="wide")
    st.title("News event map")
    store = default_store_path()
    try:
        query = store_query()
        token = query.token
        if query.snapshot().version == 0:
            no_store(store)
            if parse_query_params(query_params())[0].live:
                follow_store(token)  # the page appears with the first commit
            return
    except GeoError as err:
        show_error("The event store cannot be read.", err)
        return
    try:
        show_events(store, token)
    except GeoError as err:  # a part of the store damaged since its version was read: said, and nothing written
        show_error("The event store cannot be read.", err)


def show_events(store: StorePath, token: str) -> None:
    """The page over the store's version ``token``: the count, the map, the details, the filters and the rest."""
    notices = url_notices()  # before the bound widgets drop what they cannot use
    sync_worded_filters(parse_query_params(query_params())[0])
    renew_counted_filters(token)
    state = current_state()
    layers = layer_settings()
    chosen = selection(state)
    counts = overview(token, chosen)
    total, unplaced = counts.total, counts.unplaced
    st.metric("Events", f"{total:,}", help=f"{unplaced:,} of them have no place on the map")
    stored = counted(token, EventFilter())
    st.caption(updated_words(commit_time(token), stored, now=datetime.now(UTC)))
    with st.container():  # always there, so that a message here never moves the map (which would rebuild it)
        if not total:
            st.info("No events match these filters.")
    on_map, beside = st.columns([3, 1.2], gap="medium")
    with on_map:  # first, so the browser starts on the map while the rest of the page is drawn
        result = show_map(token, state, layers, track_view=bool(st.session_state.get("in_view")))
    with beside:
        show_details(st.query_params.get("event") or state.event)
    sidebar_filters(summary(token))
    layer_options()
    live = live_switch()
    share_box()
    for problem in problems(token):  # after the map, which need not wait for this scan
        st.warning(problem)
    for notice in notices:
        st.text(notice)
    show_timeline(token, chosen)
    show_table(token, chosen, (result or {}).get("bounds"))
    show_unplaced(token, chosen)
    downloads(token, state, layers, total)
    add_news(store)
    if live:
        follow_store(token)


main()
