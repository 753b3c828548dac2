"""The registry as TOML: a human-readable, greppable copy that imports back losslessly.

    version = 1

    [[thread]]
    id = "thread_abc123"
    kind = "thread"
    profile = "default"
    title = "Refund policy question"
    tags = ["billing"]
    added_at = 2025-11-20T14:02:00.123456Z
    ...

Times are TOML datetimes in UTC (to the microsecond, as the registry keeps them). Fields
that are unset are left out. Importing merges: a thread tracked already keeps its local
title, note and metadata where they are set, gains the imported tags, and takes the newer
of each timestamp and status.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from threadtui.core.finding.ids import WrongIdKind, require_trackable
from threadtui.core.store.registry import KINDS, STATUSES, Registry, TrackedThread
from threadtui.errors import UserError

FORMAT_VERSION = 1
_TIMES = ("created_at", "added_at", "last_opened_at", "last_activity_at", "checked_at")
_TYPES: dict[str, type] = {
    **{name: str for name in TrackedThread._fields if name not in (*_TIMES, "tags", "metadata")},
    "message_count": int,
    "tags": list,
    "metadata": dict,
    **dict.fromkeys(_TIMES, dt.datetime),
}


class ExchangeFileError(UserError):
    """An import file cannot be used; one sentence naming the file and the problem."""


class RefusedRow(ExchangeFileError):
    """One [[thread]] of an import file has an ID threadtui cannot track."""


@dataclass(frozen=True)
class ImportResult:
    added: int
    merged: int


def export_text(threads: Iterable[TrackedThread]) -> str:
    """The TOML text for `threads`."""
    return tomli_w.dumps({"version": FORMAT_VERSION, "thread": [_table(t) for t in threads]})


def _table(thread: TrackedThread) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, value in thread._asdict().items():
        if value is None or value == "" or value == () or value == {}:
            continue
        if name in _TIMES:
            value = dt.datetime.fromtimestamp(value, dt.UTC)
        elif name == "tags":
            value = list(value)
        table[name] = value
    return table


def read_file(path: Path) -> list[TrackedThread]:
    """Parse and check an export file; ExchangeFileError on the first problem."""
    entries, refused = read_rows(path)
    if refused:
        raise ExchangeFileError(f"{refused[0]} Nothing was imported.")
    return entries


def read_rows(path: Path) -> tuple[list[TrackedThread], list[str]]:
    """Parse and check an export file: the rows to import, and one sentence per row refused
    for its ID. ExchangeFileError on any other problem (nothing is to be imported then)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExchangeFileError(f"{path} cannot be read ({exc.strerror}).") from None
    except UnicodeDecodeError:
        raise ExchangeFileError(
            f"{path} is not UTF-8 text: give a threadtui export file."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ExchangeFileError(
            f"{path} is not valid TOML ({exc}): nothing was imported."
        ) from None
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        raise ExchangeFileError(
            f"{path} is export format {version!r}; this threadtui reads {FORMAT_VERSION}."
        )
    tables = data.get("thread", [])
    if not isinstance(tables, list):
        raise ExchangeFileError(f"{path}: thread must be an array of [[thread]] tables.")
    entries: list[TrackedThread] = []
    refused: list[str] = []
    for number, table in enumerate(tables, 1):
        try:
            entries.append(_entry(path, number, table))
        except RefusedRow as row:
            refused.append(row.user_message)
    return entries, refused


def _entry(path: Path, number: int, table: Any) -> TrackedThread:
    where = f"{path}: [[thread]] number {number}"
    if not isinstance(table, dict):
        raise ExchangeFileError(f"{where} is not a table.")
    try:
        thread_id, kind = require_trackable(str(table.get("id", "")))
    except WrongIdKind as exc:  # explain() shows the ID cleaned: the file may be hostile
        raise RefusedRow(f"{where}: {exc}") from None
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _TYPES.get(key)
        if expected is None:
            raise ExchangeFileError(f"{where} has an unknown field {key!r}; nothing was imported.")
        if not isinstance(value, expected) or isinstance(value, bool):
            raise ExchangeFileError(
                f"{where}: {key} = {value!r} has the wrong type; nothing was imported."
            )
        # By _TYPES, only the times are datetimes, only tags a list, only metadata a dict.
        if isinstance(value, dt.datetime):
            value = (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
        elif isinstance(value, list):
            value = tuple(str(tag) for tag in value)
        elif isinstance(value, dict):
            value = {str(k): str(v) for k, v in value.items()}
        values[key] = value
    values["id"] = thread_id
    values.setdefault("kind", kind.value)
    if values["kind"] not in KINDS or values.get("status", "unknown") not in STATUSES:
        raise ExchangeFileError(f"{where} has an unknown kind or status; nothing was imported.")
    return TrackedThread(**values)


def import_file(registry: Registry, path: Path) -> ImportResult:
    """Merge the threads of `path` into `registry` (all checked before any is written)."""
    return import_entries(registry, read_file(path), f"import:{path.name}")


def import_entries(registry: Registry, incoming: list[TrackedThread], source: str) -> ImportResult:
    """Merge checked rows into `registry`; rows without a source get `source`."""
    new: list[TrackedThread] = []
    merged = 0
    for entry in incoming:
        local = registry.get(entry.id)
        if local is None:
            new.append(entry if entry.source else entry._replace(source=source))
        else:
            registry.update(entry.id, **_merge(local, entry))
            merged += 1
    added = registry.add_many(new)
    return ImportResult(len(added.added), merged + len(added.already))


def _merge(local: TrackedThread, other: TrackedThread) -> dict[str, Any]:
    """What of `other` to write over `local`: only what local lacks, or newer knowledge."""
    changes: dict[str, Any] = {}
    for name in ("title", "note", "last_assistant_id", "created_at", "message_count"):
        if getattr(local, name) in (None, "") and getattr(other, name) not in (None, ""):
            changes[name] = getattr(other, name)
    if not local.metadata and other.metadata:
        changes["metadata"] = other.metadata
    for name in ("last_opened_at", "last_activity_at"):
        theirs = getattr(other, name)
        if theirs is not None and theirs > (getattr(local, name) or 0):
            changes[name] = theirs
    if other.checked_at is not None and other.checked_at > (local.checked_at or 0):
        changes.update(
            status=other.status, status_reason=other.status_reason, checked_at=other.checked_at
        )
    if not set(other.tags) <= set(local.tags):
        changes["tags"] = sorted(set(local.tags) | set(other.tags))
    return changes
