"""The TUI under API faults: opening a thread while the server misbehaves ends in one clear
sentence, the app keeps running, and only a real 404 marks a thread gone."""

from __future__ import annotations

import pytest

from .conftest import wait_until
from .test_main_screen import main, status, thread_id

FAULTS = {
    "429": "rate",
    "500": "server",
    "503": "server",
    "timeout": "",
    "drop": "",
    "401": "API key was rejected",
    "403": "",
    "404": "was not found",
}


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_opening_under_a_fault_says_one_sentence_and_keeps_running(app, demo, kind):
    target = thread_id(demo, "Password reset loop")
    demo.fake.inject(kind, method="GET", path=r"/messages", times=None, retry_after=0.01)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("slash")
        main(app).sidebar.query_one("#filter").value = target
        await pilot.press("enter")
        await wait_until(pilot, lambda: main(app).status.tone == "error", timeout=15)
        sentence = status(app)
        assert FAULTS[kind].lower() in sentence.lower()
        assert "\n" not in sentence and "Traceback" not in sentence
        assert app.is_running
        tracked = demo.services.registry.get(target)
        assert (tracked.status == "gone") == (kind == "404")
        # the fault passes: the same thread opens
        demo.fake.clear_faults()
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: main(app).pane.message_ids or "archived copy" in status(app)
        )


async def test_a_retired_server_keeps_the_thread_and_says_why(app, demo):
    target = thread_id(demo, "Password reset loop")
    demo.fake.retired = True
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("slash")
        main(app).sidebar.query_one("#filter").value = target
        await pilot.press("enter")
        await wait_until(pilot, lambda: main(app).status.tone == "error")
        assert "no longer offers the Assistants API" in status(app)
        assert demo.services.registry.get(target).status != "gone"
