"""What the feature screens and dialogs show, at 80x24 and 120x40, on the demo's data.

Each case builds a host app around one screen (tests/tui/feature_host.py) on a fresh demo
with a virtual clock; nothing depends on the machine (time zone, host name, temp paths).
Update after an intended change with
`pytest tests/tui/test_feature_snapshots.py --snapshot-update` and look at the SVGs in
__snapshots__/ before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from threadtui.clock import ManualClock
from threadtui.core.archive.store import archive_thread
from threadtui.core.auditing.deletions import delete_thread
from threadtui.demo import Demo, start_demo
from threadtui.tui.dialogs.export import ExportDialog
from threadtui.tui.dialogs.metadata import MetadataDialog
from threadtui.tui.screens.deletion_log import DeletionLogScreen
from threadtui.tui.screens.run_history import RunHistoryScreen
from threadtui.tui.screens.search import SearchScreen

from .conftest import settle, thread_id
from .feature_host import FeatureHost
from .screen import screen_text

SIZES = [(80, 24), (120, 40)]

Prepare = Callable[[Demo], Awaitable[Callable[[], Screen]]]
Drive = Callable[[Pilot], Awaitable[None]]


def shows(text: str) -> Drive:
    async def drive(pilot: Pilot) -> None:
        await settle(pilot, lambda: text in screen_text(pilot.app))

    return drive


def table_drawn(selector: str, cell: str) -> Drive:
    """Loaded and drawn: the line about the highlighted row is up (it follows a later
    message), and `cell` shows whole (the table sizes its columns a moment after the rows
    arrive)."""

    async def drive(pilot: Pilot) -> None:
        await settle(
            pilot,
            lambda: (
                any(w.display for w in pilot.app.feature.query(selector))
                and cell in screen_text(pilot.app)
            ),
        )

    return drive


# -- the cases ---------------------------------------------------------------------------------
async def run_history(demo: Demo):
    target = thread_id(demo, "Batch job failed")
    return lambda: RunHistoryScreen(demo.services, target)


async def run_steps(demo: Demo):
    target = thread_id(demo, "Parse a CSV in Python")
    return lambda: RunHistoryScreen(demo.services, target)


async def open_steps(pilot: Pilot) -> None:
    await table_drawn("#rh-detail", "✓ completed")(pilot)
    await pilot.press("enter")
    await settle(pilot, lambda: "Counter(" in screen_text(pilot.app))


async def search(demo: Demo):
    for title in ("Refund policy question", "Invoice missing VAT number", "Markup in pasted logs"):
        await archive_thread(demo.services, thread_id(demo, title))
    return lambda: SearchScreen(demo.services, "invoice")


async def deletion_log(demo: Demo):
    clock = demo.services.clock
    await delete_thread(demo.services, thread_id(demo, "Password reset loop"))
    clock.advance(3600)
    await delete_thread(demo.services, thread_id(demo, "Onboarding checklist (old)"))
    clock.advance(60)
    demo.fake.inject("403", method="DELETE", times=None)
    await delete_thread(demo.services, thread_id(demo, "Capital cities quiz"), archive=False)
    demo.fake.clear_faults()
    return lambda: DeletionLogScreen(demo.services)


async def export(demo: Demo):
    target = thread_id(demo, "Docs: data retention policy")
    return lambda: ExportDialog(demo.services, target)


async def metadata(demo: Demo):
    target = thread_id(demo, "Refund policy question")
    return lambda: MetadataDialog(demo.services, target)


async def metadata_problem(pilot: Pilot) -> None:
    await settle(pilot, lambda: pilot.app.feature.remote is not None)
    await pilot.press("ctrl+n")
    await pilot.press(*"owner", "tab")
    pilot.app.feature.query(".value").last().value = "x" * 513
    await settle(pilot, lambda: "string too long" in screen_text(pilot.app))


CASES: dict[str, tuple[Prepare, Drive]] = {
    "run_history": (run_history, table_drawn("#rh-detail", "✓ completed")),
    "run_steps": (run_steps, open_steps),
    "search": (search, shows("matching message")),
    "deletion_log": (deletion_log, table_drawn("#dl-detail", "Onboarding checklist (old)")),
    "export": (export, shows("Export “Docs: data retention policy”")),
    "metadata": (metadata, metadata_problem),
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(CASES))
def test_feature(snap_compare, tmp_path, name, size):
    prepare, drive = CASES[name]
    demo = start_demo(clock=ManualClock(), folder=tmp_path / "demo")

    async def run_before(pilot: Pilot) -> None:
        # Prepared inside the app's event loop, where the backends' HTTP clients live.
        make = await prepare(demo)
        pilot.app.show(make())
        await drive(pilot)

    try:
        assert snap_compare(FeatureHost(), terminal_size=size, run_before=run_before)
    finally:
        demo.cleanup()
