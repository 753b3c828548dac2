"""A worker that fails with a UserError is told once, by the main screen's one handler: its
sentence in the status bar, as an error, and the app keeps running."""

from __future__ import annotations

from threadtui.tui.widgets.status_bar import StatusBar

from .conftest import wait_until
from .test_main_screen import main, status

# A create is never sent twice (a copy nobody can list could be left behind), so a 500 ends
# in this sentence.
UNSURE = (
    "The server's answer was lost while creating the thread, so it may exist anyway without "
    "being tracked: try again (at worst an extra, untracked thread stays on the server)."
)


async def test_a_failed_create_is_one_error_sentence_in_the_status_bar(app, demo):
    tracked_before = len(demo.services.registry.list())
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
    assert len(demo.services.registry.list()) == tracked_before
