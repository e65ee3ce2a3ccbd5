"""The 64 MB cap on feeds and HTML pages read from URLs, at its real size, against a server on localhost: an answer
over it is refused with a message naming it, having read no more than about the cap, in memory no larger than the
cap; a feed or page of exactly the cap is still read. (tests/read/test_fetch.py checks the same rules with caps of a
few kilobytes passed in.)

Time is bounded without a clock: the "endless" answers end at four times the cap, so a reader with no cap would
return (and fail the test) rather than hang it, and the refusals asserted are the size's, not the deadline's."""

from __future__ import annotations

import socket
import threading
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Final, TypeVar

import pytest

from geo.limits import MAX_DOCUMENT_BYTES
from geo.read.articles import read_articles
from geo.read.fetch import FetchError, fetch_url

T = TypeVar("T")

#: Bytes the server writes at a time, and the server's send buffer (kept small so its kernel holds little).
CHUNK: Final = 64 * 1024
#: An "endless" answer stops here, so that a reader with no cap fails the test rather than hanging it.
ENDLESS: Final = 4 * MAX_DOCUMENT_BYTES
#: Seconds to wait for the server to see the client hang up.
HANG_UP_WAIT: Final = 60.0

FEED_HEAD: Final = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
FEED_TAIL: Final = (
    b"<item><title>Flood in Lyon</title><description>Floods killed 3 people in Lyon, France.</description></item>"
    b"</channel></rss>"
)
HTML_HEAD: Final = b"<!DOCTYPE html><html><head><title>Flood in Lyon</title></head><body>"
HTML_TAIL: Final = (
    b"<article><h1>Flood in Lyon</h1><p>Floods killed 3 people in Lyon, France, on Monday, and the river rose to its"
    b" highest level in years.</p></article></body></html>"
)


def in_kernel_buffers() -> int:
    """Bytes the server may have handed to the kernel beyond what the client read: its send buffer (doubled by
    Linux) and the client's largest receive buffer, plus a chunk being written."""
    try:
        receive = int(Path("/proc/sys/net/ipv4/tcp_rmem").read_text().split()[2])
    except (OSError, IndexError, ValueError):
        receive = 32 * 1024 * 1024
    return 2 * CHUNK + receive + CHUNK


def at_the_limit(head: bytes, tail: bytes) -> bytes:
    """A document of exactly ``MAX_DOCUMENT_BYTES``: ``head``, spaces, then ``tail`` (its story comes last, so only
    a reader that takes it whole finds it)."""
    return head + b" " * (MAX_DOCUMENT_BYTES - len(head) - len(tail)) + tail


@dataclass
class Answers:
    """What the server sent on each path: bytes written before the client hung up or the answer ended, and an
    event set when it ended."""

    sent: dict[str, int] = field(default_factory=dict)
    ended: dict[str, threading.Event] = field(default_factory=dict)
    bodies: dict[str, bytes] = field(default_factory=dict)

    def expect(self, path: str) -> None:
        """Start counting a new answer on ``path``."""
        self.sent[path] = 0
        self.ended[path] = threading.Event()

    def sent_in_all(self, path: str) -> int:
        """Bytes of the answer on ``path`` once it has ended; fails when the server is still writing."""
        assert self.ended[path].wait(HANG_UP_WAIT), f"the server was still sending {path} after {HANG_UP_WAIT} s"
        return self.sent[path]


def _handler(answers: Answers) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        """Answers /announced.* with a Content-Length over the cap, /chunked.* with endless chunks, /endless.*
        with an endless body and no length (HTTP/1.0, ended by closing), and /whole.* with ``answers.bodies``."""

        def setup(self) -> None:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, CHUNK)
            super().setup()

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            kind = self.path.strip("/").split(".", 1)[0]
            try:
                getattr(self, "_" + kind)()
            except OSError:
                pass  # the client hung up: what the over-limit tests want
            finally:
                answers.ended[self.path].set()

        def _announced(self) -> None:
            self._start({"Content-Length": str(MAX_DOCUMENT_BYTES + 1)})
            self._write(b"x" * CHUNK, MAX_DOCUMENT_BYTES + 1)

        def _chunked(self) -> None:
            self.protocol_version = "HTTP/1.1"
            self.close_connection = True
            self._start({"Transfer-Encoding": "chunked"})
            self._write(b"%x\r\n%s\r\n" % (CHUNK, b"y" * CHUNK), ENDLESS)

        def _endless(self) -> None:
            self._start({})
            self._write(b"z" * CHUNK, ENDLESS)

        def _whole(self) -> None:
            body = answers.bodies.pop(self.path)
            self._start({"Content-Length": str(len(body))})
            view = memoryview(body)
            for start in range(0, len(body), CHUNK):
                self.wfile.write(view[start : start + CHUNK])
                answers.sent[self.path] += len(view[start : start + CHUNK])

        def _start(self, headers: dict[str, str]) -> None:
            self.send_response(200)
            kind = "application/rss+xml" if self.path.endswith(".xml") else "text/html"
            for name, value in {"Content-Type": kind, **headers}.items():
                self.send_header(name, value)
            self.end_headers()

        def _write(self, piece: bytes, total: int) -> None:
            """Write ``piece`` again and again, ``total`` bytes at most, counting what the kernel took."""
            while answers.sent[self.path] < total:
                self.wfile.write(piece)
                answers.sent[self.path] += len(piece)

    return Handler


@dataclass
class Server:
    """The base URL of the server and what it sent."""

    base: str
    answers: Answers

    def url(self, path: str) -> str:
        """The URL of ``path``, counted afresh."""
        self.answers.expect(path)
        return f"{self.base}{path}"


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """A server on a free localhost port."""
    answers = Answers()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answers))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{httpd.server_address[1]}", answers)
    httpd.shutdown()
    httpd.server_close()


def traced(call: Callable[[], T]) -> tuple[T | BaseException, int]:
    """What ``call`` returned or raised, and the peak of memory traced while it ran."""
    tracemalloc.start()
    try:
        try:
            outcome: T | BaseException = call()
        except Exception as err:  # handed to the test to check
            outcome = err
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcome, peak


@pytest.mark.parametrize("path", ["/announced.xml", "/announced.html"])
def test_an_announced_length_over_the_limit_is_refused_unread(server: Server, path: str) -> None:
    outcome, peak = traced(lambda: fetch_url(server.url(path)))
    assert isinstance(outcome, FetchError)
    assert str(outcome) == (
        f"the server announces {MAX_DOCUMENT_BYTES + 1} bytes: larger than {MAX_DOCUMENT_BYTES} bytes, not read"
    )
    assert server.answers.sent_in_all(path) <= in_kernel_buffers()
    assert peak < 4 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MB"


@pytest.mark.parametrize("path", ["/chunked.xml", "/endless.html"])
def test_an_answer_without_length_is_cut_off_at_the_limit(server: Server, path: str) -> None:
    outcome, peak = traced(lambda: fetch_url(server.url(path)))
    assert isinstance(outcome, FetchError)
    assert str(outcome) == f"larger than {MAX_DOCUMENT_BYTES} bytes: not read"
    sent = server.answers.sent_in_all(path)
    assert MAX_DOCUMENT_BYTES < sent <= MAX_DOCUMENT_BYTES + in_kernel_buffers(), f"{sent / 2**20:.1f} MB sent"
    assert peak <= MAX_DOCUMENT_BYTES + 4 * 1024 * 1024, f"peak traced memory {peak / 2**20:.1f} MB"


@pytest.mark.parametrize("path", ["/announced.xml", "/endless.html"])
def test_a_feed_or_page_over_the_limit_is_one_problem_naming_it(server: Server, path: str) -> None:
    url = server.url(path)
    articles, [problem] = read_articles(url)
    assert articles == []
    assert problem.where == url
    assert f"larger than {MAX_DOCUMENT_BYTES} bytes" in problem.message
    assert problem.message.startswith("could not fetch it (") and problem.message.endswith("); nothing read")
    assert server.answers.sent_in_all(path) <= MAX_DOCUMENT_BYTES + in_kernel_buffers()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "head", "tail"),
    [("/whole.xml", FEED_HEAD, FEED_TAIL), ("/whole.html", HTML_HEAD, HTML_TAIL)],
    ids=["feed", "html"],
)
def test_a_feed_or_page_of_exactly_the_limit_is_read(server: Server, path: str, head: bytes, tail: bytes) -> None:
    server.answers.bodies[path] = at_the_limit(head, tail)
    [article], problems = read_articles(server.url(path))
    assert (article.title, problems) == ("Flood in Lyon", [])
    assert article.text.startswith("Floods killed 3 people in Lyon, France")
    assert server.answers.sent_in_all(path) == MAX_DOCUMENT_BYTES
