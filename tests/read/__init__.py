"""Tests of geo.read."""
