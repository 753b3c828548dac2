"""Work on many threads at once, with live progress in the status bar: checking them
against their servers, and deleting the ones marked in the sidebar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadtui.core.auditing import prune
from threadtui.core.auditing.deletions import DeletionEntry
from threadtui.core.finding import servers
from threadtui.core.finding.checker import CheckProgress, check_threads
from threadtui.tui.dialogs.confirm import ConfirmDialog

if TYPE_CHECKING:
    from threadtui.tui.host import Host
    from threadtui.tui.widgets.status_bar import Tone


class BulkControl:
    def __init__(self, screen: Host) -> None:
        self.screen = screen

    # -- check --------------------------------------------------------------------------------
    def check(self, ids: list[str] | None) -> None:
        """Ask the servers about `ids` (None: every tracked thread)."""
        self.screen.run_worker(self._check(ids), group="check", exclusive=True, exit_on_error=False)

    async def _check(self, ids: list[str] | None) -> None:
        screen = self.screen
        status = screen.status

        def progress(p: CheckProgress) -> None:
            waiting = ""
            if p.paused_until is not None:
                left = max(0.0, p.paused_until - screen.services.clock.now())
                waiting = f" · rate limited, resuming in {left:.0f} s"
            status.say(
                f"Checking {p.done:,}/{p.total:,} · {p.live:,} live · {p.gone:,} gone · "
                f"{p.forbidden:,} forbidden · {p.errors:,} errors{waiting}",
                "progress",
            )

        status.say("Checking…", "progress")
        registry = screen.services.registry
        retired_before = servers.retired_profiles(registry)
        report = await check_threads(screen.services, ids, progress=progress)
        if ids is None or servers.retired_profiles(registry) != retired_before:
            screen.reload_index()  # every row, or every row of a server now (no longer) retired
        else:
            for thread_id in ids:  # not the whole index for a few rows: it is 100,000 at times
                screen.refresh_row(thread_id)
        if report.retired:
            hosts = ", ".join(sorted({s.host or s.profile for s in report.retired}))
            status.say(
                f"{hosts} no longer offers the Assistants API: your threads there are kept as they "
                "are (their archived copies still open).",
                "warning",
            )
            return
        tone: Tone = "warning" if report.gone or report.forbidden or report.errors else "success"
        status.say(
            f"Checked {report.done:,} · {len(report.live):,} live · {len(report.gone):,} gone · "
            f"{len(report.forbidden):,} forbidden · {len(report.errors):,} errors.",
            tone,
        )

    # -- delete many ----------------------------------------------------------------------------
    def delete_marked(self, ids: list[str]) -> None:
        self.screen.run_worker(
            self._confirm_and_delete(ids), group="bulk", exclusive=True, exit_on_error=False
        )

    async def _confirm_and_delete(self, ids: list[str]) -> None:
        screen, services, status = self.screen, self.screen.services, self.screen.status
        prune.check_local(services, ids)
        selection = prune.selection_of(services.registry, ids)
        status.say(f"Counting the messages of {len(ids)} threads…", "progress")
        await prune.fill_counts(services, selection)
        answer = prune.expected_answer(len(selection.ids))
        body = (
            f"Delete {selection.summary} for good?\n"
            "Each is archived locally first; a thread whose archive fails is not deleted. "
            "This cannot be undone on the server."
        )
        yes = await screen.app.push_screen_wait(
            ConfirmDialog(
                f"Delete {len(selection.ids)} threads",
                body,
                yes_label="Delete all",
                type_to_confirm=answer if answer != "yes" else None,
            )
        )
        if not yes:
            status.say("Nothing was deleted.")
            return
        total = len(selection.ids)

        def progress(done: int, _total: int, entry: DeletionEntry) -> None:
            status.say(
                f"Deleting {done:,}/{total:,} · last: {entry.thread_id} {entry.outcome}", "progress"
            )

        report = await prune.prune(services, selection.ids, progress=progress)
        screen.clear_marks()
        screen.close_thread_of(report.ids("deleted") + report.ids("gone"), "Thread deleted.")
        screen.reload_index()
        tone: Tone = "warning" if report.failed or report.stopped else "success"
        stopped = f" Stopped early: {report.stopped}" if report.stopped else ""
        status.say(
            f"Deleted {report.deleted:,} · already gone {report.gone:,} · failed {report.failed:,} "
            f"(the deletion log, L, says why).{stopped}",
            tone,
        )
