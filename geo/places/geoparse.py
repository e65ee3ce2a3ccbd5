"""The geoparser: text in, placed mentions out (recognise, resolve, add relative points)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from geo.places.gazetteer import Gazetteer
from geo.places.place import Place
from geo.places.relative import relative_places
from geo.places.resolve import Weights, resolve
from geo.places.toponyms import Mention, find_mentions

__all__ = ["Geoparser"]


def _drop_isolated(mentions: list[Mention], places: list[Place]) -> list[Place]:
    """Drop bare small places ("Obama" the Japanese town) in a country no other name of the text is in."""
    keys = [m.key for m in mentions]
    countries: dict[str | None, set[str]] = {}
    for key, place in zip(keys, places, strict=True):
        countries.setdefault(place.country_code, set()).add(key)
    if len(set(keys)) < 2:
        return places
    return [
        p
        for m, p in zip(mentions, places, strict=True)
        if not m.bare or len(countries.get(p.country_code, set()) - {m.key}) > 0
    ]


@dataclass(slots=True)
class Geoparser:
    """Holds the loaded gazetteer; :meth:`parse` is pure given it."""

    gazetteer: Gazetteer
    weights: Weights = Weights()

    @classmethod
    def load(cls, path: Path | None = None) -> Geoparser:
        """A geoparser over the gazetteer index at ``path`` (default: the built one)."""
        return cls(Gazetteer.load(path))

    def parse(self, text: str, locale: str | None = None) -> list[Place]:
        """Every place mention of ``text`` with coordinates; derived points follow their anchors. ``locale`` (a
        country code) is where the story comes from: its senses are preferred."""
        mentions = find_mentions(text, self.gazetteer)
        places = _drop_isolated(mentions, resolve(text, mentions, self.gazetteer, self.weights, locale))
        return sorted([*places, *relative_places(text, places, self.gazetteer)], key=lambda p: (p.start, p.derived))
