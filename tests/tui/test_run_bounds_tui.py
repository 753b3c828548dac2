"""A run the server describes badly never wedges the main screen: a malformed run, an
absurd poll-after hint and a cancel the server never completes each end with one sentence,
the composer is usable again and other threads open."""

from __future__ import annotations

from threadtui.clock import SteppedClock
from threadtui.core.chat.poller import CANCEL_GRACE
from threadtui.demo import start_demo
from threadtui.fakeapi import RunPlan
from threadtui.tui.app import ThreadtuiApp

from .conftest import thread_id, wait_until
from .test_main_screen import main, open_thread, status

RUN_PATH = r"/runs/run_[^/]+$"


def usable(app: ThreadtuiApp) -> bool:
    return not main(app).runs.active and not main(app).composer.read_only


async def test_a_malformed_run_ends_following_and_leaves_the_thread_usable(app, demo):
    target = thread_id(demo, "Refund policy question")
    other = thread_id(demo, "Capital cities quiz")
    demo.fake.tamper(RUN_PATH, fields={"usage": {"total_tokens": "many"}})
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("w", *"hello", "enter")
        await wait_until(pilot, lambda: "Stopped following" in status(app))
        assert "reload the thread to see how it ended" in status(app)
        assert usable(app)
        assert "Waiting for" not in (main(app).composer.border_subtitle or "")
        demo.fake.clear_faults()  # the server mends, and the first run ends meanwhile:
        demo.fake.clock.advance(3600)  # the thread takes a new message and run at once
        await pilot.press("w", *"again", "enter")
        await wait_until(pilot, lambda: "completed" in status(app))
        await pilot.press("escape")  # out of the composer
        await open_thread(pilot, app, other)  # and another thread opens


async def test_an_infinite_poll_after_hint_does_not_stop_the_run_being_followed(app, demo):
    target = thread_id(demo, "Refund policy question")
    demo.fake.tamper(RUN_PATH, headers={"openai-poll-after-ms": "inf"})
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("w", *"hello", "enter")
        await wait_until(pilot, lambda: "completed" in status(app))
        assert usable(app)


async def test_a_cancel_the_server_never_completes_ends_and_frees_the_thread(tmp_path):
    clock = SteppedClock()  # time moves only when the test says
    demo = start_demo(clock=clock, folder=tmp_path / "demo")
    app = ThreadtuiApp(demo.services, demo=True, identity="auditor@host")
    target = thread_id(demo, "Refund policy question")
    other = thread_id(demo, "Capital cities quiz")
    plan = RunPlan(start_after=1, finish_after=10**6, expires_after=10**6)
    demo.fake.script_runs(thread_id=target, outcomes=[plan])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("w", *"take your time", "enter")
        await wait_until(pilot, lambda: clock.sleeping and "queued" in status(app))
        clock.advance(2)
        await wait_until(pilot, lambda: "in_progress" in status(app))
        demo.fake.tamper(RUN_PATH, fields={"status": "cancelling"})  # for ever cancelling
        await pilot.press("escape")
        await wait_until(
            pilot,
            lambda: demo.fake.count("POST", "/threads/{thread_id}/runs/{run_id}/cancel") == 1,
        )
        waited = 0.0
        while "after the cancel was asked" not in status(app):
            assert waited <= CANCEL_GRACE + 10, status(app)
            await wait_until(
                pilot, lambda: clock.sleeping or "after the cancel was asked" in status(app)
            )
            clock.advance(5)
            waited += 5
        assert "the thread is usable" in status(app)
        assert usable(app)
        await pilot.press("escape")  # out of the composer
        await open_thread(pilot, app, other)
    demo.cleanup()
