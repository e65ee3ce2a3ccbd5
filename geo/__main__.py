"""Command line: ``python -m geo COMMAND``. Argument parsing and calls only."""

from __future__ import annotations

import argparse
import io
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from geo.errors import GeoError

_INGEST_HELP = """read news from each SOURCE (a page dump, JSONL, CSV, RSS/Atom or HTML file, an http(s) URL,
or - for stdin), find places, event type and severity, and add one event per story to the store. Stories
already stored are skipped. The last line sums up: stories read, events added, skipped, unplaced."""

_CLASSIFY_HELP = """read JSONL lines {"id": ..., "text": ...} from FILE (or stdin) and write one line per
input line, in order: {"id", "event_type", "severity", "severity_reason", "deaths", "injured", "displaced",
"magnitude", "category", "wind_kmh"} (null where the text says nothing). A line that
cannot be read gets {"id": ..., "error": "..."} and a message on stderr; the exit status is then 1."""

_GEOPARSE_HELP = """read JSONL lines {"id": ..., "text": ...} from FILE (or stdin) and write one line per
input line, in order: {"id": ..., "places": [{"start", "end", "name", "lat", "lon", "country_code",
"feature", "derived"}]}. A line that cannot be read gets {"id": ..., "places": [], "error": "..."}
and a message on stderr; the exit status is then 1."""


_WATCH_HELP = """poll each http(s) SOURCE (an RSS/Atom feed or a page) when it is due and add its new stories to
the store, until Ctrl-C or SIGTERM. Repeat polls ask with If-None-Match and If-Modified-Since, requests to one
host are spaced, a feed's <ttl> and a server's Retry-After are honoured, and a failing source is retried later
and later (one line on stderr per failure). One line per round sums it up. The state (validators, failures,
next poll) is kept in STORE.watch.json."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value >= 1 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number of seconds of at least 1, not {text!r}")
    return value


def _store_arg(text: str) -> str | Path:
    """A store: an fsspec URL (s3://bucket/events) stays text, anything else is a local path."""
    from geo.store.location import is_url

    return text if is_url(text) else Path(text).expanduser()


_STORE_HELP = (
    "the event store: a folder, or a URL such as s3://bucket/events (default: $GEO_STORE or data/events.parquet)"
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Offline news geoparser and event map.")
    commands = parser.add_subparsers(dest="command", required=True)
    gaz = commands.add_parser("gazetteer", help="build the gazetteer index")
    gaz_commands = gaz.add_subparsers(dest="action", required=True)
    build = gaz_commands.add_parser("build", help="build data/gazetteer.pkl from installed packages")
    build.add_argument("--if-stale", action="store_true", help="only when missing or built from other sources")
    derive = gaz_commands.add_parser(
        "derive", help="derive data/natural_earth_places.tsv.gz from the Natural Earth CSV"
    )
    derive.add_argument("--source", type=Path, default=None, help="the CSV (default: ../shared/gazetteer/...)")
    basemap = commands.add_parser("basemap", help="derive the offline basemap and cut its tiles")
    basemap_commands = basemap.add_subparsers(dest="action", required=True)
    tiles = basemap_commands.add_parser("build", help="cut static/basemap from data/basemap.json.gz")
    tiles.add_argument("--if-stale", action="store_true", help="only when missing or cut from another basemap")
    ne = basemap_commands.add_parser("derive", help="derive data/basemap.json.gz from the Natural Earth layers")
    ne.add_argument("--source", type=Path, default=None, help="the folder of layers (default: ../shared/basemap)")
    geoparse = commands.add_parser(
        "geoparse", help="find and place locations in JSONL texts", description=_GEOPARSE_HELP
    )
    geoparse.add_argument("file", nargs="?", type=Path, help="JSONL input (default: stdin)")
    evaluate = commands.add_parser("evaluate", help="score the geoparser on an annotated corpus")
    evaluate.add_argument("gold", type=Path, help="gold JSONL in the format of ../shared/eval/lgl.jsonl")
    evaluate.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    classify = commands.add_parser(
        "classify", help="event type and severity of JSONL texts", description=_CLASSIFY_HELP
    )
    classify.add_argument("file", nargs="?", type=Path, help="JSONL input (default: stdin)")
    ingest = commands.add_parser("ingest", help="add news to the event store", description=_INGEST_HELP)
    ingest.add_argument("sources", nargs="+", metavar="SOURCE", help="file, http(s) URL, or - for stdin")
    ingest.add_argument("--store", type=_store_arg, default=None, help=_STORE_HELP)
    ingest.add_argument(
        "--locale",
        type=_locale_arg,
        metavar="CC",
        help="country the stories come from when they do not say (two letters, e.g. US): its places are preferred",
    )
    cluster = ingest.add_mutually_exclusive_group()
    cluster.add_argument(
        "--workers", type=_positive_int, metavar="N", help="run on a local Dask cluster of N worker processes"
    )
    cluster.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on the existing Dask cluster of this scheduler"
    )
    _watch_parser(commands.add_parser("watch", help="follow feeds and pages into the store", description=_WATCH_HELP))
    export = commands.add_parser("export", help="write the event store as GeoJSON or CSV")
    export.add_argument("--store", type=_store_arg, default=None, help=_STORE_HELP)
    export.add_argument("--format", choices=("geojson", "csv"), required=True)
    export.add_argument("--out", type=Path, default=None, help="output file (default: stdout)")
    store = commands.add_parser("store", help="look after the event store")
    store_commands = store.add_subparsers(dest="action", required=True)
    for action, text in (
        ("info", "the store's version, parts, events and size"),
        ("compact", "merge the store's parts into parts of about a million events (appends may go on)"),
        ("migrate", "turn a store that is one file into a folder now (the next append does it anyway)"),
    ):
        store_commands.add_parser(action, help=text).add_argument(
            "--store", type=_store_arg, default=None, help=_STORE_HELP
        )
    geocode = commands.add_parser("geocode", help="geocode a place name offline (optionally online)")
    geocode.add_argument("query")
    geocode.add_argument("--online", action="store_true", help="fall back to Nominatim when offline misses")
    return parser


def _watch_parser(watch: argparse.ArgumentParser) -> None:
    watch.add_argument("sources", nargs="*", metavar="SOURCE", help="an http(s) URL of a feed or page")
    watch.add_argument(
        "--from",
        dest="lists",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="read more sources from FILE: one URL a line (# starts a comment), or an OPML export of a feed reader",
    )
    watch.add_argument("--every", type=_seconds, default=900.0, metavar="SECONDS", help="between polls (default 900)")
    watch.add_argument("--once", action="store_true", help="poll the sources that are due once and exit")
    watch.add_argument("--store", type=_store_arg, default=None, help=_STORE_HELP)
    watch.add_argument("--state", type=Path, default=None, metavar="FILE", help="the state (default: STORE.watch.json)")
    watch.add_argument("--locale", type=_locale_arg, metavar="CC", help="as for ingest")


def _cmd_gazetteer(args: argparse.Namespace) -> int:
    from geo import settings
    from geo.places import build as gazetteer_build
    from geo.places import naturalearth

    if args.action == "derive":
        source = args.source or settings.NATURAL_EARTH_SOURCE
        if not source.exists():
            raise GeoError(f"Natural Earth CSV not found at {source}: pass --source PATH")
        rows = naturalearth.derive_table(source, settings.NATURAL_EARTH_TABLE)
        print(f"wrote {rows} places to {settings.NATURAL_EARTH_TABLE}")
        return 0
    if args.if_stale and not gazetteer_build.is_stale():
        print(f"gazetteer up to date: {settings.GAZETTEER_PATH}")
        return 0
    started = time.perf_counter()
    entries = gazetteer_build.build()
    print(f"built {settings.GAZETTEER_PATH}: {entries} places in {time.perf_counter() - started:.1f} s")
    return 0


def _cmd_basemap(args: argparse.Namespace) -> int:
    from geo import settings
    from geo.map import basemap, tiles

    if args.action == "derive":
        source = args.source or settings.BASEMAP_SOURCE
        if not source.is_dir():
            raise GeoError(f"Natural Earth layers not found at {source}: pass --source DIR")
        counts = basemap.derive_basemap(source, settings.BASEMAP_PATH)
        print(f"wrote {settings.BASEMAP_PATH}: " + ", ".join(f"{key} {value:,}" for key, value in counts.items()))
        return 0
    if args.if_stale and not tiles.is_stale():
        print(f"basemap tiles up to date: {settings.TILE_DIR}")
        return 0
    started = time.perf_counter()
    count = tiles.build_tiles()
    print(f"cut {settings.TILE_DIR}: {count:,} tiles in {time.perf_counter() - started:.1f} s")
    return 0


class _Progress:
    """A one-line counter on a terminal's stderr; silent otherwise."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.count = 0
        self.started = time.perf_counter()

    def advance(self, n: int) -> None:
        self.count += n
        if self.enabled:
            rate = self.count / max(time.perf_counter() - self.started, 1e-9)
            print(f"\r{self.count} stories ({rate:.0f}/s)", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.enabled and self.count:
            print(file=sys.stderr)


def _open_input(path: Path | None) -> BinaryIO:
    if path is None:
        return sys.stdin.buffer
    try:
        return path.open("rb")
    except OSError as err:
        raise GeoError(f"cannot read {path}: {err.strerror}") from err


def _map_jsonl(args: argparse.Namespace, handle: Callable[[str], dict[str, Any]], failed: dict[str, Any]) -> int:
    """Answer each {"id", "text"} line with ``{"id", **handle(text)}``, or ``failed`` plus the error."""
    from geo.read.jsonl import answer_records

    where = f"geo {args.command}: {args.file or 'stdin'}"
    if args.file is None and isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(line_buffering=True)  # a pipe's reader gets each answer as its line is read
    with _open_input(args.file) as stream:
        clean = answer_records(
            stream, handle, failed, write=sys.stdout.write, note=lambda note: print(f"{where}: {note}", file=sys.stderr)
        )
    return 0 if clean else 1


def _cmd_geoparse(args: argparse.Namespace) -> int:
    from geo.places.geoparse import Geoparser

    parser = Geoparser.load()
    return _map_jsonl(args, lambda text: {"places": [p.to_dict() for p in parser.parse(text)]}, {"places": []})


def _cmd_classify(args: argparse.Namespace) -> int:
    from geo.events.classifier import classify

    return _map_jsonl(args, lambda text: classify(text).to_dict(), {})


def _locale_arg(text: str) -> str:
    from geo.read.records import read_locale

    locale = read_locale(text)
    if locale is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a two-letter country code (such as US or PH)")
    return locale


def _cmd_ingest(args: argparse.Namespace) -> int:
    from geo.ingest import ingest_sources
    from geo.places.geoparse import Geoparser
    from geo.store.eventstore import default_store_path

    progress = _Progress(enabled=sys.stderr.isatty())
    store = args.store or default_store_path()
    if args.workers is not None or args.scheduler is not None:
        from geo.distributed import ingest_distributed

        report = ingest_distributed(
            args.sources,
            store,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=progress.advance,
            locale=args.locale,
        )
    else:
        report = ingest_sources(args.sources, store, Geoparser.load(), progress=progress.advance, locale=args.locale)
    progress.close()
    for problem in report.problems:
        print(f"geo ingest: {problem.where}: {problem.message}", file=sys.stderr)
    print(report.summary())
    return 1 if report.problems else 0


def _cmd_watch(args: argparse.Namespace) -> int:
    from geo.places.geoparse import Geoparser
    from geo.read.feedlist import feed_urls
    from geo.read.records import Problem
    from geo.store.eventstore import default_store_path
    from geo.watch import Watcher, stopped_by_signals
    from geo.watchstate import state_path

    problems: list[Problem] = []
    urls = feed_urls(args.sources, args.lists, problems)
    for problem in problems:
        print(f"geo watch: {problem}", file=sys.stderr)
    if not urls:
        raise GeoError("no http(s) URL to watch: give some, or a list with --from FILE")
    store = args.store or default_store_path()
    watcher = Watcher(
        urls,
        store,
        Geoparser.load(),
        state_file=args.state or state_path(store),
        every=args.every,
        locale=args.locale,
        log=lambda message: print(f"geo watch: {message}", file=sys.stderr, flush=True),
    )
    with stopped_by_signals(watcher.stop):
        clean = watcher.run(lambda done: print(done.summary(), flush=True), once=args.once)
    return 0 if not args.once or (clean and not problems) else 1  # a stopped watcher stopped as asked


def _cmd_export(args: argparse.Namespace) -> int:
    from geo.read.records import Problem
    from geo.store.eventstore import default_store_path
    from geo.store.export import export_events

    problems: list[Problem] = []
    written = export_events(args.store or default_store_path(), args.format, args.out, problems=problems)
    for problem in problems:
        print(f"geo export: {problem}", file=sys.stderr)
    if args.out is None:
        sys.stdout.write(str(written))
    else:
        print(f"wrote {written}", file=sys.stderr)
    return 1 if problems else 0


def _cmd_store(args: argparse.Namespace) -> int:
    from geo.store import maintenance
    from geo.store.eventstore import default_store_path

    store = args.store or default_store_path()
    if args.action == "compact":
        started = time.perf_counter()
        done = maintenance.compact_store(store)
        print(
            f"compacted {store}: {done.parts_before:,} parts -> {done.parts_after:,}, "
            f"{done.rows_rewritten:,} events rewritten in {time.perf_counter() - started:.1f} s"
        )
    elif args.action == "migrate":
        print(f"{store}: " + ("now a folder of parts" if maintenance.migrate_store(store) else "already a folder"))
    print("\n".join(maintenance.store_info(store).lines()))
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from geo.places.evaluate import evaluate, read_gold
    from geo.places.geoparse import Geoparser

    if not args.gold.exists():
        raise GeoError(f"gold file not found: {args.gold}")
    report = evaluate(read_gold(args.gold), Geoparser.load().parse)
    print(json.dumps(report.to_dict()) if args.json else "\n".join(report.lines()))
    return 0


def _cmd_geocode(args: argparse.Namespace) -> int:
    from geo.places.geocoders import geocoder_from_settings

    location = geocoder_from_settings(online=args.online).geocode(args.query)
    if location is None:
        print(f"no place found for {args.query!r}", file=sys.stderr)
        return 1
    print(json.dumps({"address": location.address, "lat": location.latitude, "lon": location.longitude}))
    return 0


_COMMANDS = {
    "gazetteer": _cmd_gazetteer,
    "basemap": _cmd_basemap,
    "geoparse": _cmd_geoparse,
    "evaluate": _cmd_evaluate,
    "classify": _cmd_classify,
    "ingest": _cmd_ingest,
    "watch": _cmd_watch,
    "export": _cmd_export,
    "store": _cmd_store,
    "geocode": _cmd_geocode,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors become a one-line message and exit status 2."""
    args = _parser().parse_args(argv)
    # geopy logs each failed request it retries with its traceback; the one-line error below says what failed.
    logging.getLogger("geopy").setLevel(logging.ERROR)
    try:
        return _COMMANDS[args.command](args)
    except GeoError as err:
        print(f"geo {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
