"""Following feeds and pages: poll each http(s) source when it is due and add what is new to the store.

A good citizen: every repeat poll carries the validators of the last answer (If-None-Match, If-Modified-Since),
so an unchanged source costs a 304 and nothing is parsed; requests to one host (host and port) are spaced by
at least ``host_interval`` seconds; a feed's ``<ttl>`` and a server's Retry-After put the next poll later; and a
failing source is backed off (``every * 2**failures``, at most a day) with one line logged per failure. Fetched
bytes go to the readers as they are (:class:`geo.read.articles.Upload` with its URL), through
:func:`geo.ingest.ingest_sources`, one atomic commit per changed source; the store drops repeated stories.

Nothing is kept per poll: the state is one :class:`geo.watchstate.SourceState` per source (saved after each
round, see :mod:`geo.watchstate`) and the time of the last request per host.
"""

from __future__ import annotations

import http.client
import signal
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Final, Literal

from geo.ingest import ingest_sources
from geo.limits import FETCH_DEADLINE, FETCH_STALL
from geo.places.geoparse import Geoparser
from geo.read.articles import Upload
from geo.read.fetch import Fetched, StatusError, fetch_conditional
from geo.store.eventstore import StorePath
from geo.watchstate import MAX_WAIT, SourceState, due_after, feed_ttl, load_state, save_state

__all__ = ["DEFAULT_EVERY", "HOST_INTERVAL", "Round", "Watcher", "stopped_by_signals"]

#: Seconds between two polls of a source (``--every``).
DEFAULT_EVERY: Final = 900.0
#: Seconds at least between two requests to one host.
HOST_INTERVAL: Final = 1.0

#: Characters of a failure's message logged (a server's reason phrase is its own to write).
_MESSAGE_CHARS: Final = 300

Outcome = Literal["changed", "unchanged", "failed"]


@dataclass(frozen=True, slots=True)
class Round:
    """What one poll round did: events added, sources with something new, unchanged and failed."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    #: Sources not due yet (their feed's ttl, a back-off or the interval): said, not compared.
    waiting: int = field(default=0, compare=False)

    def counted(self, outcome: Outcome, added: int) -> Round:
        """This round with one more source polled."""
        return Round(
            self.added + added,
            self.changed + (outcome == "changed"),
            self.unchanged + (outcome == "unchanged"),
            self.failed + (outcome == "failed"),
            self.waiting,
        )

    def summary(self) -> str:
        """The round in one line: "added 3 events from 2 sources; 47 unchanged; 1 failed"."""
        events = "event" if self.added == 1 else "events"
        sources = "source" if self.changed == 1 else "sources"
        waiting = f"; {self.waiting} not due yet" if self.waiting else ""
        return (
            f"added {self.added} {events} from {self.changed} {sources}; "
            f"{self.unchanged} unchanged; {self.failed} failed{waiting}"
        )


def _silent(message: str) -> None:
    """A log that says nothing."""


class Watcher:
    """Polls a list of http(s) sources into a store; ``stop`` ends :meth:`run` between two sources.

    Time is injectable: ``clock`` gives seconds since the epoch (saved in the state), ``sleep`` waits (default:
    ``stop.wait``, so a stop cuts a wait short). The state file is read on the first poll, not here."""

    def __init__(
        self,
        urls: Sequence[str],
        store: StorePath,
        parser: Geoparser,
        *,
        state_file: Path,
        every: float = DEFAULT_EVERY,
        host_interval: float = HOST_INTERVAL,
        locale: str | None = None,
        log: Callable[[str], None] = _silent,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], object] | None = None,
        deadline: float = FETCH_DEADLINE,
        stall: float = FETCH_STALL,
    ) -> None:
        self.urls = tuple(dict.fromkeys(urls))
        self.store, self.parser, self.state_file, self.locale = store, parser, state_file, locale
        self.every, self.host_interval, self.deadline, self.stall = every, host_interval, deadline, stall
        self.stop = threading.Event()
        self._log, self._clock, self._sleep = log, clock, sleep or self.stop.wait
        self._states: dict[str, SourceState] | None = None
        self._last_request: dict[str, float] = {}

    def states(self) -> dict[str, SourceState]:
        """The state of every source, read from the state file the first time."""
        if self._states is None:
            saved, problem = load_state(self.state_file)
            if problem:
                self._log(problem)
            latest = self._clock() + max(MAX_WAIT, self.every)  # a clock set back, a state edited by hand
            self._states = {url: _at_most(saved.get(url) or SourceState(url), latest) for url in self.urls}
        return self._states

    def next_due(self) -> float:
        """When the next source is due (seconds since the epoch)."""
        return min((state.due for state in self.states().values()), default=self._clock() + self.every)

    def run(self, report: Callable[[Round], None], *, once: bool = False) -> bool:
        """Poll every due source, report the round and wait for the next, until stopped (or once); whether the
        last round had no failure."""
        clean = True
        while not self.stop.is_set():
            done = self.poll()
            report(done)
            clean = done.failed == 0
            if once:
                break
            self._sleep(min(max(self.next_due() - self._clock(), 0.0), MAX_WAIT))
        return clean

    def poll(self) -> Round:
        """Poll each source that is due, once; save the state."""
        states, now = self.states(), self._clock()
        due = [url for url, state in states.items() if state.due <= now]
        done = Round(waiting=len(states) - len(due))
        for url in due:
            if not self._wait_for_host(url):
                break
            outcome, added = self._poll_source(states[url])
            done = done.counted(outcome, added)
        self._save()
        return done

    def _wait_for_host(self, url: str) -> bool:
        """Wait until ``url``'s host may be asked again; False when stopped."""
        last = self._last_request.get(_host(url))
        if last is not None and (delay := last + self.host_interval - self._clock()) > 0:
            self._sleep(delay)
        return not self.stop.is_set()

    def _poll_source(self, state: SourceState) -> tuple[Outcome, int]:
        """Fetch one source and store what is new; its new state is kept."""
        now = self._clock()
        try:
            answer = fetch_conditional(
                state.url, etag=state.etag, modified=state.modified, deadline=self.deadline, stall=self.stall
            )
        except StatusError as err:
            return self._failed(state, now, str(err), retry_after=err.retry_after), 0
        except (OSError, http.client.HTTPException, ValueError) as err:
            return self._failed(state, now, str(err) or type(err).__name__), 0
        finally:
            self._last_request[_host(state.url)] = self._clock()
        if not answer.modified:
            self._succeeded(state, now, answer, ttl=state.ttl)
            return "unchanged", 0
        return self._store(state, now, answer)

    def _store(self, state: SourceState, now: float, answer: Fetched) -> tuple[Outcome, int]:
        """Add the stories of a new answer to the store; a source that gives none but problems has failed."""
        name = PurePosixPath(urllib.parse.urlsplit(state.url).path).name or "index"
        upload = Upload(name, answer.body, url=state.url)
        try:
            report = ingest_sources([upload], self.store, self.parser, files=False, locale=self.locale)
        except Exception as err:  # one bad source, or a store that fails once, must not stop the others
            return self._failed(state, now, f"could not be stored ({type(err).__name__}: {err})"), 0
        if report.problems and not report.read:
            return self._failed(state, now, report.problems[0].message, retry_after=answer.retry_after), 0
        if report.problems:
            more = f" (and {len(report.problems) - 1} more)" if len(report.problems) > 1 else ""
            self._log(f"{state.url}: {_printable(report.problems[0].message)}{more}")
        self._succeeded(state, now, answer, ttl=feed_ttl(answer.body))
        return "changed", report.added

    def _succeeded(self, state: SourceState, now: float, answer: Fetched, *, ttl: int | None) -> None:
        """Keep the validators of a new answer (a 304 may leave them out: the old ones hold) and poll at pace."""
        due = due_after(now, self.every, failures=0, ttl=ttl, retry_after=answer.retry_after)
        etag, modified = answer.etag, answer.last_modified
        if not answer.modified:
            etag, modified = etag or state.etag, modified or state.modified
        self.states()[state.url] = SourceState(state.url, etag, modified, now, 0, due, ttl)

    def _failed(self, state: SourceState, now: float, message: str, *, retry_after: str | None = None) -> Outcome:
        """Back the source off and log one line saying why and until when."""
        failures = state.failures + 1
        due = due_after(now, self.every, failures=failures, ttl=state.ttl, retry_after=retry_after)
        self.states()[state.url] = replace(state, fetched_at=now, failures=failures, due=due)
        self._log(
            f"{state.url}: {_printable(message)}; failure {failures} in a row, next try in {_duration(due - now)}"
        )
        return "failed"

    def _save(self) -> None:
        try:
            save_state(self.state_file, self.states().values())
        except OSError as err:
            self._log(f"could not save the state to {self.state_file} ({err}); it is kept in memory")


@contextmanager
def stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    """Within the block, SIGTERM and Ctrl-C set ``stop`` (a second Ctrl-C interrupts at once); the main thread
    only."""

    def handle(signum: int, frame: object) -> None:
        if stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        stop.set()

    previous = {number: signal.signal(number, handle) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _at_most(state: SourceState, latest: float) -> SourceState:
    """``state`` due no later than ``latest``."""
    return state if state.due <= latest else replace(state, due=latest)


def _printable(message: str) -> str:
    """``message`` cut to ``_MESSAGE_CHARS`` characters, without control characters, for one line of the log."""
    return "".join(char if char.isprintable() else " " for char in message[:_MESSAGE_CHARS])


def _host(url: str) -> str:
    """The host (and port) of ``url``, whose requests are spaced."""
    return urllib.parse.urlsplit(url).netloc.lower()


def _duration(seconds: float) -> str:
    """``seconds`` for a person: "45 s", "30 min", "2.5 h"."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
