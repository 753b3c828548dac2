"""Full-text search over every archived transcript, as you type.

Results are grouped by thread (the thread of the best match first); each shows who spoke,
when, and a snippet with the matching words marked. Enter on a result asks the app to
open the thread at that message (`OpenThread`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from threadtui.core.archive.search import Hit, SearchError, count_matches, group_by_thread, search
from threadtui.core.archive.store import ArchiveStore
from threadtui.core.text.sanitize import one_line
from threadtui.core.text.timefmt import stamp
from threadtui.tui.messages import OpenThread
from threadtui.tui.screens import failure_sentence, tell_app

if TYPE_CHECKING:
    from threadtui.core.services import Services

LIMIT = 100  # messages shown; the count says how many more match
DEBOUNCE = 0.15  # seconds of quiet typing before searching
HIGHLIGHT = "bold underline yellow"
HINT = (
    "Type to search every archived transcript (threads opened, exported or archived). "
    'All words must appear; "two words" in quotes together; the last word you type also '
    "matches longer words. Enter or ↓ goes to the results, Enter on one opens it."
)
ROLE_STYLES = {"user": "bold cyan", "assistant": "bold green"}


def as_typed(query: str) -> str:
    """While typing, the last word matches as a prefix too: "refu" already finds "refund"."""
    if query and query[-1].isalnum() and query.count('"') % 2 == 0:
        return query + "*"
    return query


def snippet_text(hit: Hit) -> Text:
    """The snippet with its matches styled, from spans (the snippet is never markup)."""
    text = Text(hit.snippet)
    for start, end in hit.highlights:
        text.stylize(HIGHLIGHT, start, end)
    return text


@dataclass(frozen=True)
class Found:
    query: str
    hits: list[Hit]
    matches: int  # messages matching in all, beyond LIMIT too
    threads: int
    archive_empty: bool


class SearchScreen(Screen[Hit | None]):
    """Search the archive; dismisses with the chosen Hit (after posting OpenThread to the
    app), or None on Esc."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="threadtui.search.close"),
        Binding("slash", "query", "Edit query", id="threadtui.search.query"),
        Binding("down", "results", "Results", show=False, id="threadtui.search.results"),
    ]

    def __init__(self, services: Services, query: str = "") -> None:
        super().__init__()
        self.services = services
        self.initial_query = query
        self.hits: list[Hit] = []
        self.found: Found | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Search the archive", style="bold"), id="search-title")
        yield Input(
            self.initial_query,
            placeholder='words to find · "words together" · refund* for refund, refunds…',
            id="query",
        )
        yield Static(Text(HINT, style="dim"), id="search-state")
        yield OptionList(id="results")
        yield Footer()

    @property
    def query_box(self) -> Input:
        return self.query_one("#query", Input)

    @property
    def results(self) -> OptionList:
        return self.query_one("#results", OptionList)

    def on_mount(self) -> None:
        self.query_box.focus()
        if self.initial_query.strip():
            self.run_search(self.initial_query, wait=False)

    # -- searching ------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.run_search(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.found is not None and self.found.query == event.value and self.hits:
            self.action_results()
        else:
            self.run_search(event.value, wait=False, then_results=True)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def run_search(self, query: str, wait: bool = True, then_results: bool = False) -> None:
        if not query.strip():
            self.found, self.hits = None, []
            self.results.clear_options()
            self._say(Text(HINT, style="dim"))
            return
        if wait:
            await asyncio.sleep(DEBOUNCE)  # cancelled by the next keystroke
        try:
            found = await asyncio.to_thread(self._search, query)
        except SearchError as problem:
            self._say(Text(str(problem), style="bold yellow"))
            return
        self._show(found)
        if then_results:
            self.action_results()

    def _search(self, query: str) -> Found:
        """Runs in a thread: the registry has its own lock."""
        registry = self.services.registry
        wanted = as_typed(query)
        hits = search(registry, wanted, LIMIT)
        matches, threads = count_matches(registry, wanted) if hits else (0, 0)
        empty = not hits and ArchiveStore(registry).is_empty()
        return Found(query, hits, matches, threads, empty)

    def _show(self, found: Found) -> None:
        self.found = found
        self.hits = found.hits
        now = self.services.clock.now()
        options: list[Option | None] = []
        number = 0
        for thread_id, title, hits in group_by_thread(found.hits):
            if options:
                options.append(None)  # a rule between threads
            header = Text(one_line(title, 100) or "untitled", style="bold")
            header.append(f" · {one_line(thread_id, 60)}", style="dim")
            options.append(Option(header, disabled=True))
            for hit in hits:
                line = Text("  ")
                role = one_line(hit.role, 20)
                line.append(role, style=ROLE_STYLES.get(role, "bold yellow"))
                line.append(f" · {stamp(hit.created_at, now) or 'time unknown'}", style="dim")
                snippet = Padding(snippet_text(hit), (0, 0, 0, 4))  # wrapped lines stay indented
                options.append(Option(Group(line, snippet), id=str(number)))
                number += 1
        self.results.set_options(options)
        self._say(self._summary(found))

    def _summary(self, found: Found) -> Text:
        if found.archive_empty:
            return Text(
                "The archive is empty: open threads (they are kept as you read them) or run "
                "`threadtui archive --all`, then search.",
                style="bold yellow",
            )
        if not found.hits:
            return Text(f"No archived message matches “{one_line(found.query, 60)}”.")
        messages = f"{found.matches:,} matching message{'' if found.matches == 1 else 's'}"
        threads = f"{found.threads:,} thread{'' if found.threads == 1 else 's'}"
        if len(found.hits) < found.matches:
            return Text(
                f"Showing the best {len(found.hits):,} of {messages} in {threads}: "
                "add words to narrow it down."
            )
        return Text(f"{messages} in {threads}.")

    def _say(self, text: Text) -> None:
        self.query_one("#search-state", Static).update(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._say(Text(failure_sentence(event.worker.error), style="bold red"))

    # -- choosing ---------------------------------------------------------------------------
    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is None:
            return
        hit = self.hits[int(event.option.id)]
        tell_app(self, OpenThread(hit.thread_id, hit.message_id))
        self.dismiss(hit)

    def action_results(self) -> None:
        results = self.results
        if results.option_count and not results.has_focus:
            results.focus()
            if results.highlighted is None or results.options[results.highlighted].disabled:
                results.action_first()

    def action_query(self) -> None:
        self.query_box.focus()

    def action_close(self) -> None:
        self.dismiss(None)
