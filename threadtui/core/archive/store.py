"""The local archive of transcripts: every message threadtui loads is kept, losslessly.

Transcripts live in the registry file (tables `archives`, `archived_messages` with the
FTS5 index `archive_search`, `archived_runs`), keyed by thread ID and not tied to
tracking: a transcript outlives untracking, deletion on the server and retired APIs.

How messages get here:

- The TUI's pages and a run's replies, through the `Services` hooks (`save_loaded`).
- `archive_thread` fetches a whole thread, but only what is missing: the messages after
  the newest archived one (or after the last one before a hole), older pages until the
  first message is reached, then the thread object and its runs when anything changed.
  An unchanged, fully archived thread costs one request.
- `threadtui.core.archive.dumps.import_dump` reads JSON dumps of `messages.list` pages.

Each message is stored with its wire JSON exactly as the server sent it (`raw`), plus the
columns search and ordering need. `load_transcript` rebuilds `Message` records from that
JSON, so an archived thread reads like a live one, offline.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from threadtui.api import paging
from threadtui.api.assistants_wire import message_from_dict, run_from_dict, thread_from_dict
from threadtui.api.conversations_wire import (
    conversation_from_dict,
    message_from_item,
    run_from_response,
)
from threadtui.api.errors import BadRequest, NotFound
from threadtui.api.models import RUN_ACTIVE_STATUSES, Message, Part, Run, ThreadInfo
from threadtui.core.archive.order import merge, positions
from threadtui.core.finding.ids import kind_of
from threadtui.core.store.registry import StorageError

if TYPE_CHECKING:
    from threadtui.api.backend import Backend
    from threadtui.core.access import ThreadAccess
    from threadtui.core.store.registry import Registry

# What one thread may cost the registry file, whatever its server sends: a bound on its
# messages (the pager's own bound on a walk), and on what one archiving of it may add
# (about three times this on disk, with the search index).
MAX_THREAD_MESSAGES = paging.MAX_ITEMS
MAX_ADDED_BYTES = 64 * 1024 * 1024


class ArchiveFull(StorageError):
    """A thread would pass what the archive keeps of one thread; nothing of it was added."""


ArchiveProgress = Callable[[str, int], None]
"""Called as `progress(thread_id, messages_fetched_so_far)` after each page."""


@dataclass(frozen=True)
class ArchiveInfo:
    """What the archive holds of one thread."""

    thread_id: str
    kind: str  # "thread" | "conversation"
    profile: str
    message_count: int
    complete: bool  # holds the thread from its first message
    gaps: int  # places where messages may be missing in between
    has_thread: bool  # the thread object itself was fetched
    updated_at: float | None
    source: str

    @property
    def whole(self) -> bool:
        """Complete and without holes: everything up to the newest archived message."""
        return self.complete and not self.gaps


@dataclass(frozen=True)
class ArchiveResult:
    """What one `archive_thread` did."""

    thread_id: str
    new_messages: int  # messages that were not archived before
    message_count: int  # messages in the archive now
    runs: int  # runs archived or updated
    complete: bool
    fetched: int  # messages received from the server (new or not)


def dumps(raw: Any) -> str:
    """Wire JSON as stored: compact, key order and values exactly as received."""
    return json.dumps(raw, ensure_ascii=False, separators=(",", ":"))


# -- rebuilding records from stored JSON --------------------------------------------------
def message_from_raw(raw: dict[str, Any], thread_id: str, *, run_id: str | None = None) -> Message:
    """A `Message` from its stored wire JSON, with the backends' own converters."""
    if kind_of(thread_id) == "conversation":
        return message_from_item(raw, thread_id, run_id=run_id)
    message = message_from_dict(raw)
    if not message.thread_id:
        from dataclasses import replace

        message = replace(message, thread_id=thread_id)
    return message


def thread_from_raw(raw: dict[str, Any], thread_id: str) -> ThreadInfo:
    if not raw.get("id"):
        return ThreadInfo(id=thread_id, kind=kind_of(thread_id), created_at=None)
    if kind_of(thread_id) == "conversation":
        return conversation_from_dict(raw)
    return thread_from_dict(raw)


def run_from_raw(raw: dict[str, Any], thread_id: str) -> Run:
    if kind_of(thread_id) == "conversation":
        return run_from_response(raw, thread_id)
    return run_from_dict(raw)


def _message_from_row(thread_id: str, row: Sequence[Any]) -> Message:
    message_id, created_at, role, item_type, run_id, assistant_id, text, raw = row
    data = json.loads(raw)
    if isinstance(data, dict) and data.get("id"):
        return message_from_raw(data, thread_id, run_id=run_id)
    # Saved without its wire JSON (a record built by hand): rebuild from the columns.
    return Message(
        id=message_id,
        thread_id=thread_id,
        role=role,
        created_at=int(created_at) if created_at is not None else None,
        parts=(Part("text", text=text),) if text else (),
        assistant_id=assistant_id,
        run_id=run_id,
        item_type=item_type,
        raw=data if isinstance(data, dict) else {},
    )


# -- the store ------------------------------------------------------------------------------
_UPSERT = """
INSERT INTO archived_messages
    (thread_id, id, position, created_at, role, item_type, run_id, assistant_id, text, raw,
     gap_before)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (thread_id, id) DO UPDATE SET
    created_at = coalesce(excluded.created_at, created_at),
    role = excluded.role,
    item_type = excluded.item_type,
    run_id = coalesce(excluded.run_id, run_id),
    assistant_id = coalesce(excluded.assistant_id, assistant_id),
    text = excluded.text,
    raw = excluded.raw
WHERE raw != excluded.raw OR (run_id IS NULL AND excluded.run_id IS NOT NULL)
"""

_UPSERT_ARCHIVE = """
INSERT INTO archives (thread_id, kind, profile, thread_raw, complete, updated_at, source)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (thread_id) DO UPDATE SET
    profile = CASE WHEN excluded.profile != '' THEN excluded.profile ELSE profile END,
    thread_raw = CASE WHEN excluded.thread_raw != '{}' THEN excluded.thread_raw
                      ELSE thread_raw END,
    complete = max(complete, excluded.complete),
    updated_at = excluded.updated_at,
    source = CASE WHEN source = '' THEN excluded.source ELSE source END
"""


class ArchiveStore:
    """The archive tables of one registry file. Every method raises only StorageError."""

    def __init__(self, registry: Registry, *, now: Callable[[], float] | None = None) -> None:
        self.registry = registry
        self._now = now or time.time
        self._added: dict[str, int] = {}  # bytes of new messages per thread, by this store

    # -- writing ---------------------------------------------------------------------
    def save(
        self,
        thread_id: str,
        messages: Sequence[Message],
        *,
        follows: str | None = None,
        precedes: str | None = None,
        newest: bool = False,
        oldest: bool = False,
        thread: ThreadInfo | None = None,
        profile: str = "",
        source: str = "",
        gaps: Iterable[str] = (),
    ) -> list[str]:
        """Archive `messages`, an unbroken stretch of the thread as the server sent it,
        oldest first; returns the IDs that were new.

        `follows`/`precedes`: the message right before/after the stretch, when known.
        `newest`: the stretch ends at the thread's newest message. `oldest`: it starts at
        the thread's first, so the archive is complete. `gaps`: IDs of the stretch that
        may have messages missing right before them (a re-imported archive).
        """
        kind = kind_of(thread_id)
        thread_raw = dumps(thread.raw) if thread is not None and thread.raw else "{}"
        archive_row = (thread_id, kind, profile, thread_raw, int(oldest), self._now(), source)
        if not messages:
            with self.registry.writing() as db:
                db.execute(_UPSERT_ARCHIVE, archive_row)
            return []
        with self.registry.writing() as db:
            rows = db.execute(
                "SELECT id, position, gap_before, created_at FROM archived_messages "
                "WHERE thread_id = ? ORDER BY position",
                (thread_id,),
            ).fetchall()
            archived = [row[0] for row in rows]
            known = {row[0]: row[1] for row in rows}
            old_gaps = {row[0] for row in rows if row[2]}
            times = {row[0]: row[3] for row in rows}
            times.update((m.id, m.created_at) for m in messages)
            merged = merge(
                archived,
                old_gaps,
                [m.id for m in messages],
                follows=follows,
                precedes=precedes,
                newest=newest,
                oldest=oldest,
                times=times,
            )
            holes = merged.gaps | (set(gaps) - set(archived))
            placed = positions(merged.order, known)
            rows_to_save = [
                (
                    thread_id,
                    m.id,
                    placed.get(m.id, known.get(m.id, 0.0)),
                    m.created_at,
                    m.role,
                    m.item_type,
                    m.run_id,
                    m.assistant_id,
                    m.text,
                    dumps(m.raw or {}),  # {}: rebuilt from the columns
                    int(m.id in holes),
                )
                for m in messages
            ]
            self._within_bounds(thread_id, len(known), rows_to_save, known)
            db.executemany(_UPSERT, rows_to_save)
            if any(message_id in known for message_id in placed):  # renumbered
                db.executemany(
                    "UPDATE archived_messages SET position = ? WHERE thread_id = ? AND id = ?",
                    [(placed[i], thread_id, i) for i in archived],
                )
            changed = [i for i in archived if (i in holes) != (i in old_gaps)]
            db.executemany(
                "UPDATE archived_messages SET gap_before = ? WHERE thread_id = ? AND id = ?",
                [(int(i in holes), thread_id, i) for i in changed],
            )
            db.execute(_UPSERT_ARCHIVE, archive_row)
        return merged.new

    def _within_bounds(
        self,
        thread_id: str,
        archived: int,
        rows: Sequence[tuple[Any, ...]],
        known: dict[str, Any],
    ) -> None:
        """Raise ArchiveFull (before anything is written) when the new rows would take the
        thread past MAX_THREAD_MESSAGES, or this store's additions past MAX_ADDED_BYTES."""
        new = [row for row in rows if row[1] not in known]
        if archived + len(new) > MAX_THREAD_MESSAGES:
            raise ArchiveFull(
                f"The archive of {thread_id} would pass {MAX_THREAD_MESSAGES:,} messages, the "
                f"most threadtui keeps of one thread, so {len(new):,} more were not archived: "
                "export the thread to a file if you need all of it."
            )
        size = sum(len(row[8]) + len(row[9]) for row in new)
        added = self._added.get(thread_id, 0) + size
        if added > MAX_ADDED_BYTES:
            raise ArchiveFull(
                f"{thread_id} brought more than {MAX_ADDED_BYTES // (1024 * 1024)} MB of new "
                "messages at once, the most threadtui archives of one thread in one go, so "
                f"{len(new):,} of them were not archived: archive it again to continue, or "
                "export it to a file."
            )
        self._added[thread_id] = added

    def save_thread(self, thread: ThreadInfo, *, profile: str = "", source: str = "") -> None:
        """Keep the thread object itself (its metadata and creation time)."""
        self.save(thread.id, (), thread=thread, profile=profile, source=source)

    def save_runs(self, thread_id: str, runs: Sequence[Run]) -> None:
        with self.registry.writing() as db:
            db.executemany(
                "INSERT INTO archived_runs (thread_id, id, created_at, status, raw) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (thread_id, id) DO UPDATE SET "
                "created_at = excluded.created_at, status = excluded.status, raw = excluded.raw",
                [(thread_id, r.id, r.created_at, r.status, dumps(r.raw)) for r in runs],
            )

    def clear_gaps_after(self, thread_id: str, message_id: str) -> None:
        """Everything after `message_id` was just read from the server to its newest."""
        with self.registry.writing() as db:
            db.execute(
                "UPDATE archived_messages SET gap_before = 0 WHERE thread_id = ? AND gap_before "
                "AND position > (SELECT position FROM archived_messages WHERE thread_id = ? "
                "AND id = ?)",
                (thread_id, thread_id, message_id),
            )

    def mark_complete(self, thread_id: str) -> None:
        with self.registry.writing() as db:
            db.execute("UPDATE archives SET complete = 1 WHERE thread_id = ?", (thread_id,))

    # -- reading ---------------------------------------------------------------------
    def info(self, thread_id: str) -> ArchiveInfo | None:
        with self.registry.reading() as db:
            row = db.execute(
                "SELECT kind, profile, complete, thread_raw != '{}', updated_at, source, "
                "(SELECT count(*) FROM archived_messages m WHERE m.thread_id = a.thread_id), "
                "(SELECT count(*) FROM archived_messages m WHERE m.thread_id = a.thread_id "
                " AND m.gap_before) "
                "FROM archives a WHERE thread_id = ?",
                (thread_id,),
            ).fetchone()
        if row is None:
            return None
        kind, profile, complete, has_thread, updated_at, source, count, gaps = row
        return ArchiveInfo(
            thread_id,
            kind,
            profile,
            count,
            bool(complete),
            gaps,
            bool(has_thread),
            updated_at,
            source,
        )

    def order(self, thread_id: str) -> list[tuple[str, bool]]:
        """(message ID, hole before it) for every archived message, oldest first."""
        with self.registry.reading() as db:
            rows = db.execute(
                "SELECT id, gap_before FROM archived_messages WHERE thread_id = ? "
                "ORDER BY position",
                (thread_id,),
            ).fetchall()
        return [(message_id, bool(gap)) for message_id, gap in rows]

    def thread(self, thread_id: str) -> ThreadInfo | None:
        with self.registry.reading() as db:
            row = db.execute(
                "SELECT thread_raw FROM archives WHERE thread_id = ?", (thread_id,)
            ).fetchone()
        return thread_from_raw(json.loads(row[0]), thread_id) if row else None

    def messages(self, thread_id: str) -> list[Message]:
        """Every archived message, oldest first."""
        with self.registry.reading() as db:
            rows = db.execute(
                "SELECT id, created_at, role, item_type, run_id, assistant_id, text, raw "
                "FROM archived_messages WHERE thread_id = ? ORDER BY position",
                (thread_id,),
            ).fetchall()
        return [_message_from_row(thread_id, row) for row in rows]

    def runs(self, thread_id: str) -> list[Run]:
        """Archived runs, oldest first."""
        with self.registry.reading() as db:
            rows = db.execute(
                "SELECT raw FROM archived_runs WHERE thread_id = ? ORDER BY created_at, id",
                (thread_id,),
            ).fetchall()
        return [run_from_raw(json.loads(raw), thread_id) for (raw,) in rows]

    def terminal_runs(self, thread_id: str, run_ids: Sequence[str]) -> set[str]:
        """Which of `run_ids` are archived with a status that will not change again."""
        if not run_ids:
            return set()
        marks = ", ".join("?" * len(run_ids))
        with self.registry.reading() as db:
            rows = db.execute(
                f"SELECT id, status FROM archived_runs WHERE thread_id = ? AND id IN ({marks})",
                (thread_id, *run_ids),
            ).fetchall()
        return {run_id for run_id, status in rows if status not in RUN_ACTIVE_STATUSES}

    def has_active_runs(self, thread_id: str) -> bool:
        marks = ", ".join("?" * len(RUN_ACTIVE_STATUSES))
        with self.registry.reading() as db:
            row = db.execute(
                f"SELECT 1 FROM archived_runs WHERE thread_id = ? AND status IN ({marks})",
                (thread_id, *sorted(RUN_ACTIVE_STATUSES)),
            ).fetchone()
        return row is not None

    def is_empty(self) -> bool:
        """True when no transcript is archived yet."""
        with self.registry.reading() as db:
            return db.execute("SELECT 1 FROM archives LIMIT 1").fetchone() is None

    def has_messages(self) -> bool:
        """True when at least one message is archived (what a search can find)."""
        with self.registry.reading() as db:
            return db.execute("SELECT 1 FROM archived_messages LIMIT 1").fetchone() is not None


# -- public API -----------------------------------------------------------------------------
def load_transcript(registry: Registry, thread_id: str) -> tuple[ThreadInfo, list[Message]] | None:
    """The archived thread and its messages, oldest first; None when nothing is archived.

    Works offline: nothing is fetched. The ThreadInfo has `raw` = {} when only messages
    were archived (the TUI saves pages, never the thread object).
    """
    store = ArchiveStore(registry)
    thread = store.thread(thread_id)
    if thread is None:
        return None
    return thread, store.messages(thread_id)


def archive_info(registry: Registry, thread_id: str) -> ArchiveInfo | None:
    """How much of a thread the archive holds (None: nothing)."""
    return ArchiveStore(registry).info(thread_id)


def save_loaded(
    registry: Registry,
    thread_id: str,
    messages: Sequence[Message],
    *,
    profile: str = "",
    newest: bool = False,
    precedes: str | None = None,
    now: Callable[[], float] | None = None,
) -> list[str]:
    """Archive what a screen loaded (an unbroken stretch, oldest first); returns new IDs."""
    if not messages:
        return []
    store = ArchiveStore(registry, now=now)
    return store.save(
        thread_id, messages, newest=newest, precedes=precedes, profile=profile, source="tui"
    )


async def archive_thread(
    services: ThreadAccess, thread_id: str, progress: ArchiveProgress | None = None
) -> ArchiveResult:
    """Fetch what the archive lacks of a thread, keep it, and say what was done.

    Raises NotFound when the server has no such thread (whatever was archived before is
    kept, and a tracked thread is marked gone), other ApiErrors as they come, and
    ConfigError when the thread's profile cannot reach it.
    """
    backend = services.backend_for(thread_id)
    profile = services.profile_for(thread_id)
    store = ArchiveStore(services.registry, now=services.clock.now)
    fetch = _Fetch(backend, store, thread_id, profile, progress)
    before = store.info(thread_id)
    try:
        if before is None or before.message_count == 0:
            await fetch.everything()
        else:
            await fetch.newer_and_holes()
            if not (store.info(thread_id) or before).complete:
                await fetch.older()
        changed = fetch.new > 0 or before is None or not before.has_thread
        runs = 0
        if changed or store.has_active_runs(thread_id):
            store.save_thread(await backend.retrieve_thread(thread_id), profile=profile)
            runs = await fetch.runs()
    except NotFound as gone:
        if services.registry.get(thread_id) is not None:
            services.mark_gone(thread_id, gone.user_message)
        raise
    after = store.info(thread_id)
    assert after is not None
    _note_in_registry(services, thread_id, store, after)
    return ArchiveResult(
        thread_id, fetch.new, after.message_count, runs, after.complete, fetch.fetched
    )


def _note_in_registry(
    services: ThreadAccess, thread_id: str, store: ArchiveStore, info: ArchiveInfo
) -> None:
    """A tracked thread just answered: it is live, and (when whole) this many messages."""
    tracked = services.registry.get(thread_id)
    if tracked is None:
        return
    changes: dict[str, Any] = {
        "status": "live",
        "status_reason": "",
        "checked_at": services.clock.now(),
    }
    if info.whole:
        changes["message_count"] = info.message_count
    thread = store.thread(thread_id)
    if thread is not None and thread.created_at and tracked.created_at is None:
        changes["created_at"] = thread.created_at
    services.registry.update(thread_id, **changes)


class _Fetch:
    """The requests of one `archive_thread`, and what they brought."""

    def __init__(
        self,
        backend: Backend,
        store: ArchiveStore,
        thread_id: str,
        profile: str,
        progress: ArchiveProgress | None,
    ) -> None:
        self.backend = backend
        self.store = store
        self.thread_id = thread_id
        self.profile = profile
        self.progress = progress
        self.new = 0
        self.fetched = 0

    def _keep(self, messages: Sequence[Message], **where: Any) -> None:
        self.new += len(self.store.save(self.thread_id, messages, profile=self.profile, **where))
        self.fetched += len(messages)
        if self.progress is not None:
            self.progress(self.thread_id, self.fetched)

    async def everything(self) -> None:
        """Oldest to newest, from the first message."""
        pages = paging.messages(self.backend, self.thread_id, order="asc")
        while pages.has_more:
            after = pages.cursor
            page = await pages.next_page()
            self._keep(page.items, follows=after, oldest=after is None, newest=not page.has_more)

    async def newer_and_holes(self) -> None:
        """From the last message before the first hole (else the newest) up to the newest,
        skipping stretches already archived whole."""
        order = self.store.order(self.thread_id)
        first_hole = next((n for n, (_, gap) in enumerate(order) if gap and n > 0), None)
        start = order[first_hole - 1][0] if first_hole is not None else order[-1][0]
        pages = paging.messages(self.backend, self.thread_id, order="asc", after=start)
        while pages.has_more:
            after = pages.cursor
            try:
                page = await pages.next_page()
            except BadRequest:  # the cursor message was deleted on the server
                return await self.everything()
            self._keep(page.items, follows=after, newest=not page.has_more)
            if pages.has_more:
                pages.cursor = _stretch_end(self.store.order(self.thread_id), page.items[-1].id)
        self.store.clear_gaps_after(self.thread_id, start)

    async def older(self) -> None:
        """Pages before the oldest archived message, until the first one."""
        oldest = self.store.order(self.thread_id)[0][0]
        pages = paging.messages(self.backend, self.thread_id, order="desc", after=oldest)
        while pages.has_more:
            newer = pages.cursor
            try:
                page = await pages.next_page()
            except BadRequest:
                return await self.everything()
            self._keep(page.items[::-1], precedes=newer, oldest=not page.has_more)
        self.store.mark_complete(self.thread_id)

    async def runs(self) -> int:
        """Runs newest first, until one archived as ended (all before it are too)."""
        saved = 0
        async for page in paging.runs(self.backend, self.thread_id, order="desc"):
            ended = self.store.terminal_runs(self.thread_id, [r.id for r in page.items])
            fresh = [r for r in page.items if r.id not in ended]
            self.store.save_runs(self.thread_id, fresh)
            saved += len(fresh)
            if ended:
                break
        return saved


def _stretch_end(order: list[tuple[str, bool]], message_id: str) -> str:
    """The last message of the hole-free stretch that `message_id` starts."""
    ids = [m for m, _ in order]
    n = ids.index(message_id)
    while n + 1 < len(order) and not order[n + 1][1]:
        n += 1
    return ids[n]
