"""Start the dashboard with its map server: ``streamlit run app.py`` (``make run`` does).

The page itself is ``dashboard.py``; this launcher mounts beside it the read-only routes the live map asks for
what its view shows (:mod:`geo.map.api`).
"""

import streamlit as st

from geo.map.api import map_routes

app = st.App("dashboard.py", routes=map_routes())
