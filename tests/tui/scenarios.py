"""Named moments of the demo, shared by the snapshot tests and screenshots/make_screenshots.py.

Each scenario drives a fresh demo app (seeded fake API, virtual clock) with a Pilot to a
state worth seeing; nothing depends on the machine (time zone, host name, wall clock).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from textual.pilot import Pilot

from tests.tui.conftest import settle, thread_id
from threadtui.clock import ManualClock, SteppedClock
from threadtui.demo import Demo, start_demo
from threadtui.fakeapi import RunPlan
from threadtui.tui.app import ThreadtuiApp

IDENTITY = "auditor@host"


async def open_by_title(pilot: Pilot, demo: Demo, title: str) -> None:
    screen = pilot.app.screen
    await settle(pilot, lambda: screen.sidebar.index.total > 0)
    await pilot.press("slash")
    screen.sidebar.query_one("#filter").value = title
    await pilot.press("enter")
    target = thread_id(demo, title)
    await settle(
        pilot,
        lambda: screen.session and screen.session.thread_id == target and screen.pane.message_ids,
    )


@dataclass
class Scenario:
    name: str
    description: str
    drive: Callable[[Pilot, Demo], Awaitable[None]]
    stepped_clock: bool = False

    def build(self, folder: Path) -> tuple[ThreadtuiApp, Demo]:
        clock = SteppedClock() if self.stepped_clock else ManualClock()
        demo = start_demo(clock=clock, folder=folder)
        return ThreadtuiApp(demo.services, demo=True, identity=IDENTITY), demo

    def run_before(self, demo: Demo) -> Callable[[Pilot], Awaitable[None]]:
        async def run(pilot: Pilot) -> None:
            await self.drive(pilot, demo)

        return run


async def main_screen(pilot: Pilot, demo: Demo) -> None:
    screen = pilot.app.screen
    await settle(pilot, lambda: screen.sidebar.index.total > 0)


async def thread_with_code_and_citations(pilot: Pilot, demo: Demo) -> None:
    await open_by_title(pilot, demo, "Docs: data retention policy")


async def live_run(pilot: Pilot, demo: Demo) -> None:
    title = "Refund policy question"
    demo.fake.script_runs(
        thread_id=thread_id(demo, title), outcomes=[RunPlan(start_after=1, finish_after=60)]
    )
    await open_by_title(pilot, demo, title)
    screen = pilot.app.screen
    await pilot.press("w")
    screen.composer.insert("Can I get a refund after 45 days?")
    await pilot.press("enter")
    clock = demo.services.clock
    await settle(pilot, lambda: clock.sleeping and screen.runs.poller is not None)
    clock.advance(1.5)
    await settle(pilot, lambda: "in_progress" in screen.status.message)


async def delete_confirmation(pilot: Pilot, demo: Demo) -> None:
    await open_by_title(pilot, demo, "Password reset loop")
    await pilot.press("escape", "d")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "ConfirmDialog")


async def requires_action(pilot: Pilot, demo: Demo) -> None:
    screen = pilot.app.screen
    await settle(pilot, lambda: screen.sidebar.index.total > 0)
    await pilot.press("slash")
    screen.sidebar.query_one("#filter").value = "Weather in Oslo"
    await pilot.press("enter")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "ToolOutputsDialog")


async def conversation(pilot: Pilot, demo: Demo) -> None:
    await open_by_title(pilot, demo, "Packing for Reykjavík")


async def help_screen(pilot: Pilot, demo: Demo) -> None:
    screen = pilot.app.screen
    await settle(pilot, lambda: screen.sidebar.index.total > 0)
    await pilot.press("question_mark")
    await settle(pilot, lambda: type(pilot.app.screen).__name__ == "HelpScreen")


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("main", "The main screen: sidebar of tracked threads", main_screen),
        Scenario("thread", "A thread with code and citations", thread_with_code_and_citations),
        Scenario(
            "live_run",
            "A run in progress, followed in the status bar",
            live_run,
            stepped_clock=True,
        ),
        Scenario("delete", "Deleting asks first, naming what will be lost", delete_confirmation),
        Scenario("requires_action", "A run waiting for tool outputs", requires_action),
        Scenario("conversation", "A conversation (conv_…) with tool items", conversation),
        Scenario("help", "Every key, with its binding id", help_screen),
    )
}
