"""The main screen: sidebar of tracked threads, the open thread, the composer, the status bar.

The screen lays things out and binds keys; the work sits in small controllers: ThreadView
(opening and paging), RunControl (sending and following runs), BulkControl (checking and
deleting many). All I/O runs in workers and ends as one sentence in the status bar.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Static, TextArea
from textual.worker import Worker, WorkerState, get_current_worker

from threadtui.core.archive.search import find_in_messages
from threadtui.core.chat.session import ArchivedSession, ThreadSession
from threadtui.core.finding import servers
from threadtui.core.settings.paths import privacy_warning
from threadtui.core.store.registry import StorageError
from threadtui.core.store.thread_index import IndexRow
from threadtui.core.text.sanitize import clean, id_text, one_line
from threadtui.tui.bulk_control import BulkControl
from threadtui.tui.dialogs.confirm import ConfirmDialog
from threadtui.tui.dialogs.help import HelpScreen
from threadtui.tui.dialogs.import_dialog import ImportDialog
from threadtui.tui.dialogs.thread_forms import AddThreadDialog, EditThreadDialog, ThreadDetails
from threadtui.tui.messages import OpenThread, ThreadsChanged
from threadtui.tui.run_control import RunControl
from threadtui.tui.screens import failure_sentence
from threadtui.tui.thread_view import ThreadView
from threadtui.tui.widgets.composer import Composer
from threadtui.tui.widgets.find_bar import FindBar
from threadtui.tui.widgets.header_bar import HeaderBar
from threadtui.tui.widgets.message_pane import MessagePane
from threadtui.tui.widgets.sidebar import Sidebar
from threadtui.tui.widgets.status_bar import StatusBar
from threadtui.tui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from rich.text import Text

    from threadtui.api.models import Run
    from threadtui.core.services import Services


CHANGES = frozenset({"delete", "new_thread", "continue_thread", "migrate", "edit_metadata"})
NEEDS_ROW = frozenset({"delete", "untrack", "edit", "runs", "export", "edit_metadata", "check"})


FIRST_SCREEN_ROWS = 200  # taller than any terminal


class MainScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: the focus moves as the key is read, so text typed right behind it (a
        # fast typist, a paste) lands in the box, not on single-letter bindings (u, d…).
        Binding("slash", "filter", "Filter", id="threadtui.filter", priority=True),
        Binding("a", "add", "Add ID", id="threadtui.add"),
        Binding("n", "new_thread", "New", id="threadtui.new"),
        Binding("d", "delete", "Delete", id="threadtui.delete"),
        Binding("r", "runs", "Runs", id="threadtui.runs"),
        Binding("e", "export", "Export", show=False, id="threadtui.export"),
        Binding("i", "import", "Import IDs", show=False, id="threadtui.import"),
        Binding("v", "check", "Check with server", show=False, id="threadtui.check"),
        Binding("V", "check_all", "Check every thread", show=False, id="threadtui.check_all"),
        Binding("u", "untrack", "Untrack", show=False, id="threadtui.untrack"),
        Binding("t", "edit", "Title/tags", show=False, id="threadtui.edit"),
        Binding("m", "edit_metadata", "Metadata", show=False, id="threadtui.metadata"),
        Binding(
            "N", "continue_thread", "Continue in a new thread", show=False, id="threadtui.continue"
        ),
        Binding("M", "migrate", "Continue as a conversation", show=False, id="threadtui.migrate"),
        Binding("s", "sort", "Sort", show=False, id="threadtui.sort"),
        Binding("c", "copy", "Copy", show=False, id="threadtui.copy"),
        Binding("w", "compose", "Write", show=False, id="threadtui.write", priority=True),
        Binding("f", "find", "Find in thread", show=False, id="threadtui.find"),
        Binding("S", "search", "Search archive", show=False, id="threadtui.search"),
        Binding("L", "deletion_log", "Deletion log", show=False, id="threadtui.deletion_log"),
        Binding("escape", "cancel_run", "Cancel run", id="threadtui.cancel_run"),
        Binding("question_mark", "help", "Help", id="threadtui.help"),
        Binding("q", "app.quit", "Quit", id="threadtui.quit_q"),
    ]

    def __init__(self, services: Services, *, demo: bool = False, identity: str = "") -> None:
        super().__init__()
        self.services = services
        self.demo = demo
        self.identity = identity
        self.view = ThreadView(self)
        self.runs = RunControl(self)
        self.bulk = BulkControl(self)

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield HeaderBar(id="header")
        with Horizontal(id="body"):
            yield Sidebar(id="sidebar")
            with Vertical(id="thread"):
                yield Static("", id="thread-title", markup=False)
                yield FindBar(id="find")
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

    @property
    def session(self) -> ThreadSession | ArchivedSession | None:
        return self.view.session

    @property
    def open_row(self) -> IndexRow | None:
        return self.view.row

    @property
    def current_row(self) -> IndexRow | None:
        return self.sidebar.threads.current

    # -- what the controllers ask of the screen (threadtui.tui.host.Host) ----------------------
    def show_thread_title(self, line: Text | str) -> None:
        self.query_one("#thread-title", Static).update(line)

    def resume_run(self, session: ThreadSession, run: Run) -> None:
        self.runs.resume(session, run)

    def close_thread_of(self, thread_ids: Collection[str], notice: str) -> None:
        if self.open_row and self.open_row.id in thread_ids:
            self.view.close(notice)

    def clear_marks(self) -> None:
        self.sidebar.threads.marked.clear()

    def on_mount(self) -> None:
        header = self.query_one(HeaderBar)
        profile = self.services.profile()
        header.profile = profile.name
        header.server = profile.host
        header.where = self.identity
        header.read_only = self.services.read_only
        header.demo = self.demo
        self.composer_for(None)
        self.sidebar.threads.now = self.services.clock.now
        self.sidebar.update_title()
        self.sidebar.threads.focus()
        self.pane.show_notice(self._welcome())
        self._show_first_screen()

    def _show_first_screen(self) -> None:
        """The sidebar's first screen of rows, read here so the first frame shows them: an
        indexed LIMIT query and a count, a few milliseconds even at 100,000 threads. The
        whole index follows in a worker after that frame."""
        try:
            index = self.services.thread_index_head(FIRST_SCREEN_ROWS)
        except StorageError:
            self.reload_index()  # the worker meets the same error and says what to do
            return
        self._index_loaded(index)

    def _welcome(self) -> str:
        if not self.services.has_key():
            return self.services.setup_hint()
        return "Pick a thread on the left (enter), add one by ID (a) or start a new one (n)."

    def composer_for(self, session: ThreadSession | ArchivedSession | None) -> None:
        """The composer shows only where a message can be sent."""
        self.composer.display = not self.services.read_only and not (session and session.read_only)

    # -- failures -------------------------------------------------------------------------------
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place a failed worker of this screen is told: a UserError as its sentence;
        anything else as a failure nobody expected (logged with its traceback). Workers
        just raise; the app keeps running."""
        if event.state is WorkerState.ERROR:
            sentence = failure_sentence(event.worker.error)
            self.status.say(sentence, "error")
            if event.worker.group == "index":
                self.sidebar.index_failed(sentence)

    # -- the registry ---------------------------------------------------------------------------
    def reload_index(self) -> None:
        self._load_index()

    @work(thread=True, exclusive=True, group="index", exit_on_error=False)
    def _load_index(self) -> None:
        index = self.services.thread_index()
        if not get_current_worker().is_cancelled:  # a newer load replaced this one
            self.app.call_from_thread(self._index_loaded, index)

    def _index_loaded(self, index) -> None:
        first = self.sidebar.waiting_for_index
        self.sidebar.set_index(index)
        if not index.complete:  # after the first screen is painted: building it holds the GIL
            self.call_after_refresh(self._load_index)
        if first:
            self.call_after_refresh(self._warm_up)
            if warning := self._start_warning():
                self.status.say(warning, "warning")
                return
            if index.total == 0:
                self.status.say(
                    "No threads tracked yet: a adds one by ID, i imports IDs from logs, n starts a new thread."
                )

    def _start_warning(self) -> str | None:
        """Said once, plainly, at start: a retired server, or data others can read."""
        state = servers.get(self.services.registry, self.services.profile().name)
        if state is not None and state.retired:
            return state.message(self.services.profile().kind)
        return None if self.demo else privacy_warning(self.services.locations)

    @work(thread=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Import the SDK and the Markdown renderer off the UI thread after first paint:
        about a second, which would freeze the screen on the first open."""
        import rich.markdown  # noqa: F401

        if self.services.has_key():
            from threadtui.api.warm_up import warm_up

            warm_up()

    def refresh_row(self, thread_id: str) -> None:
        row = self.services.index_row(thread_id)
        if row is None:
            self.sidebar.index.remove([thread_id])
        else:
            self.sidebar.index.upsert(row)
        self.sidebar.refresh_rows(keep_id=thread_id)

    def on_threads_changed(self, message: ThreadsChanged) -> None:
        message.stop()  # handled here; the app forwards these to us, so it must not bubble back
        for thread_id in message.thread_ids:
            self.refresh_row(thread_id)

    # -- opening ----------------------------------------------------------------------------------
    @on(ThreadList.Selected, "#threads")
    def open_selected(self, event: ThreadList.Selected) -> None:
        self.open_thread(event.row)

    def on_open_thread(self, message: OpenThread) -> None:
        message.stop()  # handled here; the app forwards these to us, so it must not bubble back
        row = self.services.index_row(message.thread_id)
        if row is None:
            self.status.say(f"{message.thread_id} is not tracked any more.", "warning")
            return
        self.sidebar.threads.set_source(self.sidebar.index, keep_id=row.id)
        self.open_thread(row, message.message_id)

    def open_thread(
        self, row: IndexRow, message_id: str | None = None, *, announce: str = ""
    ) -> None:
        if self.runs.active and self.open_row and self.open_row.id != row.id:
            self.status.say(
                "A run is in progress in this thread: wait for it or press Esc to cancel it first.",
                "warning",
            )
            return
        self.view.open(row, message_id, announce=announce)

    def on_message_pane_need_older(self, event: MessagePane.NeedOlder) -> None:
        self.run_worker(self.view.older(), group="older", exclusive=True, exit_on_error=False)

    # -- sending ------------------------------------------------------------------------------
    def on_composer_submitted(self, event: Composer.Submitted) -> None:
        row, session = self.open_row, self.session
        if row is None or not isinstance(session, ThreadSession):
            self.status.say(
                "Open a thread first (enter in the list), or press n for a new thread.", "warning"
            )
            return
        self.runs.send(row, session, event.text)

    def action_cancel_run(self) -> None:
        self.runs.cancel()

    def action_compose(self) -> None:
        if self.composer.display:
            self.set_focus(self.composer)  # at once: the next keys are the message

    # -- finding -------------------------------------------------------------------------------
    def action_filter(self) -> None:
        self.sidebar.focus_filter()

    def action_sort(self) -> None:
        self.status.say(f"Sorted by {self.sidebar.cycle_sort()}.")

    def action_find(self) -> None:
        if self.session is not None:
            self.query_one(FindBar).open()

    def on_find_bar_step(self, event: FindBar.Step) -> None:
        views = self.pane.views
        matches = find_in_messages([v.message for v in views], event.query)
        if not matches:
            more = " (older messages not loaded yet: [ loads them)" if self.pane.has_older else ""
            self.status.say(
                f"No match for “{one_line(event.query, 40)}” in the loaded messages{more}.",
                "warning",
            )
            return
        current = next((i for i, v in enumerate(views) if v.has_class("-match")), None)
        if current is None:
            current = -1 if event.direction > 0 else len(views)
        ahead = [i for i in matches if (i > current if event.direction > 0 else i < current)]
        wrap = matches[0] if event.direction > 0 else matches[-1]
        target = (ahead[0] if event.direction > 0 else ahead[-1]) if ahead else wrap
        for position, view in enumerate(views):
            view.set_class(position == target, "-match")
        self.pane.scroll_to_widget(views[target], animate=False, top=True)
        self.status.say(
            f"Match {matches.index(target) + 1} of {len(matches)} in the loaded messages."
        )

    def on_find_bar_closed(self, event: FindBar.Closed) -> None:
        for view in self.pane.views:
            view.remove_class("-match")
        self.pane.focus()

    def action_search(self) -> None:
        from threadtui.tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.services))

    # -- tracking --------------------------------------------------------------------------------
    def action_add(self) -> None:
        def added(details: ThreadDetails | None) -> None:
            if details is None:
                return
            message = self.services.track(
                details.thread_id, title=details.title, tags=details.tags, source="tui"
            )
            self.refresh_row(details.thread_id)
            self.status.say(message, "success")

        self.app.push_screen(AddThreadDialog(), added)

    def action_import(self) -> None:
        def imported(summary) -> None:
            if summary is not None:
                self.reload_index()
                self.status.say(summary.lines()[0], "success" if summary.added else "info")

        self.app.push_screen(ImportDialog(self.services), imported)

    def action_edit(self) -> None:
        row = self.current_row
        if row is None:
            return

        def edited(details: ThreadDetails | None) -> None:
            if details is not None:
                kept = self.services.set_title_tags(
                    details.thread_id,
                    details.title,
                    details.tags,
                    shown_title=row.title,
                    shown_tags=row.tags,
                )
                self.refresh_row(details.thread_id)
                also = f" (kept tags added meanwhile: {', '.join(kept)})" if kept else ""
                self.status.say(f"Saved title and tags of {details.thread_id}{also}.", "success")

        self.app.push_screen(EditThreadDialog(row.id, row.title, row.tags), edited)

    def action_untrack(self) -> None:
        row = self.current_row
        if row is None:
            return
        body = (
            f"Stop tracking {row.id} ({one_line(row.title, 40) or 'untitled'})?\n"
            "Nothing is deleted on the server, but threadtui forgets the ID: keep a copy if "
            "you may want it back (registry export). Its archived copy stays."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.services.untrack([row.id])
                self.refresh_row(row.id)
                self.status.say(f"Untracked {row.id} (still on the server).", "success")

        self.app.push_screen(ConfirmDialog("Untrack thread", body, yes_label="Untrack"), answered)

    def action_check(self) -> None:
        row = self.current_row
        chosen = sorted(self.sidebar.threads.marked) or ([row.id] if row else [])
        if chosen:
            self.bulk.check(chosen)

    def action_check_all(self) -> None:
        self.bulk.check(None)

    # -- changing things on the server ---------------------------------------------------------
    @work(exclusive=True, group="new", exit_on_error=False)
    async def action_new_thread(self) -> None:
        self.status.say("Creating a thread…", "progress")
        thread_id = await self.services.create_thread()
        self.refresh_row(thread_id)
        announce = f"Created {thread_id} and started tracking it."
        if (row := self.services.index_row(thread_id)) is not None:
            self.open_thread(row, announce=announce)
        self.set_focus(self.composer)
        self.status.say(announce, "success")

    def action_delete(self) -> None:
        marked = sorted(self.sidebar.threads.marked)
        if marked:
            self.bulk.delete_marked(marked)
            return
        row = self.current_row
        if row is None:
            return
        title = one_line(row.title, 50) or "untitled"
        if row.status == "gone":
            body = f"{row.id} ({title}) is already gone from the server. Untrack it? Its archived copy stays."

            def untrack_if_yes(yes: bool | None) -> None:
                if yes:
                    self._untrack_gone(row)

            self.app.push_screen(
                ConfirmDialog("Untrack gone thread", body, yes_label="Untrack"), untrack_if_yes
            )
            return
        count = self._known_count(row)
        body = (
            f"Delete {row.id} “{title}” on {self.services.profile(row.profile).host}?\n"
            f"Its {count} will be deleted for good (a copy is archived locally first). "
            "This cannot be undone."
        )

        def delete_if_yes(yes: bool | None) -> None:
            if yes:
                self._delete(row, count)

        self.app.push_screen(
            ConfirmDialog("Delete thread", body, yes_label="Delete"), delete_if_yes
        )

    def _known_count(self, row: IndexRow) -> str:
        if self.open_row and self.open_row.id == row.id and self.session:
            loaded = len(self.pane.message_ids)
            return f"{loaded}+ messages" if self.session.has_older else f"{loaded} messages"
        known = self.services.message_count(row.id)
        return f"{known} messages" if known is not None else "messages (count unknown)"

    def _untrack_gone(self, row: IndexRow) -> None:
        self.services.untrack([row.id])
        self.refresh_row(row.id)
        self.status.say(f"Untracked {row.id}, which was already gone.", "success")

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def _delete(self, row: IndexRow, count: str) -> None:
        self.status.say(f"Archiving, then deleting {row.id}…", "progress")
        outcome = await self.services.delete_thread(row.id)
        if self.open_row and self.open_row.id == row.id:
            self.view.close("Thread deleted.")
        self.refresh_row(row.id)
        if outcome == "gone":
            self.status.say(f"{row.id} was already gone on the server: untracked it.", "success")
        else:
            self.status.say(f"Deleted {row.id} · {count}", "success")

    @work(exclusive=True, group="continue", exit_on_error=False)
    async def action_continue_thread(self) -> None:
        from threadtui.core.chat.continuation import continue_thread

        row = self.current_row
        if row is None:
            return
        self.status.say(f"Starting a new thread from the last messages of {row.id}…", "progress")
        new_id = await continue_thread(self.services, row.id)
        self.refresh_row(new_id)
        announce = f"Continued {row.id} in {new_id} (linked both ways)."
        if (new_row := self.services.index_row(new_id)) is not None:
            self.open_thread(new_row, announce=announce)
        self.status.say(announce, "success")

    @work(exclusive=True, group="migrate", exit_on_error=False)
    async def action_migrate(self) -> None:
        from threadtui.core.auditing import migrate

        row = self.current_row
        if row is None or row.kind != "thread":
            self.status.say("Pick a thread_… to continue as a conversation.", "warning")
            return

        def progress(step: migrate.MigrationProgress) -> None:
            self.status.say(
                f"Moving {row.id} into a conversation: {step.stage} {step.done}"
                + (f"/{step.total}" if step.total else "")
                + "…",
                "progress",
            )

        try:
            result = await migrate.migrate_thread(self.services, row.id, progress=progress)
        except migrate.AlreadyMigrated as done:
            self.status.say(
                f"{row.id} was moved already, to {', '.join(done.conversation_ids)}.", "warning"
            )
            return
        self.refresh_row(result.conversation_id)
        self.status.say(result.lines()[0], "success")

    # -- looking closer ------------------------------------------------------------------------
    def action_runs(self) -> None:
        from threadtui.tui.screens.run_history import RunHistoryScreen

        if (row := self.current_row) is not None:
            self.app.push_screen(RunHistoryScreen(self.services, row.id))

    def action_export(self) -> None:
        from threadtui.tui.dialogs.export import ExportDialog

        if (row := self.current_row) is not None:
            self.app.push_screen(ExportDialog(self.services, row.id))

    def action_edit_metadata(self) -> None:
        from threadtui.tui.dialogs.metadata import MetadataDialog

        row = self.current_row
        if row is None:
            return

        self.app.push_screen(MetadataDialog(self.services, row.id))  # it posts ThreadsChanged

    def action_deletion_log(self) -> None:
        from threadtui.tui.screens.deletion_log import DeletionLogScreen

        self.app.push_screen(DeletionLogScreen(self.services))

    def action_copy(self) -> None:
        message = self.pane.selected
        if message is not None:
            # What the screen shows, not the raw server text: no escape or bidi control
            # rides along to wherever it is pasted.
            shown = clean(message.text)
            self.app.copy_to_clipboard(shown)
            self.status.say(
                f"Copied {id_text(message.id, 13)} ({len(shown):,} characters) to the clipboard.",
                "success",
            )
        elif (row := self.current_row) is not None:
            shown = id_text(row.id)
            self.app.copy_to_clipboard(shown)
            self.status.say(f"Copied {shown} to the clipboard.", "success")

    def action_help(self) -> None:
        rows = [
            (
                self.app.get_key_display(active.binding),
                active.binding.description,
                active.binding.id or "",
            )
            for active in self.active_bindings.values()
            if active.binding.description
        ]
        self.app.push_screen(HelpScreen(rows))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("filter", "compose") and isinstance(self.focused, (Input, TextArea)):
            return False  # "/" and "w" are text there
        if action == "cancel_run":
            return self.runs.active  # otherwise Esc means "back" to whatever is focused
        if action in CHANGES and self.services.read_only:
            return None  # shown greyed out: read-only
        if action in NEEDS_ROW and self.current_row is None:
            return None
        return True

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refresh_bindings()
