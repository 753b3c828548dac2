"""A worker that fails with a UserError is told once, by the main screen's one handler: its
sentence in the status bar, as an error, and the app keeps running."""

from __future__ import annotations

from threadtui.core.store.registry import TrackedThread
from threadtui.tui.widgets.status_bar import StatusBar

from .conftest import thread_id, wait_until
from .test_main_screen import main, status

# A create is never sent twice (a copy nobody can list could be left behind), so a 500 ends
# in this sentence.
UNSURE = (
    "The server's answer was lost while creating the thread, so it may exist anyway without "
    "being tracked: try again (at worst an extra, untracked thread stays on the server)."
)


async def test_a_failed_create_is_one_error_sentence_in_the_status_bar(app, demo):
    tracked_before = len(demo.services.registry.tracked())
    demo.fake.inject("500", method="POST", path=r"^/threads$", times=None, retry_after=0)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        bar = main(app).query_one(StatusBar)
        said: list[str] = []
        bar.watch(bar, "message", lambda message: said.append(message), init=False)
        await pilot.press("n")
        await wait_until(pilot, lambda: main(app).status.tone == "error")
        await pilot.pause()
        assert status(app) == UNSURE
        assert said == ["Creating a thread…", UNSURE]  # said once, nothing after it
        assert demo.fake.count("POST", "/threads") == 1
        assert app.is_running
    assert len(demo.services.registry.tracked()) == tracked_before


async def test_a_refused_bulk_delete_is_its_sentence_in_the_status_bar(app, demo):
    # A marked thread still tracked under a profile since removed from config.toml.
    demo.services.registry.add_many([TrackedThread("thread_orphan1", "thread", "old")])
    marked = [thread_id(demo, "Password reset loop"), "thread_orphan1"]
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        main(app).sidebar.threads.marked.update(marked)
        await pilot.press("d")
        await wait_until(pilot, lambda: main(app).status.tone == "error")
        assert status(app).startswith("There is no profile 'old'")
        assert status(app).endswith("Nothing was deleted.")
        assert demo.fake.count("DELETE") == 0 and app.is_running
