"""The sidebar: a filter box over the list of tracked threads, counts in the border."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Static

from threadtui.core.store.thread_index import SORT_KEYS, SORT_LABELS, ThreadIndex
from threadtui.tui.widgets.thread_list import ThreadList


class Sidebar(Vertical):
    DEFAULT_CSS = """
    Sidebar {
        width: 32%;
        min-width: 24;
        max-width: 44;
        height: 1fr;
        border: round $primary 50%;
        border-title-color: $text;
        border-subtitle-color: $text-muted;
    }
    Sidebar:focus-within {
        border: round $accent;
    }
    Sidebar #filter {
        margin: 0 0 0 0;
        height: 1;
    }
    Sidebar #index-problem {
        color: $error;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "leave_filter", "Back to list", show=False),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index = ThreadIndex()
        # Until the registry's first rows arrive. Not `loading`: that is Widget's own, and
        # would cover the sidebar with a loading indicator until it is turned off.
        self.waiting_for_index = True
        self.index_problem: str | None = None  # why the registry could not be read

    def compose(self) -> ComposeResult:
        yield Input(placeholder="/ filter  (words, #tag)", id="filter", compact=True)
        yield ThreadList(id="threads")

    @property
    def threads(self) -> ThreadList:
        return self.query_one(ThreadList)

    def set_index(self, index: ThreadIndex) -> None:
        keep = self.threads.current.id if self.threads.current else None
        index.set_sort(self.index.sort)
        index.set_filter(self.query_one("#filter", Input).value)
        self.index = index
        self.waiting_for_index = False
        self.index_problem = None
        self.query("#index-problem").remove()
        self.threads.display = True
        self.threads.show_profile = (
            len({index.row(i).profile for i in range(min(len(index), 500))}) > 1
        )
        self.threads.set_source(index, keep_id=keep)
        self.update_title()

    def refresh_rows(self, keep_id: str | None = None) -> None:
        """Show the index again after it changed (a thread added, deleted, renamed)."""
        current = self.threads.current
        self.threads.set_source(self.index, keep_id=keep_id or (current.id if current else None))
        self.update_title()

    def update_title(self) -> None:
        shown, total = len(self.index), self.index.total
        if self.index_problem is not None:
            self.border_title = "Threads (not loaded)"
        elif self.waiting_for_index:
            self.border_title = "Threads (loading…)"
        elif shown == total or not self.index.filter_text:
            self.border_title = f"Threads ({total:,})"
        elif not self.index.complete:  # a filter over the first screen while the rest loads
            self.border_title = f"Threads (… of {total:,})"
        else:
            self.border_title = f"Threads ({shown:,} of {total:,})"
        self.border_subtitle = f"by {SORT_LABELS[self.index.sort]}"

    def index_failed(self, sentence: str) -> None:
        """The registry could not be read: say why where the threads would be. Still
        waiting: an index that loads later is shown as the first one."""
        self.index_problem = sentence
        self.update_title()
        self.query("#index-problem").remove()
        self.threads.display = False
        self.mount(Static(sentence, id="index-problem", markup=False), before=self.threads)

    def cycle_sort(self) -> str:
        position = SORT_KEYS.index(self.index.sort)
        self.index.set_sort(SORT_KEYS[(position + 1) % len(SORT_KEYS)])
        self.refresh_rows()
        return SORT_LABELS[self.index.sort]

    def focus_filter(self) -> None:
        # Synchronously: keys typed right after "/" (a fast typist, a paste) must land in
        # the box, not fall through to the list's single-letter bindings.
        self.screen.set_focus(self.query_one("#filter", Input))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.index.set_filter(event.value)
        self.refresh_rows()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the filter opens the best match and returns to the list."""
        event.stop()
        self.screen.set_focus(self.threads)
        if (row := self.threads.current) is not None:
            # Posted from here: Textual stops a message bubbling at its sender, and the
            # sender of anything posted during this handler is the sidebar.
            self.post_message(ThreadList.Selected(self.threads, row))

    def action_leave_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.has_focus and box.value:
            box.value = ""
        self.threads.focus()
