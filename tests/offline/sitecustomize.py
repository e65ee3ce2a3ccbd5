"""Run at the start of every Python process the tests start (the tests put this folder on their PYTHONPATH): the
`geo` commands, the Streamlit server and Dask's workers reach nothing but localhost, as the test process itself
(pytest-socket) does not."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", ""})


def _is_local(host: Any) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str) or host.lower() in LOCAL_NAMES:
        return True  # not an internet address (a Unix socket's path is bytes or str without a port)
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
        return address.is_loopback or address.is_unspecified  # unspecified: this machine, to listen on
    except ValueError:
        return False  # a host name other than localhost


class OfflineError(OSError):
    """What a test's subprocess gets when it reaches past localhost."""


def _refuse(host: Any) -> OfflineError:
    return OfflineError(f"the tests are offline: {host!r} is not localhost (tests/offline/sitecustomize.py)")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        raise _refuse(address[0])
    _connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address[0]):
        raise _refuse(address[0])
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host is not None and not _is_local(host):
        raise socket.gaierror(socket.EAI_NONAME, str(_refuse(host)))
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo
