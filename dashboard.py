"""The Streamlit page (`make run`). A placeholder: the map arrives with the dashboard issue."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from geo.settings import SAMPLE_PAGE


@st.cache_data
def line_count(path: Path) -> int:
    """Number of lines in the text file at ``path``."""
    with path.open(encoding="utf-8") as fh:
        return sum(1 for _ in fh)


def main() -> None:
    """Draw the page."""
    st.set_page_config(page_title="News event map")
    st.title("News event map")
    st.info("The map of news events arrives with the dashboard issue; this page is a placeholder until then.")
    if SAMPLE_PAGE.exists():
        st.write(f"Sample news page `{SAMPLE_PAGE.name}`: {line_count(SAMPLE_PAGE)} lines.")
    else:
        st.error(f"Sample news page not found at {SAMPLE_PAGE}.")


main()
