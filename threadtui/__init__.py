"""threadtui: browse, audit, chat in and delete OpenAI threads and conversations.

The API cannot list threads, so an app that creates them can record them as it goes, in
the same registry the `threadtui` command and terminal UI read::

    import threadtui

    thread = client.beta.threads.create()
    threadtui.track(thread.id, title="Support chat #1234", tags=["support"])

    for t in threadtui.tracked(tag="support"):
        print(t.id, t.title, t.status)

The registry lives in the user's data folder (platformdirs), or in THREADTUI_DATA_DIR;
profiles come from config.toml in THREADTUI_CONFIG_DIR or the user's config folder. Both
functions are safe to call from many processes at once, and importing threadtui is
cheap: it loads neither openai nor textual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"

if TYPE_CHECKING:
    from collections.abc import Iterable

    from threadtui.core.services import Services
    from threadtui.core.store.registry import ThreadStatus, TrackedThread

__all__ = ["__version__", "track", "tracked"]


def track(
    thread_id: str,
    title: str | None = None,
    tags: Iterable[str] = (),
    profile: str | None = None,
) -> bool:
    """Record a thread (`thread_…`) or conversation (`conv_…`) ID in the user's registry.

    `title` and `tags` are what the sidebar shows and filters by; `profile` names the
    config.toml profile whose server holds the thread (default: the default profile when
    it speaks the ID's API — Assistants for thread_, Conversations for conv_ — else the
    first profile that does). Tracking an ID again merges the tags, fills an empty title, and changes
    nothing else.

    Returns True when the ID was new, False when it was tracked already.

    Raises `threadtui.core.finding.ids.WrongIdKind` (a ValueError) for anything that is not a
    thread or conversation ID, with a sentence saying what the ID is instead (a run_,
    msg_ or asst_ ID, say) and where to find the thread ID;
    `threadtui.core.settings.config.ConfigError` for an unknown profile; and
    `threadtui.core.store.registry.StorageError` when the registry cannot be written.
    """
    tags = (tags,) if isinstance(tags, str) else tuple(tags)  # track(id, tags="x") means one
    services = _services()
    try:
        return services.add_tracked(
            thread_id, title=title or "", tags=tags, source="track()", profile_name=profile
        )
    finally:
        services.close()


def tracked(
    *,
    tag: str | None = None,
    profile: str | None = None,
    status: ThreadStatus | None = None,
    kind: str | None = None,
) -> list[TrackedThread]:
    """Every tracked thread, most recently added first, optionally filtered.

    `status` is "live", "gone", "forbidden" or "unknown" (not checked yet); `kind` is
    "thread" or "conversation". Each item is a `threadtui.core.store.registry.TrackedThread`
    (a named tuple: id, kind, profile, title, note, tags, created_at, added_at, status,
    checked_at, source, metadata, …; times are seconds since the epoch).
    """
    services = _services()
    try:
        return services.registry.tracked(
            tag=tag, profile=profile, status=status, kind=kind, order="added"
        )
    finally:
        services.close()


def _services() -> Services:
    """What the `threadtui` command uses: the user's registry and config.toml, from
    THREADTUI_* or the platform's folders."""
    from threadtui.core.services import Services

    return Services.load()
