"""The deletion log screen after real deletes against the fake: newest first, every
outcome marked, the whole entry under the table, one thread's entries, read-only."""

from __future__ import annotations

from threadtui.core.auditing.deletions import delete_thread
from threadtui.demo import Demo
from threadtui.tui.screens.deletion_log import DeletionLogScreen

from .conftest import thread_id, wait_until
from .feature_host import FeatureHost
from .screen import screen_text


async def delete_some(demo: Demo) -> dict[str, str]:
    """Password reset: deleted (archived); Onboarding: gone; Capital cities: failed (403)."""
    ids = {t: thread_id(demo, t) for t in ("Password reset loop", "Onboarding checklist (old)")}
    ids["Capital cities quiz"] = thread_id(demo, "Capital cities quiz")
    clock = demo.services.clock
    await delete_thread(demo.services, ids["Password reset loop"])
    clock.advance(60)
    await delete_thread(demo.services, ids["Onboarding checklist (old)"])
    clock.advance(60)
    demo.fake.inject("403", method="DELETE", times=None)
    await delete_thread(demo.services, ids["Capital cities quiz"], archive=False)
    demo.fake.clear_faults()
    return ids


async def test_entries_newest_first_with_outcomes_and_the_whole_entry_below(demo):
    ids = await delete_some(demo)
    app = FeatureHost(lambda: DeletionLogScreen(demo.services))
    async with app.run_test(size=(120, 24)) as pilot:
        # Drawn: columns sized to the rows, and the line about the highlighted entry up.
        await wait_until(pilot, lambda: "Onboarding checklist (old)" in screen_text(app))
        await wait_until(pilot, lambda: app.feature.query_one("#dl-detail").display)
        text = screen_text(app)
        assert "3 entries: 1 deleted, 1 already gone, 1 failed." in text
        rows = [
            line
            for line in text.splitlines()
            if any(i in line for i in ids.values()) and " · " not in line  # not the line below
        ]
        assert [r.split()[1:3] for r in rows] == [["✗", "failed"], ["○", "gone"], ["✓", "deleted"]]
        failed, gone, deleted = rows
        assert "Capital cities quiz" in failed and "demo @ fake.local" in failed
        assert "Password reset loop" in deleted and " 2  yes " in deleted  # 2 messages, archived
        assert "Onboarding checklist (old)" in gone and "  no  " in gone  # nothing to archive
        # The highlighted (newest) entry in full: why it failed.
        assert "belongs to another organization or project" in " ".join(text.split())
        await pilot.press("down", "down")
        below = f"{ids['Password reset loop']} · archived to local archive in"
        await wait_until(pilot, lambda: below in " ".join(screen_text(app).split()))
        requests = len(demo.fake.requests)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dismissed is None)
        assert len(demo.fake.requests) == requests  # read-only: nothing was asked


async def test_only_one_threads_entries_when_asked(demo):
    ids = await delete_some(demo)
    app = FeatureHost(lambda: DeletionLogScreen(demo.services, ids["Onboarding checklist (old)"]))
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_until(pilot, lambda: "It was already gone" in screen_text(app))
        text = screen_text(app)
        assert "1 entry: 1 already gone." in text
        assert "Capital cities" not in text and "Password reset" not in text
        assert "It was already gone from the server: untracked it." in text


async def test_an_empty_log_says_so(demo):
    app = FeatureHost(lambda: DeletionLogScreen(demo.services))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.feature.entries is not None)
        await pilot.pause()
        assert "Nothing has been deleted with threadtui yet." in screen_text(app)
