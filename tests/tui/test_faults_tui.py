"""The TUI under API faults: opening a thread while the server misbehaves ends in one clear
sentence, the app keeps running, and only a real 404 marks a thread gone."""

from __future__ import annotations

import pytest

from .conftest import main, status, thread_id, wait_until

FAULTS = {  # {id}: the thread opened
    "429": "The server is rate limiting this key: try again in 0.0 s.",
    "500": "The server failed (HTTP 500) and did not recover after retries: try again in a moment.",
    "503": "The server failed (HTTP 503) and did not recover after retries: try again in a moment.",
    "timeout": "The server did not answer in time: check your connection and try again.",
    "drop": "Could not reach fake.local: check your connection and the profile's base_url, "
    "then try again.",
    "401": "The API key was rejected: check the variable named by the profile's api_key_env.",
    "403": "{id} belongs to another organization or project, or this key may not use it: "
    "check the profile's key, organization and project.",
    "404": "{id} was not found: it was deleted or expired, or it belongs to another project "
    "— check the profile's key/project.",
}


@pytest.mark.parametrize("kind", list(FAULTS))
async def test_opening_under_a_fault_says_one_sentence_and_keeps_running(app, demo, kind):
    target = thread_id(demo, "Password reset loop")
    demo.fake.inject(kind, method="GET", path=r"/messages", times=None, retry_after=0.01)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        screen = app.screen
        await pilot.press("slash")
        main(app).sidebar.query_one("#filter").value = target
        await pilot.press("enter")
        await wait_until(pilot, lambda: main(app).status.tone == "error", timeout=15)
        assert status(app) == FAULTS[kind].format(id=target)
        assert app.return_code is None and app.screen is screen  # no exit, no crash screen
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
