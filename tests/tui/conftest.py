"""The TUI on the demo: the seeded fake API on a virtual clock, a registry in tmp_path."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from threadtui.clock import ManualClock
from threadtui.demo import Demo, start_demo
from threadtui.tui.app import ThreadtuiApp

IDENTITY = "auditor@host"  # fixed so screens are the same on every machine


@pytest.fixture
def demo(tmp_path) -> Demo:
    made = start_demo(clock=ManualClock(), folder=tmp_path / "demo")
    yield made
    made.cleanup()


@pytest.fixture
def app(demo: Demo) -> ThreadtuiApp:
    return ThreadtuiApp(demo.services, demo=True, identity=IDENTITY)


def thread_id(demo: Demo, title: str) -> str:
    """The ID of the demo's seeded thread with this title."""
    return next(t["id"] for t in demo.fake.demo_threads() if t["title"] == title)


async def wait_until(pilot: Pilot, condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Let the app work until `condition()` holds (real seconds; the API clock is virtual)."""
    loops = int(timeout / 0.02)
    for _ in range(loops):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"condition not met within {timeout} s")
