"""Turning a store that is one GeoParquet file (the layout before stores became folders) into a folder store.

The first writer to meet such a file, under the store's lock, hard-links it into a new folder as the one
part of version 1, then swaps the folder in for the file with two renames. Nothing is copied, and a process
killed between the renames leaves the file beside the folder under a name the next writer finds and
finishes with (readers meanwhile see no store).
"""

from __future__ import annotations

import os
import shutil
import uuid

import pyarrow.parquet as pq

from geo.store.arrowio import check_columns
from geo.store.location import StoreError, StoreLocation
from geo.store.parts import unreadable
from geo.store.snapshots import EMPTY, Part, commit_version, new_part_name

__all__ = ["migrate_single_file", "single_file_backup"]


def single_file_backup(location: StoreLocation) -> str:
    """Where the single file waits while its folder takes its place."""
    folder, name = os.path.split(location.root)
    return os.path.join(folder, f".{name}.single-file")


def migrate_single_file(location: StoreLocation, *, timeout: float) -> bool:
    """Make the single-file store at ``location`` a folder store (and finish a migration that was killed);
    whether there was anything to do."""
    if not location.local or not (location.is_single_file() or os.path.exists(single_file_backup(location))):
        return False
    with location.writers_lock(timeout):
        backup = single_file_backup(location)
        if os.path.exists(backup) and not os.path.exists(location.root):
            os.replace(backup, location.root)  # killed between the renames: start again from the file
        elif os.path.exists(backup):
            os.unlink(backup)  # killed after both renames: the folder is complete
        if not location.is_single_file():
            return False
        _migrate(location, backup)
        return True


def _migrate(location: StoreLocation, backup: str) -> None:
    try:
        rows = pq.read_metadata(location.root).num_rows
        check_columns(pq.read_schema(location.root))
    except Exception as err:
        raise unreadable(location.name, err) from err
    parent, name = os.path.split(location.root)
    building = os.path.join(parent, f".{name}.migrating-{uuid.uuid4().hex[:8]}")
    os.mkdir(building)
    try:
        part = Part(new_part_name(1), rows)
        try:
            os.link(location.root, os.path.join(building, part.name))
        except OSError:
            shutil.copy2(location.root, os.path.join(building, part.name))
        commit_version(StoreLocation.of(building), EMPTY, [part], "migrate")
        os.replace(location.root, backup)
        os.replace(building, location.root)
    except OSError as err:
        shutil.rmtree(building, ignore_errors=True)
        if os.path.exists(backup) and not os.path.exists(location.root):
            os.replace(backup, location.root)
        raise StoreError(f"cannot turn the event store at {location.name} into a folder: {err}") from err
    os.unlink(backup)
