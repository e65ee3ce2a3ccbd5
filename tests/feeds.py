"""RSS feeds served on localhost for the watcher's tests and benchmark: each path answers with a feed (200 with
an ETag and Last-Modified, 304 when asked with the same validators), an error, garbage or silence."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STORIES = (
    ("Earthquake strikes near Padang, Indonesia", "An earthquake struck near Padang, Indonesia, killing 3 people."),
    ("Floods hit Lyon, France", "Floods in Lyon, France, forced hundreds of people from their homes."),
    ("Wildfire near Athens, Greece", "A wildfire burned homes near Athens, Greece, and 12 people were injured."),
    ("Cyclone nears Chittagong, Bangladesh", "A cyclone is moving towards Chittagong, Bangladesh; 2 people died."),
)


def rss(items: list[tuple[str, str]], *, title: str | None = "Wire", ttl: int | None = None) -> bytes:
    """An RSS 2.0 feed of (title, description) items, each with a link and a date."""
    parts = [f"<title>{title}</title>" if title else "", f"<ttl>{ttl}</ttl>" if ttl is not None else ""]
    for number, (headline, text) in enumerate(items, 1):
        parts.append(
            f"<item><title>{headline}</title><description>{text}</description>"
            f"<link>https://news.example/{number}</link><pubDate>Mon, 06 Jan 2025 08:00:00 GMT</pubDate></item>"
        )
    return f'<?xml version="1.0"?><rss version="2.0"><channel>{"".join(parts)}</channel></rss>'.encode()


@dataclass
class Route:
    """What one path answers: ``kind`` is "feed", "error" (``status`` with ``retry_after``), "garbage" or
    "hang"."""

    kind: str = "feed"
    body: bytes = b""
    status: int = 500
    retry_after: str | None = None
    modified: str = "Mon, 06 Jan 2025 08:00:00 GMT"

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class FeedServer:
    """The routes by path, what was asked of each (counts, the last request's validators) and every repeat
    request that came without the validators of the answer before it."""

    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    unconditional_repeats: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def serve(self, path: str, route: Route) -> str:
        """Answer ``route`` at ``path``; its URL."""
        self.routes["/" + path.lstrip("/")] = route
        return self.url(path)

    def feed(self, path: str, body: bytes, *, retry_after: str | None = None) -> str:
        """Serve ``body`` as a feed at ``path``; its URL."""
        return self.serve(path, Route("feed", body, retry_after=retry_after))


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            route = server.routes.get(self.path)
            asked = (self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))
            with server.lock:
                server.hits[self.path] += 1
                answered_before = self.path in server.validators
                server.validators[self.path] = asked
                if route is not None and route.kind == "feed" and answered_before and None in asked:
                    server.unconditional_repeats.append(self.path)
            if route is None:
                self.send_error(404)
            elif route.kind == "feed":
                self._feed(route, asked)
            elif route.kind == "error":
                self.send_response(route.status)
                if route.retry_after:
                    self.send_header("Retry-After", route.retry_after)
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif route.kind == "garbage":
                self._send(200, bytes(range(256)) * 8, {})
            else:
                time.sleep(3)

        def _feed(self, route: Route, asked: tuple[str | None, str | None]) -> None:
            headers = {"ETag": route.etag, "Last-Modified": route.modified, "Content-Type": "application/rss+xml"}
            if route.retry_after:
                headers["Retry-After"] = route.retry_after
            if asked[0] == route.etag:
                self._send(304, b"", headers)
            else:
                self._send(200, route.body, headers)

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serving() -> Iterator[FeedServer]:
    """A feed server on a free localhost port, shut when the block ends."""
    server = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()


class FakeClock:
    """Seconds since the epoch that move only when slept through."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
