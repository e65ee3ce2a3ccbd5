"""Tests of geo.map."""
