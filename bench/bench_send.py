"""Sending a message and following a 10-second run, in the TUI, on the real clock.

The app runs headless on the fake API (in-process, real SDK, `SystemClock`). A thread of a
few messages is open; the user writes a message and presses Enter; the fake's run goes
`queued`, `in_progress` after 0.5 s, and `completed` 10 s after it was created. Counted:
every request from Enter to the reply on screen. Timed: from the moment the fake completes
the run to the first frame showing the reply (`bench.paint`), against the poll interval
in effect then (the time between the last two checks of the run).

Twice: with the fake's `openai-poll-after-ms` hints (as the real API sends them: 500 ms
while in progress), which the poller takes as the shortest wait allowed, and without
hints; either way the poller's own backoff (0.5 s doubling to 5 s) decides above that.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import Row, ms

NAME = "send"
FULL = {"finish_after": 10.0, "start_after": 0.5}
SMOKE = {"finish_after": 0.6, "start_after": 0.1}
REQUESTS_TARGET = 15
RUN_GET = "/threads/{thread_id}/runs/{run_id}"


async def send_once(finish_after: float, start_after: float, hints: bool) -> dict:
    """One message and its run, from Enter to the reply on screen."""
    from bench.paint import watch
    from bench.world import long_thread
    from threadtui.clock import SystemClock
    from threadtui.core.services import Services
    from threadtui.core.store.registry import TrackedThread
    from threadtui.fakeapi import FakeAPI, RunPlan
    from threadtui.tui.app import ThreadtuiApp
    from threadtui.tui.widgets.message_view import MessageView

    fake = FakeAPI(clock=SystemClock())
    if not hints:
        fake.poll_after_ms = {}
    fake.store.add_assistant(created_at=1_700_000_000, model="gpt-4o-mini", name="Bench Bot")
    target = long_thread(fake, 6)
    fake.script_runs(
        thread_id=target,
        outcomes=[RunPlan(start_after=start_after, finish_after=finish_after)],
    )
    with tempfile.TemporaryDirectory(prefix="threadtui-bench-") as tmp:
        services = Services.load(
            config_dir=Path(tmp) / "config",
            data_dir=Path(tmp) / "data",
            env={"OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": fake.base_url},
            http_transport=fake.transport(),
        )
        services.registry.add_many([TrackedThread(target, "thread", "default", title="Bench")])
        app = ThreadtuiApp(services, identity="bench@host")
        waiting: dict[str, object] = {}

        def seen(_app: object, _at: float, _text: str) -> None:
            check = waiting.get("condition")
            if check is not None and check():  # type: ignore[operator]
                waiting.pop("condition")
                waiting["painted_at"] = time.time()  # the fake's clock is wall time

        undo = watch(seen)
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                while (
                    getattr(app.screen, "sidebar", None) is None
                    or app.screen.sidebar.waiting_for_index
                ):
                    await pilot.pause(0.01)
                screen = app.screen
                pane = screen.pane
                await pilot.press("enter")  # the only thread is under the cursor
                while not (
                    screen.session and any(isinstance(c, MessageView) for c in pane.children)
                ):
                    await pilot.pause(0.01)
                await pilot.pause(0.3)  # the names and run checks that follow an open
                fake.requests.clear()

                def replied() -> bool:
                    last = pane.children[-1] if pane.children else None
                    return (
                        isinstance(last, MessageView)
                        and last.message.role == "assistant"
                        and last.message.run_id is not None
                    )

                waiting["condition"] = replied
                await pilot.press("w")
                screen.composer.insert("How long do refunds take?")
                await pilot.press("enter")
                deadline = time.time() + finish_after + 30
                while "painted_at" not in waiting and time.time() < deadline:
                    await pilot.pause(0.01)
                if "painted_at" not in waiting:
                    raise RuntimeError("the reply never showed")
                run = fake.store.threads[target].runs[-1]
                checks = [r.at for r in fake.requests.matching("GET", RUN_GET)]
                started = [r.at for r in fake.requests.matching("POST", "/threads/{id}/runs")]
                found = {
                    "requests": len(fake.requests),
                    "checks": len(checks),
                    "lag": float(waiting["painted_at"]) - (run.created + finish_after),  # type: ignore[arg-type]
                    # the wait before the check that saw it completed (from the start, if first)
                    "interval": ([*started, *checks][-1] - [*started, *checks][-2]),
                    "status": run.obj["status"],
                }
        finally:
            undo()
            await services.aclose()
    return found


def run(smoke: bool = False) -> list[Row]:
    size = SMOKE if smoke else FULL
    rows = []
    for hints in (True, False) if not smoke else (True,):  # smoke: proves it runs, once
        found = asyncio.run(send_once(size["finish_after"], size["start_after"], hints))
        label = f"send + a {size['finish_after']:g}-second run, " + (
            "server poll hints (500 ms in progress)" if hints else "no poll hints (backoff)"
        )
        why = "more checks than the backoff allows: see RunPoller"
        rows += [
            Row(
                label,
                "requests from Enter to the reply on screen",
                f"{found['requests']}",
                f"{found['checks']} of them checks of the run",
                f"≤ {REQUESTS_TARGET}",
                found["requests"] <= REQUESTS_TARGET,
                why if found["requests"] > REQUESTS_TARGET else "",
            ),
            Row(
                label,
                "reply on screen after the fake completed the run",
                ms(found["lag"]),
                f"poll interval then: {ms(found['interval'])}",
                "≤ 1 poll interval",
                found["lag"] <= found["interval"],
            ),
        ]
    return rows
