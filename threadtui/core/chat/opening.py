"""Opening a thread, once for the TUI and `threadtui show`.

The TUI opens a thread at its newest page (`open_thread`), and its archived copy instead
when the server says the thread is gone or cannot be reached; `show` reads all of it
(`read_thread`). Either way a 404 naming the thread marks it gone, and a thread that
answered is noted as live and opened now, with what was read kept in the archive
(`Services.thread_opened`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from threadtui.api import paging
from threadtui.api.errors import ApiError, ApiRetired, NetworkDown, NotFound
from threadtui.core.archive.store import load_transcript
from threadtui.core.chat.session import ArchivedSession, ThreadSession
from threadtui.core.store.registry import StorageError

if TYPE_CHECKING:
    from collections.abc import Callable

    from threadtui.api.models import Message, ThreadInfo
    from threadtui.core.services import Services


@dataclass(frozen=True)
class Opened:
    """An opened thread: its session and first messages (oldest first)."""

    session: ThreadSession | ArchivedSession
    messages: list[Message]
    why_archived: str = ""  # why the archived copy opened instead of the live thread


async def open_thread(services: Services, thread_id: str, *, known_gone: bool = False) -> Opened:
    """The thread at its newest page (one request), or its archived copy, read-only, when
    it is `known_gone` or the server says it is gone or cannot be reached.

    Raises the ApiError when there is no archived copy to fall back on, and ConfigError
    when the thread's profile cannot reach it.
    """
    gone = f"{thread_id} is gone from its server"
    if known_gone and (archived := await _archived(services, thread_id, gone)):
        return archived
    session = ThreadSession(services.backend_for(thread_id), thread_id)
    try:
        messages = await session.newest()
    except NotFound as problem:
        _note_gone(services, thread_id, problem)
        return await _archived_or_raise(services, thread_id, problem)
    except (NetworkDown, ApiRetired) as problem:
        return await _archived_or_raise(services, thread_id, problem)
    services.thread_opened(thread_id, messages)
    return Opened(session, messages)


async def read_thread(
    services: Services,
    thread_id: str,
    *,
    unsaved: Callable[[StorageError], None] | None = None,
) -> tuple[ThreadInfo, list[Message]]:
    """The thread and every message, oldest first (a request per 100), archived whole.

    When the archive cannot be written (a full disk, a read-only store), `unsaved` gets
    the error and the thread is returned all the same; without `unsaved` it is raised.
    """
    backend = services.backend_for(thread_id)
    try:
        info = await backend.retrieve_thread(thread_id)
        messages = await paging.messages(backend, thread_id).items()
    except NotFound as problem:
        _note_gone(services, thread_id, problem)
        raise
    try:
        services.thread_opened(thread_id, messages, whole=info)
    except StorageError as problem:
        if unsaved is None:
            raise
        unsaved(problem)
    return info, messages


def _note_gone(services: Services, thread_id: str, problem: NotFound) -> None:
    if problem.object_id in (thread_id, None):  # not a 404 about something else it named
        services.mark_gone(thread_id, problem.user_message)


async def _archived(services: Services, thread_id: str, why: str) -> Opened | None:
    archived = load_transcript(services.registry, thread_id)
    if archived is None or not archived[1]:
        return None
    session = ArchivedSession(thread_id, archived[1])
    return Opened(session, await session.newest(), why)


async def _archived_or_raise(services: Services, thread_id: str, problem: ApiError) -> Opened:
    opened = await _archived(services, thread_id, problem.user_message)
    if opened is None:
        raise problem
    return opened
