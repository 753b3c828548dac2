"""Time, injectable so the fake API, the run poller and the tests share one clock.

`SystemClock` is wall time. `ManualClock` is virtual: `sleep()` advances it instantly,
so a test can poll a 10-minute run to its end in milliseconds and stay deterministic.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""
        ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ManualClock:
    """A virtual clock: time moves only through `advance()` or `sleep()`."""

    def __init__(self, start: float = 1_763_900_000.0) -> None:
        self._now = start

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += seconds

    async def sleep(self, seconds: float) -> None:
        self.advance(max(0.0, seconds))
        # Yield so other tasks (the UI, the fake server) get their turn.
        await asyncio.sleep(0)


class SteppedClock(ManualClock):
    """Virtual time that moves only when told: `sleep()` waits until `advance()` passes its
    wake-up time. For tests that must see what happens *during* a wait."""

    def __init__(self, start: float = 1_763_900_000.0) -> None:
        super().__init__(start)
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    def advance(self, seconds: float) -> None:
        super().advance(seconds)
        due = [(t, f) for t, f in self._sleepers if t <= self._now]
        self._sleepers = [(t, f) for t, f in self._sleepers if t > self._now and not f.done()]
        for _, future in due:
            if not future.done():
                future.set_result(None)

    @property
    def sleeping(self) -> int:
        """How many sleeps are waiting for time to move."""
        return sum(1 for _, f in self._sleepers if not f.done())

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self._now + seconds, future))
        await future
