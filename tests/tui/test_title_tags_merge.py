"""Issue 13, item 5: the title/tags form saves what the user changed, not the stale set it
showed, so tags the CLI added while it was open are kept, and the status line says so."""

from __future__ import annotations

from threadtui.core.store.registry import Registry
from threadtui.tui.dialogs.thread_forms import EditThreadDialog
from threadtui.tui.main_screen import MainScreen

from .conftest import thread_id, wait_until
from .test_main_screen import open_thread, status


async def test_tags_added_elsewhere_while_the_form_is_open_are_kept(app, demo):
    target = thread_id(demo, "Password reset loop")
    demo.services.registry.update(target, tags=("billing",))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("escape", "t")
        await wait_until(pilot, lambda: isinstance(app.screen, EditThreadDialog))
        # Meanwhile another process (the CLI) tags it, through its own connection.
        with Registry(demo.services.registry.path) as other:
            other.update(target, add_tags=["from-cli"])
        form = app.screen
        form.query_one("#tags").value = "billing, urgent"
        form.query_one("#title").value = "Reset loop (escalated)"
        await pilot.click("#ok")
        await wait_until(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_until(pilot, lambda: status(app).startswith("Saved"))
        tracked = demo.services.registry.get(target)
        assert set(tracked.tags) == {"billing", "urgent", "from-cli"}
        assert tracked.title == "Reset loop (escalated)"
        assert status(app) == (
            f"Saved title and tags of {target} (kept tags added meanwhile: from-cli)."
        )


async def test_a_tag_removed_in_the_form_is_removed_and_others_kept(app, demo):
    target = thread_id(demo, "Password reset loop")
    demo.services.registry.update(target, tags=("billing", "old"))
    async with app.run_test(size=(100, 30)) as pilot:
        await open_thread(pilot, app, target)
        await pilot.press("escape", "t")
        await wait_until(pilot, lambda: isinstance(app.screen, EditThreadDialog))
        with Registry(demo.services.registry.path) as other:
            other.update(target, title="renamed elsewhere")
        app.screen.query_one("#tags").value = "billing"
        await pilot.click("#ok")
        await wait_until(pilot, lambda: status(app).startswith("Saved"))
        tracked = demo.services.registry.get(target)
        assert tracked.tags == ("billing",)
        assert tracked.title == "renamed elsewhere"  # the form's untouched title is not saved


async def test_the_metadata_dialog_keeps_tags_the_cli_added_while_it_was_open(demo):
    from threadtui.tui.dialogs.metadata import MetadataDialog

    from .feature_host import NOT_YET, FeatureHost

    target = thread_id(demo, "Refund policy question")
    demo.services.registry.update(target, tags=("billing",))
    app = FeatureHost(lambda: MetadataDialog(demo.services, target))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = app.feature
        await wait_until(pilot, lambda: dialog.remote is not None)
        with Registry(demo.services.registry.path) as other:
            other.update(target, add_tags=["from-cli"])
        dialog.query_one("#tags").value = "billing, vip"
        dialog.action_save()
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
    assert set(demo.services.registry.get(target).tags) == {"billing", "vip", "from-cli"}
