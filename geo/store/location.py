"""Where a store lives: a local directory or an fsspec URL (``s3://bucket/events``), and the few file operations
the store needs there, each atomic where the store's guarantees rest on it.

A local store writes through the operating system: a file is synced before it is renamed into place, a new
log entry is linked into place (which fails if another writer made it first), and a lock file serialises the
writers of one machine. On object storage an upload appears whole or not at all, and a log entry is created
with a conditional write (``If-None-Match``) that fails if the entry exists: writers on different machines
need no lock, only the log's order.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import fsspec
import pyarrow.fs as pafs
from filelock import FileLock, Timeout

from geo.errors import GeoError

__all__ = ["STORE_ENV", "UNLINKED_PREFIX", "StoreError", "StoreLocation", "is_url"]

#: Environment variable naming the store; unset, the store is ``events.parquet`` in the data directory.
STORE_ENV: Final = "GEO_STORE"
#: The name start of a file being written before it is linked to its name (a log entry, on a local store).
UNLINKED_PREFIX: Final = ".new-"


class StoreError(GeoError, OSError):
    """The store cannot be read, locked or written; the message names it and says how to fix it."""


def is_url(where: str | Path) -> bool:
    """Whether ``where`` names a store by URL (``s3://...``, ``memory://...``) rather than a local path."""
    text = str(where)
    return "://" in text and not text.startswith("file://")


def _sync_directory(directory: str) -> None:
    """Make a rename in ``directory`` durable (skipped where the file system cannot sync directories)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as err:
        if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A store's place: ``fs`` and ``root`` (its path in ``fs``), and ``name`` as the user gave it."""

    name: str
    fs: Any
    root: str
    local: bool

    @classmethod
    def of(cls, where: str | Path) -> StoreLocation:
        """The location of ``where``: a URL any installed fsspec file system understands, or a local path (a
        symbolic link is followed, so that writing goes to its target)."""
        if is_url(where):
            try:
                fs, root = fsspec.core.url_to_fs(str(where))
            except (ImportError, ValueError) as err:
                raise StoreError(f"cannot open the event store at {where}: {err}") from err
            return cls(str(where), fs, str(root).rstrip("/"), local=False)
        given = Path(str(where).removeprefix("file://")).expanduser()
        real = Path(os.path.realpath(given))
        if real.is_symlink():
            raise StoreError(f"the event store at {given} is a loop of symbolic links: point {STORE_ENV} at a folder")
        return cls(str(given), fsspec.filesystem("file"), str(real), local=True)

    # -- names ----------------------------------------------------------------------------------------------------

    def path(self, *names: str) -> str:
        """The path of ``names`` inside the store."""
        return "/".join((self.root, *names))

    def uri(self, path: str) -> str:
        """``path`` as a URL DuckDB and pyarrow open (a local path stays a path)."""
        if self.local:
            return path
        protocol = self.fs.protocol if isinstance(self.fs.protocol, str) else self.fs.protocol[0]
        return f"{protocol}://{path}"

    def arrow_fs(self) -> pafs.FileSystem:
        """The store's file system for pyarrow."""
        return pafs.LocalFileSystem() if self.local else pafs.PyFileSystem(pafs.FSSpecHandler(self.fs))

    # -- what is there --------------------------------------------------------------------------------------------

    def is_single_file(self) -> bool:
        """Whether the store is one GeoParquet file (the layout before stores became folders)."""
        return self.local and os.path.isfile(self.root)

    def exists(self) -> bool:
        """Whether anything is at the store's place."""
        return os.path.exists(self.root) if self.local else bool(self.fs.exists(self.root))

    def names(self, *folder: str) -> list[str]:
        """The names in ``folder`` of the store (none when it does not exist)."""
        where = self.path(*folder)
        if self.local:
            try:
                return sorted(os.listdir(where))
            except (FileNotFoundError, NotADirectoryError):
                return []
        self.fs.invalidate_cache(where)  # another machine may have written since this process last looked
        try:
            return sorted(entry.rstrip("/").rsplit("/", 1)[-1] for entry in self.fs.ls(where, detail=False))
        except FileNotFoundError:
            return []

    def age(self, path: str) -> float:
        """Seconds since ``path`` was last written (0 when that cannot be told)."""
        try:
            if self.local:
                return time.time() - os.stat(path).st_mtime
            modified = self.fs.modified(path)
            return time.time() - float(modified.timestamp())
        except (OSError, NotImplementedError, AttributeError, ValueError):
            return 0.0

    def size(self, path: str) -> int:
        """The size of ``path`` in bytes."""
        return os.stat(path).st_size if self.local else int(self.fs.size(path))

    # -- reading and writing --------------------------------------------------------------------------------------

    def read_bytes(self, path: str) -> bytes:
        """The content of ``path``."""
        if self.local:
            return Path(path).read_bytes()
        return bytes(self.fs.cat_file(path))

    def write_bytes(self, path: str, data: bytes) -> None:
        """Write ``data`` at ``path`` whole (replacing what was there)."""
        out = self.open_output(path)
        try:
            out.write(data)
        finally:
            self.finish_output(out)

    def make_folder(self, *folder: str) -> None:
        """Create ``folder`` inside the store (and the store's own folder) if missing."""
        if self.local:
            os.makedirs(self.path(*folder), exist_ok=True)
        # Object storage has no folders: a key's prefix is made with the key.

    def open_output(self, path: str) -> IO[bytes]:
        """A new file to write at ``path``; :meth:`finish_output` makes it whole on disk."""
        return open(path, "wb") if self.local else self.fs.open(path, "wb")

    def finish_output(self, out: IO[bytes]) -> None:
        """Flush, sync (local) and close a file from :meth:`open_output`."""
        try:
            out.flush()
            if self.local:
                with contextlib.suppress(io.UnsupportedOperation):  # a file object with no descriptor
                    os.fsync(out.fileno())
        finally:
            out.close()

    def create_exclusive(self, path: str, data: bytes) -> None:
        """Write ``data`` at ``path`` whole, or raise FileExistsError if something is there already.

        Local: the data go to a synced temporary file, hard-linked to ``path`` (refused if it exists). Object
        storage: a conditional upload. This is the store's commit point."""
        if not self.local:
            with self.fs.open(path, "xb") as out:
                out.write(data)
            return
        folder = os.path.dirname(path)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=UNLINKED_PREFIX, delete=False) as out:
            temp = out.name
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temp, path)
        finally:
            os.unlink(temp)
        _sync_directory(folder)

    def move(self, source: str, target: str) -> None:
        """Move a written file to its place in the store."""
        if not self.local:
            self.fs.mv(source, target)
            return
        os.replace(source, target)
        _sync_directory(os.path.dirname(target))

    def delete(self, *paths: str) -> None:
        """Delete ``paths`` (files or folders); what is already gone is no error."""
        for path in paths:
            with contextlib.suppress(FileNotFoundError):
                if self.local:
                    if os.path.isdir(path):
                        for name in os.listdir(path):
                            os.unlink(os.path.join(path, name))
                        os.rmdir(path)
                    else:
                        os.unlink(path)
                else:
                    self.fs.rm(path, recursive=True)

    @contextlib.contextmanager
    def writers_lock(self, timeout: float) -> Iterator[None]:
        """Serialise this machine's writers of a local store (object storage relies on the log's order alone)."""
        if not self.local:
            yield
            return
        lock_path = self.root + ".lock"
        try:
            os.makedirs(os.path.dirname(lock_path) or ".", exist_ok=True)
            with FileLock(lock_path, timeout=timeout):
                yield
        except Timeout as err:
            raise StoreError(
                f"cannot lock the event store at {self.name}: another process has held {lock_path} for over "
                f"{timeout:g} s; retry when it has finished, or pass a longer timeout"
            ) from err
