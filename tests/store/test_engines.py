"""The store is GeoParquet the ecosystem reads: the README's examples (geopandas, pyarrow datasets, DuckDB,
dask-geopandas) run against a store of several parts and agree with geo.read_events."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geo import settings
from geo.store.eventstore import append_events, read_events
from tests.rows import batch, event, events

SECTION = "**Reading the store with other tools.**"


def readme_examples() -> list[str]:
    """The Python examples of the README's section on reading the store with other tools."""
    text = (settings.PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    section = text[text.index(SECTION) :].split("\n#", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("engines") / "events.parquet"
    append_events(path, batch("a", 3))
    append_events(path, events(event("q-0", event_type="earthquake", country_code="JP")))
    append_events(path, batch("b", 2))
    return path


def run(example: str, store: Path) -> dict[str, Any]:
    names: dict[str, Any] = {}
    exec(compile(example.replace("data/events.parquet", str(store)), "README.md", "exec"), names)
    return names


def test_the_readme_shows_four_engines() -> None:
    examples = readme_examples()
    assert [re.search(r"^import (\S+)", code, re.M).group(1) for code in examples] == [  # type: ignore[union-attr]
        "geopandas",
        "pyarrow.dataset",
        "duckdb",
        "dask_geopandas",
    ]


def test_each_engine_reads_what_geo_reads(store: Path) -> None:
    stored = read_events(store)
    geopandas_example, pyarrow_example, duckdb_example, dask_example = readme_examples()
    read = run(geopandas_example, store)["events"]
    assert read.crs == "EPSG:4326" and read["event_id"].tolist() == stored["event_id"].tolist()
    assert read.geometry.equals(stored.geometry)
    floods = run(pyarrow_example, store)["floods"]
    assert floods.num_rows == 5 and floods.column_names == ["title", "severity", "country_code"]
    by_country = run(duckdb_example, store)["by_country"]
    assert dict(zip(by_country["country_code"], by_country["events"], strict=True)) == {"FR": 5, "JP": 1}
    by_type = run(dask_example, store)["by_type"]
    assert isinstance(by_type, pd.Series) and by_type.to_dict() == {"earthquake": 1, "flood": 5}
