"""Synthetic events and stories for the scale tests and benchmarks, built fast enough for a million of them.

Events have every column of the store schema, places spread over the land masses' latitudes, a year of dates,
every type and level, and article texts of 1.5 to 3 KB made of English sentences (words from wordfreq's list of
common words, so the search index meets a realistic vocabulary). Stories are JSONL records the ingest reads.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from wordfreq import top_n_list

from geo.events.lexicon import EVENT_TYPES

COUNTRIES = ["FR", "US", "PH", "UA", "SD", "JM", "CL", "BR", "IN", "CN", "NG", "ID", "MX", "TR", "PK", "KE"]
PLACES = [
    ("Lyon", "FR", 45.76, 4.84), ("Manila", "PH", 14.60, 120.98), ("Kharkiv", "UA", 49.99, 36.23),
    ("Khartoum", "SD", 15.50, 32.56), ("Kingston", "JM", 17.97, -76.79), ("Valparaiso", "CL", -33.05, -71.62),
    ("Recife", "BR", -8.05, -34.90), ("Chennai", "IN", 13.08, 80.27), ("Chengdu", "CN", 30.66, 104.07),
    ("Lagos", "NG", 6.45, 3.39), ("Surabaya", "ID", -7.25, 112.75), ("Oaxaca", "MX", 17.06, -96.73),
    ("Izmir", "TR", 38.42, 27.14), ("Karachi", "PK", 24.86, 67.01), ("Mombasa", "KE", -4.04, 39.67),
    ("Houston", "US", 29.76, -95.37),
]  # fmt: skip
_SENTENCES = 20_000


def _sentence_pool(rng: np.random.Generator) -> np.ndarray:
    words = np.array(top_n_list("en", 5_000))
    lengths = rng.integers(9, 19, _SENTENCES)
    pool = []
    for length in lengths:
        chosen = words[rng.integers(0, len(words), length)]
        pool.append(" ".join(chosen).capitalize() + ".")
    return np.array(pool, dtype=object)


def texts(n: int, rng: np.random.Generator) -> list[str]:
    """``n`` article texts of 1.5 to 3 KB."""
    pool = _sentence_pool(rng)
    counts = rng.integers(14, 26, n)
    starts = rng.integers(0, _SENTENCES, n)
    picks = zip(starts, counts, strict=True)
    return [" ".join(pool[(start + np.arange(count) * 7919) % _SENTENCES]) for start, count in picks]


def events(n: int, *, seed: int = 7, prefix: str = "e") -> pd.DataFrame:
    """``n`` synthetic event rows in the store's columns (conform them before appending)."""
    rng = np.random.default_rng(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    kinds = np.array(EVENT_TYPES)[rng.integers(0, len(EVENT_TYPES), n)]
    place = rng.integers(0, len(PLACES), n)
    names = [PLACES[i][0] for i in place]
    lat = np.clip(np.array([PLACES[i][2] for i in place]) + rng.normal(0, 6, n), -85, 85).round(4)
    lon = ((np.array([PLACES[i][3] for i in place]) + rng.normal(0, 8, n) + 180) % 360 - 180).round(4)
    lat = np.where(rng.random(n) < 0.3, rng.uniform(-55, 70, n).round(4), lat)  # and some anywhere
    lon = np.where(rng.random(n) < 0.3, rng.uniform(-170, 170, n).round(4), lon)
    unplaced = rng.random(n) < 0.03
    hours = rng.integers(0, 24 * 365, n)
    published = [start + timedelta(hours=int(h)) for h in hours]
    ids = [f"{prefix}{seed:x}-{i:09d}" for i in range(n)]
    body = texts(n, rng)
    titles = [
        f"{kind.replace('_', ' ').capitalize()} reported near {name}, story {i}"
        for i, (kind, name) in enumerate(zip(kinds, names, strict=True))
    ]
    places = [
        json.dumps([{"start": 0, "end": len(name), "name": name, "lat": float(y), "lon": float(x),
                     "country_code": PLACES[p][1], "feature": "city", "derived": False}])
        for name, y, x, p in zip(names, lat, lon, place, strict=True)
    ]  # fmt: skip
    frame = pd.DataFrame(
        {
            "event_id": ids,
            "title": titles,
            "text": body,
            "url": [f"https://example.org/story/{i}" for i in ids],
            "source": "Synthetic Wire",
            "published_at": published,
            "ingested_at": start,
            "event_type": kinds,
            "secondary_types": "",
            "severity": rng.integers(1, 6, n),
            "severity_reason": "synthetic",
            "deaths": pd.array(np.where(rng.random(n) < 0.3, rng.integers(0, 500, n), -1), dtype="Int64"),
            "injured": pd.array([None] * n, dtype="Int64"),
            "displaced": pd.array([None] * n, dtype="Int64"),
            "magnitude": pd.array([None] * n, dtype="Float64"),
            "category": pd.array([None] * n, dtype="Int64"),
            "wind_kmh": pd.array([None] * n, dtype="Float64"),
            "place_name": names,
            "country_code": [PLACES[p][1] for p in place],
            "lat": lat,
            "lon": lon,
            "places": places,
        }
    )
    frame.loc[frame["deaths"] < 0, "deaths"] = pd.NA
    frame.loc[unplaced, ["lat", "lon", "place_name", "country_code"]] = None
    frame.loc[unplaced, "places"] = "[]"
    return frame


def stories(n: int, *, seed: int = 11) -> list[str]:
    """``n`` JSONL news stories for ``geo ingest``: a place, a type's words, a toll, and a few paragraphs."""
    rng = np.random.default_rng(seed)
    body = texts(n, rng)
    what = [
        "Floods swept through", "An earthquake of magnitude 6.2 struck", "A storm battered", "Fighting erupted in",
        "A wildfire spread near", "Protesters marched in", "A landslide buried homes in", "Drought hit",
    ]  # fmt: skip
    lines = []
    for i in range(n):
        name = PLACES[int(rng.integers(0, len(PLACES)))][0]
        lead = f"{what[i % len(what)]} {name} on Monday, killing {int(rng.integers(0, 80))} people."
        record = {"id": f"story-{seed}-{i}", "title": f"{lead[:60]} ({i})", "text": f"{lead} {body[i]}",
                  "published": f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"}  # fmt: skip
        lines.append(json.dumps(record))
    return lines
