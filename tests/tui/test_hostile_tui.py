"""Hostile remote text in the TUI: shown literally, never obeyed, nothing reaches the
terminal. The corpus is tests/hardening/hostile.py, shared with the CLI and export tests."""

from __future__ import annotations

import pytest

from tests.hardening.hostile import BY_NAME, CORPUS, leaks, seed_each, seed_thread
from threadtui.tui.widgets.message_view import MessageView

from .conftest import main, open_thread, wait_until
from .screen import screen_text

SMALL = [h for h in CORPUS if not h.big]


@pytest.fixture
def hostile_threads(demo):
    """One tracked thread per corpus entry, each titled with its hostile text."""
    ids = seed_each(demo.fake)
    for name, thread_id in ids.items():
        demo.services.track(thread_id, title=BY_NAME[name].text[:200], profile_name="demo")
    return ids


async def test_every_hostile_message_is_shown_as_text_and_leaks_nothing(app, demo, hostile_threads):
    shown: list[str] = []  # the threads the pane really showed, one per corpus entry
    async with app.run_test(size=(110, 40)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total >= len(CORPUS))
        screen = app.screen
        for hostile in CORPUS:
            await open_thread(pilot, app, hostile_threads[hostile.name])
            await pilot.pause()
            shown.append(main(app).session.thread_id)
            text = screen_text(app)
            assert leaks(text) == [], hostile.name
            views = main(app).pane.views
            assert views[0].message.role == "user"
            if not hostile.big:
                assert hostile.literal in text, hostile.name
                if hostile.shown:
                    assert hostile.shown in text, hostile.name
        # nothing the text said was obeyed: no exit, no other screen
        assert app.return_code is None and app.screen is screen
    assert shown == [hostile_threads[hostile.name] for hostile in CORPUS]


async def test_clicking_markup_that_names_an_action_does_nothing(app, demo, hostile_threads):
    async with app.run_test(size=(110, 30)) as pilot:
        await open_thread(pilot, app, hostile_threads["click_action"])
        view = main(app).pane.views[0]
        screen = app.screen
        for x in range(2, 30, 3):
            await pilot.click(MessageView, offset=(x, 1))
        await pilot.pause()
        assert app.return_code is None and app.screen is screen  # app.quit was not run
        assert "[@click=app.quit]" in screen_text(app)
        assert view.message.text.startswith("[@click=app.quit]")


async def test_a_megabyte_line_and_a_hundred_thousand_lines_stay_responsive(
    app, demo, hostile_threads
):
    async with app.run_test(size=(110, 30)) as pilot:
        for name in ("big_line", "many_lines"):
            await open_thread(pilot, app, hostile_threads[name])
            await pilot.pause()
            shown = main(app).pane.views[0].render().renderables  # header, body, notice
            assert any("more characters not shown" in getattr(r, "plain", "") for r in shown)
            assert leaks(screen_text(app)) == []
            await pilot.press("escape", "down", "up")  # still answers keys
        # copying gives the whole message, not the cut shown on screen
        main(app).pane.views[0].focus()
        await pilot.press("c")
        assert len(app.clipboard) > 100_000


def test_the_whole_corpus_on_one_screen(snap_compare, tmp_path):
    """What an auditor sees of a thread full of hostile text (markup shown, escapes as ␛…)."""
    from threadtui.clock import ManualClock
    from threadtui.demo import start_demo
    from threadtui.tui.app import ThreadtuiApp

    demo = start_demo(clock=ManualClock(), folder=tmp_path / "demo")
    target = seed_thread(demo.fake, title="Hostile corpus")
    demo.services.track(target, title="Hostile corpus", profile_name="demo")
    app = ThreadtuiApp(demo.services, demo=True, identity="auditor@host")

    async def run_before(pilot) -> None:
        await open_thread(pilot, app, target)
        main(app).pane.scroll_home(animate=False, immediate=True)
        await pilot.pause()

    try:
        assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
    finally:
        demo.cleanup()
