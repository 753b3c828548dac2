"""A conversation (conv_…) in the TUI, against the fake Responses API: the same coverage
as a thread — open, page, send, poll to each end, cancel, delete."""

from __future__ import annotations

import pytest

from threadtui.clock import SteppedClock
from threadtui.demo import DEMO_CONVERSATIONS_PROFILE, start_demo
from threadtui.fakeapi import RunPlan
from threadtui.tui.app import ThreadtuiApp
from threadtui.tui.dialogs.confirm import ConfirmDialog

from .conftest import IDENTITY, main, open_thread, status, thread_id, wait_until
from .screen import screen_text

ITEMS = "/conversations/{conversation_id}/items"


async def long_conversation(demo, count: int) -> str:
    """A conversation of `count` messages made through the real backend, then tracked."""
    backend = demo.services.backend(DEMO_CONVERSATIONS_PROFILE)
    turns = [("user" if n % 2 == 0 else "assistant", f"turn number {n}") for n in range(count)]
    info = await backend.create_thread(turns)
    demo.services.track(info.id, title="Long chat", profile_name=DEMO_CONVERSATIONS_PROFILE)
    return info.id


async def test_open_and_page_a_conversation(app, demo):
    async with app.run_test(size=(100, 30)) as pilot:
        target = await long_conversation(demo, 250)
        main(app).reload_index()
        await wait_until(pilot, lambda: main(app).sidebar.index.position_of(target) is not None)
        demo.fake.requests.clear()
        await open_thread(pilot, app, target)
        pane = main(app).pane
        assert len(pane.message_ids) == 100
        assert demo.fake.count("GET", ITEMS) == 1
        pane.scroll_home(animate=False, immediate=True)
        await wait_until(pilot, lambda: len(pane.message_ids) == 200)
        pane.focus()
        await pilot.press("[")  # the key does what scrolling up does
        await wait_until(pilot, lambda: len(pane.message_ids) == 250)
        assert [v.message.text for v in pane.views][:2] == ["turn number 0", "turn number 1"]
        assert demo.fake.count("GET", ITEMS) == 3


async def test_send_in_a_conversation_shows_the_reply(app, demo):
    target = thread_id(demo, "Packing for Reykjavík")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        demo.fake.requests.clear()
        await pilot.press("w")
        main(app).composer.insert("Is it cold?")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "completed" in status(app))
        shown = [v.message for v in main(app).pane.views]
        assert shown[-2].text == "Is it cold?" and "You wrote “Is it cold?”" in shown[-1].text
        assert demo.fake.count("POST", ITEMS) == 1
        assert demo.fake.count("POST", "/responses") == 1
        assert demo.fake.count("POST", "/assistants") == 0  # no assistant in this API


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (
            RunPlan(outcome="failed", error_code="server_error", error_message="Boom."),
            "failed: server_error: Boom.",
        ),
        (
            RunPlan(outcome="incomplete", incomplete_reason="max_output_tokens"),
            "incomplete: max_output_tokens",
        ),
    ],
    ids=["failed", "incomplete"],
)
async def test_each_end_of_a_response_has_its_own_message(app, demo, plan, expected):
    target = thread_id(demo, "Packing for Reykjavík")
    demo.fake.script_responses(conversation_id=target, outcomes=[plan])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("w")
        main(app).composer.insert("hello")
        await pilot.press("enter")
        await wait_until(pilot, lambda: expected in status(app))
        assert status(app).startswith("Response resp_")


async def test_escape_cancels_a_response(tmp_path):
    clock = SteppedClock()
    demo = start_demo(clock=clock, folder=tmp_path / "demo")
    app = ThreadtuiApp(demo.services, demo=True, identity=IDENTITY)
    target = thread_id(demo, "Packing for Reykjavík")
    demo.fake.script_responses(
        conversation_id=target, outcomes=[RunPlan(start_after=1, finish_after=300)]
    )
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await open_thread(pilot, app, target)
            await pilot.press("w")
            main(app).composer.insert("take your time")
            await pilot.press("enter")
            await wait_until(pilot, lambda: clock.sleeping and main(app).runs.poller is not None)
            clock.advance(2)
            await wait_until(pilot, lambda: "in_progress" in status(app))
            await pilot.press("escape")
            await wait_until(pilot, lambda: "was cancelled" in status(app))
            assert demo.fake.count("POST", "/responses/{response_id}/cancel") == 1
    finally:
        demo.cleanup()


async def test_delete_a_conversation_through_the_dialog(app, demo):
    target = thread_id(demo, "What plant is this?")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("escape", "d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert target in screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: status(app).startswith("Deleted"))
        assert demo.fake.count("DELETE", "/conversations/{conversation_id}") == 1
        assert target not in demo.services.registry
