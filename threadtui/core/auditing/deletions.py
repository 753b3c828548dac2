"""Deleting a thread, the one way every delete goes (TUI, `delete`, `prune`), and its log.

One thread's deletion is ordered so that a crash at any point leaves a state a rerun can
finish from:

1. archive the whole transcript locally (unless told not to); if that fails, stop here:
   the thread is not deleted;
2. delete it on the server (a 404 means it was gone already);
3. in ONE registry transaction, write the deletion log entry and untrack the thread.

Killed between 2 and 3, the thread is still tracked but gone on the server: the rerun
finds it "gone" and logs it then, naming the archive written the first time. Every outcome
is logged, failures too; a read-only profile is refused before anything happens.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from threadtui.api.errors import ApiError, NotFound, ReadOnly
from threadtui.core.finding.ids import kind_of
from threadtui.core.settings.config import ConfigError
from threadtui.errors import UserError, read_only_refusal

if TYPE_CHECKING:
    from threadtui.core.access import ThreadAccess
    from threadtui.core.store.registry import Registry

Outcome = Literal["deleted", "gone", "failed"]
READ_ONLY_REFUSAL = read_only_refusal("nothing was deleted.")
_COLUMNS = (
    "id",
    "thread_id",
    "kind",
    "profile",
    "host",
    "title",
    "message_count",
    "deleted_at",
    "outcome",
    "archived_to",
    "detail",
    "request_id",
)


@dataclass(frozen=True)
class DeletionEntry:
    """One line of the deletion log: what was deleted (or tried), where, when, and the copy.

    `archived_to` says where the transcript was kept ("" when it was not archived);
    `detail` is the one sentence explaining a failure, and `request_id` the server's ID for
    the request that failed, when it gave one. `error` is the exception behind a failure,
    for callers; it is not stored.
    """

    thread_id: str
    kind: str
    profile: str
    host: str
    title: str
    message_count: int | None
    deleted_at: float
    outcome: str  # "deleted" | "gone" | "failed"
    archived_to: str = ""
    detail: str = ""
    request_id: str = ""
    id: int | None = None  # the log's row id, once written
    error: Exception | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _COLUMNS}


class DeletionLog:
    """The `deletion_log` table of the registry file."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def record(self, entry: DeletionEntry) -> DeletionEntry:
        """Write the entry; for "deleted" and "gone", untrack the thread in the same
        transaction, so the log and the registry never disagree after a crash."""
        columns = _COLUMNS[1:]
        with self.registry.writing() as db:
            cursor = db.execute(
                f"INSERT INTO deletion_log ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})",
                [getattr(entry, name) for name in columns],
            )
            if entry.outcome in ("deleted", "gone"):
                db.execute("DELETE FROM threads WHERE id = ?", (entry.thread_id,))
        return replace(entry, id=cursor.lastrowid)

    def entries(
        self, *, limit: int | None = None, thread_id: str | None = None
    ) -> list[DeletionEntry]:
        """Newest first; only one thread's when `thread_id` is given."""
        where, params = ("WHERE thread_id = ?", [thread_id]) if thread_id else ("", [])
        sql = (
            f"SELECT {', '.join(_COLUMNS)} FROM deletion_log {where} "
            "ORDER BY deleted_at DESC, id DESC LIMIT ?"
        )
        with self.registry.reading() as db:
            rows = db.execute(sql, (*params, -1 if limit is None else limit)).fetchall()
        return [DeletionEntry(**dict(zip(_COLUMNS, row, strict=True))) for row in rows]

    def count(self, outcome: str | None = None) -> int:
        where, params = ("WHERE outcome = ?", (outcome,)) if outcome else ("", ())
        with self.registry.reading() as db:
            return db.execute(f"SELECT count(*) FROM deletion_log {where}", params).fetchone()[0]


#: progress(thread_id, messages fetched so far), while the archive fetches (core.archive).
ArchiveProgress = Callable[[str, int], None]


class ArchiveIncomplete(ApiError):
    """The archive could not get every message, so the thread is not deleted."""


async def delete_thread(
    services: ThreadAccess,
    thread_id: str,
    *,
    archive: bool = True,
    progress: ArchiveProgress | None = None,
) -> DeletionEntry:
    """Archive (unless `archive=False`), delete on the server, log, untrack.

    Returns the logged entry; a failure is an entry with outcome "failed" and its `error`
    set, not an exception. Raises ReadOnly (nothing done, nothing logged) when the
    thread's profile is read-only, and StorageError when the registry cannot be written.
    """
    profile_name = services.profile_for(thread_id)
    if services.is_read_only(profile_name):
        raise ReadOnly(READ_ONLY_REFUSAL)
    tracked = services.registry.get(thread_id)
    profile = services.profile(profile_name)
    entry = DeletionEntry(
        thread_id=thread_id,
        kind=kind_of(thread_id),
        profile=profile.name,
        host=profile.host,
        title=(tracked.title or tracked.metadata.get("title", "")) if tracked else "",
        message_count=tracked.message_count if tracked else None,
        deleted_at=0.0,
        outcome="failed",
    )
    log = DeletionLog(services.registry)
    try:
        backend = services.backend_for(thread_id)
    except (ConfigError, ApiError) as problem:
        return _log(services, log, entry, "failed", problem)
    if archive:
        try:
            archived_to, count = await _archive(services, thread_id, progress)
        except NotFound:
            return _log(
                services, log, entry, "gone", archived_to=_existing_archive(services, thread_id)
            )
        except ArchiveIncomplete as problem:
            return _log(services, log, entry, "failed", problem)
        except (ApiError, ConfigError) as problem:
            return _log(
                services, log, entry, "failed", problem, prefix="Not deleted, archiving failed: "
            )
        entry = replace(entry, archived_to=archived_to, message_count=count)
    try:
        await backend.delete_thread(thread_id)
    except NotFound:
        archived_to = entry.archived_to or _existing_archive(services, thread_id)
        return _log(services, log, entry, "gone", archived_to=archived_to)
    except ApiError as problem:
        return _log(services, log, entry, "failed", problem)
    return _log(services, log, entry, "deleted")


def _log(
    services: ThreadAccess,
    log: DeletionLog,
    entry: DeletionEntry,
    outcome: Outcome,
    problem: UserError | None = None,
    *,
    prefix: str = "",
    archived_to: str | None = None,
) -> DeletionEntry:
    detail = ""
    if problem is not None:
        detail = prefix + problem.user_message
    elif outcome == "gone":
        detail = "It was already gone from the server: untracked it."
    changes: dict[str, Any] = {"outcome": outcome, "detail": detail, "error": problem}
    if problem is not None and problem.request_id:
        changes["request_id"] = problem.request_id
    if archived_to is not None:
        changes["archived_to"] = archived_to
    changes["deleted_at"] = services.clock.now()
    return log.record(replace(entry, **changes))


async def _archive(
    services: ThreadAccess, thread_id: str, progress: ArchiveProgress | None
) -> tuple[str, int]:
    """Keep the whole transcript locally; returns (where it is, how many messages).

    ArchiveIncomplete when the archive still has holes: deleting would lose messages.
    """
    from threadtui.core.archive.store import archive_info, archive_thread

    result = await archive_thread(services, thread_id, progress=progress)
    info = archive_info(services.registry, thread_id)
    if info is None or not info.whole:
        raise ArchiveIncomplete(
            f"Not deleted: the local archive of {thread_id} is missing messages "
            "(the server did not give them all); try again later."
        )
    return _where(services), result.message_count


def _where(services: ThreadAccess) -> str:
    return f"local archive in {services.locations.registry_file}"


def _existing_archive(services: ThreadAccess, thread_id: str) -> str:
    """Where an earlier archive of the thread is kept, or "" when there is none."""
    from threadtui.core.archive.store import archive_info

    return _where(services) if archive_info(services.registry, thread_id) else ""
