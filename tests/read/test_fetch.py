"""Tests of geo.read.fetch against servers on localhost: what may be fetched, redirects, deadlines, size caps."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from geo.errors import DataFormatError
from geo.read.articles import Upload, read_articles
from geo.read.fetch import FetchError, fetch_url, web_url

FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title><item><title>Flood in Lyon</title>'
    b"<description>Floods killed 3 people in Lyon, France.</description></item></channel></rss>"
)


class _Handler(BaseHTTPRequestHandler):
    """Answers by path: /feed.xml, /redirect?to=URL, /drip (a byte at a time), /slow-headers, /big, /chunked-big,
    /silent."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        route = self.path.split("?", 1)[0]
        getattr(self, "_" + route.strip("/").replace("-", "_").replace(".", "_"), self._missing)()

    def _missing(self) -> None:
        self.send_error(404)

    def _feed_xml(self) -> None:
        self._send(FEED, "application/rss+xml")

    def _redirect(self) -> None:
        self.send_response(302)
        self.send_header("Location", self.path.split("to=", 1)[1])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _loop(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/loop")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self._dribble(b"x" * 100000)

    def _slow_headers(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\n")
        self._dribble(b"X-Padding: " + b"a" * 100000)

    def _dribble(self, data: bytes) -> None:
        try:
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the client hung up: what the test wants

    def _big(self) -> None:
        self._send(b"x" * 5000, "text/plain")

    def _chunked_big(self) -> None:
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for _ in range(10):
            self.wfile.write(b"3e8\r\n" + b"y" * 1000 + b"\r\n")
        self.wfile.write(b"0\r\n\r\n")

    def _silent(self) -> None:
        time.sleep(3)

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A server on a free localhost port; its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def finished(call: Callable[[], object], seconds: float = 60) -> BaseException | object:
    """What ``call`` returned or raised, run in a thread that must end within ``seconds`` (else the fetch hangs)."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(call())
        except BaseException as err:  # handed to the test to check
            outcome.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert outcome, f"still running after {seconds} s"
    return outcome[0]


@pytest.mark.parametrize("url", ["http://example.org/feed", "https://example.org:8443/a?b=c#d", " https://x.org "])
def test_http_urls_may_be_fetched(url: str) -> None:
    assert web_url(url) == url.strip()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("/etc/passwd", "not an http:// or https:// URL"),
        ("etc/hosts", "not an http:// or https:// URL"),
        ("file:///etc/passwd", "not an http:// or https:// URL"),
        ("FILE:/etc/passwd", "not an http:// or https:// URL"),
        ("ftp://example.org/feed.xml", "not an http:// or https:// URL"),
        ("javascript:alert(1)", "not an http:// or https:// URL"),
        ("data:text/plain,hello", "not an http:// or https:// URL"),
        ("http://[::1", "not a valid URL"),
        ("http://example.org:99999/", "not a valid URL"),
        ("http://example.org:port/", "not a valid URL"),
        ("http:///etc/passwd", "names no host"),
        ("http://exa mple.org/", "spaces or control characters"),
        ("http://example.org/\x00", "spaces or control characters"),
        ("http://example.org/" + "a" * 9000, "at most 8192"),
    ],
)
def test_anything_else_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(DataFormatError, match=reason):
        web_url(text)


def test_a_feed_is_fetched(server: str) -> None:
    assert fetch_url(f"{server}/feed.xml") == FEED


def test_a_redirect_to_http_is_followed(server: str) -> None:
    assert fetch_url(f"{server}/redirect?to={server}/feed.xml") == FEED


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/feed.xml", "file:///etc/passwd", "data:,hello", "gopher://x/"])
def test_a_redirect_to_another_scheme_is_refused(server: str, target: str) -> None:
    with pytest.raises(FetchError, match="redirected to a URL that is not fetched"):
        fetch_url(f"{server}/redirect?to={target}")


def test_a_redirect_loop_ends(server: str) -> None:
    outcome = finished(lambda: fetch_url(f"{server}/loop"))
    assert isinstance(outcome, OSError) and "redirect" in str(outcome)


def test_a_server_dripping_its_body_is_cut_off_at_the_deadline(server: str) -> None:
    outcome = finished(lambda: fetch_url(f"{server}/drip", deadline=1.0, stall=5.0))
    assert isinstance(outcome, FetchError)
    assert "no complete answer within the deadline of 1 s" in str(outcome)


def test_a_server_dripping_its_headers_is_cut_off_at_the_deadline(server: str) -> None:
    outcome = finished(lambda: fetch_url(f"{server}/slow-headers", deadline=1.0, stall=5.0))
    assert isinstance(outcome, FetchError)
    assert "deadline of 1 s" in str(outcome)


def test_a_silent_server_is_given_up(server: str) -> None:
    outcome = finished(lambda: fetch_url(f"{server}/silent", deadline=30.0, stall=0.5))
    assert isinstance(outcome, FetchError)
    assert "silent for 0.5 s" in str(outcome)


def test_an_announced_body_over_the_cap_is_not_read(server: str) -> None:
    with pytest.raises(FetchError, match="announces 5000 bytes: larger than 1000 bytes"):
        fetch_url(f"{server}/big", limit=1000)


def test_a_chunked_body_over_the_cap_is_cut_off(server: str) -> None:
    with pytest.raises(FetchError, match="larger than 5000 bytes: not read"):
        fetch_url(f"{server}/chunked-big", limit=5000)


def test_a_port_nobody_listens_on_is_a_fetch_problem() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    articles, [problem] = read_articles(f"http://127.0.0.1:{port}/feed.xml")
    assert articles == []
    assert problem.message.startswith("could not fetch it (")


def test_read_articles_fetches_a_feed_url(server: str) -> None:
    [article], problems = read_articles(f"{server}/feed.xml")
    assert (article.title, problems) == ("Flood in Lyon", [])


@pytest.mark.parametrize("source", ["/etc/passwd", "file:///etc/passwd", "-", "data/sample/news_page.txt"])
def test_without_files_a_path_or_stdin_is_refused(source: str) -> None:
    articles, [problem] = read_articles(source, files=False)
    assert articles == []
    assert "only" in problem.message and ("http" in problem.message or "uploads" in problem.message)


def test_without_files_uploads_and_urls_are_read(server: str) -> None:
    assert read_articles(Upload("feed.xml", FEED), files=False)[0][0].title == "Flood in Lyon"
    assert read_articles(f"{server}/feed.xml", files=False)[0][0].title == "Flood in Lyon"


@pytest.mark.parametrize("source", ["http://[::1", "ftp://example.org/a.xml", "http://example.org:0x50/"])
def test_a_malformed_or_foreign_url_is_one_problem(source: str) -> None:
    articles, [problem] = read_articles(source)
    assert articles == []
    assert problem.where.strip("'") == source
