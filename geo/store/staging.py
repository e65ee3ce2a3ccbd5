"""Names of staging folders: each says which machine and process stages in it, so a later writer can tell a
folder whose process was killed (and clear it) from one still in use."""

from __future__ import annotations

import os
import secrets
import socket

__all__ = ["staging_folder_name", "staging_owner"]


def staging_folder_name() -> str:
    """A new staging folder's name: this machine, this process, then random hex."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(4)}"


def staging_owner(name: str) -> tuple[str, int | None]:
    """The machine and process a staging folder's name gives (process None when it gives none)."""
    owner, _, pid = name.rpartition("-")[0].rpartition("-")
    return owner, int(pid) if pid.isdigit() else None


def process_alive(pid: int) -> bool:
    """Whether the process ``pid`` of this machine is running."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
