"""The Streamlit page (`make run`). Until the map arrives with the dashboard issue, a table of the events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from geo.errors import GeoError
from geo.store import default_store_path, read_events

_COLUMNS = ["published_at", "event_type", "severity", "severity_reason", "place_name", "country_code", "title"]


@st.cache_data
def load_events(path: str, mtime: float) -> pd.DataFrame:
    """The stored events without geometry (cached until the store file changes)."""
    del mtime  # part of the cache key only
    events = read_events(Path(path))
    return pd.DataFrame(events.drop(columns="geometry"))


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="News event map", layout="wide")
    st.title("News event map")
    st.info("The interactive map arrives with the dashboard issue; until then, the events in the store.")
    path = default_store_path()
    if not path.exists():
        st.warning(f"No event store at `{path}` yet: run `python -m geo ingest data/sample/news_page.txt`.")
        return
    try:
        events = load_events(str(path), path.stat().st_mtime)
    except GeoError as err:
        st.error(str(err))
        return
    st.metric("Events", len(events))
    st.dataframe(events[_COLUMNS].sort_values("severity", ascending=False), hide_index=True, use_container_width=True)


main()
