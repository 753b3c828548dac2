"""Following a run to its end, for the status bar and the CLI.

`RunPoller` checks the run with backoff (0.5 s doubling to 5 s, reset whenever the status
changes), never sooner than the server's `openai-poll-after-ms` hint allows: the hint is a
floor, not a rate (taken as a rate, a 500 ms hint is 20 checks for a 10-second run). It stops
when the run ends, when it stops at `requires_action`, or at the run's `expires_at` (plus a
short grace for the server to mark it expired) if the server never ends it. `cancel()`
asks the server to cancel and keeps polling until the run is terminal: `cancelled`, or
`completed` if the run won the race. Rate limits are waited out with a countdown;
network and server failures are retried with backoff until the deadline; anything else
(the thread was deleted, the key was revoked) ends polling with that error.

Progress comes as immutable `PollUpdate`s, through `on_update` or `async for`. All time and
waiting go through the injected clock, so tests run whole runs on a `ManualClock` at once.

`end_message(run)` is the pure one-line sentence for how a run ended.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace

from threadtui.api.backend import Backend
from threadtui.api.errors import ApiError, NetworkDown, RateLimited, ServerError
from threadtui.api.models import Run
from threadtui.clock import Clock
from threadtui.core.finding.ids import short
from threadtui.core.text.sanitize import one_line
from threadtui.core.text.timefmt import duration

MIN_INTERVAL = 0.5
MAX_INTERVAL = 5.0
DEADLINE_GRACE = 2.0  # after expires_at, one last check for the server's "expired"
FALLBACK_TIMEOUT = 600.0  # when the run has no expires_at
COUNTDOWN_STEP = 1.0  # rate-limit countdown granularity
MIN_HINT = 0.1  # a poll-after hint of 0 must not make us spin
MAX_HINT = 60.0  # a hint asking to wait longer is taken as this
MAX_FOLLOW = 3600.0  # an expires_at further away than this (or in ms) is not believed
CANCEL_GRACE = 60.0  # a cancel the server never completes is followed this long

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollUpdate:
    """One moment of following a run.

    `elapsed` counts from when polling started. `next_check_in` is None once finished.
    `rate_limited_for` is the rest of a rate-limit wait; `problem` a transient failure
    being retried. A finished update has `finished` set and, if polling stopped before the
    run ended, `timed_out` or `error`.
    """

    run: Run
    elapsed: float
    next_check_in: float | None = None
    rate_limited_for: float | None = None
    problem: str | None = None
    cancel_requested: bool = False
    finished: bool = False
    timed_out: bool = False
    error: ApiError | None = None
    followed_for: float | None = None  # set when the run's own expires_at was not believed

    @property
    def status(self) -> str:
        return self.run.status

    def describe(self) -> str:
        """For the status bar: "run_9x… in_progress · 3.1 s · next check in 2 s"."""
        status = "cancelling" if self.cancel_requested and not self.finished else self.status
        parts = [f"{one_line(short(self.run.id, 6), 20)} {one_line(status, 20)}"]
        parts.append(duration(self.elapsed))
        if self.rate_limited_for is not None:
            parts.append(f"rate limited · retry in {_secs(self.rate_limited_for)}")
        elif self.problem is not None:
            parts.append(f"retrying in {_secs(self.next_check_in or 0)}")
        elif self.next_check_in is not None:
            parts.append(f"next check in {_secs(self.next_check_in)}")
        return " · ".join(parts)

    @property
    def message(self) -> str:
        """The one sentence for how polling ended (or the progress line while it runs)."""
        if not self.finished:
            return self.describe()
        if self.error is not None:
            return self.error.user_message
        if self.timed_out:
            rid, status = one_line(self.run.id, 60), one_line(str(self.run.status), 30)
            if self.cancel_requested:
                return (
                    f"Run {rid} was still {status} {CANCEL_GRACE:.0f} s after the cancel was "
                    "asked: stopped checking; the thread is usable, reload it later to see "
                    "how the run ended."
                )
            when = "at its expiry time"
            if self.followed_for is not None:
                when = f"after {duration(self.followed_for)} (its expires_at was not a sane time)"
            return (
                f"Run {rid} was still {status} {when}: stopped checking; reload the thread "
                "later to see whether it finished."
            )
        return end_message(self.run)


def _secs(seconds: float) -> str:
    """ "0.5 s" for short waits, "12 s" for long ones."""
    return f"{round(seconds, 1):g} s" if seconds < 10 else f"{seconds:.0f} s"


def end_message(run: Run) -> str:
    """How `run` ended, in one sentence (also for requires_action and still-active runs)."""
    rid = one_line(run.id, 60)
    noun = (
        "Response" if run.id.startswith("resp_") else "Run"
    )  # conversations answer with responses
    status = run.status
    if status == "completed":
        tokens = f" ({run.usage.total_tokens:,} tokens)" if run.usage else ""
        return f"{noun} {rid} completed{tokens}."
    if status == "failed":
        why = one_line(run.last_error, 200) if run.last_error else "no reason given"
        return f"{noun} {rid} failed: {why}."
    if status == "incomplete":
        why = one_line(run.incomplete_reason, 80) if run.incomplete_reason else "no reason given"
        return f"{noun} {rid} ended incomplete: {why}."
    if status == "expired":
        return (
            f"{noun} {rid} expired before it finished: send the message again to start a new run."
        )
    if status == "cancelled":
        return f"{noun} {rid} was cancelled."
    if status == "requires_action":
        calls = ", ".join(one_line(f"{c.name}({c.id})", 60) for c in run.tool_calls)
        waiting = f" for {calls}" if calls else ""
        return f"{noun} {rid} waits for tool outputs{waiting}: answer them or cancel the run."
    return f"{noun} {rid} is still {one_line(status, 30)}."


def _hint_seconds(poll_after_ms: float | None) -> float | None:
    """The server's poll-after hint in seconds, kept between MIN_HINT and MAX_HINT."""
    if poll_after_ms is None or not math.isfinite(poll_after_ms):
        return None
    return min(max(poll_after_ms / 1000, MIN_HINT), MAX_HINT)


def _is_stop(run: Run, cancelling: bool) -> bool:
    # requires_action is where the user must act, unless they chose to cancel.
    return run.is_terminal or (run.status == "requires_action" and not cancelling)


class RunPoller:
    """Follow one run to its end.

    Use either ``final = await poller.run()`` (with an optional `on_update` callback) or
    ``async for update in poller: …`` (the last update has `finished` set). `cancel()` may
    be called at any time, from any task on the same loop.
    """

    def __init__(
        self,
        backend: Backend,
        run: Run,
        *,
        clock: Clock,
        on_update: Callable[[PollUpdate], None] | None = None,
        min_interval: float = MIN_INTERVAL,
        max_interval: float = MAX_INTERVAL,
        deadline: float | None = None,
    ) -> None:
        """`deadline` (clock seconds) overrides the run's `expires_at`."""
        self.backend = backend
        self.thread_id = run.thread_id
        self.clock = clock
        self.on_update = on_update
        self.min_interval = min_interval
        self.max_interval = max_interval
        self._initial = run
        self._deadline = deadline
        self._cancel_requested = False
        self._cancel_sent = False  # the cancel request got an answer (or a final refusal)
        self._cancel_accepted = False
        self._wake = asyncio.Event()
        self.latest: PollUpdate | None = None

    def cancel(self) -> None:
        """Ask for the run to be cancelled; polling goes on until it is terminal."""
        self._cancel_requested = True
        self._wake.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel_requested

    async def run(self) -> PollUpdate:
        """Poll until the end; returns the final update."""
        final = None
        async for update in self:
            final = update
        assert final is not None
        return final

    def __aiter__(self) -> AsyncIterator[PollUpdate]:
        return self._follow_safely()

    async def _follow_safely(self) -> AsyncIterator[PollUpdate]:
        """`_follow`, ended by a finished update with one sentence whatever goes wrong (a
        malformed run, a hint that is not a number, a bug): the run must never stay
        "followed" with nobody following it."""
        last: PollUpdate | None = None
        try:
            async for update in self._follow():
                last = update
                yield update
            return
        except Exception as exc:
            log.exception("Following run %r stopped on an unexpected error", self._initial.id)
            problem = exc
        run = last.run if last is not None else self._initial
        rid = one_line(str(getattr(run, "id", "") or "the run"), 60)
        error = ApiError(
            f"Stopped following {rid}: the server's answer about it could not be read "
            f"({type(problem).__name__}); reload the thread to see how it ended."
        )
        final = PollUpdate(
            run=run,
            elapsed=last.elapsed if last is not None else 0.0,
            cancel_requested=self._cancel_requested,
            finished=True,
            error=error,
        )
        self.latest = final
        if self.on_update is not None:
            try:
                self.on_update(final)
            except Exception:
                log.exception("Reporting the end of run %r failed", rid)
        yield final

    # -- the loop ------------------------------------------------------------------
    async def _follow(self) -> AsyncIterator[PollUpdate]:
        started = self.clock.now()
        run = self._initial
        interval = self.min_interval
        problem: str | None = None
        cancel_asked: float | None = None  # when cancel() was first seen

        def update(
            *,
            next_check_in: float | None = None,
            rate_limited_for: float | None = None,
            finished: bool = False,
            timed_out: bool = False,
            error: ApiError | None = None,
        ) -> PollUpdate:
            made = PollUpdate(
                run=run,
                elapsed=self.clock.now() - started,
                next_check_in=next_check_in,
                rate_limited_for=rate_limited_for,
                problem=problem,
                cancel_requested=self._cancel_requested,
                finished=finished,
                timed_out=timed_out,
                error=error,
            )
            self.latest = made
            if self.on_update is not None:
                self.on_update(made)
            return made

        while True:
            if self._cancel_requested and not self._cancel_sent and not run.is_terminal:
                try:
                    run = await self.backend.cancel_run(self.thread_id, run.id)
                    self._cancel_sent = self._cancel_accepted = True
                    problem, interval = None, self.min_interval
                except (NetworkDown, ServerError, RateLimited) as exc:
                    problem = exc.user_message  # try again at the next check
                except ApiError as exc:
                    self._cancel_sent, problem = True, exc.user_message

            if _is_stop(run, self._cancelling):
                yield update(finished=True)
                return
            now = self.clock.now()
            if self._cancel_requested and cancel_asked is None:
                cancel_asked = now
            limit = self._limit(run, started) + DEADLINE_GRACE
            if cancel_asked is not None:
                limit = min(limit, cancel_asked + CANCEL_GRACE)
            if now >= limit:
                final = update(finished=True, timed_out=True)
                if run.expires_at and not self._believes(run, started):
                    final = replace(final, followed_for=final.elapsed)
                    self.latest = final
                yield final
                return

            hint = _hint_seconds(run.poll_after_ms)
            delay = min(max(hint or 0.0, interval), limit - now)
            yield update(next_check_in=delay)
            if await self._sleep(delay):
                continue  # cancel() woke us: send it before checking again

            try:
                latest = await self.backend.get_run(self.thread_id, run.id)
            except RateLimited as exc:
                problem = exc.user_message
                wait = exc.retry_after if exc.retry_after is not None else interval
                wait = min(wait, max(0.0, limit - self.clock.now()))
                while wait > 0:
                    yield update(next_check_in=wait, rate_limited_for=wait)
                    step = min(COUNTDOWN_STEP, wait)
                    if await self._sleep(step):
                        break
                    wait -= step
                continue
            except (NetworkDown, ServerError) as exc:
                problem = exc.user_message
                interval = min(interval * 2, self.max_interval)
                continue
            except ApiError as exc:
                yield update(finished=True, error=exc)
                return
            problem = None
            interval = (
                self.min_interval
                if latest.status != run.status
                else min(interval * 2, self.max_interval)
            )
            run = latest

    @property
    def _cancelling(self) -> bool:
        """Cancel was asked and not finally refused: don't stop at requires_action."""
        return self._cancel_requested and (self._cancel_accepted or not self._cancel_sent)

    def _limit(self, run: Run, started: float) -> float:
        """When to stop: the explicit deadline, else the run's `expires_at` when it is a
        sane time (not in milliseconds, not a year away), else a fixed follow time."""
        if self._deadline is not None:
            return self._deadline
        if run.expires_at and self._believes(run, started):
            return float(run.expires_at)
        return started + (MAX_FOLLOW if run.expires_at else FALLBACK_TIMEOUT)

    def _believes(self, run: Run, started: float) -> bool:
        """Whether the run's `expires_at` is a time to stop at (not ms, not a year away)."""
        expires = run.expires_at
        if not isinstance(expires, int | float) or isinstance(expires, bool):
            return False  # a string, a list: whatever a broken server sent
        return math.isfinite(expires) and expires <= started + MAX_FOLLOW

    async def _sleep(self, seconds: float) -> bool:
        """Wait on the clock; True when `cancel()` cut the wait short."""
        if self._wake.is_set():
            self._wake.clear()
            if self._cancel_requested and not self._cancel_sent:
                return True
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            done, _ = await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:  # also when polling itself is cancelled (the app quits mid-run)
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)
        woke = waker in done
        if woke:
            self._wake.clear()
        return woke and self._cancel_requested and not self._cancel_sent
