"""Bulk prune: pick old threads from the registry, then delete them, each the one safe way.

`select()` reads only the registry (no network): threads whose last activity is older
than an age, optionally with a tag, a status, a profile. `prune()` then runs
`deletions.delete_thread` on each (archive, delete, log, untrack) with bounded
concurrency. What would make every delete fail is refused up front, before anything is
deleted: a read-only profile or session, a registry that cannot be written, a server that
has retired the API (probed once per profile), a profile without a key.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from threadtui.api.errors import ApiError, ApiRetired, AuthFailed
from threadtui.core.auditing.deletions import READ_ONLY_REFUSAL, DeletionEntry, delete_thread
from threadtui.core.settings.config import ConfigError
from threadtui.errors import UserError

if TYPE_CHECKING:
    from threadtui.core.services import Services
    from threadtui.core.store.registry import Registry, ThreadStatus, TrackedThread

DAY = 86400.0
AGE_UNITS = {"d": DAY, "w": 7 * DAY, "m": 30 * DAY, "y": 365 * DAY}
_AGE = re.compile(r"\s*(\d+)\s*([dwmy])\s*", re.IGNORECASE)
DEFAULT_CONCURRENCY = 4
TYPED_CONFIRMATION_ABOVE = 10  # more threads than this: the user types the count
_STOPPING = (ApiRetired, AuthFailed)  # every other thread would fail the same way

#: progress(done, total, entry) after each thread's outcome is logged.
Progress = Callable[[int, int, DeletionEntry], None]


class PruneRefused(UserError):
    """The prune cannot start; nothing was deleted. The message is one sentence."""


def parse_age(text: str) -> float:
    """Seconds in an age like 90d, 12w, 6m (30-day months) or 1y (365 days).

    ValueError with a sentence saying what to write instead.
    """
    match = _AGE.fullmatch(text or "")
    if not match or int(match.group(1)) == 0:
        raise ValueError(
            f"{text!r} is not an age: write a whole number and a unit, like 90d (days), "
            "12w (weeks), 6m (months) or 1y (years)."
        )
    return int(match.group(1)) * AGE_UNITS[match.group(2).lower()]


@dataclass(frozen=True)
class Selection:
    """The threads a prune would delete, oldest activity first."""

    threads: tuple[TrackedThread, ...]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self.threads]

    @property
    def known_messages(self) -> int:
        """Messages in the threads whose count is known."""
        return sum(t.message_count or 0 for t in self.threads)

    @property
    def unknown_counts(self) -> int:
        """Threads whose message count is not known (never opened or checked)."""
        return sum(1 for t in self.threads if t.message_count is None)

    def __len__(self) -> int:
        return len(self.threads)

    @property
    def summary(self) -> str:
        """ "12 threads holding 340 messages", saying so when some counts are not known."""
        threads = f"{len(self):,} thread" + ("" if len(self) == 1 else "s")
        unknown = self.unknown_counts
        if unknown == len(self):
            whose = "its message count is" if unknown == 1 else "their message counts are"
            return f"{threads} ({whose} not known)"
        known = self.known_messages
        messages = f"{known:,} message" + ("" if known == 1 else "s")
        if not unknown:
            return f"{threads} holding {messages}"
        return f"{threads} holding at least {messages} ({unknown:,} with a count not known)"


def selection_of(registry: Registry, ids: Sequence[str]) -> Selection:
    """The tracked threads among `ids` (say, picked in the sidebar), in that order."""
    found = (registry.get(i) for i in dict.fromkeys(ids))
    return Selection(tuple(t for t in found if t is not None))


def expected_answer(count: int) -> str:
    """What the user must type to confirm deleting `count` threads: the count itself above
    TYPED_CONFIRMATION_ABOVE, else "yes"."""
    return str(count) if count > TYPED_CONFIRMATION_ABOVE else "yes"


def select(
    registry: Registry,
    *,
    older_than: float,
    now: float,
    tag: str | None = None,
    status: ThreadStatus | None = None,
    profile: str | None = None,
) -> Selection:
    """Tracked threads with no activity for `older_than` seconds before `now`.

    Activity is the last message seen, else the creation time, else when it was tracked,
    so a thread nobody has looked at is never older than the day it was added.
    """
    cutoff = now - older_than
    rows = registry.tracked(tag=tag, status=status, profile=profile, order="activity")
    old = [t for t in rows if t.activity <= cutoff]
    old.sort(key=lambda t: (t.activity, t.id))
    return Selection(tuple(old))


async def fill_counts(
    services: Services, selection: Selection, *, concurrency: int = DEFAULT_CONCURRENCY
) -> Selection:
    """The selection with unknown message counts counted on the server (and remembered in
    the registry), so a confirmation can say how many messages will be lost. Threads that
    cannot be counted (gone, unreachable) keep an unknown count."""
    from threadtui.core.auditing.run_history import count_messages

    gate = asyncio.Semaphore(max(1, concurrency))

    async def counted(thread: TrackedThread) -> TrackedThread:
        if thread.message_count is not None:
            return thread
        async with gate:
            try:
                count = await count_messages(services.backend_for(thread.id), thread.id)
            except (ApiError, ConfigError):
                return thread
        services.registry.update(thread.id, message_count=count)
        return thread._replace(message_count=count)

    return Selection(tuple(await asyncio.gather(*(counted(t) for t in selection.threads))))


@dataclass(frozen=True)
class PruneReport:
    """What a prune did: one logged entry per thread it reached."""

    entries: tuple[DeletionEntry, ...]
    not_attempted: tuple[str, ...] = ()  # left alone after the prune stopped
    stopped: str | None = None  # why it stopped early, one sentence

    def ids(self, outcome: str) -> list[str]:
        return [e.thread_id for e in self.entries if e.outcome == outcome]

    @property
    def deleted(self) -> int:
        return len(self.ids("deleted"))

    @property
    def gone(self) -> int:
        return len(self.ids("gone"))

    @property
    def failed(self) -> int:
        return len(self.ids("failed"))


def check_local(services: Services, ids: Sequence[str]) -> list[str]:
    """Refuse (PruneRefused) what needs no network to refuse: a registry that cannot be
    written, a read-only profile or session. Returns the profiles involved."""
    if services.registry.read_only:
        raise PruneRefused(
            f"{services.registry.path} is read-only here, so deletions could not be logged: "
            "nothing was deleted."
        )
    profiles = sorted({services.profile_for(i) for i in ids})
    try:
        read_only = any(services.is_read_only(p) for p in profiles)
    except ConfigError as problem:  # a thread tracked under a profile no longer configured
        raise PruneRefused(f"{problem} Nothing was deleted.") from None
    if read_only:
        raise PruneRefused(READ_ONLY_REFUSAL)
    return profiles


async def check(services: Services, ids: Sequence[str]) -> None:
    """Refuse (PruneRefused) what would make every delete fail: `check_local()`, then one
    probe per profile (a retired API, a missing or rejected key, an unreachable server)."""
    profiles = check_local(services, ids)
    for name in profiles:
        try:
            await services.backend(name).probe()
        except ApiError as problem:
            raise PruneRefused(
                f"{problem.user_message.rstrip('.')} (profile {name!r}): nothing was deleted."
            ) from None


async def prune(
    services: Services,
    ids: Sequence[str],
    *,
    archive: bool = True,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    checked: bool = False,
) -> PruneReport:
    """Delete `ids`, each archived first unless `archive=False`; every outcome is logged.

    Raises PruneRefused before deleting anything when `check()` refuses (skipped when
    `checked=True`, because the caller ran it before asking). A thread whose archive fails
    is not deleted. If the server turns out retired or the key stops working midway, the
    threads not yet started are left alone and `stopped` says why.
    """
    ids = list(dict.fromkeys(ids))
    if not checked:
        await check(services, ids)
    queue = list(reversed(ids))
    entries: list[DeletionEntry] = []
    stopped: list[str] = []

    async def worker() -> None:
        while queue and not stopped:
            thread_id = queue.pop()
            try:
                entry = await delete_thread(services, thread_id, archive=archive)
            except BaseException:  # the registry failed, or we were cancelled: stop them all
                stopped.append("")
                raise
            entries.append(entry)
            if isinstance(entry.error, _STOPPING) and not stopped:
                stopped.append(entry.detail)
            if progress:
                progress(len(entries), len(ids), entry)

    workers = max(1, min(concurrency, len(ids)))
    results = await asyncio.gather(*(worker() for _ in range(workers)), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return PruneReport(tuple(entries), tuple(reversed(queue)), stopped[0] if stopped else None)
