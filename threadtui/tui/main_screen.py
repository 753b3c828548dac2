"""The main screen: sidebar of tracked threads, the open thread, the composer, the status bar.

All I/O runs in workers; each worker awaits the core and then updates widgets on the app's
loop. Every API failure ends as one sentence in the status bar; nothing typed is lost.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from threadtui.api.errors import ApiError, NotFound
from threadtui.core.chat import ThreadSession
from threadtui.core.config import ConfigError
from threadtui.core.ids import WrongIdKind, short
from threadtui.core.registry import StorageError
from threadtui.core.sanitize import one_line
from threadtui.core.thread_index import IndexRow
from threadtui.tui.dialogs.confirm import ConfirmDialog
from threadtui.tui.dialogs.help import HelpScreen
from threadtui.tui.dialogs.thread_forms import AddThreadDialog, EditThreadDialog, ThreadDetails
from threadtui.tui.run_control import RunControl
from threadtui.tui.widgets.composer import Composer
from threadtui.tui.widgets.header_bar import HeaderBar
from threadtui.tui.widgets.message_pane import MessagePane
from threadtui.tui.widgets.sidebar import Sidebar
from threadtui.tui.widgets.status_bar import StatusBar
from threadtui.tui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from threadtui.core.services import Services

log = logging.getLogger("threadtui.tui")


def describe_failure(error: BaseException | None) -> str:
    """One sentence for the status bar, whatever went wrong."""
    if isinstance(error, ApiError):
        return error.user_message
    if isinstance(error, (ConfigError, StorageError, WrongIdKind)):
        return str(error)
    return (
        f"Something unexpected failed ({type(error).__name__}); threadtui kept running and "
        "wrote the details to its log."
    )


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", id="threadtui.filter"),
        Binding("a", "add", "Add ID", id="threadtui.add"),
        Binding("n", "new_thread", "New", id="threadtui.new"),
        Binding("d", "delete", "Delete", id="threadtui.delete"),
        Binding("u", "untrack", "Untrack", show=False, id="threadtui.untrack"),
        Binding("t", "edit", "Title/tags", show=False, id="threadtui.edit"),
        Binding("s", "sort", "Sort", show=False, id="threadtui.sort"),
        Binding("c", "copy", "Copy", show=False, id="threadtui.copy"),
        Binding("i", "compose", "Write", show=False, id="threadtui.write"),
        Binding("escape", "cancel_run", "Cancel run", id="threadtui.cancel_run"),
        Binding("question_mark", "help", "Help", id="threadtui.help"),
        Binding("q", "app.quit", "Quit", id="threadtui.quit_q"),
    ]

    def __init__(self, services: Services, *, demo: bool = False, identity: str = "") -> None:
        super().__init__()
        self.services = services
        self.demo = demo
        self.identity = identity
        self.session: ThreadSession | None = None
        self.open_row: IndexRow | None = None
        self.runs = RunControl(self)

    # -- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="thread"):
                yield Static("", id="thread-title", markup=False)
                yield MessagePane(id="messages")
                yield Composer(id="composer")
        yield StatusBar(id="status")
        yield Footer()

    @property
    def sidebar(self) -> Sidebar:
        return self.query_one(Sidebar)

    @property
    def pane(self) -> MessagePane:
        return self.query_one(MessagePane)

    @property
    def composer(self) -> Composer:
        return self.query_one(Composer)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_mount(self) -> None:
        header = self.query_one(HeaderBar)
        profile = self.services.profile()
        header.profile = profile.name
        header.server = profile.host
        header.where = self.identity
        header.read_only = self.services.read_only
        header.demo = self.demo
        self.composer.display = not self.services.read_only
        self.sidebar.threads.now = self.services.clock.now
        self.sidebar.update_title()
        self.sidebar.threads.focus()
        self.pane.show_notice(self._welcome())
        self.load_index()

    def _welcome(self) -> str:
        if not self.services.has_key():
            return self.services.setup_hint()
        return "Pick a thread on the left (enter), add one by ID (a) or start a new one (n)."

    # -- failures nobody expected ------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker failed in a way no handler foresaw: say so, log it, keep running."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        log.error("worker %s failed", event.worker.name, exc_info=error)
        self.status.say(describe_failure(error), "error")

    # -- the registry -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def load_index(self) -> None:
        index = self.services.thread_index()
        self.app.call_from_thread(self._index_loaded, index)

    def _index_loaded(self, index) -> None:
        self.sidebar.set_index(index)
        self.call_after_refresh(self._warm_up)
        if index.total == 0:
            self.status.say(
                "No threads tracked yet: press a to add one by ID, or n for a new thread."
            )

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import the SDK off the UI thread after first paint: it takes about a second, and
        doing it on first open would freeze the screen."""
        if self.services.has_key():
            from threadtui.api.client import warm_up

            warm_up()

    def _refresh_row(self, thread_id: str) -> None:
        row = self.services.index_row(thread_id)
        if row is None:
            self.sidebar.index.remove([thread_id])
        else:
            self.sidebar.index.upsert(row)
        self.sidebar.refresh_rows(keep_id=thread_id)

    # -- opening a thread ---------------------------------------------------------------------
    def on_thread_list_selected(self, event: ThreadList.Selected) -> None:
        self.open_thread(event.row)

    def open_thread(self, row: IndexRow) -> None:
        if self.runs.active and self.open_row and self.open_row.id != row.id:
            self.status.say(
                "A run is in progress in this thread: wait for it or press Esc to cancel it first.",
                "warning",
            )
            return
        self.open_row = row
        self._show_title(row, None)
        self._load_newest(row)

    def _show_title(self, row: IndexRow, loaded: int | None) -> None:
        title = one_line(row.title, 200) if row.title else "(untitled)"
        line = Text(title, style="bold")
        if loaded is not None:
            more = "+" if self.session and self.session.has_older else ""
            line.append(
                f" · {loaded}{more} message{'' if loaded == 1 and not more else 's'}", style="dim"
            )
        line.append(f" · {row.id}", style="dim")
        self.query_one("#thread-title", Static).update(line)

    @work(exclusive=True, group="thread", exit_on_error=False)
    async def _load_newest(self, row: IndexRow) -> None:
        await self.pane.clear("Loading…")
        try:
            backend = self.services.backend(row.profile)
            self.session = ThreadSession(backend, row.id)
            messages = await self.session.newest()
        except NotFound as problem:
            await self.pane.clear(problem.user_message)
            self.services.mark_gone(row.id, problem.user_message)
            self._refresh_row(row.id)
            self.status.say(problem.user_message, "error")
            return
        except ApiError as problem:
            await self.pane.clear(problem.user_message)
            self.status.say(problem.user_message, "error")
            return
        except (ConfigError, StorageError) as problem:  # no key, wrong profile, locked store
            await self.pane.clear(str(problem))
            self.status.say(str(problem), "error")
            return
        self.pane.now = self.services.clock.now()
        await self.pane.show_messages(messages, has_older=self.session.has_older)
        if not messages:
            self.pane.show_notice("No messages yet: type below to start.")
        self._show_title(row, len(messages))
        self.services.thread_opened(row.id, messages)
        self._refresh_row(row.id)  # now known to be live
        self.status.say(f"Opened {row.id}.")
        self._load_assistant_names(row)
        self._resume_active_run(self.session)

    @work(exclusive=True, group="resume", exit_on_error=False)
    async def _resume_active_run(self, session: ThreadSession) -> None:
        """A run left going (or waiting for tool outputs) is followed again on open."""
        run = await session.active_run()
        if run is not None and session is self.session:
            self.runs.resume(session, run)

    @work(exclusive=True, group="names", exit_on_error=False)
    async def _load_assistant_names(self, row: IndexRow) -> None:
        try:
            names = await self.services.assistant_names(row.profile)
        except ApiError:
            return
        self.pane.assistant_names.update(names)
        for view in self.pane.views:
            view.refresh()

    def on_message_pane_need_older(self, event: MessagePane.NeedOlder) -> None:
        self._load_older()

    @work(exclusive=True, group="older", exit_on_error=False)
    async def _load_older(self) -> None:
        session = self.session
        if session is None:
            return
        try:
            messages = await session.older()
        except ApiError as problem:
            self.pane.loading_older = False
            self.pane.show_notice(problem.user_message)
            self.status.say(problem.user_message, "error")
            return
        if session is not self.session:
            return  # the user opened another thread meanwhile
        await self.pane.prepend_older(messages, has_older=session.has_older)
        if self.open_row:
            self._show_title(self.open_row, len(self.pane.message_ids))
        self.services.thread_page_loaded(session.thread_id, messages)

    # -- sending ------------------------------------------------------------------------------
    def on_composer_submitted(self, event: Composer.Submitted) -> None:
        if self.open_row is None or self.session is None:
            self.status.say(
                "Open a thread first (enter in the list), or press n for a new thread.", "warning"
            )
            return
        self.runs.send(self.open_row, self.session, event.text)

    def action_cancel_run(self) -> None:
        self.runs.cancel()

    def action_compose(self) -> None:
        if self.composer.display:
            self.set_focus(self.composer)  # at once: the next keys are the message

    # -- thread actions -----------------------------------------------------------------------
    @property
    def current_row(self) -> IndexRow | None:
        return self.sidebar.threads.current

    def action_filter(self) -> None:
        self.sidebar.focus_filter()

    def action_sort(self) -> None:
        label = self.sidebar.cycle_sort()
        self.status.say(f"Sorted by {label}.")

    def action_help(self) -> None:
        rows = []
        for active in self.active_bindings.values():
            binding = active.binding
            if binding.description:
                rows.append(
                    (self.app.get_key_display(binding), binding.description, binding.id or "")
                )
        self.app.push_screen(HelpScreen(rows))

    def action_add(self) -> None:
        def added(details: ThreadDetails | None) -> None:
            if details is None:
                return
            message = self.services.track(
                details.thread_id, title=details.title, tags=details.tags, source="tui"
            )
            self._refresh_row(details.thread_id)
            self.status.say(message, "success")

        self.app.push_screen(AddThreadDialog(), added)

    def action_edit(self) -> None:
        row = self.current_row
        if row is None:
            return

        def edited(details: ThreadDetails | None) -> None:
            if details is None:
                return
            self.services.set_title_tags(details.thread_id, details.title, details.tags)
            self._refresh_row(details.thread_id)
            self.status.say(f"Saved title and tags of {details.thread_id}.", "success")

        self.app.push_screen(EditThreadDialog(row.id, row.title, row.tags), edited)

    @work(exclusive=True, group="new", exit_on_error=False)
    async def action_new_thread(self) -> None:
        if self.services.read_only:
            self.status.say("Read-only: new threads can't be created in this session.", "warning")
            return
        self.status.say("Creating a thread…", "progress")
        try:
            thread_id = await self.services.create_thread()
        except ApiError as problem:
            self.status.say(problem.user_message, "error")
            return
        self._refresh_row(thread_id)
        row = self.services.index_row(thread_id)
        if row is not None:
            self.open_thread(row)
        self.composer.focus()
        self.status.say(f"Created {thread_id} and started tracking it.", "success")

    def action_untrack(self) -> None:
        row = self.current_row
        if row is None:
            return
        body = (
            f"Stop tracking {row.id} ({one_line(row.title, 40) or 'untitled'})?\n"
            "Nothing is deleted on the server, but threadtui forgets the ID: keep a copy if "
            "you may want it back (registry export)."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.services.untrack([row.id])
                self._refresh_row(row.id)
                self.status.say(f"Untracked {row.id} (still on the server).", "success")

        self.app.push_screen(ConfirmDialog("Untrack thread", body, yes_label="Untrack"), answered)

    def action_delete(self) -> None:
        row = self.current_row
        if row is None:
            return
        if self.services.read_only:
            self.status.say("Read-only: deleting is off in this session.", "warning")
            return
        count = self._known_count(row)
        title = one_line(row.title, 50) or "untitled"
        if row.status == "gone":
            body = f"{row.id} ({title}) is already gone from the server. Untrack it?"
            self.app.push_screen(
                ConfirmDialog("Untrack gone thread", body, yes_label="Untrack"),
                lambda yes: yes and self._untrack_gone(row),
            )
            return
        body = (
            f"Delete {row.id} “{title}” on {self.services.profile(row.profile).host}?\n"
            f"Its {count} will be deleted for good. This cannot be undone."
        )
        self.app.push_screen(
            ConfirmDialog("Delete thread", body, yes_label="Delete"),
            lambda yes: yes and self._delete(row, count),
        )

    def _known_count(self, row: IndexRow) -> str:
        if self.open_row and self.open_row.id == row.id and self.session:
            loaded = len(self.pane.message_ids)
            return f"{loaded}+ messages" if self.session.has_older else f"{loaded} messages"
        known = self.services.message_count(row.id)
        return f"{known} messages" if known is not None else "messages (count unknown)"

    def _untrack_gone(self, row: IndexRow) -> None:
        self.services.untrack([row.id])
        self._refresh_row(row.id)
        self.status.say(f"Untracked {row.id}, which was already gone.", "success")

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def _delete(self, row: IndexRow, count: str) -> None:
        self.status.say(f"Deleting {row.id}…", "progress")
        try:
            outcome = await self.services.delete_thread(row.id)
        except ApiError as problem:
            self.status.say(problem.user_message, "error")
            return
        if self.open_row and self.open_row.id == row.id:
            self.open_row = self.session = None
            await self.pane.clear("Thread deleted.")
            self.query_one("#thread-title", Static).update("")
        self._refresh_row(row.id)
        if outcome == "gone":
            self.status.say(f"{row.id} was already gone on the server: untracked it.", "success")
        else:
            self.status.say(f"Deleted {row.id} · {count}", "success")

    def action_copy(self) -> None:
        message = self.pane.selected
        if message is not None:
            self.app.copy_to_clipboard(message.text)
            self.status.say(
                f"Copied {short(message.id, 12)} ({len(message.text):,} characters) to the clipboard.",
                "success",
            )
        elif (row := self.current_row) is not None:
            self.app.copy_to_clipboard(row.id)
            self.status.say(f"Copied {row.id} to the clipboard.", "success")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.runs.active  # otherwise Esc means "back" to whatever is focused
        if action in ("delete", "new_thread") and self.services.read_only:
            return None  # shown greyed out: read-only
        if action in ("delete", "untrack", "edit") and self.current_row is None:
            return None
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_bindings()
