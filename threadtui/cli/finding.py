"""Finding threads again: import IDs from files and logs, check them against the server,
continue a gone thread in a new one."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TextIO

from threadtui.cli.common import CommandError, fail, say
from threadtui.cli.parser import Commands
from threadtui.core.services import Services


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
        if not force and now - self._last < 0.1:
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
    from threadtui.core.importer import STDIN, ImportProgress, import_sources
    from threadtui.core.sanitize import one_line

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
    return 1 if summary.unreadable else 0
