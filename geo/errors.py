"""The errors `geo` raises: one root, each subclass also the builtin it resembles."""

from __future__ import annotations

__all__ = ["DataFormatError", "GazetteerError", "GeoError", "GeocoderServiceError"]


class GeoError(Exception):
    """Root of every error raised on purpose by `geo`."""


class DataFormatError(GeoError, ValueError):
    """Input that cannot be read: bad JSON, a missing field, undecodable bytes."""


class GazetteerError(GeoError, RuntimeError):
    """The gazetteer index is missing, stale or cannot be built from its sources."""


class GeocoderServiceError(GeoError, ConnectionError):
    """The optional online geocoder failed; the message says how to retry or turn it off."""
