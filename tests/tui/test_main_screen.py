"""The main screen against the seeded fake API on a virtual clock: opening and paging,
sending and following a run to each of its ends, cancelling, deleting and adding."""

from __future__ import annotations

import pytest

from threadtui.clock import SteppedClock
from threadtui.demo import start_demo
from threadtui.fakeapi import RunPlan
from threadtui.tui.app import ThreadtuiApp
from threadtui.tui.dialogs.confirm import ConfirmDialog
from threadtui.tui.dialogs.tool_outputs import ToolOutputsDialog
from threadtui.tui.main_screen import MainScreen
from threadtui.tui.widgets.message_pane import MessagePane
from threadtui.tui.widgets.thread_list import ThreadList

from .conftest import main, open_thread, status, thread_id, wait_until
from .screen import screen_text


async def test_layout_at_80x24_shows_header_sidebar_pane_composer_status_footer(app, demo):
    async with app.run_test(size=(80, 24)) as pilot:
        seeded = len(demo.fake.demo_threads())
        await wait_until(pilot, lambda: main(app).sidebar.index.total == seeded)
        await wait_until(pilot, lambda: "? Help" in screen_text(app))  # the footer is painted
        lines = screen_text(app).splitlines()
        assert len(lines) == 24
        assert lines[0].startswith(" threadtui · demo · fake.local · auditor@host  DEMO")
        assert f"Threads ({seeded})" in lines[1]
        assert "Refund policy" in screen_text(app)
        assert "Type a message" in lines[-4]
        assert "a Add ID" in lines[-1] and "? Help" in lines[-1]


async def test_opening_shows_newest_page_in_one_request_and_scrolling_up_loads_older(app, demo):
    target = thread_id(demo, "Customer chat log (import)")  # 3,000 messages
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        demo.fake.requests.clear()
        await open_thread(pilot, app, target)
        pane = main(app).pane
        assert len(pane.message_ids) == 100
        assert demo.fake.count("GET", "/threads/{thread_id}/messages") == 1
        assert "100+ messages" in screen_text(app)
        pane.scroll_home(animate=False, immediate=True)
        await wait_until(pilot, lambda: len(pane.message_ids) == 200)
        await pilot.pause()
        older = demo.fake.requests.matching("GET", "/threads/{thread_id}/messages")
        assert len(older) == 2 and older[1].query["after"] == older[0].response["last_id"]
        assert "200+ messages" in screen_text(app)


async def test_send_runs_and_shows_the_reply_with_exactly_the_needed_requests(app, demo):
    target = thread_id(demo, "Refund policy question")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, app, target)
        demo.fake.requests.clear()
        await pilot.press("w")
        main(app).composer.insert("How long do refunds take?")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "completed" in status(app))
        shown = [view.message for view in main(app).pane.views]
        assert shown[-2].role == "user" and shown[-2].text == "How long do refunds take?"
        assert (
            shown[-1].role == "assistant"
            and "You wrote “How long do refunds take?”" in shown[-1].text
        )
        assert "Support Bot here" in screen_text(app)  # the demo assistant's reply, on screen
        log = demo.fake.requests
        assert demo.fake.count("POST", "/threads/{thread_id}/messages") == 1
        assert demo.fake.count("POST", "/threads/{thread_id}/runs") == 1
        assert demo.fake.count("GET", "/threads/{thread_id}/runs/{run_id}") >= 1
        listed = log.matching("GET", "/threads/{thread_id}/messages")
        assert len(listed) == 1 and listed[0].query.get("run_id")
        assert len(log) == 3 + demo.fake.count("GET", "/threads/{thread_id}/runs/{run_id}")
        assert main(app).composer.text == "" and not main(app).composer.read_only


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        (
            RunPlan(
                outcome="failed", error_code="server_error", error_message="The model crashed."
            ),
            "failed: server_error: The model crashed.",
        ),
        (
            RunPlan(outcome="incomplete", incomplete_reason="max_completion_tokens"),
            "ended incomplete: max_completion_tokens",
        ),
        (RunPlan(outcome="expired", expires_after=60), "expired before it finished"),
    ],
    ids=["failed", "incomplete", "expired"],
)
async def test_each_end_of_a_run_has_its_own_message(app, demo, plan, expected):
    target = thread_id(demo, "Refund policy question")
    demo.fake.script_runs(thread_id=target, outcomes=[plan])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("w", *"hello", "enter")
        await wait_until(pilot, lambda: expected in status(app))
        assert not main(app).runs.active and not main(app).composer.read_only


async def test_escape_cancels_a_running_run(tmp_path):
    clock = SteppedClock()  # time moves only when the test says, so the run is caught mid-way
    demo = start_demo(clock=clock, folder=tmp_path / "demo")
    app = ThreadtuiApp(demo.services, demo=True, identity="auditor@host")
    target = thread_id(demo, "Refund policy question")
    demo.fake.script_runs(thread_id=target, outcomes=[RunPlan(start_after=1, finish_after=300)])
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("w")
        main(app).composer.insert("take your time")
        await pilot.press("enter")
        await wait_until(pilot, lambda: clock.sleeping and "queued" in status(app))
        clock.advance(2)
        await wait_until(pilot, lambda: "in_progress" in status(app))
        assert main(app).composer.read_only and "esc cancels" in main(app).composer.border_subtitle
        await pilot.press("escape")
        await wait_until(
            pilot,
            lambda: demo.fake.count("POST", "/threads/{thread_id}/runs/{run_id}/cancel") == 1,
        )
        await wait_until(pilot, lambda: clock.sleeping)
        clock.advance(5)
        await wait_until(pilot, lambda: "was cancelled" in status(app))
        assert not main(app).composer.read_only
        assert demo.services.registry.get(target) is not None
    demo.cleanup()


async def test_requires_action_asks_for_tool_outputs_then_completes(app, demo):
    target = thread_id(demo, "Weather in Lisbon")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        demo.fake.script_runs(
            thread_id=target,
            outcomes=[
                RunPlan(
                    outcome="requires_action",
                    tool_calls=[{"name": "get_weather", "arguments": '{"city": "Lisbon"}'}],
                )
            ],
        )
        await pilot.press("w", *"and tomorrow?", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ToolOutputsDialog))
        text = screen_text(app)
        assert "get_weather" in text and '"city": "Lisbon"' in text
        await pilot.press(*"sunny, 21 C", "enter")
        await wait_until(pilot, lambda: "completed" in status(app))
        posted = demo.fake.requests.matching(
            "POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs"
        )
        assert len(posted) == 1 and posted[0].json["tool_outputs"][0]["output"] == "sunny, 21 C"


async def test_delete_names_the_thread_and_needs_a_yes(app, demo):
    target = thread_id(demo, "Password reset loop")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("escape", "d")  # leave the filter box... the list has the thread
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        text = screen_text(app)
        assert target in text and "Password reset loop" in text and "2 messages" in text
        await pilot.press("n")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert demo.fake.count("DELETE", "/threads/{thread_id}") == 0
        assert target in demo.services.registry

        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_until(pilot, lambda: status(app).startswith("Deleted"))
        assert status(app) == f"Deleted {target} · 2 messages"
        assert demo.fake.count("DELETE", "/threads/{thread_id}") == 1
        assert target not in demo.services.registry
        assert all(
            main(app).sidebar.index.row(i).id != target for i in range(len(main(app).sidebar.index))
        )


async def test_opening_a_gone_thread_marks_it_gone_and_delete_just_untracks(app, demo):
    target = thread_id(demo, "Onboarding checklist (old)")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("slash")
        main(app).sidebar.query_one("#filter").value = target
        await pilot.press("enter")
        await wait_until(pilot, lambda: "was not found" in status(app))
        assert demo.services.registry.get(target).status == "gone"
        assert "(gone)" in screen_text(app)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "already gone" in screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: target not in demo.services.registry)
        assert demo.fake.count("DELETE", "/threads/{thread_id}") == 0


async def test_add_by_id_explains_a_wrong_kind_and_tracks_a_thread_id(app, demo):
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("a", *"run_abc123XYZ", "enter", "enter", "enter")
        await wait_until(pilot, lambda: "is a run ID, not a thread ID" in screen_text(app))
        assert "run_abc123XYZ" not in demo.services.registry
        await pilot.press(
            "escape", "a", *"thread_NewOne123", "tab", *"From the logs", "enter", *"ops", "enter"
        )
        await wait_until(pilot, lambda: "thread_NewOne123" in demo.services.registry)
        tracked = demo.services.registry.get("thread_NewOne123")
        assert tracked.title == "From the logs" and tracked.tags == ("ops",)
        assert main(app).query_one(ThreadList).current.id == "thread_NewOne123"


async def test_pane_is_paged_not_loaded_whole(app, demo):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, app, thread_id(demo, "Customer chat log (import)"))
        assert len(main(app).query(MessagePane).first().message_ids) == 100


async def test_keys_typed_in_one_burst_after_slash_land_in_the_filter(app, demo):
    """A paste or a fast typist: "/" and the next keys arrive before focus has moved.
    They must reach the filter box, not the list's single-letter bindings (u untracks)."""
    from textual import events

    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        for character in "/Refund policy":
            key = "slash" if character == "/" else "space" if character == " " else character
            app.post_message(events.Key(key, character))
        await wait_until(
            pilot, lambda: main(app).sidebar.query_one("#filter").value == "Refund policy"
        )
        assert isinstance(app.screen, MainScreen)  # no dialog was opened by a stray "u" or "d"
        assert len(main(app).sidebar.index) == 1


async def test_a_message_typed_in_one_burst_after_w_is_sent_whole_and_in_order(app, demo):
    from textual import events

    target = thread_id(demo, "Refund policy question")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_thread(pilot, app, target)
        main(app).sidebar.threads.focus()
        await pilot.pause()
        burst = [
            ("w", "w"),
            ("H", "H"),
            ("i", "i"),
            ("ctrl+n", "\x0e"),
            ("u", "u"),
            ("enter", "\r"),
        ]
        for key, character in burst:
            app.post_message(events.Key(key, character))
        await wait_until(pilot, lambda: "completed" in status(app))
        sent = demo.fake.requests.matching("POST", "/threads/{thread_id}/messages")
        assert [r.json["content"] for r in sent] == ["Hi\nu"]
        assert isinstance(app.screen, MainScreen)  # "u" did not open the untrack dialog


async def test_a_big_registry_shows_its_first_screen_then_filters_over_every_thread(app, demo):
    from threadtui.core.store.registry import TrackedThread

    seeded = len(demo.fake.demo_threads())
    demo.services.registry.add_many(
        TrackedThread(f"thread_{n:024d}", title=f"Imported item{n}", added_at=1_000 + n)
        for n in range(500)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        sidebar = main(app).sidebar
        await wait_until(pilot, lambda: not sidebar.waiting_for_index)
        assert sidebar.index.total == seeded + 500  # the count is right from the first screen
        await wait_until(pilot, lambda: sidebar.index.complete)
        await pilot.press("slash", *"item0")  # the oldest: far below the first screen
        await wait_until(pilot, lambda: "Threads (1 of" in screen_text(app))
        assert "Imported item0" in screen_text(app)


async def test_a_registry_that_cannot_be_read_says_why_in_the_sidebar_not_a_spinner(app, demo):
    import sqlite3

    from textual.widgets import LoadingIndicator, Static

    # Another program broke the registry file: its threads table is gone.
    with sqlite3.connect(demo.services.locations.registry_file) as other:
        other.execute("ALTER TABLE threads RENAME TO moved_aside")
    async with app.run_test(size=(80, 24)) as pilot:
        sidebar = main(app).sidebar
        await wait_until(pilot, lambda: sidebar.query("#index-problem"))
        await pilot.pause()
        problem = str(sidebar.query_one("#index-problem", Static).render())
        assert "could not be used (SQLite says: no such table: threads)" in problem
        assert sidebar.border_title == "Threads (not loaded)"
        assert not sidebar.query(LoadingIndicator)
        assert "no such table: threads" in status(app)
