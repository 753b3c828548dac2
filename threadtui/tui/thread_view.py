"""Opening a thread in the main screen: live from its server, or from the local archive.

A live thread shows its newest page after one request; older pages come as the user
scrolls up. When the server says the thread is gone, or cannot be reached, or the thread
is already known to be gone, its archived transcript opens instead, read-only, saying so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from threadtui.api.errors import ApiError
from threadtui.core.chat.opening import Opened, open_thread
from threadtui.core.chat.session import ArchivedSession, ThreadSession
from threadtui.core.settings.config import ConfigError
from threadtui.core.store.registry import StorageError
from threadtui.core.store.thread_index import IndexRow
from threadtui.core.text.sanitize import one_line
from threadtui.core.text.timefmt import stamp

if TYPE_CHECKING:
    from threadtui.tui.host import Host

Session = ThreadSession | ArchivedSession
MAX_PAGES_TO_FIND = 50  # how far back "open at this message" pages before giving up


class ThreadView:
    def __init__(self, screen: Host) -> None:
        self.screen = screen
        self.session: Session | None = None
        self.row: IndexRow | None = None

    @property
    def archived(self) -> bool:
        return isinstance(self.session, ArchivedSession)

    def open(self, row: IndexRow, message_id: str | None = None, *, announce: str = "") -> None:
        """Open `row`; `announce` replaces "Opened …" in the status bar once it is shown."""
        self.row = row
        self.show_title(row, None)
        self.screen.run_worker(
            self._open(row, message_id, announce),
            group="thread",
            exclusive=True,
            exit_on_error=False,
        )

    def close(self, notice: str = "") -> None:
        self.row = self.session = None
        self.screen.show_thread_title("")
        self.screen.run_worker(self.screen.pane.clear(notice), exit_on_error=False)

    def show_title(self, row: IndexRow, loaded: int | None) -> None:
        title = one_line(row.title, 200) if row.title else "(untitled)"
        line = Text(title, style="bold")
        if loaded is not None:
            more = "+" if self.session and self.session.has_older else ""
            line.append(
                f" · {loaded}{more} message{'' if loaded == 1 and not more else 's'}", style="dim"
            )
        if self.archived:
            line.append(" · archived copy", style="bold yellow")
        line.append(f" · {row.id}", style="dim")
        self.screen.show_thread_title(line)

    # -- opening -------------------------------------------------------------------------------
    async def _open(self, row: IndexRow, message_id: str | None, announce: str) -> None:
        screen, services, pane = self.screen, self.screen.services, self.screen.pane
        await pane.clear("Loading…")
        self.session = None  # not the thread that was open before
        try:
            opened = await open_thread(services, row.id, known_gone=row.status == "gone")
        except ApiError as problem:
            screen.refresh_row(row.id)  # a 404 marked it gone
            await self._fail(problem.user_message)
            return
        except (ConfigError, StorageError) as problem:  # no key, wrong profile, locked store
            await self._fail(str(problem))
            return
        session = self.session = opened.session
        messages = opened.messages
        if opened.why_archived:
            screen.refresh_row(row.id)
            await self._show_archived(row, opened, message_id)
            return
        assert isinstance(session, ThreadSession)
        pane.now = services.clock.now()
        await pane.show_messages(messages, has_older=session.has_older)
        if not messages:
            pane.show_notice("No messages yet: type below to start.")
        self.show_title(row, len(messages))
        screen.composer_for(session)
        screen.refresh_row(row.id)  # now known to be live
        screen.status.say(announce or f"Opened {row.id}.", "success" if announce else "info")
        screen.run_worker(self._names(row), group="names", exclusive=True, exit_on_error=False)
        screen.run_worker(
            self._resume(session), group="resume", exclusive=True, exit_on_error=False
        )
        if message_id:
            await self._reveal(message_id)

    async def _show_archived(self, row: IndexRow, opened: Opened, message_id: str | None) -> None:
        screen, services, pane = self.screen, self.screen.services, self.screen.pane
        session = opened.session
        assert isinstance(session, ArchivedSession)
        pane.now = services.clock.now()
        await pane.show_messages(opened.messages, has_older=session.has_older)
        tracked = services.registry.get(row.id)
        when = (
            f" (checked {stamp(tracked.checked_at, services.clock.now())})"
            if tracked and tracked.checked_at
            else ""
        )
        pane.show_notice(
            f"{opened.why_archived.rstrip('.')}{when}. Showing the archived copy ({session.total} messages), read-only: "
            "N continues in a new thread."
        )
        self.show_title(row, session.total)
        screen.composer_for(session)
        screen.status.say(f"{row.id}: archived copy, read-only.", "warning")
        if message_id:
            await self._reveal(message_id)

    async def _fail(self, sentence: str) -> None:
        await self.screen.pane.clear(sentence)
        self.screen.composer_for(None)
        self.screen.status.say(sentence, "error")

    async def _names(self, row: IndexRow) -> None:
        try:
            names = await self.screen.services.assistant_names(row.profile)
        except (ApiError, ConfigError):
            return  # names are a nicety; the IDs are shown either way
        pane = self.screen.pane
        pane.assistant_names.update(names)
        for view in pane.views:
            view.refresh()

    async def _resume(self, session: ThreadSession) -> None:
        """A run left going (or waiting for tool outputs) is followed again on open."""
        run = await session.active_run()
        if run is not None and session is self.session:
            self.screen.resume_run(session, run)

    # -- older pages ---------------------------------------------------------------------------
    async def older(self) -> None:
        session, pane = self.session, self.screen.pane
        if session is None:
            return
        try:
            messages = await session.older()
        except ApiError as problem:
            pane.loading_older = False
            pane.has_older = session.has_older  # after EndlessPages: asked no more
            pane.show_notice(problem.user_message)
            self.screen.status.say(problem.user_message, "error")
            return
        if session is not self.session:
            return  # the user opened another thread meanwhile
        await pane.prepend_older(messages, has_older=session.has_older)
        if self.row:
            self.show_title(self.row, len(pane.message_ids))
        if isinstance(session, ThreadSession):
            self.screen.services.thread_page_loaded(session.thread_id, messages)

    async def _reveal(self, message_id: str) -> None:
        """Page back until `message_id` is loaded, then focus it (for search results)."""
        pane = self.screen.pane
        for _ in range(MAX_PAGES_TO_FIND):
            if message_id in pane.message_ids or self.session is None or not self.session.has_older:
                break
            await self.older()
        for view in pane.views:
            if view.message.id == message_id:
                view.focus()
                pane.scroll_to_widget(view, animate=False, top=True)
                return
        self.screen.status.say(f"{message_id} is not in this thread any more.", "warning")
