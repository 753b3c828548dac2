"""Archiving JSON dumps of `messages.list` pages (and threadtui's own JSON exports).

Accepted, as parsed JSON or as text (JSON, or JSON Lines with one object per line):

- a page as the API returns it: ``{"object": "list", "data": [...], "first_id", "last_id",
  "has_more"}``, of thread messages or of conversation items;
- a list of such pages, or a bare list of message/item objects;
- threadtui's JSON export (`core.export`), or a list of them: restored exactly, with the
  thread object, runs, completeness and holes it recorded.

A thread message names its thread (`thread_id`); a conversation item does not, so dumps
of items need the conversation's ID passed in (`thread_id=`), unless they are a threadtui
export. Pages come newest first unless the messages' times say otherwise (that is the
API's default order; conversation items carry no time, so their dumps are taken as
newest first). A dump is treated as one unbroken stretch of its thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from threadtui.api.wire import well_formed
from threadtui.core.archive.store import (
    ArchiveStore,
    message_from_raw,
    run_from_raw,
    thread_from_raw,
)
from threadtui.core.finding.ids import WrongIdKind, kind_of, require_trackable
from threadtui.errors import UserError

if TYPE_CHECKING:
    from threadtui.core.store.registry import Registry

EXPORT_KEY = "threadtui_export"  # the header of threadtui's JSON export


class DumpError(UserError, ValueError):
    """The file cannot be imported as a dump; the message is one sentence naming it."""


@dataclass(frozen=True)
class ImportedTranscript:
    """One thread found in a dump and archived."""

    thread_id: str
    kind: str  # "thread" | "conversation"
    messages: int  # in the dump
    added: int  # not archived before


@dataclass
class _Transcript:
    thread_id: str
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    thread_raw: dict[str, Any] | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    run_ids: dict[str, str] = field(default_factory=dict)  # item ID -> resp_… (conversations)
    gaps: list[str] = field(default_factory=list)
    oldest: bool = False
    newest: bool = False


def looks_like_dump(data: Any) -> bool:
    """True when `data` (parsed JSON) has the shape of a messages.list dump or an export,
    so an importer can tell dumps from other JSON that merely mentions IDs."""
    if isinstance(data, dict):
        return EXPORT_KEY in data or (
            isinstance(data.get("data"), list) and _messages(data["data"])
        )
    if isinstance(data, list) and data:
        return all(isinstance(d, dict) for d in data) and (
            all(looks_like_dump(d) for d in data) or _messages(data)
        )
    return False


def import_dump(
    registry: Registry,
    data: Any,
    *,
    source: str,
    thread_id: str | None = None,
    now: Callable[[], float] | None = None,
) -> list[ImportedTranscript]:
    """Archive every message of a dump; returns what was archived, per thread.

    `data` is parsed JSON, or its text (str or bytes). `source` names the file in the
    archive and in errors. `thread_id` says which thread or conversation the messages
    belong to when they don't say it themselves (conversation items). Raises DumpError
    (one sentence naming `source`) for anything that is not a dump; nothing is archived
    then. StorageError when the registry cannot be written.
    """
    if isinstance(data, (str, bytes, bytearray)):
        data = _parse(data, source)
    data = well_formed(data)  # "\ud800" in a file: storable and printable as U+FFFD
    if thread_id is not None:
        try:
            thread_id, _ = require_trackable(thread_id)
        except WrongIdKind as wrong:
            raise DumpError(f"{source}: {wrong}") from None
    transcripts = _transcripts(data, source, thread_id)
    store = ArchiveStore(registry, now=now)
    imported = []
    for t in transcripts:
        messages = [
            message_from_raw(raw, t.thread_id, run_id=t.run_ids.get(raw["id"]))
            for raw in t.messages
        ]
        thread = thread_from_raw(t.thread_raw, t.thread_id) if t.thread_raw else None
        added = store.save(
            t.thread_id,
            messages,
            thread=thread,
            oldest=t.oldest,
            newest=t.newest,
            gaps=t.gaps,
            source=f"import:{source}",
        )
        if t.runs:
            store.save_runs(t.thread_id, [run_from_raw(raw, t.thread_id) for raw in t.runs])
        kind = kind_of(t.thread_id)
        imported.append(ImportedTranscript(t.thread_id, kind, len(messages), len(added)))
    return imported


# -- reading the file -----------------------------------------------------------------------
def _parse(text: str | bytes | bytearray, source: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as whole:
        lines = [line for line in _lines(text) if line.strip()]
        if len(lines) < 2:
            raise DumpError(
                f"{source} is not JSON ({_reason(whole)}): export the pages with "
                "json.dump(page.to_dict(), file), or give a threadtui JSON export."
            ) from None
        parsed = []
        for number, line in enumerate(lines, 1):
            try:
                parsed.append(json.loads(line))
            except ValueError as bad:
                raise DumpError(
                    f"{source} is neither JSON nor JSON Lines (line {number}: {_reason(bad)}): "
                    "check that the file is complete."
                ) from None
        return parsed


def _lines(text: str | bytes | bytearray) -> list[str]:
    if isinstance(text, (bytes, bytearray)):
        text = text.decode("utf-8", errors="replace")
    return text.splitlines()


def _reason(error: ValueError) -> str:
    if isinstance(error, json.JSONDecodeError):
        return f"{error.msg} at line {error.lineno}, column {error.colno}"
    return str(error)


def _messages(objects: list[Any]) -> bool:
    """Every object is a message or conversation item (a dict with an ID and a role/type)."""
    return all(
        isinstance(o, dict) and isinstance(o.get("id"), str) and ("role" in o or "type" in o)
        for o in objects
    )


# -- finding the transcripts ------------------------------------------------------------------
def _transcripts(data: Any, source: str, thread_id: str | None) -> list[_Transcript]:
    if isinstance(data, dict) and EXPORT_KEY in data:
        return [_from_export(data, source)]
    if (
        isinstance(data, list)
        and data
        and all(isinstance(d, dict) and EXPORT_KEY in d for d in data)
    ):
        return [_from_export(d, source) for d in data]
    if isinstance(data, dict) and isinstance(data.get("data"), list):
        pages = [data]
    elif (
        isinstance(data, list)
        and data
        and all(isinstance(d, dict) and isinstance(d.get("data"), list) for d in data)
    ):
        pages = data
    elif isinstance(data, list) and data and all(isinstance(d, dict) for d in data):
        pages = [{"data": data}]
    else:
        raise DumpError(
            f"{source} is not a dump of messages: expected a messages.list page "
            '({"object": "list", "data": [...]}), a list of pages or of messages, or a '
            "threadtui JSON export."
        )
    return _from_pages(pages, source, thread_id)


def _from_pages(
    pages: list[dict[str, Any]], source: str, thread_id: str | None
) -> list[_Transcript]:
    objects: list[dict[str, Any]] = []
    for page_number, page in enumerate(pages, 1):
        for item_number, obj in enumerate(page["data"], 1):
            if not (isinstance(obj, dict) and isinstance(obj.get("id"), str) and obj["id"]):
                where = f"item {item_number}" + (
                    f" of page {page_number}" if len(pages) > 1 else ""
                )
                raise DumpError(f"{source}: {where} is not a message (it has no id).")
            objects.append(obj)
    if not objects:
        raise DumpError(f"{source} holds no messages: nothing to archive.")
    by_thread: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        owner = obj.get("thread_id") if isinstance(obj.get("thread_id"), str) else None
        owner = owner or thread_id
        if owner is None:
            raise DumpError(
                f"{source} holds conversation items, which don't name their conversation: "
                "say which conv_… ID they belong to."
            )
        by_thread.setdefault(owner, []).append(obj)
    for owner in by_thread:
        try:
            require_trackable(owner)
        except WrongIdKind as wrong:
            raise DumpError(f"{source}: {wrong}") from None
    reached_end = pages[-1].get("has_more") is False and len(by_thread) == 1
    transcripts = []
    for owner, found in by_thread.items():
        ordered, newest_first = _oldest_first(found)
        transcripts.append(
            _Transcript(
                owner,
                ordered,
                oldest=reached_end and newest_first,
                newest=reached_end and not newest_first,
            )
        )
    return transcripts


def _oldest_first(objects: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
    """The messages oldest first, and whether the dump listed them newest first."""
    first: dict[str, dict[str, Any]] = {}
    for o in objects:
        first.setdefault(o["id"], o)
    unique = list(first.values())
    times = [o.get("created_at") for o in unique]
    known = [t for t in times if isinstance(t, (int, float))]
    newest_first = not (len(set(known)) > 1 and known[0] < known[-1])
    ordered = unique[::-1] if newest_first else unique
    if len(known) == len(times):  # pages given in a mixed order: times settle it
        ordered = sorted(ordered, key=lambda o: o["created_at"])
    return ordered, newest_first


def _from_export(document: dict[str, Any], source: str) -> _Transcript:
    header = document.get(EXPORT_KEY)
    messages = document.get("messages")
    if not isinstance(header, dict) or not isinstance(messages, list):
        raise DumpError(f"{source} is a damaged threadtui export (no header or no messages).")
    thread_id = header.get("thread_id")
    try:
        thread_id, _ = require_trackable(str(thread_id or ""))
    except WrongIdKind as wrong:
        raise DumpError(f"{source}: the export's thread_id is not usable: {wrong}") from None
    thread_raw = document.get("thread") if isinstance(document.get("thread"), dict) else None
    if thread_raw and thread_raw.get("id") not in (None, thread_id):
        raise DumpError(
            f"{source} is a damaged threadtui export: its header names {thread_id} but its "
            f"thread object is {thread_raw.get('id')}."
        )
    for number, raw in enumerate(messages, 1):
        if not (isinstance(raw, dict) and isinstance(raw.get("id"), str)):
            raise DumpError(f"{source}: message {number} of the export has no id.")
    return _Transcript(
        thread_id,
        messages,
        thread_raw=thread_raw,
        runs=[r for r in document.get("runs") or () if isinstance(r, dict) and r.get("id")],
        run_ids={str(k): str(v) for k, v in (header.get("run_ids") or {}).items()},
        gaps=[str(g) for g in _list(header.get("gaps"))],
        oldest=bool(header.get("complete")),
    )


def _list(value: Any) -> Iterable[Any]:
    return value if isinstance(value, list) else ()
