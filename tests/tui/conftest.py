"""The TUI on the demo: the seeded fake API on a virtual clock, a registry in tmp_path."""

from __future__ import annotations

import pickle
from collections.abc import Callable

import pytest
from textual.app import App
from textual.pilot import Pilot

from threadtui.clock import ManualClock
from threadtui.demo import Demo, start_demo
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi import seed as fakeapi_seed
from threadtui.tui.app import ThreadtuiApp
from threadtui.tui.main_screen import MainScreen
from threadtui.tui.widgets.status_bar import StatusBar

from .screen import screen_text

IDENTITY = "auditor@host"  # fixed so screens are the same on every machine


@pytest.fixture(scope="session")
def seeded_demo_states() -> dict[tuple[int, float], bytes]:
    """The fake's demo state after seeding, pickled, per (seed, start time): one per worker."""
    return {}


@pytest.fixture(autouse=True)
def seed_demo_once(
    monkeypatch: pytest.MonkeyPatch, seeded_demo_states: dict[tuple[int, float], bytes]
) -> None:
    """Every start_demo here gets a copy of the state seed_demo built the first time for the
    same seed and start time: seeding is most of what start_demo costs, and its result
    depends on nothing else (it fills only the fake's store and its run and response
    engines, whose contents are copied here)."""
    seed_demo = fakeapi_seed.seed_demo

    def seeded_copy(fake: FakeAPI, seed: int) -> list[dict]:
        key = (seed, fake.clock.now())
        if key not in seeded_demo_states:
            threads = seed_demo(fake, seed)
            state = (fake.store, fake.engine, fake.responses, threads)
            seeded_demo_states[key] = pickle.dumps(state)
            return threads
        store, engine, responses, threads = pickle.loads(seeded_demo_states[key])
        # Into the fake's own objects: its routes hold them since it was built.
        for live, copied in (
            (fake.store, store),
            (fake.engine, engine),
            (fake.responses, responses),
        ):
            vars(live).update(vars(copied))
        fake.engine.store = fake.responses.store = fake.store
        return threads

    monkeypatch.setattr(fakeapi_seed, "seed_demo", seeded_copy)


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


async def settle(pilot: Pilot, condition: Callable[[], object], timeout: float = 10.0) -> None:
    """`wait_until`, then one more pause so what changed reaches the screen (snapshots)."""
    await wait_until(pilot, condition, timeout)
    await pilot.pause()


def main(app: ThreadtuiApp) -> MainScreen:
    assert isinstance(app.screen, MainScreen)
    return app.screen


def status(app: ThreadtuiApp) -> str:
    return app.screen.query_one(StatusBar).message


async def open_thread(pilot: Pilot, app: ThreadtuiApp, target: str) -> None:
    """Filter the sidebar down to one thread and open it (typing is tested elsewhere: here
    the box is filled at once, which keeps these tests fast)."""
    await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
    await pilot.press("slash")
    main(app).sidebar.query_one("#filter").value = target
    await pilot.press("enter")
    await wait_until(
        pilot,
        lambda: (
            main(app).session is not None
            and main(app).session.thread_id == target
            and main(app).pane.message_ids
        ),
    )


def flat(app: App) -> str:
    """The screen's words, borders of dialogs and line breaks taken out (sentences wrap)."""
    lines = (line.strip().strip("█▀▄").strip() for line in screen_text(app).splitlines())
    return " ".join(" ".join(lines).split())
