"""Fetching a URL: http(s) only, redirects included; a total deadline; a cap on the size of the answer.

:func:`web_url` is the one place that decides whether a text may be fetched. :func:`fetch_url` follows at
most ``MAX_REDIRECTS`` redirects, each checked by :func:`web_url`; gives up when the server is silent for
``FETCH_STALL`` seconds or when the whole exchange passes ``FETCH_DEADLINE`` seconds (a watchdog shuts the
connection wherever the fetch is waiting, so a server that drips one byte at a time is cut off too); and
refuses an answer larger than ``MAX_DOCUMENT_BYTES``. :func:`fetch_conditional` does the same with the
validators of an earlier answer (ETag, Last-Modified) and returns the status and the headers a poller needs; a
304 Not Modified is an answer there, not an error.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from email.message import Message
from functools import partial
from typing import Any, Final

from geo.errors import DataFormatError, GeoError
from geo.limits import FETCH_DEADLINE, FETCH_STALL, MAX_DOCUMENT_BYTES, MAX_REDIRECTS, MAX_URL_CHARS, shown

__all__ = ["FetchError", "Fetched", "StatusError", "fetch_conditional", "fetch_url", "web_url"]

USER_AGENT: Final = "geo-news-event-map/0.1 (article reader)"
#: The only schemes fetched.
SCHEMES: Final = ("http", "https")
#: Bytes read at a time.
_CHUNK: Final = 64 * 1024


class FetchError(GeoError, OSError):
    """A URL could not be fetched within the rules: the message says which rule and what to do."""


class StatusError(FetchError):
    """The server answered with an error status (4xx or 5xx); ``retry_after`` is its Retry-After header."""

    def __init__(self, message: str, *, status: int, retry_after: str | None) -> None:
        super().__init__(message)
        self.status, self.retry_after = status, retry_after


@dataclass(frozen=True, slots=True)
class Fetched:
    """An answer of :func:`fetch_conditional`: 200 with its body, or 304 (not modified) with none."""

    status: int
    body: bytes
    etag: str | None = None
    last_modified: str | None = None
    #: The Retry-After header as sent: seconds or an HTTP date.
    retry_after: str | None = None

    @property
    def modified(self) -> bool:
        """Whether the answer has a new body (not a 304)."""
        return self.status != 304


def web_url(text: str) -> str:
    """``text`` as an http(s) URL that may be fetched; DataFormatError saying why when it is not one."""
    url = text.strip()
    if len(url) > MAX_URL_CHARS:
        raise DataFormatError(f"a URL of {len(url)} characters: at most {MAX_URL_CHARS} are fetched")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise DataFormatError(f"{shown(url)} holds spaces or control characters: not a URL")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a port that is no number or out of range)
    except ValueError as err:
        raise DataFormatError(f"{shown(url)} is not a valid URL ({err})") from err
    if parts.scheme.lower() not in SCHEMES:
        raise DataFormatError(
            f"{shown(url)} is not an http:// or https:// URL: only those are fetched (to add a file, upload it)"
        )
    if not parts.hostname:
        raise DataFormatError(f"{shown(url)} names no host")
    return url


class _Watchdog:
    """The deadline of one fetch: the time left for each wait, and a timer that shuts the fetch's connections
    when the deadline passes, wherever the fetch is then waiting."""

    def __init__(self, deadline: float, stall: float) -> None:
        self.deadline, self._stall = deadline, stall
        self._end = time.monotonic() + deadline
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.expired = False
        self._timer = threading.Timer(deadline, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def timeout(self) -> float:
        """Seconds the next connection may wait for the server; TimeoutError when the deadline has passed."""
        left = self._end - time.monotonic()
        if left <= 0 or self.expired:
            raise TimeoutError(f"past the deadline of {self.deadline:g} s")
        return min(self._stall, left)

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` when the deadline passes (at once if it has)."""
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    with suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _Watched:
    """A connection whose waits are bounded by a watchdog: connecting within the time left, then shut when the
    deadline passes."""

    sock: socket.socket
    timeout: float | None

    def __init__(self, *args: Any, watchdog: _Watchdog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._watchdog = watchdog

    def connect(self) -> None:
        self.timeout = self._watchdog.timeout()
        super().connect()  # type: ignore[misc]
        self._watchdog.watch(self.sock)


class _HTTPConnection(_Watched, http.client.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(partial(_HTTPConnection, watchdog=self._watchdog), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog: _Watchdog) -> None:
        super().__init__()
        self._watchdog = watchdog

    def do_open(self, http_class: Any, req: urllib.request.Request, **kwargs: Any) -> http.client.HTTPResponse:
        return super().do_open(partial(_HTTPSConnection, watchdog=self._watchdog), req, **kwargs)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Follows at most ``MAX_REDIRECTS`` redirects, each to a URL that :func:`web_url` accepts."""

    max_redirections = MAX_REDIRECTS

    def http_error_302(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any
    ) -> http.client.HTTPResponse | None:
        target = headers.get("location") or headers.get("uri")
        if target is not None:
            try:
                web_url(urllib.parse.urljoin(req.full_url, target))
            except DataFormatError as err:
                raise FetchError(f"redirected to a URL that is not fetched: {err}") from err
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(watchdog: _Watchdog) -> urllib.request.OpenerDirector:
    """An opener for http(s) only: no file:, ftp: or data: handler at all."""
    opener = urllib.request.OpenerDirector()
    handlers = (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
        _Redirects(),
        _HTTPHandler(watchdog),
        _HTTPSHandler(watchdog),
    )
    for handler in handlers:
        opener.add_handler(handler)
    return opener


def _body(response: http.client.HTTPResponse, limit: int) -> bytes:
    """The body of ``response``; FetchError when it is larger than ``limit`` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise FetchError(f"the server announces {declared} bytes: larger than {limit} bytes, not read")
    chunks, size = [], 0
    while chunk := response.read1(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise FetchError(f"larger than {limit} bytes: not read")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_url(
    url: str, *, deadline: float = FETCH_DEADLINE, stall: float = FETCH_STALL, limit: int = MAX_DOCUMENT_BYTES
) -> bytes:
    """The body of the http(s) ``url``; FetchError (an OSError) when it cannot be had within the rules above."""
    request = urllib.request.Request(web_url(url), headers={"User-Agent": USER_AGENT})
    return _exchange(request, deadline, stall, limit)[2]


def fetch_conditional(
    url: str,
    *,
    etag: str | None = None,
    modified: str | None = None,
    deadline: float = FETCH_DEADLINE,
    stall: float = FETCH_STALL,
    limit: int = MAX_DOCUMENT_BYTES,
) -> Fetched:
    """The answer of the http(s) ``url`` asked with If-None-Match ``etag`` and If-Modified-Since ``modified``
    (when given): 200 with its body or 304 without; StatusError for a 4xx or 5xx, FetchError as for
    :func:`fetch_url`."""
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    request = urllib.request.Request(web_url(url), headers=headers)
    try:
        status, answer, body = _exchange(request, deadline, stall, limit, conditional=True)
    except urllib.error.HTTPError as err:
        retry_after = err.headers.get("Retry-After") if err.headers else None
        err.close()
        message = f"the server answered {err.code} {err.reason}"
        raise StatusError(message, status=err.code, retry_after=retry_after) from err
    return Fetched(status, body, answer.get("ETag"), answer.get("Last-Modified"), answer.get("Retry-After"))


def _exchange(
    request: urllib.request.Request, deadline: float, stall: float, limit: int, *, conditional: bool = False
) -> tuple[int, Message, bytes]:
    """The status, headers and body of the answer to ``request``; a 304 is an answer when ``conditional``."""
    with _Watchdog(deadline, stall) as watchdog:
        try:
            with _opener(watchdog).open(request) as response:
                answer = (response.status, response.headers, _body(response, limit))
        except (OSError, http.client.HTTPException, ValueError) as err:
            if conditional and isinstance(err, urllib.error.HTTPError) and err.code == 304:
                answer = (304, err.headers, b"")
                err.close()
            elif (
                watchdog.expired
                or isinstance(err, TimeoutError)
                or isinstance(getattr(err, "reason", None), TimeoutError)
            ):
                raise _late(watchdog, stall) from err
            else:
                raise
        if watchdog.expired:
            raise _late(watchdog, stall)
    return answer


def _late(watchdog: _Watchdog, stall: float) -> FetchError:
    if watchdog.expired:
        return FetchError(f"no complete answer within the deadline of {watchdog.deadline:g} s: given up")
    return FetchError(f"the server was silent for {stall:g} s: given up")
