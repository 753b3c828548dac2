"""Checking tracked threads against their server: live, gone or forbidden.

`check_threads()` asks each thread's server about it (`retrieve_thread`), a bounded number
of requests at a time, and records what it hears: status, `checked_at`, and for live
threads `created_at` and metadata.

- Each profile's server is probed first (`GET /assistants?limit=1` for Assistants). A
  server that has retired the API is recorded as such (`threadtui.core.finding.servers`) and none
  of its threads is touched: a whole API going away does not make thousands of threads
  "gone". The same holds when the API disappears midway: "gone" answers are written in
  batches, each after a probe proves the API is still there.
- A 429 pauses every worker until its retry-after has passed (one rate limit, one
  pause), then the thread is asked again. Requests go out without the SDK's own retries
  so that this pause, and backoff for 5xx and dropped connections, run on the services'
  clock: a virtual clock in tests, with no real waiting.
- With `profile` set, every thread is asked on that profile's server instead of its
  own: a 404 from a key of another project looks like "gone", so this is how a thread is
  looked for elsewhere. A thread found there moves to that profile; not finding it there
  changes nothing about it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from threadtui.api.errors import (
    ApiError,
    ApiRetired,
    AuthFailed,
    NetworkDown,
    NotFound,
    RateLimited,
    ServerError,
    WrongProject,
)
from threadtui.core.finding import servers
from threadtui.core.finding.ids import kind_of
from threadtui.core.settings.config import API_OF_KIND, ConfigError
from threadtui.core.store.registry import TrackedThread

if TYPE_CHECKING:
    from threadtui.api.backend import Backend
    from threadtui.clock import Clock
    from threadtui.core.services import Services
    from threadtui.core.settings.config import Profile

DEFAULT_CONCURRENCY = 8
MAX_CONCURRENCY = 64
RATE_LIMIT_TRIES = 20  # 429s in a row for one thread before it counts as an error
FAILURE_TRIES = 3  # tries for a 5xx or a dropped connection (reading is safe to repeat)
DEFAULT_PAUSE = 1.0  # seconds, for a 429 without retry-after
GONE_BATCH = 200  # "gone" answers written together, after a probe


@dataclass(frozen=True)
class CheckProgress:
    """Where a check is, for a live progress display."""

    done: int
    total: int
    live: int
    gone: int
    forbidden: int
    errors: int
    profile: str = ""  # whose server is being asked
    paused_until: float | None = None  # rate limited: nobody asks before this clock time


@dataclass
class CheckReport:
    """What a check found. Lists hold thread IDs."""

    total: int = 0
    live: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # id -> one sentence
    skipped: dict[str, str] = field(default_factory=dict)  # id -> why it was not asked
    retired: list[servers.ServerState] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # found on --profile P: tracked there now
    not_there: list[str] = field(default_factory=list)  # not on --profile P; left as they were
    rate_limited: int = 0  # 429s that paused everyone
    untracked: list[str] = field(default_factory=list)  # asked about, but nothing to record in
    profile: str | None = None  # --profile, when given
    other_profiles: tuple[tuple[str, str], ...] = ()  # (name, API) of the other profiles

    @property
    def done(self) -> int:
        return (
            len(self.live)
            + len(self.gone)
            + len(self.forbidden)
            + len(self.errors)
            + len(self.skipped)
            + len(self.not_there)
        )

    def summary(self) -> str:
        """The one-line outcome."""
        noun = "thread" if self.total == 1 else "threads"
        where = f" on profile {self.profile!r}" if self.profile else ""
        parts = [f"{len(self.live)} live", f"{len(self.gone)} gone"]
        if self.not_there:
            parts.append(f"{len(self.not_there)} not there")
        parts += [f"{len(self.forbidden)} forbidden", f"{len(self.errors)} errors"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} not checked")
        return f"Checked {self.total} {noun}{where}: {', '.join(parts)}."

    def lines(self) -> list[str]:
        """The summary, then a sentence for each thing worth knowing, each said once."""
        out = [self.summary()]
        if self.moved:
            out.append(
                f"{len(self.moved)} found on profile {self.profile!r} and now tracked there."
            )
        apis = {API_OF_KIND[kind_of(thread_id)] for thread_id in self.gone}
        others = [name for name, api in self.other_profiles if api in apis]
        if others and not self.profile:
            out.append(
                "A 404 can also mean the thread belongs to another project: "
                f"`threadtui check --profile {others[0]} ID…` asks that profile's server "
                f"(profiles: {', '.join(others)})."
            )
        if len(self.untracked) == 1:
            out.append(
                f"{self.untracked[0]} is not tracked, so nothing was recorded: "
                "`threadtui add` it to keep the result."
            )
        elif self.untracked:
            out.append(
                f"{len(self.untracked)} of them are not tracked, so nothing was recorded for "
                "those: `threadtui add` them to keep the results."
            )
        reasons: dict[str, int] = {}
        for reason in [*self.skipped.values(), *self.errors.values()]:
            reasons[reason] = reasons.get(reason, 0) + 1
        for reason, count in reasons.items():
            out.append(reason if count == 1 else f"{reason} ({count} threads)")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "live": self.live,
            "gone": self.gone,
            "forbidden": self.forbidden,
            "errors": self.errors,
            "skipped": self.skipped,
            "not_there": self.not_there,
            "moved": self.moved,
            "retired_profiles": [s.profile for s in self.retired],
            "rate_limited": self.rate_limited,
            "untracked": self.untracked,
            "summary": self.summary(),
        }


class _Pause:
    """Shared by all workers: one 429 holds everyone back until its retry-after is over."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.until = 0.0

    def hold(self, seconds: float | None) -> None:
        wait = DEFAULT_PAUSE if seconds is None else max(seconds, 0.0)
        self.until = max(self.until, self.clock.now() + wait)

    async def wait(self) -> None:
        while (delay := self.until - self.clock.now()) > 0:
            await self.clock.sleep(delay)

    @property
    def paused_until(self) -> float | None:
        return self.until if self.until > self.clock.now() else None


async def check_threads(
    services: Services,
    ids: Iterable[str] | None = None,
    *,
    profile: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Callable[[CheckProgress], None] | None = None,
) -> CheckReport:
    """Check threads against their servers and record what they say.

    `ids` None means every tracked thread. `profile` asks that profile's server about all
    of them instead of each one's own (see the module docstring). `progress` is called
    after each answer, on the event loop.
    """
    if profile is not None:
        profile = services.profile(profile).name  # ConfigError for an unknown one
    if ids is None:  # oldest first: the order they were added in
        ids = [t.id for t in reversed(services.registry.tracked(order="added"))]
    ids = list(dict.fromkeys(ids))
    report = CheckReport(total=len(ids), profile=profile)
    report.other_profiles = tuple(
        (p.name, p.kind)
        for p in services.config.profiles.values()
        if p.name != services.profile_name
    )
    run = _Run(services, report, max(1, min(int(concurrency), MAX_CONCURRENCY)), progress)
    for target, threads in _by_profile(services, ids, profile, report).items():
        await run.profile(services.profile(target), threads)
    return report


def _by_profile(
    services: Services, ids: Sequence[str], profile: str | None, report: CheckReport
) -> dict[str, list[tuple[str, TrackedThread | None]]]:
    """Which server to ask about each thread; threads no server can be asked are skipped."""
    groups: dict[str, list[tuple[str, TrackedThread | None]]] = {}
    for thread_id in ids:
        tracked = services.registry.get(thread_id)
        target = profile or (tracked.profile if tracked else services.profile_name)
        try:
            speaks = services.profile(target).kind
        except ConfigError as problem:
            report.skipped[thread_id] = str(problem)
            continue
        kind = tracked.kind if tracked else kind_of(thread_id)
        if API_OF_KIND[kind] != speaks:
            noun = "Conversations" if kind == "conversation" else "Assistants threads"
            report.skipped[thread_id] = (
                f"{noun} were not checked on profile {target!r}: it speaks the {speaks} API."
            )
            continue
        groups.setdefault(target, []).append((thread_id, tracked))
        if tracked is None:
            report.untracked.append(thread_id)
    return groups


class _Run:
    """One check: the report, the shared pause and the progress callback."""

    def __init__(
        self,
        services: Services,
        report: CheckReport,
        concurrency: int,
        progress: Callable[[CheckProgress], None] | None,
    ) -> None:
        self.services = services
        self.report = report
        self.concurrency = concurrency
        self.progress = progress
        self.pause = _Pause(services.clock)
        self.current = ""

    def tell(self) -> None:
        if self.progress is None:
            return
        r = self.report
        self.progress(
            CheckProgress(
                r.done,
                r.total,
                len(r.live),
                len(r.gone),
                len(r.forbidden),
                len(r.errors),
                self.current,
                self.pause.paused_until,
            )
        )

    def skip(self, thread_ids: Iterable[str], reason: str) -> None:
        for thread_id in thread_ids:
            self.report.skipped[thread_id] = reason
        self.tell()

    async def profile(
        self, chosen: Profile, threads: list[tuple[str, TrackedThread | None]]
    ) -> None:
        from threadtui.api import open_backend

        self.current = chosen.name
        try:
            shared = self.services.backend(chosen.name)  # AuthFailed when there is no key
        except AuthFailed as problem:
            self.skip((t for t, _ in threads), problem.user_message)
            return
        # The same server and key without the SDK's retries, so waits run on our clock.
        backend = open_backend(dataclasses.replace(shared.connection, max_retries=0))
        asker = _Asker(self, chosen, backend)
        try:
            if await asker.api_is_there():
                queue = list(reversed(threads))
                workers = [asker.work(queue) for _ in range(min(self.concurrency, len(threads)))]
                await asyncio.gather(*workers)
                if asker.stop is None:
                    await asker.write_gone()
        finally:
            await backend.aclose()
        if asker.stop is not None:
            asker.drop_pending_gone()
            reason = asker.stop.user_message
            if isinstance(asker.stop, ApiRetired):
                reason = asker.retired(asker.stop).message(asker.profile.kind)
            self.skip((t for t, _ in threads if t not in asker.answered), reason)


class _Asker:
    """Asks one profile's server about threads; several `work()` loops share it."""

    def __init__(self, run: _Run, profile: Profile, backend: Backend) -> None:
        self.run = run
        self.profile = profile
        self.backend = backend
        self.services = run.services
        self.registry = run.services.registry
        self.pending_gone: list[tuple[str, float]] = []
        self.answered: set[str] = set()
        self.stop: ApiError | None = None  # what made every other request pointless

    async def api_is_there(self) -> bool:
        """Probe the server and record the outcome; False (and `stop` set) when it won't do."""
        try:
            await self._with_retries(self.backend.probe)
        except ApiError as problem:
            self.stop = problem
            return False
        servers.record(
            self.registry,
            self.profile.name,
            host=self.profile.host,
            at=self.services.clock.now(),
            retired_detail=None,
        )
        return True

    def retired(self, error: ApiRetired) -> servers.ServerState:
        state = servers.record(
            self.registry,
            self.profile.name,
            host=self.profile.host,
            at=self.services.clock.now(),
            retired_detail=error.user_message,
        )
        if all(s.profile != state.profile for s in self.run.report.retired):
            self.run.report.retired.append(state)
        return state

    def drop_pending_gone(self) -> None:
        """Unwritten "gone" answers are not trusted once the API or the key went away."""
        dropped = {thread_id for thread_id, _ in self.pending_gone}
        self.pending_gone.clear()
        self.answered -= dropped
        self.run.report.gone = [t for t in self.run.report.gone if t not in dropped]

    async def work(self, queue: list[tuple[str, TrackedThread | None]]) -> None:
        while queue and self.stop is None:
            thread_id, tracked = queue.pop()
            try:
                await self.ask(thread_id, tracked)
                if len(self.pending_gone) >= GONE_BATCH:
                    await self.write_gone()
            except (ApiRetired, AuthFailed) as problem:
                self.stop = self.stop or problem  # the other workers stop after this request

    async def ask(self, thread_id: str, tracked: TrackedThread | None) -> None:
        report = self.run.report
        foreign = tracked is not None and tracked.profile != self.profile.name
        now = self.services.clock.now
        try:
            info = await self._with_retries(lambda: self.backend.retrieve_thread(thread_id))
        except NotFound:
            if foreign:
                report.not_there.append(thread_id)
            else:
                self.pending_gone.append((thread_id, now()))
                report.gone.append(thread_id)
        except WrongProject as problem:
            report.forbidden.append(thread_id)
            if not foreign:
                self.registry.set_status(
                    thread_id, "forbidden", problem.user_message, checked_at=now()
                )
        except (ApiRetired, AuthFailed):
            raise
        except ApiError as problem:
            report.errors[thread_id] = problem.user_message
        else:
            changes: dict[str, Any] = {
                "status": "live",
                "status_reason": "",
                "checked_at": now(),
                "created_at": info.created_at,
                "metadata": info.metadata,
            }
            if foreign:
                changes["profile"] = self.profile.name
                report.moved.append(thread_id)
            self.registry.update(thread_id, **changes)
            report.live.append(thread_id)
        self.answered.add(thread_id)
        self.run.tell()

    async def write_gone(self) -> None:
        """Write the buffered "gone" answers once a probe shows the API is still there.

        Raises ApiRetired when it is not: then none of them is written.
        """
        if not self.pending_gone:
            return
        batch, self.pending_gone = self.pending_gone, []  # other workers start a new one
        try:
            await self._with_retries(self.backend.probe)
        except ApiRetired:
            self.pending_gone = batch + self.pending_gone  # for drop_pending_gone()
            raise
        except ApiError:
            pass  # the API answered these threads a moment ago; one failed probe proves nothing
        reason = f"not found on {self.profile.host}: deleted, expired, or another project's"
        for thread_id, at in batch:
            self.registry.set_status(thread_id, "gone", reason, checked_at=at)

    async def _with_retries(self, call: Callable[[], Any]) -> Any:
        """`call()` after any rate-limit pause; a 429 pauses everyone, a 5xx backs off."""
        limited = failed = 0
        while True:
            await self.run.pause.wait()
            try:
                return await call()
            except RateLimited as limit:
                limited += 1
                self.run.report.rate_limited += 1
                if limited >= RATE_LIMIT_TRIES:
                    raise
                self.run.pause.hold(limit.retry_after)
                self.run.tell()
            except (ServerError, NetworkDown):
                failed += 1
                if failed >= FAILURE_TRIES:
                    raise
                await self.services.clock.sleep(0.5 * 2**failed)
