"""The deletion log: every thread threadtui deleted (or tried to), newest first. Read-only.

For each: when, how it ended (deleted, already gone, failed), the thread and its title,
which profile and server, how many messages, and whether a copy was archived first. The
line under the table tells the whole story of the highlighted entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from threadtui.core.auditing.deletions import DeletionEntry, DeletionLog
from threadtui.core.text.sanitize import id_text, one_line
from threadtui.core.text.timefmt import stamp
from threadtui.tui.screens import failure_sentence, fill_table

if TYPE_CHECKING:
    from threadtui.core.services import Services

LIMIT = 5_000  # entries shown; the count above says when there are more
OUTCOMES = {
    "deleted": ("✓ deleted", "green"),
    "gone": ("○ gone", "yellow"),
    "failed": ("✗ failed", "bold red"),
}
# The thread ID goes last: it is long, and the line under the table shows it whole.
COLUMNS = ("when", "outcome", "title", "messages", "archived", "profile @ server", "thread")


def outcome_text(outcome: str) -> Text:
    label, style = OUTCOMES.get(outcome, (one_line(outcome, 12), ""))
    return Text(label, style=style)


def detail_text(entry: DeletionEntry) -> Text:
    """Everything about one entry the table cuts short, on one line."""
    text = Text(one_line(entry.thread_id, 60), style="bold")
    if entry.detail:
        style = "red" if entry.outcome == "failed" else ""
        detail = entry.detail
        if detail.startswith(entry.thread_id):  # said once is enough
            detail = detail[len(entry.thread_id) :].lstrip(" :")
        text.append(" · ")
        text.append(one_line(detail, 300), style=style)
    if entry.archived_to:
        text.append(f" · archived to {one_line(entry.archived_to, 200)}", style="dim")
    elif entry.outcome == "deleted":
        text.append(" · not archived: no copy was kept", style="yellow")
    return text


class DeletionLogScreen(Screen[None]):
    """The deletion log (only `thread_id`'s entries when given); dismisses with None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="threadtui.deletions.close"),
        Binding("c", "copy", "Copy ID", id="threadtui.deletions.copy"),
    ]

    def __init__(self, services: Services, thread_id: str | None = None) -> None:
        super().__init__()
        self.services = services
        self.thread_id = thread_id
        self.entries: list[DeletionEntry] | None = None

    def compose(self) -> ComposeResult:
        title = Text("Deletion log", style="bold")
        if self.thread_id:
            title.append(f" · {one_line(self.thread_id, 60)}", style="dim")
        title.append(" · newest first", style="dim")
        yield Static(title, id="dl-title")
        yield Static(Text("Reading the log…", style="cyan"), id="dl-state")
        yield DataTable(id="deletions", cursor_type="row", zebra_stripes=True)
        yield Static("", id="dl-detail")
        yield Footer()

    @property
    def table(self) -> DataTable:
        return self.query_one("#deletions", DataTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    @work(thread=True, exclusive=True, group="log", exit_on_error=False)
    def load(self) -> None:
        log = DeletionLog(self.services.registry)
        entries = log.entries(limit=LIMIT, thread_id=self.thread_id)
        total = len(entries) if len(entries) < LIMIT or self.thread_id else log.count()
        self.app.call_from_thread(self._show, entries, total)

    def _show(self, entries: list[DeletionEntry], total: int) -> None:
        self.entries = entries
        now = self.services.clock.now()
        rows = []
        for number, entry in enumerate(entries):
            count = "" if entry.message_count is None else f"{entry.message_count:,}"
            archived = Text("yes") if entry.archived_to else Text("no", style="yellow")
            cells = [
                Text(stamp(entry.deleted_at, now)),
                outcome_text(entry.outcome),
                Text(one_line(entry.title, 30) or "untitled", style="" if entry.title else "dim"),
                Text(count, justify="right"),
                archived,
                Text(one_line(f"{entry.profile} @ {entry.host}", 40)),
                Text(one_line(entry.thread_id, 60)),
            ]
            rows.append((str(number), cells))
        fill_table(self.table, COLUMNS, rows)
        self._state(self._summary(entries, total))

    def _summary(self, entries: list[DeletionEntry], total: int) -> str:
        if not entries:
            if self.thread_id:
                return f"Nothing in the log for {one_line(self.thread_id, 60)}."
            return "Nothing has been deleted with threadtui yet."
        counts = {o: sum(e.outcome == o for e in entries) for o in OUTCOMES}
        parts = [f"{n:,} {'already gone' if o == 'gone' else o}" for o, n in counts.items() if n]
        noun = "entry" if total == 1 else "entries"
        if total > len(entries):
            return (
                f"Showing the newest {len(entries):,} of {total:,} {noun}: "
                + ", ".join(parts)
                + "."
            )
        return f"{total:,} {noun}: " + ", ".join(parts) + "."

    def _state(self, text: str, style: str = "") -> None:
        self.query_one("#dl-state", Static).update(Text(text, style=style))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._state(failure_sentence(event.worker.error), "bold red")

    @property
    def current(self) -> DeletionEntry | None:
        if not self.entries or not self.table.row_count:
            return None
        return self.entries[self.table.cursor_row]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.entries and event.row_key.value is not None:
            detail = self.query_one("#dl-detail", Static)
            detail.update(detail_text(self.entries[int(event.row_key.value)]))
            detail.display = True

    def action_copy(self) -> None:
        entry = self.current
        if entry is not None:
            shown = id_text(entry.thread_id)  # what the screen shows, never raw stored text
            self.app.copy_to_clipboard(shown)
            self.notify(f"Copied {shown} to the clipboard.", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
