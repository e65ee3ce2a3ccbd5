"""Event rows for the schema, store and export tests: a valid row (Paris unless changed) and a placeless one."""

from __future__ import annotations

import json
from typing import Any

import geopandas as gpd
import pandas as pd

from geo.store.schema import conform

PLACES = json.dumps(
    [
        {
            "start": 22,
            "end": 27,
            "name": "Paris",
            "lat": 48.8566,
            "lon": 2.3522,
            "country_code": "FR",
            "feature": "city",
            "derived": False,
        }
    ]
)


def event(event_id: str, /, **changes: Any) -> dict[str, Any]:
    """One valid event row (Paris unless changed)."""
    row: dict[str, Any] = {
        "event_id": event_id,
        "title": f"Flood {event_id}",
        "text": "A flood hit central Paris.",
        "url": f"https://example.org/{event_id}",
        "source": "Example News",
        "published_at": "2024-05-01T12:00:00Z",
        "ingested_at": "2024-05-02T08:30:00+00:00",
        "event_type": "flood",
        "secondary_types": "storm,rain",
        "severity": 3,
        "severity_reason": "2 deaths",
        "deaths": 2,
        "injured": None,
        "displaced": 150,
        "magnitude": None,
        "category": None,
        "wind_kmh": 85.5,
        "place_name": "Paris",
        "country_code": "FR",
        "lat": 48.8566,
        "lon": 2.3522,
        "places": PLACES,
    }
    return {**row, **changes}


def placeless(event_id: str) -> dict[str, Any]:
    """An event no place could be found for: null location, null optional fields."""
    return event(
        event_id,
        url=None,
        source=None,
        published_at=None,
        deaths=None,
        displaced=None,
        wind_kmh=None,
        place_name=None,
        country_code=None,
        lat=None,
        lon=None,
        secondary_types="",
        places="[]",
    )


def events(*rows: dict[str, Any]) -> gpd.GeoDataFrame:
    return conform(pd.DataFrame(list(rows)))


def batch(prefix: str, count: int) -> gpd.GeoDataFrame:
    return events(*(event(f"{prefix}-{i}") for i in range(count)))
