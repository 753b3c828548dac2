"""Finding threads again: import IDs from files and logs, check them against the server,
continue a gone thread in a new one."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TextIO

from threadtui.cli.common import CommandError, fail, run_async, say, trackable_ids
from threadtui.cli.parser import Commands
from threadtui.core.services import Services
from threadtui.core.store.registry import STATUSES

DEFAULT_CONCURRENCY = 8  # threadtui.core.finding.checker's; not imported to keep startup light
DEFAULT_LAST = 20  # threadtui.core.chat.continuation's


def register(commands: Commands) -> None:
    imp = commands.add(
        "import",
        cmd_import,
        "track every thread_/conv_ ID found in files, logs or standard input",
    )
    imp.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="text, logs, JSON, JSONL, CSV, a registry export (.toml) or a messages.list "
        "dump; - reads standard input (the default when it is piped)",
    )
    imp.add_argument("--profile", dest="profile", default=argparse.SUPPRESS)
    imp.add_argument("--tag", action="append", default=[], help="tag what is found (repeatable)")
    imp.add_argument("--json", action="store_true", help="print a JSON summary for scripts")
    imp.add_argument(
        "--dry-run", action="store_true", help="say what would be tracked; change nothing"
    )

    check = commands.add(
        "check", cmd_check, "ask the server whether tracked threads are live, gone or forbidden"
    )
    check.add_argument("ids", nargs="*", metavar="ID")
    check.add_argument("--all", action="store_true", help="every tracked thread")
    check.add_argument(
        "--status", choices=STATUSES, help="with --all: only threads with this status"
    )
    check.add_argument(
        "--profile",
        dest="profile",
        default=argparse.SUPPRESS,
        help="ask this profile's server instead of each thread's own (another project?)",
    )
    check.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULT_CONCURRENCY,
        help="requests at a time (default 8)",
    )
    check.add_argument("--json", action="store_true", help="print a JSON report for scripts")

    cont = commands.add(
        "continue", cmd_continue, "start a new thread seeded with the last messages of an old one"
    )
    cont.add_argument("id", metavar="ID")
    cont.add_argument(
        "--last",
        type=int,
        default=DEFAULT_LAST,
        help=f"messages to carry over (default {DEFAULT_LAST})",
    )


# -- progress ------------------------------------------------------------------------------
class ProgressBar:
    """One line on stderr, redrawn at most ten times a second; only on a terminal."""

    def __init__(self, stream: TextIO | None = None, width: int = 24) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.width = width
        self._last = 0.0
        self._shown = False

    def show(self, fraction: float | None, text: str, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        final = fraction is not None and fraction >= 1
        if not (force or final) and now - self._last < 0.1:
            return
        self._last = now
        if fraction is None:
            bar = ""
        else:
            filled = int(max(0.0, min(1.0, fraction)) * self.width)
            bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {fraction:4.0%} "
        self.stream.write(f"\r\x1b[2K{bar}{text}")
        self.stream.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self._shown = False


def _megabytes(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB"


# -- import ----------------------------------------------------------------------------------
def cmd_import(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.finding.importer import STDIN, ImportProgress, import_sources
    from threadtui.core.text.sanitize import one_line

    files = list(args.files)
    if not files:
        if sys.stdin.isatty():
            raise CommandError(
                "Give files to import (`threadtui import app.log`), or pipe text in "
                "(`grep thread_ app.log | threadtui import -`)."
            )
        files = [STDIN]
    bar = ProgressBar()

    def progress(p: ImportProgress) -> None:
        name = one_line(os.path.basename(p.name) or p.name, 30)
        where = f"{name} {_megabytes(p.done_bytes)}"
        if p.sources_total > 1:
            where = f"{p.sources_done + 1}/{p.sources_total} {where}"
        fraction = p.done_bytes / p.total_bytes if p.total_bytes else None
        bar.show(fraction, f"{where} · {p.found} IDs")

    try:
        summary = import_sources(
            services,
            files,
            profile=getattr(args, "profile", None),
            tags=args.tag,
            dry_run=args.dry_run,
            progress=progress,
        )
    finally:
        bar.done()
    for report in summary.unreadable:
        fail(report.error)
    if args.json:
        say(json.dumps(summary.as_dict(), indent=2))
    else:
        for line in summary.lines():
            say(line)
    return 1 if summary.unreadable or summary.refused else 0


# -- check -----------------------------------------------------------------------------------
def cmd_check(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.finding.checker import CheckProgress, check_threads

    if args.all == bool(args.ids):
        raise CommandError("Give thread IDs to check, or --all for every tracked thread.")
    if args.status and not args.all:
        raise CommandError("--status goes with --all.")
    if args.concurrency < 1:
        raise CommandError("--concurrency must be 1 or more.")
    ids: list[str] | None = None
    if args.ids:
        good, rejected = trackable_ids(args.ids)
        if rejected:
            return 1
        ids = [thread_id for thread_id, _ in good]
    elif args.status:
        ids = [t.id for t in reversed(services.registry.tracked(status=args.status, order="added"))]
    bar = ProgressBar()

    def progress(p: CheckProgress) -> None:
        waiting = " · rate limited, waiting" if p.paused_until is not None else ""
        fraction = p.done / p.total if p.total else None
        bar.show(
            fraction,
            f"{p.done}/{p.total} · {p.live} live · {p.gone} gone · {p.forbidden} forbidden"
            f" · {p.errors} errors{waiting}",
        )

    try:
        report = run_async(
            services,
            lambda: check_threads(
                services,
                ids,
                profile=getattr(args, "profile", None),
                concurrency=args.concurrency,
                progress=progress,
            ),
        )
    finally:
        bar.done()
    if args.json:
        say(json.dumps(report.as_dict(), indent=2))
    else:
        for line in report.lines():
            say(line)
    return 1 if report.errors or report.skipped else 0


# -- continue --------------------------------------------------------------------------------
def cmd_continue(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.chat.continuation import continue_thread

    if args.last < 1:
        raise CommandError("--last must be 1 or more.")
    new_id = run_async(services, lambda: continue_thread(services, args.id, last=args.last))
    tracked = services.registry.get(new_id)
    count = tracked.message_count if tracked else None
    title = f" as {tracked.title!r}" if tracked and tracked.title else ""
    say(
        f"Continued {args.id.strip()} in {new_id} ({count} messages carried over); tracking it{title}."
    )
    return 0
