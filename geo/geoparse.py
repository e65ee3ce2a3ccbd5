"""The geoparser: text in, placed mentions out (recognise, resolve, add relative points)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from geo.gazetteer import Gazetteer
from geo.records import Place
from geo.relative import relative_places
from geo.resolve import Weights, resolve
from geo.toponyms import find_mentions

__all__ = ["Geoparser"]


@dataclass(slots=True)
class Geoparser:
    """Holds the loaded gazetteer; :meth:`parse` is pure given it."""

    gazetteer: Gazetteer
    weights: Weights = Weights()

    @classmethod
    def load(cls, path: Path | None = None) -> Geoparser:
        """A geoparser over the gazetteer index at ``path`` (default: the built one)."""
        return cls(Gazetteer.load(path))

    def parse(self, text: str) -> list[Place]:
        """Every place mention of ``text`` with coordinates; derived points follow their anchors."""
        mentions = find_mentions(text, self.gazetteer)
        places = resolve(text, mentions, self.gazetteer, self.weights)
        return sorted([*places, *relative_places(text, places, self.gazetteer)], key=lambda p: (p.start, p.derived))

    def parse_many(self, texts: Iterable[str]) -> Iterator[list[Place]]:
        """:meth:`parse` over many texts, lazily."""
        for text in texts:
            yield self.parse(text)
