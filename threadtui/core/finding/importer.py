"""Importing thread and conversation IDs from files, standard input or pasted text.

Every source is scanned as text (`threadtui.core.finding.scanner`), whatever it holds: logs,
JSON, JSONL, CSV, notes. Two kinds of file get more:

- the registry's TOML export is merged with its titles, tags and times
  (`threadtui.core.store.registry_toml`);
- JSON dumps of `messages.list` pages (and threadtui's JSON exports) also become archived
  transcripts, through `threadtui.core.archive.dumps.import_dump`.

Files are streamed: memory stays flat however big the log. IDs go to the registry as they
are found, in batches of at most `BATCH` through `Registry.add_many` (one transaction
each), with source "import:<file name>". A crash or SIGKILL leaves whole batches; running
the same import again reports what got in as "already" and adds the rest.

`import_sources()` is blocking (file reads and SQLite): the TUI runs it in a thread
worker, and its `progress` callback is called from that thread.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from threadtui.core.finding.scanner import (
    CHUNK_BYTES,
    MAX_TRUNCATED,
    Decoded,
    FirstSeen,
    IdScanner,
    OtherKind,
)
from threadtui.core.store.registry import BATCH, Registry, TrackedThread
from threadtui.core.text.sanitize import one_line

if TYPE_CHECKING:
    from threadtui.api.models import ThreadKind
    from threadtui.core.services import Services

STDIN = "-"
MAX_DUMP_BYTES = 64 << 20  # a messages.list dump bigger than this is scanned, not archived
SAMPLE = 20  # added IDs kept to show; the rest are counted
MAX_REFUSED_SHOWN = 5  # refused rows of a registry export named one by one; more are counted
_HEAD = 64 << 10
_TOML_HEAD = re.compile(rb"\A(?:\s|#[^\n]*\n)*(?:version\s*=|\[\[thread\]\])")
# messages.list pages of thread messages, or threadtui's own JSON export
_DUMP_MARK = re.compile(rb'"object"\s*:\s*"thread\.message"|"threadtui_export"')


@dataclass(frozen=True)
class PastedText:
    """Text given directly (the TUI's paste box) instead of a file."""

    text: str
    name: str = "pasted text"


Source = str | os.PathLike[str] | PastedText


@dataclass
class FileReport:
    """What one source gave."""

    name: str
    format: str = "text"  # "text" | "registry export" | "messages dump"
    added: int = 0
    already: int = 0
    replaced: int = 0  # bytes that were not text (shown as U+FFFD)
    archived: int = 0  # transcripts archived from a messages dump
    archived_messages: int = 0  # of their messages, those not archived before
    note: str = ""  # one sentence about anything unusual
    error: str = ""  # why it could not be read; nothing was imported from it
    refused: list[str] = field(default_factory=list)  # a sentence per row refused, bounded
    refused_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in ("", None, [])}


@dataclass(frozen=True)
class ImportProgress:
    """Where an import is, for a progress bar."""

    name: str  # the source being read
    done_bytes: int  # of this source
    total_bytes: int | None  # of this source, when known (not for pipes)
    sources_done: int
    sources_total: int
    found: int  # new and already-tracked IDs so far, all sources


@dataclass
class ImportSummary:
    """The outcome of an import, for people (`lines()`) and scripts (`as_dict()`)."""

    files: list[FileReport] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)  # as cut, without the "…"
    truncated_count: int = 0
    completed: dict[str, str] = field(
        default_factory=dict
    )  # cut ID -> the one tracked ID it starts
    others: dict[str, OtherKind] = field(default_factory=dict)
    sample: list[str] = field(default_factory=list)  # the first new IDs
    dry_run: bool = False
    cancelled: bool = False

    @property
    def added(self) -> int:
        return sum(f.added for f in self.files)

    @property
    def already(self) -> int:
        return sum(f.already for f in self.files)

    @property
    def unreadable(self) -> list[FileReport]:
        return [f for f in self.files if f.error]

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": self.added,
            "already": self.already,
            "dry_run": self.dry_run,
            "cancelled": self.cancelled,
            "truncated": {
                "count": self.truncated_count,
                "ids": self.truncated,
                "tracked_in_full": self.completed,
            },
            "other_kinds": [o.as_dict() for o in self.others.values()],
            "files": [f.as_dict() for f in self.files],
            "unreadable": [{"file": f.name, "error": f.error} for f in self.unreadable],
            "sample": self.sample,
        }

    def lines(self) -> list[str]:
        """What happened, a sentence a line; the first line is the headline."""
        read = [f for f in self.files if not f.error]
        verb = "Would track" if self.dry_run else "Tracked"
        where = f"{len(read)} source{'s' if len(read) != 1 else ''}"
        out = [
            f"{verb} {self.added} new thread{'s' if self.added != 1 else ''} from {where}; "
            f"{self.already} {'was' if self.already == 1 else 'were'} tracked already."
            + (" Stopped before the end; run it again to finish." if self.cancelled else "")
        ]
        missing = [t for t in self.truncated if t not in self.completed]
        count = self.truncated_count - len(self.completed)
        if count:
            shown = ", ".join(t + "…" for t in missing[:5]) + (", …" if count > 5 else "")
            out.append(
                f"{count} ID{' was' if count == 1 else 's were'} cut short and not imported "
                f"({shown}): find {'it' if count == 1 else 'them'} in full."
            )
        for cut, full in self.completed.items():
            out.append(f"{cut}… was cut short; it is {full}, tracked in full.")
        for other in self.others.values():
            plural = "s" if other.count != 1 else ""
            out.append(f"Not imported: {other.count} {other.label} ID{plural}. {other.explanation}")
        for report in self.files:
            if report.archived:
                out.append(
                    f"{report.name}: archived {report.archived} transcript"
                    f"{'s' if report.archived != 1 else ''} "
                    f"({report.archived_messages} new messages)."
                )
            if report.replaced:
                out.append(
                    f"{report.name}: {report.replaced} bytes were not text and were replaced; "
                    "IDs were looked for in the rest."
                )
            if report.note:
                out.append(f"{report.name}: {report.note}")
            out.extend(report.refused)
            if report.refused_count > len(report.refused):
                more = report.refused_count - len(report.refused)
                out.append(f"{report.name}: and {more:,} more rows refused for their IDs.")
        return out

    @property
    def refused(self) -> int:
        """Rows of registry exports not imported because their ID is not one."""
        return sum(f.refused_count for f in self.files)


def display_name(source: Source) -> str:
    if isinstance(source, PastedText):
        return source.name
    text = os.fspath(source)
    return "standard input" if text == STDIN else one_line(text, 200)


def source_label(source: Source) -> str:
    """The registry's `source` for IDs from here: "import:<file name>"."""
    if isinstance(source, PastedText):
        return "import:pasted"
    text = os.fspath(source)
    return "import:stdin" if text == STDIN else f"import:{Path(text).name}"


class Importer:
    """Imports sources one after another into one registry, dropping repeats across them.

    `profiles` maps a kind ("thread", "conversation") to the profile new IDs of that kind
    are tracked under. With `dry_run`, nothing is written: the summary says what would be.
    """

    def __init__(
        self,
        registry: Registry,
        profiles: Mapping[str, str],
        *,
        tags: Iterable[str] = (),
        dry_run: bool = False,
        progress: Callable[[ImportProgress], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> None:
        self.registry = registry
        self.profiles = dict(profiles)
        self.tags = tuple(tags)
        self.summary = ImportSummary(dry_run=dry_run)
        self._progress = progress
        self._should_stop = should_stop or (lambda: False)
        self._seen = FirstSeen()
        self._pending: list[TrackedThread] = []
        self._sources_total = 0
        self._found = 0

    # -- the whole run -----------------------------------------------------------------
    def run(self, sources: Sequence[Source]) -> ImportSummary:
        self._sources_total = len(sources)
        try:
            for source in sources:
                if self.summary.cancelled:
                    break
                self.summary.files.append(self.import_one(source))
        finally:
            self._seen.close()
        self._complete_truncated()
        return self.summary

    def _complete_truncated(self) -> None:
        """Match cut IDs to the one tracked ID each is the start of, if there is one."""
        with self.registry.reading() as db:
            for cut in self.summary.truncated:
                rows = db.execute(
                    "SELECT id FROM threads WHERE id > ? AND id < ? LIMIT 2",
                    (cut, cut + "\U0010ffff"),
                ).fetchall()
                if len(rows) == 1:
                    self.summary.completed[cut] = rows[0][0]

    def import_one(self, source: Source) -> FileReport:
        report = FileReport(display_name(source))
        label = source_label(source)
        if isinstance(source, PastedText):
            self._scan(iter([source.text]), report, label, None)
            return report
        path = os.fspath(source)
        if path == STDIN:
            binary = getattr(sys.stdin, "buffer", None)
            if binary is not None:
                self._scan_stream(binary, report, label, None)
            else:  # a text stream standing in for stdin
                self._scan(iter(lambda: sys.stdin.read(CHUNK_BYTES), ""), report, label, None)
            return report
        try:
            stream = open(path, "rb", buffering=CHUNK_BYTES)  # noqa: SIM115 - closed below
        except OSError as exc:
            report.error = _unreadable(report.name, exc)
            return report
        with stream:
            try:
                size = os.fstat(stream.fileno()).st_size
                head = stream.peek(_HEAD)[:_HEAD] if hasattr(stream, "peek") else b""
                if path.endswith(".toml") or _TOML_HEAD.match(head):
                    report.format = "registry export"
                    self._import_toml(Path(path), report, label, stream)
                elif _DUMP_MARK.search(head) and head.lstrip()[:1] in (b"{", b"["):
                    report.format = "messages dump"
                    self._import_dump(stream, size, report, label)
                else:
                    self._scan_stream(stream, report, label, size)
            except OSError as exc:
                report.error = _unreadable(report.name, exc)
        return report

    # -- text ------------------------------------------------------------------------------
    def _scan_stream(
        self, stream: BinaryIO, report: FileReport, label: str, size: int | None
    ) -> None:
        decoded = Decoded(stream, progress=lambda done: self._report(report, done, size))
        self._scan(iter(decoded), report, label, size)
        report.replaced = decoded.replaced
        if decoded.damaged:
            report.note = (
                "read as gzip, but it ends early or is damaged: the IDs before that point "
                "were imported."
            )
        elif decoded.compressed:
            report.note = "read as gzip."
        if decoded.nul_bytes:
            report.note = " ".join(
                filter(
                    None,
                    [
                        report.note,
                        f"{decoded.nul_bytes:,} NUL bytes: this is not text (a binary file?); "
                        "IDs were looked for in the rest.",
                    ],
                )
            )

    def _scan(
        self, pieces: Iterator[str], report: FileReport, label: str, size: int | None
    ) -> None:
        scanner = IdScanner()
        for piece in pieces:
            self._take(scanner.feed(piece), report, label)
            self._flush(report)  # whatever was read is in the registry: a pipe can stall
            if self._should_stop():
                self.summary.cancelled = True
                break
        else:
            self._take(scanner.finish(), report, label)
            self._flush(report)
        self._merge_scanner(scanner)

    def _take(self, hits: list[tuple[str, ThreadKind]], report: FileReport, label: str) -> None:
        if not hits:
            return
        kinds = dict(hits)
        for thread_id in self._seen.new(i for i, _ in hits):
            kind = kinds[thread_id]
            self._pending.append(
                TrackedThread(thread_id, kind, self.profiles[kind], tags=self.tags, source=label)
            )
            if len(self._pending) >= BATCH:
                self._flush(report)

    def _flush(self, report: FileReport) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        if self.summary.dry_run:
            known = self._tracked_among([e.id for e in batch])
            added = [e.id for e in batch if e.id not in known]
            already = len(batch) - len(added)
        else:
            result = self.registry.add_many(batch)
            added, already = result.added, len(result.already)
        report.added += len(added)
        report.already += already
        self._found += len(batch)
        room = SAMPLE - len(self.summary.sample)
        if room > 0:
            self.summary.sample += added[:room]

    def _tracked_among(self, ids: list[str]) -> set[str]:
        with self.registry.reading() as db:
            marks = ", ".join("?" * len(ids))
            return {r[0] for r in db.execute(f"SELECT id FROM threads WHERE id IN ({marks})", ids)}

    def _merge_scanner(self, scanner: IdScanner) -> None:
        summary = self.summary
        for text in scanner.truncated:
            if text not in summary.truncated:
                summary.truncated_count += 1
                if len(summary.truncated) < MAX_TRUNCATED:
                    summary.truncated.append(text)
        summary.truncated_count += scanner.truncated_count - len(scanner.truncated)
        for label, other in scanner.others.items():
            mine = summary.others.get(label)
            if mine is None:
                summary.others[label] = other
            else:
                mine.count += other.count

    def _report(self, report: FileReport, done: int, size: int | None) -> None:
        if self._progress is not None:
            self._progress(
                ImportProgress(
                    report.name,
                    done,
                    size,
                    len(self.summary.files),
                    self._sources_total,
                    self._found,
                )
            )

    # -- the registry's own export ------------------------------------------------------
    def _import_toml(self, path: Path, report: FileReport, label: str, stream: BinaryIO) -> None:
        from threadtui.core.store.registry_toml import (
            ExchangeFileError,
            import_entries,
            read_rows,
        )

        try:
            entries, refused = read_rows(path)
        except ExchangeFileError as problem:
            # Not a usable export after all: its IDs still count, as text.
            report.format = "text"
            report.note = f"{problem} Its IDs were imported as plain text instead."
            stream.seek(0)
            self._scan_stream(stream, report, label, None)
            return
        # A row whose ID is not one is refused, never scanned as text: a look-alike or an
        # escape would otherwise track a cut-short ID.
        report.refused, report.refused_count = refused[:MAX_REFUSED_SHOWN], len(refused)
        ids = [e.id for e in entries]
        fresh = self._seen.new(ids)  # not seen in an earlier source of this import
        repeats = len(set(ids)) - len(fresh)
        if self.summary.dry_run:
            known: set[str] = set()
            for n in range(0, len(fresh), BATCH):
                known |= self._tracked_among(fresh[n : n + BATCH])
            report.added, report.already = len(fresh) - len(known), len(known)
            return
        result = import_entries(self.registry, entries, f"import:{path.name}")
        if self.tags:  # merging tags into tracked rows is what add_many does for known IDs
            self.registry.add_many(e._replace(tags=self.tags) for e in entries)
        report.added, report.already = result.added, max(0, result.merged - repeats)
        self._found += len(ids)

    # -- JSON dumps of messages.list ---------------------------------------------------------
    def _import_dump(self, stream: BinaryIO, size: int, report: FileReport, label: str) -> None:
        if size > MAX_DUMP_BYTES:
            report.note = (
                f"looks like a messages.list dump but is over {MAX_DUMP_BYTES >> 20} MB: its IDs "
                "were imported; archive it in smaller files to keep the messages."
            )
            self._scan_stream(stream, report, label, size)
            return
        data = stream.read()
        self._report(report, len(data), size)
        self._scan_stream(io.BytesIO(data), report, label, size)
        import_dump = archive_importer()
        if import_dump is None:
            report.note = (
                "looks like a messages.list dump; this threadtui cannot archive dumps, so "
                "only its IDs were imported."
            )
            return
        if self.summary.dry_run:
            report.note = "a messages.list dump: its transcripts would be archived."
            return
        try:
            archived = import_dump(self.registry, data, source=Path(report.name).name)
        except ValueError as problem:  # DumpError: one sentence naming the file
            report.note = f"{problem} Its IDs were imported; its messages were not archived."
            return
        report.archived = len(archived)
        report.archived_messages = sum(t.added for t in archived)


def archive_importer() -> Callable[..., Any] | None:
    """The archive's `import_dump(registry, data, *, source)`, or None without one."""
    try:
        from threadtui.core.archive.dumps import import_dump
    except ImportError:
        return None
    return import_dump


def _unreadable(name: str, exc: OSError) -> str:
    if isinstance(exc, IsADirectoryError):
        return f"{name} is a folder: give the files in it (e.g. {name}/*.log)."
    return f"{name} cannot be read ({exc.strerror or exc}): nothing was imported from it."


# -- for the CLI and the TUI ---------------------------------------------------------------
def profiles_for(services: Services, explicit: str | None = None) -> dict[str, str]:
    """Which profile new IDs of each kind are tracked under.

    `explicit` (--profile) wins for both kinds. Otherwise the session's profile takes the
    kind its API speaks, and the other kind goes to the first profile that speaks its API
    (else the session's profile too).
    """
    if explicit is not None:
        name = services.profile(explicit).name
        return {"thread": name, "conversation": name}
    session = services.profile()
    wanted = {"thread": "assistants", "conversation": "conversations"}
    chosen: dict[str, str] = {}
    for kind, api in wanted.items():
        if session.kind == api:
            chosen[kind] = session.name
            continue
        match = next((p.name for p in services.config.profiles.values() if p.kind == api), None)
        chosen[kind] = match or session.name
    return chosen


def import_sources(
    services: Services,
    sources: Sequence[Source],
    *,
    profile: str | None = None,
    tags: Iterable[str] = (),
    dry_run: bool = False,
    progress: Callable[[ImportProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> ImportSummary:
    """Import IDs from files ("-" is standard input) and pasted text; blocking.

    `progress` is called after each chunk read (about every MB); `should_stop` is asked
    as often, and a True ends the import after the batch in hand (the summary says
    `cancelled`). Unreadable files are reported in the summary, not raised.
    """
    importer = Importer(
        services.registry,
        profiles_for(services, profile),
        tags=tags,
        dry_run=dry_run,
        progress=progress,
        should_stop=should_stop,
    )
    return importer.run(sources)
