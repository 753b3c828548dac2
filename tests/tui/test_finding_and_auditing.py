"""The main screen for finding threads and auditing them: import, check, gone threads and
their archived copies, continuing them, find in thread, deleting many, read-only mode."""

from __future__ import annotations

from threadtui.clock import ManualClock
from threadtui.core.archive.store import archive_info
from threadtui.demo import start_demo
from threadtui.tui.app import ThreadtuiApp
from threadtui.tui.dialogs.confirm import ConfirmDialog
from threadtui.tui.dialogs.import_dialog import ImportDialog
from threadtui.tui.main_screen import MainScreen
from threadtui.tui.widgets.message_view import MessageView

from .conftest import IDENTITY, main, open_thread, status, thread_id, wait_until
from .screen import screen_text


async def test_import_dialog_tracks_pasted_ids_and_explains_other_kinds(app, demo):
    log = (
        "2026-11-20 INFO created thread_Pasted0000000000000000001 for user 7\n"
        '{"thread_id": "thread_Pasted0000000000000000002", "run": "run_AbC123"}\n'
        "see https://platform.openai.com/threads/thread_Pasted0000000000000000001\n"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        before = main(app).sidebar.index.total
        await pilot.press("i")
        await wait_until(pilot, lambda: isinstance(app.screen, ImportDialog))
        app.screen.query_one("#pasted").insert(log)
        await pilot.click("#import")
        await wait_until(pilot, lambda: "Tracked 2 new threads" in screen_text(app))
        assert "1 run ID" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: main(app).sidebar.index.total == before + 2)
        assert "thread_Pasted0000000000000000002" in demo.services.registry
        assert "run_AbC123" not in demo.services.registry


async def test_check_marks_gone_threads_and_a_retired_server_marks_none(app, demo):
    gone = thread_id(demo, "Onboarding checklist (old)")
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("V")
        await wait_until(pilot, lambda: status(app).startswith("Checked"))
        assert demo.services.registry.get(gone).status == "gone"
        assert (
            demo.services.registry.get(thread_id(demo, "Refund policy question")).status == "live"
        )
        # the same check against a server that has retired the API marks nothing gone
        demo.fake.retired = True
        lived = thread_id(demo, "Password reset loop")
        await pilot.press("V")
        await wait_until(pilot, lambda: "no longer offers the Assistants API" in status(app))
        assert demo.services.registry.get(lived).status == "live"


async def test_a_gone_thread_opens_its_archived_copy_read_only_and_continues(app, demo):
    title = "Capital cities quiz"
    target = thread_id(demo, title)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)  # archived on open
        assert archive_info(demo.services.registry, target).message_count == 6
        demo.fake.store.threads.pop(target)  # the server forgets it
        await pilot.press("escape", "enter")  # open again
        await wait_until(pilot, lambda: "archived copy" in screen_text(app))
        assert main(app).session.read_only
        assert not main(app).composer.display  # nothing can be sent to a gone thread
        assert len(main(app).pane.message_ids) == 6
        assert demo.services.registry.get(target).status == "gone"
        await pilot.press("N")
        await wait_until(pilot, lambda: "Continued" in status(app))
        new_id = main(app).open_row.id
        assert (
            new_id != target and demo.services.registry.get(new_id).title == f"{title} (continued)"
        )
        await wait_until(pilot, lambda: main(app).composer.display)


async def test_find_in_thread_steps_through_matches(app, demo):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, thread_id(demo, "Capital cities quiz"))
        await pilot.press("f", *"capital", "enter")
        await wait_until(pilot, lambda: status(app).startswith("Match 1 of"))
        first = [v for v in main(app).pane.views if v.has_class("-match")]
        await pilot.press("down")
        await wait_until(pilot, lambda: status(app).startswith("Match 2 of"))
        second = [v for v in main(app).pane.views if v.has_class("-match")]
        assert first and second and first != second
        assert all(isinstance(v, MessageView) for v in first + second)
        await pilot.press("up")
        await wait_until(pilot, lambda: status(app).startswith("Match 1 of"))


async def test_deleting_marked_threads_asks_once_archives_and_logs(app, demo):
    targets = [
        thread_id(demo, t) for t in ("Password reset loop", "Cron syntax", "SQL join question")
    ]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        main(app).sidebar.threads.marked.update(targets)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Delete 3 threads" in screen_text(app)
        await pilot.press("y")
        await wait_until(pilot, lambda: status(app).startswith("Deleted 3"))
        assert demo.fake.count("DELETE", "/threads/{thread_id}") == 3
        for target in targets:
            assert target not in demo.services.registry
            assert archive_info(demo.services.registry, target) is not None
        assert not main(app).sidebar.threads.marked


async def test_more_than_ten_marked_threads_need_the_count_typed(app, demo):
    ids = [t["id"] for t in demo.fake.demo_threads() if t["kind"] == "thread"][:12]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        main(app).sidebar.threads.marked.update(ids)
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "Type 12 to confirm" in screen_text(app)
        await pilot.press(*"yes", "enter")
        await wait_until(pilot, lambda: "That is not 12" in screen_text(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        assert demo.fake.count("DELETE", "/threads/{thread_id}") == 0


async def test_read_only_session_shows_the_badge_hides_the_composer_and_sends_nothing(tmp_path):
    demo = start_demo(clock=ManualClock(), folder=tmp_path / "demo", read_only=True)
    app = ThreadtuiApp(demo.services, demo=True, identity=IDENTITY)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await open_thread(pilot, app, thread_id(demo, "Refund policy question"))
            assert "READ-ONLY" in screen_text(app).splitlines()[0]
            assert not main(app).composer.display
            for key in ("d", "n", "N", "M", "escape"):
                await pilot.press(key)
            await pilot.press("V")
            await wait_until(pilot, lambda: status(app).startswith("Checked"))
            writes = [r for r in demo.fake.requests if r.method in ("POST", "DELETE")]
            assert writes == []
            assert isinstance(app.screen, MainScreen)
    finally:
        demo.cleanup()


async def test_threads_of_a_retired_server_show_retired_not_gone_and_it_is_said_at_start(demo):
    from threadtui.core.finding import servers

    target = thread_id(demo, "Refund policy question")
    demo.fake.retired = True
    await servers.probe(demo.services, "demo")
    app = ThreadtuiApp(demo.services, demo=True, identity=IDENTITY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.pause()
        assert "no longer offers the Assistants API" in status(app)
        row = main(app).sidebar.index.row(main(app).sidebar.index.position_of(target))
        assert row.status == "retired"
        assert "(retired)" in screen_text(app) and "(gone)" not in screen_text(app)
        assert demo.services.registry.get(target).status != "gone"


async def test_a_search_result_opens_its_thread_at_the_message_once(app, demo):
    """The search screen asks the app to open the thread; it opens once, at the message."""
    from threadtui.tui.screens.search import SearchScreen

    target = thread_id(demo, "Capital cities quiz")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)  # opening archives what it shows
        wanted = next(v.message.id for v in main(app).pane.views if "Ottawa" in v.message.text)
        await pilot.press("escape", "S")
        await wait_until(pilot, lambda: isinstance(app.screen, SearchScreen))
        demo.fake.requests.clear()
        await pilot.press(*"Ottawa")
        await wait_until(pilot, lambda: "Capital cities quiz" in screen_text(app))
        await pilot.press("enter", "enter")  # to the results, then open the first
        await wait_until(
            pilot, lambda: isinstance(app.screen, MainScreen) and main(app).pane.message_ids
        )
        await wait_until(pilot, lambda: getattr(app.focused, "message", None) is not None)
        assert app.focused.message.id == wanted
        await pilot.pause(0.3)
        assert demo.fake.count("GET", "/threads/{thread_id}/messages") == 1
