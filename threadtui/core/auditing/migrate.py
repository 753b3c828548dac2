"""Moving a thread to a conversation: "Continue as a conversation" and `threadtui migrate`.

`migrate_thread` turns an Assistants thread (thread_…) into a new conversation (conv_…)
on a Conversations profile that holds all of its messages as items, in order, oldest
first, one item per message, sent 20 at a time (the API's limit per request; the
Conversations backend's `create_thread` does the batching, each batch exactly once, and
deletes a half-made conversation if a batch fails for good).

Steps, in this order, so a failure at any point loses nothing:

1. Refuse up front: a conv_ ID (it is a conversation already), no Conversations profile
   (the message says how to add one), a read-only target (or a read-only source when it
   is to be deleted), a thread migrated before (unless `again`; the link is named).
2. Archive the source (`core.archive.archive_thread`): every message is read through the
   Assistants backend, newest pages only when part of it was archived before. A thread
   that is gone (404), on a server that retired the Assistants API, or that cannot be
   reached is migrated from the local archive instead; with no archive, one sentence
   says there is nothing to migrate. A thread tracked as gone is not asked at all.
3. Create the conversation with the messages (its metadata says `migrated_from`). As
   soon as it exists, before its second batch, it is recorded: linked "migrating_to" /
   "migrating_from" and tracked as "<title> (migration in progress)". A migration that is
   interrupted (Ctrl-C, SIGKILL, a crash) between batches thus leaves a half-made copy
   that is recorded, never an unknown one; the next run deletes it, says so, and starts
   over. A batch that fails for good deletes the copy and its record.
4. Turn the links into "migrated_to" / "migrated_from" (one transaction), then give the
   conversation its title "<title> (migrated)" and its message count; it carries the
   thread's tags and note (plus a line naming the thread). Links first: a crash right
   after them still makes a rerun say "already migrated".
5. Only when asked, delete the source through the one delete path
   (`core.deletions.delete_thread`: archive, delete, deletion log, untrack). A delete that
   fails does not undo the migration; the result says what happened.

How a message becomes an item
-----------------------------
Roles are kept (user and assistant; system and developer too). Each message becomes one
message item whose text is the message's text parts, in order, joined by blank lines:

- Assistant text is sent as an "easy" assistant message with string content, which the
  API stores as an assistant message with one `output_text` part (see
  `threadtui.api.conversations`); user text becomes one `input_text` part.
- A refusal becomes text: ``[refusal] I can't help with that.``
- Images and attachments cannot move (files belong to the old server and project), so
  each is named by its file ID or URL, where it was: ``[image file: file-Chart01]``,
  ``[image: https://…]``, and after the text ``[attachment: file-Contract01]``.
- Citations keep their markers in the text (``…30 days【4:0†source】.``); after the text,
  one line per annotation names its target: ``[citation 【4:0†source】: file-Policy01]``
  (``file path`` for code interpreter files, ``link`` for URLs).
- A message that was cut short says so at the end: ``[incomplete: max_tokens]``.
- A message with nothing left to say still becomes an item, ``[empty message]``, so the
  conversation has exactly as many items as the thread has messages.
- Tool steps (code interpreter, file search, function calls and their outputs) are run
  steps, not messages, in an Assistants thread: they are not carried. Items of other
  types (only conversations have them) are not carried either.
- Times are not carried (items have none); the thread's archived copy keeps them.

What is migrated is the archived transcript after step 2: the thread's messages, plus any
that threadtui archived earlier and that were deleted on the server since.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from threadtui.api.conversations_wire import MAX_ITEMS_PER_REQUEST
from threadtui.api.errors import (
    ApiError,
    ApiRetired,
    AuthFailed,
    NetworkDown,
    NotFound,
    ReadOnly,
    ServerError,
)
from threadtui.core.finding.ids import IdKind, require_made, require_trackable, short
from threadtui.core.services import READ_ONLY_MESSAGE
from threadtui.core.settings.config import ConfigError
from threadtui.core.store import links
from threadtui.core.store.links import MIGRATED_FROM, MIGRATED_TO, MIGRATING_FROM, MIGRATING_TO
from threadtui.core.store.registry import TrackedThread
from threadtui.errors import UserError

if TYPE_CHECKING:
    from threadtui.api.backend import Backend
    from threadtui.api.models import Message, ThreadInfo
    from threadtui.core.archive.store import ArchiveStore
    from threadtui.core.services import Services
    from threadtui.core.settings.config import Profile
    from threadtui.core.store.registry import Registry

ITEM_ROLES = ("user", "assistant", "system", "developer")  # what a message item accepts
_PART_LABELS = {"image_file": "image file", "image_url": "image", "file": "file"}
_ANNOTATION_LABELS = {"file_citation": "citation", "file_path": "file path", "url_citation": "link"}
# Reading the source failed in a way the archive can stand in for.
_UNREACHABLE = (NetworkDown, ServerError, AuthFailed, ConfigError)

GONE = "is gone from the server"
RETIRED = "is on a server that no longer offers the Assistants API"

Stage = Literal["reading", "writing", "deleting"]


class MigrationError(UserError):
    """A migration cannot be done; the message is one sentence saying what to do."""


class AlreadyMigrated(MigrationError):
    """The thread was migrated before; `conversation_ids` are the copies, oldest first."""

    def __init__(self, thread_id: str, conversation_ids: Sequence[str]) -> None:
        self.thread_id = thread_id
        self.conversation_ids = tuple(conversation_ids)
        copies = ", ".join(self.conversation_ids)
        super().__init__(
            f"{thread_id} was already migrated to {copies}: open "
            f"{'that' if len(self.conversation_ids) == 1 else 'one of those'}, or pass --again "
            "to make another copy."
        )


class NothingToMigrate(MigrationError):
    """Neither the server nor the archive has any message of the thread."""


@dataclass(frozen=True)
class MigrationProgress:
    """Where a migration is, for a progress display.

    stage "reading": `done` messages fetched so far (total unknown); "writing": `done` of
    `total` items sent; "deleting": deleting the source (done 0, then 1 of total 1).
    """

    thread_id: str
    stage: Stage
    done: int
    total: int | None = None


ProgressCallback = Callable[[MigrationProgress], None]


@dataclass(frozen=True)
class MigrationResult:
    """What one migration did.

    `read_from` is "server" or "archive" (then `why_archive` is the server's sentence);
    `complete` is False when the archive it came from may be missing messages. `deleted`
    is None when the source was not to be deleted, else the deletion log's outcome
    ("deleted", "gone" or "failed", with `delete_detail` saying why it failed).
    """

    thread_id: str
    conversation_id: str
    profile: str
    title: str
    items: int
    batches: int
    read_from: Literal["server", "archive"]
    complete: bool = True
    why_archive: str = ""
    deleted: str | None = None
    delete_detail: str = ""
    dropped: tuple[str, ...] = ()  # half-made copies of an interrupted earlier run, deleted

    def lines(self) -> list[str]:
        """What to tell the user, one sentence a line: the migration, then the delete."""
        deletion = self.deletion_line()
        return self.migration_lines() + ([deletion] if deletion else [])

    def migration_lines(self) -> list[str]:
        where = "the server" if self.read_from == "server" else "the local archive"
        noun = "message" if self.items == 1 else "messages"
        batches = "batch" if self.batches == 1 else "batches"
        out = [
            f"Migrated {self.thread_id} ({self.items} {noun}, read from {where}) to "
            f"{self.conversation_id} on profile {self.profile!r} in {self.batches} {batches}; "
            f"tracking it as {self.title!r}."
        ]
        if self.dropped:
            out.append(
                f"  An earlier migration was interrupted half-way: deleted its incomplete copy "
                f"{', '.join(self.dropped)} and started over."
            )
        if self.read_from == "archive" and self.why_archive:
            out.append(f"  The server could not give it: {self.why_archive}")
        if not self.complete:
            out.append(
                "  The archived copy may be missing messages, so the conversation may be too."
            )
        return out

    def deletion_line(self) -> str | None:
        """What happened to the source, when it was to be deleted."""
        if self.deleted == "deleted":
            return f"Deleted {self.thread_id} (logged; a copy stays in the local archive)."
        if self.deleted == "gone":
            return f"{self.thread_id} was already gone from the server: untracked it."
        if self.deleted == "failed":
            return f"{self.thread_id} was not deleted: {self.delete_detail}"
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "outcome": "migrated",
            "conversation_id": self.conversation_id,
            "profile": self.profile,
            "title": self.title,
            "items": self.items,
            "batches": self.batches,
            "read_from": self.read_from,
            "complete": self.complete,
            "why_archive": self.why_archive,
            "deleted": self.deleted,
            "delete_detail": self.delete_detail,
            "dropped": list(self.dropped),
        }


# -- the public API ------------------------------------------------------------------------
def target_profile(services: Services, name: str | None = None) -> Profile:
    """The Conversations profile to migrate to: `name`, else the first one in config.toml.

    MigrationError when there is none, or `name` speaks another API; ConfigError when
    `name` is not a profile.
    """
    if name is not None:
        profile = services.profile(name)
        if profile.kind != "conversations":
            raise MigrationError(
                f"Profile {profile.name!r} speaks the {profile.kind} API, but threads move to a "
                "conversations profile: pick one with --to-profile, or add one with "
                "`threadtui profile add NAME --kind conversations`."
            )
        return profile
    found = next((p for p in services.config.profiles.values() if p.kind == "conversations"), None)
    if found is None:
        raise MigrationError(
            "No profile speaks the Conversations API, so there is nowhere to migrate to: add "
            "one with `threadtui profile add NAME --kind conversations` (api.openai.com gets "
            "that kind by default), then migrate again."
        )
    return found


async def migrate_thread(
    services: Services,
    thread_id: str,
    *,
    to_profile: str | None = None,
    delete_source: bool = False,
    again: bool = False,
    progress: ProgressCallback | None = None,
) -> MigrationResult:
    """Copy a thread into a new conversation; see the module docstring for every step.

    Raises MigrationError (AlreadyMigrated, NothingToMigrate, no Conversations profile),
    ReadOnly, WrongIdKind, ConfigError, and the API's errors when the conversation cannot
    be created; nothing is changed then, except that the source may have been archived.
    """
    thread_id, kind = require_trackable(thread_id)
    if kind is IdKind.CONVERSATION:
        raise MigrationError(
            f"{short(thread_id, 16)} is a conversation already: only thread_… IDs are migrated."
        )
    target = target_profile(services, to_profile)
    if services.is_read_only(target.name) or (
        delete_source and services.is_read_only(services.profile_for(thread_id))
    ):
        raise ReadOnly(READ_ONLY_MESSAGE)
    earlier = migrated_to(services.registry, thread_id)
    if earlier and not again:
        raise AlreadyMigrated(thread_id, earlier)
    backend = services.backend(target.name)  # AuthFailed now, before any work, when no key

    def report(stage: Stage, done: int, total: int | None = None) -> None:
        if progress is not None:
            progress(MigrationProgress(thread_id, stage, done, total))

    source = await _read_source(services, thread_id, report)
    items = [item_for(message) for message in source.messages if message.item_type == "message"]
    if not items:
        raise NothingToMigrate(f"{thread_id} has no messages, so there is nothing to migrate.")
    dropped = await _drop_half_copies(services, thread_id, backend)
    report("writing", 0, len(items))
    now = services.clock.now()
    title = f"{_title(services, thread_id, source.metadata)} (migrated)"
    recorded: list[str] = []

    def record(conversation: ThreadInfo) -> None:
        require_made(conversation.id, conversation.kind, target.host)  # before it is stored
        registry = services.registry
        links.link(registry, thread_id, conversation.id, MIGRATING_TO, MIGRATING_FROM, at=now)
        recorded.append(conversation.id)
        in_progress = title.removesuffix(" (migrated)") + " (migration in progress)"
        _track(services, thread_id, conversation, target.name, in_progress, now)

    try:
        info = await backend.create_thread(
            items, metadata={MIGRATED_FROM: thread_id}, on_created=record
        )
    except ApiError:
        # The backend deleted its half-made copy: drop the record too, once it is surely gone.
        for conversation_id in recorded:
            await _drop(services, thread_id, conversation_id, backend)
        raise
    report("writing", len(items), len(items))
    if not recorded:  # a backend that did not call back: record it now
        record(info)
    # First: a rerun then says "already migrated".
    links.relink(
        services.registry,
        thread_id,
        info.id,
        (MIGRATING_TO, MIGRATING_FROM),
        (MIGRATED_TO, MIGRATED_FROM),
        at=now,
    )
    services.registry.update(info.id, title=title, message_count=len(items))
    result = MigrationResult(
        thread_id=thread_id,
        conversation_id=info.id,
        profile=target.name,
        title=title,
        items=len(items),
        batches=math.ceil(len(items) / MAX_ITEMS_PER_REQUEST),
        read_from=source.read_from,
        complete=source.complete,
        why_archive=source.why_archive,
        dropped=tuple(dropped),
    )
    if delete_source:
        result = await delete_migrated_source(services, result, progress=progress)
    return result


async def delete_migrated_source(
    services: Services, result: MigrationResult, *, progress: ProgressCallback | None = None
) -> MigrationResult:
    """Delete a migrated thread through the one delete path (archive, delete, log, untrack).

    For callers that confirm after migrating (the CLI asks then). Returns `result` with
    `deleted` and `delete_detail` set; raises only ReadOnly (before anything is done).
    """
    from dataclasses import replace

    from threadtui.core.auditing.deletions import delete_thread

    if progress is not None:
        progress(MigrationProgress(result.thread_id, "deleting", 0, 1))
    entry = await delete_thread(services, result.thread_id)
    if progress is not None:
        progress(MigrationProgress(result.thread_id, "deleting", 1, 1))
    return replace(result, deleted=entry.outcome, delete_detail=entry.detail)


def migrated_to(registry: Registry, thread_id: str) -> list[str]:
    """The conversations a thread was migrated to, oldest first."""
    return links.linked(registry, thread_id, MIGRATED_TO)


def migrated_from(registry: Registry, conversation_id: str) -> str | None:
    """The thread a conversation was migrated from, if it was."""
    found = links.linked(registry, conversation_id, MIGRATED_FROM)
    return found[0] if found else None


def link(registry: Registry, thread_id: str, conversation_id: str, *, at: float) -> None:
    """Record the migration both ways, in one transaction."""
    links.link(registry, thread_id, conversation_id, MIGRATED_TO, MIGRATED_FROM, at=at)


# -- messages -> items -------------------------------------------------------------------
def item_for(message: Message) -> tuple[str, str]:
    """(role, text) of the item a message becomes; see the module docstring."""
    pieces: list[str] = []
    notes: list[str] = []
    for part in message.parts:
        if part.kind == "refusal":
            pieces.append(f"[refusal] {part.text}")
        elif part.text:
            pieces.append(part.text)
        elif part.ref:
            pieces.append(f"[{_PART_LABELS.get(part.kind, part.kind)}: {part.ref}]")
        for annotation in part.annotations:
            label = _ANNOTATION_LABELS.get(annotation.kind, annotation.kind)
            marker = f" {annotation.text}" if annotation.text else ""
            notes.append(f"[{label}{marker}: {annotation.target}]")
    notes += [f"[attachment: {file_id}]" for file_id in message.attachments]
    if message.status == "incomplete":
        notes.append(f"[incomplete: {message.incomplete_reason or 'cut short'}]")
    text = "\n\n".join(p for p in pieces if p.strip())
    if notes:
        text = (text + "\n\n" if text else "") + "\n".join(notes)
    role = message.role if message.role in ITEM_ROLES else "user"
    return role, text or "[empty message]"


# -- reading the source ----------------------------------------------------------------------
@dataclass(frozen=True)
class _Source:
    messages: list[Message]
    metadata: dict[str, str]
    read_from: Literal["server", "archive"]
    complete: bool
    why_archive: str = ""


async def _read_source(
    services: Services, thread_id: str, report: Callable[[Stage, int], None]
) -> _Source:
    """Archive the thread from the server, then read the archive; else the archive alone."""
    from threadtui.core.archive.store import ArchiveStore, archive_thread

    store = ArchiveStore(services.registry)
    tracked = services.registry.get(thread_id)
    if tracked is not None and tracked.status == "gone":
        return _archived(store, thread_id, tracked.status_reason, GONE)
    try:
        await archive_thread(services, thread_id, lambda _, fetched: report("reading", fetched))
    except NotFound as gone:
        return _archived(store, thread_id, gone.user_message, GONE)
    except ApiRetired as retired:
        return _archived(store, thread_id, retired.user_message, RETIRED)
    except _UNREACHABLE as problem:
        why = problem.user_message
        if not _has_messages(store, thread_id):
            raise MigrationError(
                f"{thread_id} cannot be read ({why.rstrip('.')}) and has no local archive: "
                "nothing was migrated."
            ) from problem
        return _archived(store, thread_id, why, "cannot be read")
    if store.has_active_runs(thread_id):
        raise MigrationError(
            f"{thread_id} has a run in progress: wait for it to end, then migrate; nothing "
            "was migrated."
        )
    return _Source(
        store.messages(thread_id),
        _metadata(store, thread_id),
        "server",
        _whole(store, thread_id),
    )


def _archived(store: ArchiveStore, thread_id: str, why: str, where: str) -> _Source:
    """The archived copy, read because the server could not give the thread (`why`)."""
    if not _has_messages(store, thread_id):
        raise NothingToMigrate(
            f"{thread_id} {where} and was never archived, so there is nothing to migrate."
        )
    return _Source(
        store.messages(thread_id),
        _metadata(store, thread_id),
        "archive",
        _whole(store, thread_id),
        why,
    )


def _has_messages(store: ArchiveStore, thread_id: str) -> bool:
    info = store.info(thread_id)
    return info is not None and info.message_count > 0


def _whole(store: ArchiveStore, thread_id: str) -> bool:
    info = store.info(thread_id)
    return info is not None and info.whole


def _metadata(store: ArchiveStore, thread_id: str) -> dict[str, str]:
    thread = store.thread(thread_id)
    return dict(thread.metadata) if thread is not None else {}


async def _drop_half_copies(services: Services, thread_id: str, backend: Backend) -> list[str]:
    """Delete the half-made copies interrupted runs left (recorded "migrating_to"), and
    their records; MigrationError, nothing else done, when one cannot be deleted."""
    dropped = []
    for conversation_id in links.linked(services.registry, thread_id, MIGRATING_TO):
        try:
            await _drop(services, thread_id, conversation_id, backend)
        except ApiError as problem:
            raise MigrationError(
                f"An earlier migration of {thread_id} was interrupted and left the incomplete "
                f"copy {conversation_id}, which could not be deleted "
                f"({problem.user_message.rstrip('.')}): try again later; nothing was migrated."
            ) from problem
        dropped.append(conversation_id)
    return dropped


async def _drop(services: Services, thread_id: str, conversation_id: str, backend: Backend) -> None:
    """Delete a half-made copy (gone already is fine), then forget it: link and row."""
    tracked = services.registry.get(conversation_id)
    if tracked is not None and tracked.profile in services.config.profiles:
        backend = services.backend(tracked.profile)
    with contextlib.suppress(NotFound):  # gone already: as good as deleted
        await backend.delete_thread(conversation_id)
    links.unlink(services.registry, thread_id, conversation_id, MIGRATING_TO, MIGRATING_FROM)
    services.registry.untrack([conversation_id])


def _title(services: Services, thread_id: str, metadata: dict[str, str]) -> str:
    tracked = services.registry.get(thread_id)
    return (tracked.title if tracked else "") or metadata.get("title", "") or short(thread_id, 16)


def _track(
    services: Services,
    thread_id: str,
    info: ThreadInfo,
    profile: str,
    title: str,
    now: float,
) -> None:
    """Track the new conversation like the thread (its tags and note) under `title`."""
    tracked = services.registry.get(thread_id)
    host = services.profile(services.profile_for(thread_id)).host
    note = "\n".join(
        line
        for line in (tracked.note if tracked else "", f"Migrated from {thread_id} on {host}.")
        if line
    )
    services.registry.add_many(
        [
            TrackedThread(
                info.id,
                info.kind,
                profile,
                title=title,
                note=note,
                tags=tracked.tags if tracked else (),
                created_at=info.created_at,
                last_activity_at=now,
                status="live",
                checked_at=now,
                source="migrate",
                metadata=info.metadata,
            )
        ]
    )
