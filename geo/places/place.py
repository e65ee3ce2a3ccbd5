"""The record of the places stage: a place mention placed on Earth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Place"]


@dataclass(frozen=True, slots=True)
class Place:
    """A place mention placed on Earth: ``text[start:end]`` names it, (lat, lon) locates it."""

    start: int
    end: int
    name: str
    lat: float
    lon: float
    country_code: str | None
    feature: str
    #: True for a point computed from a relative phrase ("135 miles south of X"), not a gazetteer entry.
    derived: bool = False
    #: True when the text names the place by an adjective or demonym ("Ukrainian").
    demonym: bool = False
    #: Gazetteer entry id (None for derived points).
    entry_id: int | None = None
    #: Resolution confidence in [0, 1].
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of the command-line contract (``geo geoparse``)."""
        return {
            "start": self.start,
            "end": self.end,
            "name": self.name,
            "lat": round(self.lat, 5),
            "lon": round(self.lon, 5),
            "country_code": self.country_code,
            "feature": self.feature,
            "derived": self.derived,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Place:
        """Inverse of :meth:`to_dict` (extra fields take their defaults)."""
        return cls(
            start=int(data["start"]),
            end=int(data["end"]),
            name=str(data["name"]),
            lat=float(data["lat"]),
            lon=float(data["lon"]),
            country_code=data.get("country_code"),
            feature=str(data["feature"]),
            derived=bool(data.get("derived", False)),
        )
