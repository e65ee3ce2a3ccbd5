"""The moments of a store commit at which the fault tests stop a writer, installed in the writer's own process.

``python -m tests.killpoints MOMENT FLAG ARGS...`` runs ``geo ARGS...`` and, when it reaches MOMENT, writes the
file FLAG and waits to be killed: the test kills it from outside at exactly that moment, whatever the speed of the
machine. :func:`install` is the same hook for a writer that stops itself.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

#: The moments, in the order a commit passes them, and what has been written by then.
MOMENTS: Final = {
    "staging": "a part file is being written in the staging folder",
    "parts-moved": "the parts are in the store's folder; no log entry names them yet",
    "log-linking": "the log entry is written to its temporary file, not linked to its name yet",
    "log-written": "the new version is committed; the id index has not been told",
    "merge-moved": "after the append, a merge has moved its part in but not committed it",
    "merge-committed": "the merge is committed; the merged parts are not deleted yet",
}
#: The moments after the store's commit point: the writer's rows are stored.
COMMITTED: Final = frozenset({"log-written", "merge-moved", "merge-committed"})


def install(moment: str, stop: Callable[[], object]) -> None:
    """Make this process call ``stop`` (which does not return) when it reaches ``moment`` of a commit."""
    from geo.store import commit, compaction, index, parts

    def halt(*_args: Any, **_kwargs: Any) -> Any:
        stop()
        raise AssertionError("stop() returned")

    if moment == "staging":
        write = parts.PartWriter.write

        def write_then_stop(self: parts.PartWriter, table: Any) -> None:
            write(self, table)
            if self.rows:
                stop()

        parts.PartWriter.write = write_then_stop  # type: ignore[method-assign]
    elif moment == "parts-moved":
        commit.commit_version = halt
    elif moment == "log-linking":
        link = os.link

        def link_or_stop(source: Any, target: Any, *args: Any, **kwargs: Any) -> None:
            if Path(target).parent.name == "_log":
                stop()
            link(source, target, *args, **kwargs)

        os.link = link_or_stop
    elif moment == "log-written":
        index.StoreIndex.take_in = halt  # type: ignore[method-assign]
    elif moment == "merge-moved":
        compaction.commit_version = halt
    elif moment == "merge-committed":
        compaction.StoreIndex.replace = halt  # type: ignore[method-assign]
    else:
        raise ValueError(f"no moment {moment!r}; the moments are {', '.join(MOMENTS)}")


def _flag_and_wait(flag: Path) -> Callable[[], object]:
    def stop() -> None:
        flag.write_text(str(os.getpid()))
        threading.Event().wait()  # until the test kills this process

    return stop


def main(argv: list[str]) -> int:
    moment, flag, *args = argv
    install(moment, _flag_and_wait(Path(flag)))
    from geo.__main__ import main as geo

    return geo(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
