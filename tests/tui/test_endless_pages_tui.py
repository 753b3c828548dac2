"""A server whose older pages never end (its cursor repeats, or two pages point at each
other) stops the TUI's paging with one sentence in the status bar, on both backends, and
asks no more however often the user presses [."""

from __future__ import annotations

import pytest

from .conftest import wait_until
from .test_main_screen import main, open_thread, status, thread_id

TITLES = {"thread": "Refund policy question", "conversation": "Packing for Reykjavík"}
WHAT_WAS_SAID = {
    "repeat": "the server answered with a cursor that did not move",
    "cycle": "the server came back to a page it had already sent",
}
REQUESTS = {"repeat": 2, "cycle": 3}  # the newest page, then older ones until caught
LISTS = r"/(messages|items)$"


@pytest.mark.parametrize("how", WHAT_WAS_SAID)
@pytest.mark.parametrize("kind", TITLES)
async def test_older_pages_stop_with_one_sentence(app, demo, kind: str, how: str) -> None:
    target = thread_id(demo, TITLES[kind])
    demo.fake.endless_pages(target, how)  # type: ignore[arg-type]
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        pane = main(app).pane
        pane.focus()
        for _ in range(3):  # a repeat is caught at the first older page, a cycle at the second
            if not pane.has_older:
                break
            await pilot.press("[")
            await wait_until(pilot, lambda: not pane.loading_older)
        said = status(app)
        assert WHAT_WAS_SAID[how] in said and target in said and "stopped after" in said
        assert pane.has_older is False
        asked = demo.fake.count("GET", regex=LISTS)
        assert asked == REQUESTS[how]
        await pilot.press("[")
        pane.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert demo.fake.count("GET", regex=LISTS) == asked  # no more requests
        assert len(pane.message_ids) == len(set(pane.message_ids))  # nothing shown twice
