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
