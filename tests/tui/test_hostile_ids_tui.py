"""IDs a server makes, shown and copied in the TUI: escapes, bidi controls and markup in a
run, message, assistant or thread ID never reach the terminal or the clipboard raw, and a
create answered with a malformed thread ID tracks nothing."""

from __future__ import annotations

from textual.app import App

from tests.hardening.hostile import leaks, seed_each
from threadtui.api.models import AssistantInfo
from threadtui.clock import SteppedClock
from threadtui.core.text.sanitize import clean
from threadtui.demo import start_demo
from threadtui.fakeapi import RunPlan
from threadtui.tui.app import ThreadtuiApp
from threadtui.tui.dialogs.pick_assistant import PickAssistantDialog

from .conftest import IDENTITY, thread_id, wait_until
from .screen import screen_text
from .test_main_screen import main, open_thread, status

# An OSC 52 clipboard write ended by ST (ESC \, which Rich lets through), a window title,
# a screen clear, a C1 CSI, bidi and format controls and an action in markup.
HOSTILE_ID = (
    "run_\x1b]52;c;cm0gLXJmIH4vCg==\x1b\\\x1b]0;owned\x07\x1b[2J\x9b31m"
    "\u202e\u061c\u2066[@click=app.quit]x[/]"
)


async def test_a_hostile_run_id_is_shown_inert_while_waiting_and_esc_still_cancels(tmp_path):
    clock = SteppedClock()  # the run stays in progress until the test moves time on
    demo = start_demo(clock=clock, folder=tmp_path / "demo")
    app = ThreadtuiApp(demo.services, demo=True, identity=IDENTITY)
    target = thread_id(demo, "Refund policy question")
    demo.fake.script_runs(thread_id=target, outcomes=[RunPlan(start_after=1, finish_after=300)])
    demo.fake.store.ids.next["run_"] = [HOSTILE_ID]
    async with app.run_test(size=(110, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("w")
        main(app).composer.insert("take your time")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Waiting for" in main(app).composer.border_subtitle)
        waiting = main(app).composer.border_subtitle
        assert waiting.startswith("Waiting for run_␛]52;c;")  # shown, as a visible stand-in
        assert leaks(waiting) == [] and leaks(screen_text(app)) == []
        await pilot.press("escape")  # the raw ID still names the run to the server
        await wait_until(
            pilot,
            lambda: demo.fake.count("POST", "/threads/{thread_id}/runs/{run_id}/cancel") == 1,
        )
        await wait_until(pilot, lambda: clock.sleeping)
        clock.advance(5)
        await wait_until(pilot, lambda: "was cancelled" in status(app))
        assert leaks(status(app)) == []
        assert isinstance(app.screen, type(main(app)))  # the markup in the ID did nothing
    demo.cleanup()


async def test_copy_puts_on_the_clipboard_what_the_screen_shows(app, demo):
    ids = seed_each(demo.fake)
    for name in ("osc52_clipboard", "bidi", "window_title"):
        demo.services.track(ids[name], title=name, profile_name="demo")
    async with app.run_test(size=(110, 30)) as pilot:
        for name in ("osc52_clipboard", "bidi", "window_title"):
            await open_thread(pilot, app, ids[name])
            view = main(app).pane.views[0]
            view.focus()
            await pilot.press("c")
            await wait_until(pilot, lambda: "Copied" in status(app))
            assert app.clipboard == clean(view.message.text), name  # not the raw server text
            assert app.clipboard != view.message.text and leaks(app.clipboard) == [], name
            assert leaks(status(app)) == []


async def test_a_new_thread_the_server_names_with_escapes_is_refused_and_not_tracked(app, demo):
    demo.fake.store.ids.next["thread_"] = ["thread_\x1b]0;owned\x07abc"]
    before = {t.id for t in demo.services.registry.tracked()}
    async with app.run_test(size=(110, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("n")
        await wait_until(pilot, lambda: "not tracked" in status(app))
        said = status(app)
        assert "made a thread but named it “thread_␛]0;owned" in said
        assert leaks(said) == [] and leaks(screen_text(app)) == []
    assert {t.id for t in demo.services.registry.tracked()} == before


async def test_the_assistant_picker_shows_hostile_ids_inert_and_returns_the_chosen_one():
    assistants = [
        AssistantInfo(id="asst_\x1b]52;c;ZXZpbA==\x1b\\A1", name="Same", model="gpt-4o"),
        AssistantInfo(id="asst_\x1b]52;c;ZXZpbA==\x1b\\A1", name="Twin", model="\u202egpt"),
    ]
    picked: list[str | None] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(PickAssistantDialog(assistants), picked.append)

    host = Host()
    async with host.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        shown = screen_text(host)
        assert "asst_␛]52;c;ZXZpbA==" in shown and "Twin" in shown  # a repeated ID is fine
        assert leaks(shown) == []
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: picked)
    assert picked == [assistants[1].id]


async def test_run_history_shows_and_copies_a_hostile_run_id_inert(demo):
    from threadtui.core.text.sanitize import id_text
    from threadtui.tui.screens.run_history import RunHistoryScreen

    from .feature_host import FeatureHost
    from .test_run_history import loaded, run_to_its_end

    target = thread_id(demo, "Password reset loop")
    demo.fake.store.ids.next["run_"] = [HOSTILE_ID]
    await run_to_its_end(demo, target)
    app = FeatureHost(lambda: RunHistoryScreen(demo.services, target))
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("c")
        await wait_until(pilot, lambda: app.clipboard)
        assert app.clipboard == id_text(HOSTILE_ID) and leaks(app.clipboard) == []
        await pilot.pause()
        text = screen_text(app)
        assert "run_␛]52;c;" in text and leaks(text) == []
        assert app.is_running
