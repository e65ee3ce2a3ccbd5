"""Tests of geo.events."""
