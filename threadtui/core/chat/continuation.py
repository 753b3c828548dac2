""" "Continue in a new thread": a fresh thread seeded with the last messages of an old one.

A gone thread cannot take new messages, but its history can: `continue_thread` creates a
new thread (or conversation) on the same profile's server, seeded with the old one's last
messages (threads.create takes initial messages), tracks it as "<title> (continued)" with
the same tags and assistant, and links the two in `thread_links`, both ways:
(old, new, "continued_as") and (new, old, "continued_from").

The messages come from the local archive when the old thread is gone (nothing to ask),
else from the server, falling back to the other source when the first has nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from threadtui.api.errors import ApiError, ApiRetired, NotFound, ReadOnly
from threadtui.core.finding.ids import require_made, require_trackable, short
from threadtui.core.services import READ_ONLY_MESSAGE
from threadtui.core.store import links
from threadtui.core.store.links import CONTINUED_AS, CONTINUED_FROM
from threadtui.core.store.registry import TrackedThread
from threadtui.errors import UserError

if TYPE_CHECKING:
    from threadtui.api.models import Message
    from threadtui.core.services import Services
    from threadtui.core.store.registry import Registry

DEFAULT_LAST = 20
SEED_ROLES = ("user", "assistant")  # what threads.create accepts as initial messages


class NothingToContinue(UserError):
    """There are no messages to seed a new thread with; the message says what to do."""


async def continue_thread(services: Services, old_id: str, *, last: int = DEFAULT_LAST) -> str:
    """Create a thread seeded with the last `last` messages of `old_id`; returns its ID.

    Raises NothingToContinue when neither the archive nor the server has its messages,
    ReadOnly on a read-only profile, and the API's errors when the create fails.
    """
    old_id, _ = require_trackable(old_id)
    if last < 1:
        raise ValueError("last must be at least 1")
    tracked = services.registry.get(old_id)
    profile = services.profile(tracked.profile if tracked else None).name
    if services.is_read_only(profile):
        raise ReadOnly(READ_ONLY_MESSAGE)
    messages = await _last_messages(services, old_id, tracked, last)
    seed = seed_messages(messages)[-last:]
    if not seed:
        raise NothingToContinue(
            f"{short(old_id, 16)} has no messages to carry over: neither the archive nor the "
            "server has any. Start a new thread instead."
        )
    backend = services.backend_for(old_id)
    info = await backend.create_thread(seed, metadata={"continued_from": old_id})
    require_made(info.id, info.kind, services.profile(profile).host)
    now = services.clock.now()
    title = f"{(tracked.title if tracked else '') or short(old_id, 16)} (continued)"
    services.registry.add_many(
        [
            TrackedThread(
                info.id,
                info.kind,
                profile,
                title=title,
                tags=tracked.tags if tracked else (),
                last_assistant_id=tracked.last_assistant_id if tracked else None,
                created_at=info.created_at,
                last_activity_at=now,
                message_count=len(seed),
                status="live",
                checked_at=now,
                source="continue",
                metadata=info.metadata,
            )
        ]
    )
    link(services.registry, old_id, info.id, at=now)
    return info.id


async def _last_messages(
    services: Services, old_id: str, tracked: TrackedThread | None, last: int
) -> list[Message]:
    """The old thread's messages, oldest first: the archive for a gone thread, else live."""
    archived = _archived(services.registry, old_id)
    if tracked is not None and tracked.status == "gone" and archived:
        return archived
    try:
        live = await _live(services, old_id, last)
    except (NotFound, ApiRetired):
        return archived
    except ApiError:
        if archived:
            return archived
        raise
    return live or archived


def _archived(registry: Registry, old_id: str) -> list[Message]:
    from threadtui.core.archive.store import load_transcript

    found = load_transcript(registry, old_id)
    return list(found[1]) if found else []


async def _live(services: Services, old_id: str, last: int) -> list[Message]:
    """The newest messages on the server, enough to find `last` that can seed a thread."""
    backend = services.backend_for(old_id)
    wanted = min(100, max(last * 2, 20))  # some items (tool calls, reasoning) don't count
    page = await backend.list_messages(old_id, limit=wanted, order="desc")
    return list(reversed(page.items))


def seed_messages(messages: Sequence[Message]) -> list[tuple[str, str]]:
    """(role, text) pairs a new thread can start with: user and assistant messages, with
    what cannot be carried (images, files) named in brackets."""
    seed = []
    for message in messages:
        if message.item_type != "message" or message.role not in SEED_ROLES:
            continue
        pieces = []
        for part in message.parts:
            if part.text:
                pieces.append(part.text)
            elif part.ref:
                pieces.append(f"[{part.kind.replace('_', ' ')}: {part.ref}]")
        text = "\n\n".join(pieces).strip()
        if text:
            seed.append((message.role, text))
    return seed


# -- links ---------------------------------------------------------------------------------
def link(registry: Registry, old_id: str, new_id: str, *, at: float) -> None:
    """Record that `new_id` continues `old_id`, both ways."""
    links.link(registry, old_id, new_id, CONTINUED_AS, CONTINUED_FROM, at=at)


def continued_as(registry: Registry, old_id: str) -> list[str]:
    """The threads that continue `old_id`, oldest link first."""
    return links.linked(registry, old_id, CONTINUED_AS)


def continued_from(registry: Registry, new_id: str) -> str | None:
    """The thread `new_id` continues, if it is a continuation."""
    found = links.linked(registry, new_id, CONTINUED_FROM)
    return found[0] if found else None
