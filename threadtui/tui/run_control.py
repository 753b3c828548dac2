"""Sending a message and following its run, for the main screen.

Send adds the message (exactly once), starts a run with the thread's assistant, follows
it in the status bar with `RunPoller`, and on the end fetches only that run's messages.
The composer keeps the text until the message has landed, and says why it waits.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from threadtui.api.errors import ApiError, RunActive
from threadtui.api.models import Run
from threadtui.core.chat.poller import PollUpdate, RunPoller
from threadtui.core.chat.session import ThreadSession
from threadtui.core.store.thread_index import IndexRow
from threadtui.core.text.sanitize import id_text
from threadtui.tui.dialogs.pick_assistant import PickAssistantDialog
from threadtui.tui.dialogs.tool_outputs import CANCEL_RUN, ToolOutputsDialog

if TYPE_CHECKING:
    from threadtui.tui.host import Host
    from threadtui.tui.widgets.status_bar import Tone

log = logging.getLogger(__name__)

END_TONES: dict[str, Tone] = {
    "completed": "success",
    "failed": "error",
    "expired": "error",
    "incomplete": "warning",
    "cancelled": "warning",
    "requires_action": "warning",
}


class RunControl:
    def __init__(self, screen: Host) -> None:
        self.screen = screen
        self.poller: RunPoller | None = None
        self.sending = False

    @property
    def active(self) -> bool:
        return self.sending or self.poller is not None or self.asking

    asking = False  # the tool-outputs dialog is open

    def cancel(self) -> None:
        if self.poller is not None:
            self.poller.cancel()
            self.screen.status.say(
                f"Cancelling {self.poller.latest.run.id if self.poller.latest else 'the run'}…",
                "progress",
            )

    def resume(self, session: ThreadSession, run: Run) -> None:
        """Follow a run that was already active when the thread was opened."""
        if self.active:
            return
        self.screen.status.say(f"{run.id} is {run.status}: following it.", "progress")
        self.screen.run_worker(
            self._follow(session, run), group="run", exclusive=True, exit_on_error=False
        )

    def send(self, row: IndexRow, session: ThreadSession, text: str) -> None:
        if self.active:
            self.screen.status.say(
                "A run is still going: wait for it, or press Esc to cancel it.", "warning"
            )
            return
        self.sending = True
        self.screen.refresh_bindings()
        self.screen.run_worker(
            self._send(row, session, text), group="run", exclusive=True, exit_on_error=False
        )

    async def _send(self, row: IndexRow, session: ThreadSession, text: str) -> None:
        screen, status, composer = self.screen, self.screen.status, self.screen.composer
        services = screen.services
        profile = services.profile(row.profile)
        composer.wait_for("Sending…")
        try:
            assistant_id = None  # conversations answer with a model, not an assistant
            if session.backend.kind == "assistants":
                assistant_id = await self._assistant_for(row, session, profile.default_assistant)
                if assistant_id is None:
                    return
            status.say("Sending…", "progress")
            message = await session.backend.add_message(session.thread_id, text)
            composer.clear()
            await screen.pane.append([message])
            run = await session.backend.start_run(
                session.thread_id, assistant_id=assistant_id, model=profile.default_model
            )
            if assistant_id:
                services.remember_assistant(row.id, assistant_id)
        except RunActive as problem:  # a warning, not an error: the thread is busy
            status.say(problem.user_message, "warning")
            return
        finally:
            self.sending = False
            if self.poller is None:
                composer.ready()
        await self._follow(session, run)

    async def _assistant_for(
        self, row: IndexRow, session: ThreadSession, default: str | None
    ) -> str | None:
        remembered = self.screen.services.remembered_assistant(row.id)
        choice = await session.choose_assistant(remembered, default)
        if choice.assistant_id is not None:
            return choice.assistant_id
        status = self.screen.status
        if not choice.candidates:
            status.say(
                "This server has no assistants: create one, or set default_assistant in the profile.",
                "error",
            )
            return None
        picked = await self.screen.app.push_screen_wait(PickAssistantDialog(choice.candidates))
        if picked is None:
            status.say("No assistant chosen: the message was not sent.", "warning")
        return picked

    async def _follow(self, session: ThreadSession, run: Run) -> None:
        """Follow `run` to its end; whatever goes wrong, the composer and the thread are
        usable again afterwards, with one sentence in the status bar."""
        screen, status, composer = self.screen, self.screen.status, self.screen.composer
        screen.refresh_bindings()
        try:
            await self._follow_until_done(session, run)
        except Exception as exc:
            log.exception("Following a run failed")
            status.say(
                f"Stopped following the run after an unexpected error ({type(exc).__name__}): "
                "reload the thread to see how it ended.",
                "error",
            )
        finally:
            self.poller = None
            self.asking = False
            composer.ready()
            screen.refresh_bindings()

    async def _follow_until_done(self, session: ThreadSession, run: Run) -> None:
        screen, status, composer = self.screen, self.screen.status, self.screen.composer
        while True:
            self.poller = RunPoller(
                session.backend, run, clock=screen.services.clock, on_update=self._progress
            )
            composer.wait_for(f"Waiting for {id_text(run.id)} · esc cancels")
            final = await self.poller.run()
            self.poller = None
            run = final.run
            if final.finished and run.status == "requires_action" and final.error is None:
                status.say(final.message, "warning")
                self.asking = True
                try:
                    answer = await screen.app.push_screen_wait(ToolOutputsDialog(run))
                finally:
                    self.asking = False
                if isinstance(answer, dict):
                    try:
                        run = await session.backend.submit_tool_outputs(
                            session.thread_id, run.id, answer
                        )
                    except ApiError as problem:
                        status.say(problem.user_message, "error")
                        break
                    continue
                if answer == CANCEL_RUN:
                    try:
                        run = await session.backend.cancel_run(session.thread_id, run.id)
                    except ApiError as problem:
                        status.say(problem.user_message, "error")
                        break
                    continue
                status.say(final.message + " Reopen the thread to answer later.", "warning")
                break
            if run.status in ("completed", "incomplete", "failed", "cancelled", "expired"):
                try:
                    new = await session.messages_of_run(run.id)
                except ApiError as problem:
                    status.say(problem.user_message, "error")
                    break
                await screen.pane.append(new)
                screen.services.run_finished(session.thread_id, run, new)
            tone: Tone = (
                "error" if final.error or final.timed_out else END_TONES.get(run.status, "info")
            )
            status.say(final.message, tone)
            break

    def _progress(self, update: PollUpdate) -> None:
        if not update.finished:
            tone: Tone = (
                "warning" if update.rate_limited_for is not None or update.problem else "progress"
            )
            self.screen.status.say(update.describe(), tone)
