"""The export dialog against the fake: formats, the default folder, redaction, files never
overwritten, gone threads from the archive without a request, and every failure as one
sentence with nothing written."""

from __future__ import annotations

import json
import stat

from threadtui.core.archive.export import FROM_ARCHIVE, FROM_SERVER
from threadtui.core.archive.store import archive_thread
from threadtui.tui.dialogs.export import ExportDialog
from threadtui.tui.messages import ThreadsChanged

from .conftest import flat, thread_id, wait_until
from .feature_host import NOT_YET, FeatureHost
from .screen import screen_text


def said(app) -> str:
    """The outcome line as the dialog shows it, before wrapping (paths are long)."""
    return app.feature.query_one("#export-state").content.plain


async def export_button(pilot) -> None:
    button = pilot.app.feature.query_one("#export")
    # A button ignores clicks for 0.2 s after one, as it shows being pressed.
    await wait_until(pilot, lambda: not button.has_class("-active"))
    await pilot.click("#export")


async def test_markdown_by_default_into_a_private_folder_under_home(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    target = thread_id(demo, "Refund policy question")
    app = FeatureHost(lambda: ExportDialog(demo.services, target))
    async with app.run_test(size=(80, 24)) as pilot:
        assert "~/threadtui-exports" in screen_text(app)
        await export_button(pilot)
        await wait_until(pilot, lambda: "Wrote" in screen_text(app))
        written = tmp_path / "home" / "threadtui-exports" / f"{target}.md"
        assert said(app).startswith(f"✓ Wrote {written}\n")
        assert "4 messages, from the server." in flat(app)
        assert stat.S_IMODE(written.stat().st_mode) == 0o600
        assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700
        assert "How do I get a refund for an annual plan?" in written.read_text()
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
        assert app.dismissed.path == written and app.dismissed.origin == FROM_SERVER
        assert [type(m) for m in app.received] == [ThreadsChanged]
        assert app.received[0].thread_ids == (target,)


async def test_json_with_redaction_and_a_taken_name_gets_a_new_one(demo, tmp_path):
    target = thread_id(demo, "Capital cities quiz")
    out = tmp_path / "out"
    app = FeatureHost(lambda: ExportDialog(demo.services, target, folder=out))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("right", "enter")  # JSON
        assert "Loses nothing" in screen_text(app)
        await pilot.click("#redact")
        await export_button(pilot)
        await wait_until(pilot, lambda: "Wrote" in screen_text(app))
        assert "6 messages, from the server; nothing needed redacting." in flat(app)
        document = json.loads((out / f"{target}.json").read_text())
        assert document["threadtui_export"]["redacted"] is True
        assert len(document["messages"]) == 6
        await export_button(pilot)
        await wait_until(pilot, lambda: "name was taken" in screen_text(app))
        assert str(out / f"{target}-1.json") in said(app)
        assert sorted(p.name for p in out.iterdir()) == [f"{target}-1.json", f"{target}.json"]


async def test_a_gone_thread_exports_its_archived_copy_without_asking_the_server(demo, tmp_path):
    target = thread_id(demo, "Password reset loop")
    await archive_thread(demo.services, target)
    demo.services.mark_gone(target, "No thread found.")
    demo.fake.requests.clear()
    app = FeatureHost(lambda: ExportDialog(demo.services, target, folder=tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        assert "gone from the server: the archived copy is exported (2 messages archived)" in flat(
            app
        )
        await pilot.press("right", "right", "enter")  # JSON Lines
        await export_button(pilot)
        await wait_until(pilot, lambda: "Wrote" in screen_text(app))
        assert "2 messages, from the local archive." in flat(app)
        lines = (tmp_path / f"{target}.jsonl").read_text().splitlines()
        assert [json.loads(line)["role"] for line in lines] == ["user", "assistant"]
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
        assert app.dismissed.origin == FROM_ARCHIVE
    assert len(demo.fake.requests) == 0
    assert app.received == []  # offline: nothing about the thread changed


async def test_failures_are_one_sentence_and_write_nothing(demo, tmp_path):
    gone = thread_id(demo, "Onboarding checklist (old)")  # never archived
    app = FeatureHost(lambda: ExportDialog(demo.services, gone, folder=tmp_path / "out"))
    async with app.run_test(size=(80, 24)) as pilot:
        await export_button(pilot)
        await wait_until(pilot, lambda: "✗" in screen_text(app))
        assert f"✗ {gone} is gone from the server and was never archived" in flat(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dismissed is None)
    assert not (tmp_path / "out").exists()

    target = thread_id(demo, "Refund policy question")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = FeatureHost(lambda: ExportDialog(demo.services, target, folder=blocker))
    async with app.run_test(size=(80, 24)) as pilot:
        await export_button(pilot)
        await wait_until(pilot, lambda: "✗" in screen_text(app))
        assert said(app) == f"✗ {blocker} is a file, not a folder: give a folder."
        box = app.feature.query_one("#folder")
        box.value = str(blocker / "inside")
        await export_button(pilot)
        await wait_until(pilot, lambda: "Cannot write" in screen_text(app))
        assert said(app) == (
            f"✗ Cannot write to {blocker / 'inside'} (Not a directory): nothing was written."
        )
        assert app.feature.query_one("#export").disabled is False  # try again with another
    assert blocker.read_text() == "not a folder"
