"""Tests of geo.places."""
