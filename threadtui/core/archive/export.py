"""Exporting transcripts to files: Markdown for people, JSON and JSON Lines for programs.

- `md`: the transcript as `core.transcript.render_markdown` writes it, with every remote
  character that could drive a terminal made visible (`sanitize.clean`), since people
  `cat` these files.
- `json`: loses nothing: the thread object, every message (oldest first) and every run
  exactly as the API returned them, under a small header (`threadtui_export`) saying what
  the file is, so `core.archive_import.import_dump` restores the same transcript.
- `jsonl`: one message per line, each exactly as the API returned it.

JSON text escapes C1 controls, bidi and zero-width characters and lone surrogates as
\\uXXXX: the same data, but inert on a terminal. Exports come from the archive: online,
`archive_thread` first fetches what it lacks; offline, gone or on a retired server, the
archived copy is exported as it is. Files are created 0600 (folders 0700) and never
overwrite anything: an existing name gets a numbered suffix, and the caller is told.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from threadtui.api import paging
from threadtui.api.errors import ApiError, ApiRetired, NotFound
from threadtui.core.archive.dumps import EXPORT_KEY
from threadtui.core.archive.store import ArchiveInfo, ArchiveProgress, ArchiveStore, archive_thread
from threadtui.core.archive.transcript import render_markdown
from threadtui.core.settings.paths import PRIVATE_FILE_MODE, ensure_private_dir
from threadtui.core.store.registry import StorageError
from threadtui.core.text.redact import Redactor
from threadtui.core.text.sanitize import clean
from threadtui.core.text.timefmt import iso
from threadtui.errors import UserError

if TYPE_CHECKING:
    from threadtui.api.models import Message, Run, ThreadInfo
    from threadtui.core.services import Services
    from threadtui.core.store.registry import Registry

FORMATS: tuple[str, ...] = ("md", "json", "jsonl")
EXPORT_FORMAT = "threadtui.transcript"
EXPORT_VERSION = 1
FROM_SERVER, FROM_ARCHIVE = "the server", "the local archive"
_UNSAFE_IN_JSON = re.compile(
    "[\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]"
)


class NothingToExport(UserError, LookupError):
    """The thread is not in the archive and cannot be fetched; one sentence says so."""


@dataclass(frozen=True)
class ArchivedTranscript:
    """Everything the archive holds of one thread."""

    thread: ThreadInfo
    messages: list[Message]
    runs: list[Run]
    info: ArchiveInfo
    gaps: frozenset[str] = field(default_factory=frozenset)
    title: str = ""


@dataclass(frozen=True)
class Exported:
    """One file written."""

    thread_id: str
    path: Path
    message_count: int
    origin: str  # FROM_SERVER or FROM_ARCHIVE
    note: str = ""  # one sentence worth telling the user ("" when all went as asked)
    renamed: bool = False  # the plain name was taken, so a suffix was added
    redacted: str = ""  # what --redact replaced, e.g. "2 emails, 1 key"


def archived_transcript(registry: Registry, thread_id: str) -> ArchivedTranscript | None:
    """The archived thread with its messages, runs and holes; None when nothing is kept."""
    store = ArchiveStore(registry)
    info = store.info(thread_id)
    thread = store.thread(thread_id)
    if info is None or thread is None:
        return None
    tracked = registry.get(thread_id)
    return ArchivedTranscript(
        thread=thread,
        messages=store.messages(thread_id),
        runs=store.runs(thread_id),
        info=info,
        gaps=frozenset(message_id for message_id, gap in store.order(thread_id) if gap),
        title=tracked.title if tracked else "",
    )


# -- rendering ----------------------------------------------------------------------------------
def json_text(value: Any, *, indent: int | None = 2) -> str:
    """JSON that keeps every character but shows none that could drive a terminal."""
    separators = (",", ":") if indent is None else None
    text = json.dumps(value, ensure_ascii=False, indent=indent, separators=separators)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def export_document(
    transcript: ArchivedTranscript, *, exported_at: float, redacted: bool = False
) -> dict[str, Any]:
    """The JSON export: a header, then the API's objects exactly as they came."""
    thread_id = transcript.thread.id
    header = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "thread_id": thread_id,
        "kind": transcript.thread.kind,
        "title": transcript.title,
        "exported_at": iso(exported_at),
        "message_count": len(transcript.messages),
        "order": "oldest first",
        "complete": transcript.info.complete,
        "gaps": sorted(transcript.gaps),
        # Conversation items don't name the response that wrote them; the archive knows.
        "run_ids": {
            m.id: m.run_id for m in transcript.messages if m.run_id and not m.raw.get("run_id")
        },
        "redacted": redacted,
    }
    return {
        EXPORT_KEY: header,
        "thread": transcript.thread.raw,
        "messages": [m.raw for m in transcript.messages],
        "runs": [r.raw for r in transcript.runs],
    }


def render(
    transcript: ArchivedTranscript,
    fmt: str,
    *,
    exported_at: float,
    origin: str = FROM_ARCHIVE,
    assistant_names: dict[str, str] | None = None,
    redactor: Redactor | None = None,
) -> str:
    """The file's text in `fmt` ("md", "json" or "jsonl"), redacted when given a redactor."""
    if fmt == "md":
        text = clean(
            render_markdown(
                transcript.thread,
                transcript.messages,
                title=transcript.title,
                assistant_names=assistant_names,
                gaps=transcript.gaps,
                complete=transcript.info.complete,
                exported_at=exported_at,
                origin=origin,
            )
        )
        return redactor.text(text) if redactor else text
    if fmt == "json":
        document = export_document(
            transcript, exported_at=exported_at, redacted=redactor is not None
        )
        if redactor:
            for key in ("thread", "messages", "runs"):
                document[key] = redactor.json(document[key])
        return json_text(document) + "\n"
    if fmt == "jsonl":
        messages = [m.raw for m in transcript.messages]
        if redactor:
            messages = redactor.json(messages)
        return "".join(json_text(raw, indent=None) + "\n" for raw in messages)
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


# -- files --------------------------------------------------------------------------------------
def write_new_file(folder: Path, name: str, data: bytes) -> tuple[Path, bool]:
    """Write `data` to a new 0600 file `name` in `folder` (made 0700 if missing); if the
    name is taken, to `stem-1.ext`, `stem-2.ext`… Returns the path and whether it was
    renamed. Never overwrites anything."""
    ensure_private_dir(folder)
    stem, dot, ext = name.rpartition(".")
    for attempt in range(10_000):
        candidate = folder / (name if attempt == 0 else f"{stem}-{attempt}{dot}{ext}")
        try:
            fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
        except FileExistsError:
            continue
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
        except BaseException:
            candidate.unlink(missing_ok=True)
            raise
        return candidate, attempt > 0
    raise FileExistsError(f"{folder / name} and 9,999 numbered variants exist already.")


async def export_thread(
    services: Services,
    thread_id: str,
    fmt: str,
    folder: Path,
    *,
    redact: bool = False,
    offline: bool = False,
    progress: ArchiveProgress | None = None,
) -> Exported:
    """Archive what is missing (unless `offline`), then write the archived copy to a file.

    A thread gone from the server (or on a retired server) is exported from the archive,
    with a note saying so. Raises NothingToExport when there is no copy at all, other
    ApiErrors (network, key) as they come, ValueError for an unknown format, OSError
    when the file cannot be written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    origin, note = FROM_ARCHIVE, ""
    transcript: ArchivedTranscript | None = None
    if not offline:
        try:
            await archive_thread(services, thread_id, progress)
            origin = FROM_SERVER
        except (NotFound, ApiRetired) as problem:
            note = f"{_first_clause(problem.user_message)}: exported the archived copy."
        except StorageError as problem:
            # A full disk or a read-only store: the user still gets the file, from memory.
            transcript, origin = await _fetched_transcript(services, thread_id), FROM_SERVER
            note = f"Exported what the server gave, but did not archive it: {problem.user_message}"
    if transcript is None:
        transcript = archived_transcript(services.registry, thread_id)
    if transcript is None:
        if offline:
            raise NothingToExport(
                f"{thread_id} is not in the local archive: export it once without "
                f"--offline, or run `threadtui archive {thread_id}`."
            )
        raise NothingToExport(
            f"{thread_id} is gone from the server and was never archived: there is nothing "
            "to export."
        )
    if origin == FROM_ARCHIVE and not transcript.info.whole and not note:
        note = "The archived copy may lack messages (the Markdown marks where)."
    names: dict[str, str] = {}
    if origin == FROM_SERVER and fmt == "md" and transcript.thread.kind == "thread":
        try:
            names = await services.assistant_names(services.profile_for(thread_id))
        except ApiError:
            names = {}  # names are a nicety; the IDs are written either way
    redactor = Redactor() if redact else None
    exported_at = services.clock.now()
    text = render(
        transcript,
        fmt,
        exported_at=exported_at,
        origin=origin,
        assistant_names=names,
        redactor=redactor,
    )
    path, renamed = write_new_file(folder, f"{thread_id}.{fmt}", text.encode("utf-8"))
    return Exported(
        thread_id,
        path,
        len(transcript.messages),
        origin,
        note,
        renamed,
        redactor.summary() if redactor else "",
    )


async def _fetched_transcript(services: Services, thread_id: str) -> ArchivedTranscript:
    """The thread and every message straight from the server, held in memory only."""
    backend = services.backend_for(thread_id)
    thread = await backend.retrieve_thread(thread_id)
    messages = await paging.messages(backend, thread_id, order="asc").items()
    tracked = services.registry.get(thread_id)
    info = ArchiveInfo(
        thread_id,
        thread.kind,
        services.profile_for(thread_id),
        len(messages),
        complete=True,
        gaps=0,
        has_thread=True,
        updated_at=None,
        source="export",
    )
    title = tracked.title if tracked else ""
    return ArchivedTranscript(thread=thread, messages=messages, runs=[], info=info, title=title)


def _first_clause(sentence: str) -> str:
    """ "No thread found with id 'thread_x'." -> "No thread found with id 'thread_x'"."""
    return sentence.split(": ")[0].rstrip(".")
