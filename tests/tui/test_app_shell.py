"""What surrounds the screens: keys remapped from config.toml, the command palette, help,
copying over SSH, starting without a key, the rate-limit countdown."""

from __future__ import annotations

from dataclasses import replace

from textual.command import CommandPalette
from textual.widgets import Static

from threadtui.clock import SteppedClock
from threadtui.core.services import Services
from threadtui.core.settings.config import Config, Profile
from threadtui.core.settings.paths import Locations
from threadtui.demo import start_demo
from threadtui.fakeapi import RunPlan
from threadtui.tui.app import ThreadtuiApp
from threadtui.tui.dialogs.confirm import ConfirmDialog
from threadtui.tui.dialogs.help import HelpScreen

from .conftest import IDENTITY, main, open_thread, status, thread_id, wait_until
from .screen import screen_text


async def test_keys_are_remapped_from_config_by_binding_id(demo):
    services = demo.services
    services.config = replace(services.config, keys={"threadtui.delete": "x"})
    app = ThreadtuiApp(services, demo=True, identity=IDENTITY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("d")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmDialog)  # d no longer deletes
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "deleted for good" in screen_text(app)


async def test_the_command_palette_offers_every_screen_action(app, demo):
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for action in (
            "Delete",
            "Import IDs",
            "Check every thread",
            "Runs",
            "Export",
            "Search archive",
            "Continue as a conversation",
            "Deletion log",
        ):
            assert action in titles
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"import")
        await wait_until(pilot, lambda: "Import IDs" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ImportDialog")


async def test_help_lists_keys_with_their_binding_ids(app, demo):
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        assert "threadtui.delete" in text and "threadtui.import" in text
        assert "ctrl+n starts a new line" in text


async def test_copy_puts_the_message_on_the_clipboard(app, demo):
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, thread_id(demo, "Refund policy question"))
        main(app).pane.views[-1].focus()
        await pilot.press("c")
        assert app.clipboard == main(app).pane.views[-1].message.text
        assert status(app).startswith("Copied msg_")


NO_KEY = (
    "No API key for profile 'default': set OPENAI_API_KEY in the environment, "
    "or add a profile with `threadtui profile add NAME --api-key-env VAR`."
)


async def test_without_a_key_the_app_opens_on_the_registry_and_says_how_to_set_up(tmp_path):
    locations = Locations(tmp_path / "config", tmp_path / "data", tmp_path / "logs")
    config = Config(
        {"default": Profile("default", "conversations")}, "default", implicit_default=True
    )
    services = Services(locations, config, env={})
    services.registry.add(
        "conv_0a1b2c3d", kind="conversation", profile="default", title="Kept locally"
    )
    app = ThreadtuiApp(services, identity=IDENTITY)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: main(app).sidebar.index.total == 1)
            await pilot.pause()  # the rows are in; let them reach the screen
            screen = app.screen
            text = screen_text(app)
            assert "Kept locally" in text
            assert "No API key for profile 'default': set OPENAI_API_KEY in the" in text
            assert str(main(app).pane.query_one("#pane-notice", Static).content) == NO_KEY
            await pilot.press("enter")
            await wait_until(pilot, lambda: status(app) == NO_KEY)
            # still running on the same screen, the row still listed: nothing lost
            assert app.return_code is None and app.screen is screen
            assert "Kept locally" in screen_text(app)
    finally:
        services.close()


async def test_a_rate_limited_poll_shows_a_countdown_and_the_run_still_ends(tmp_path):
    clock = SteppedClock()  # the countdown waits on this clock: the test moves it
    demo = start_demo(clock=clock, folder=tmp_path / "demo")
    app = ThreadtuiApp(demo.services, demo=True, identity=IDENTITY)
    target = thread_id(demo, "Refund policy question")
    demo.fake.script_runs(thread_id=target, outcomes=[RunPlan(start_after=1, finish_after=20)])
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await open_thread(pilot, app, target)
            # every attempt the SDK makes fails, so the poller itself must wait it out
            demo.fake.inject("429", method="GET", path=r"/runs/run_", times=3, retry_after=0.01)
            await pilot.press("w")
            main(app).composer.insert("hello")
            await pilot.press("enter")
            for _ in range(100):
                await wait_until(pilot, lambda: clock.sleeping)
                if "rate limited · retry in" in status(app):
                    break
                clock.advance(0.5)
            assert "rate limited · retry in" in status(app)
            for _ in range(200):
                if "completed" in status(app):
                    break
                await wait_until(pilot, lambda: clock.sleeping or "completed" in status(app))
                clock.advance(1)
            assert "completed" in status(app)
    finally:
        demo.cleanup()


async def test_a_crash_report_never_shows_the_api_key(demo, capsys, tmp_path):
    """Textual prints local variables in a crash; ours prints none and redacts keys."""
    from threadtui.core.settings.logs import start_log

    key = demo.services.profile().api_key(demo.services.env)
    log_file = start_log(tmp_path / "logs")
    app = ThreadtuiApp(demo.services, demo=True, identity=IDENTITY)

    def explode() -> None:
        api_key = key  # a frame holding the key, as Services.backend's does
        raise RuntimeError(f"boom with {api_key}")

    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
            app.call_later(explode)
            await pilot.pause(0.5)
    except RuntimeError:
        pass
    report = capsys.readouterr().err
    assert "RuntimeError" in report and "[redacted]" in report
    assert key not in report
    logged = log_file.read_text()
    assert "RuntimeError" in logged and key not in logged
