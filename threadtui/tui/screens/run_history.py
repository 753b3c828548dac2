"""A thread's runs: who ran, when, for how long, what it cost, how each ended.

One table row per run, newest first, with a mark on every run that did not complete.
Enter (or s) on a run fetches its steps then, never before: a thread can have thousands
of runs. Conversations keep no list of their responses; the screen says so instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from threadtui.core.auditing.run_history import (
    RunHistory,
    RunSummary,
    run_history,
    run_steps,
    usage_text,
)
from threadtui.core.text.sanitize import clean, id_text, one_line
from threadtui.core.text.timefmt import duration, stamp
from threadtui.tui.screens import failure_sentence, fill_table

if TYPE_CHECKING:
    from threadtui.api.models import RunStep
    from threadtui.core.services import Services

# status -> (mark, style): every run that did not simply complete stands out, with or
# without colour (NO_COLOR keeps the mark).
MARKS = {
    "completed": ("✓", "green"),
    "failed": ("✗", "bold red"),
    "expired": ("✗", "bold red"),
    "cancelled": ("⊘", "yellow"),
    "cancelling": ("⊘", "yellow"),
    "incomplete": ("⚠", "bold yellow"),
    "requires_action": ("!", "bold magenta"),
}
COLUMNS = (
    "status",
    "created",
    "assistant",
    "model",
    "duration",
    "tokens",
    "prompt",
    "completion",
    "ended",
    "error or reason",
)


def status_text(status: str) -> Text:
    mark, style = MARKS.get(status, ("…", "cyan"))
    return Text(f"{mark} {one_line(status, 20)}", style=style)


def number(value: int | None) -> Text:
    return Text("" if value is None else f"{value:,}", justify="right")


def problem_of(summary: RunSummary) -> str:
    """The run's last_error, else why it is incomplete ("" when neither)."""
    run = summary.run
    if run.last_error:
        return run.last_error
    if run.incomplete_reason:
        return f"incomplete: {run.incomplete_reason}"
    return ""


def totals_text(history: RunHistory) -> Text:
    """ "3,000 messages · 1,500 runs (1 failed) · 31,476,390 tokens (… prompt, … completion)"."""
    parts = []
    if history.message_count is not None:
        parts.append(_plural(history.message_count, "message"))
    if history.run_count is not None:
        runs = _plural(history.run_count, "run")
        ended = [r.run.status for r in history.runs if r.run.status != "completed"]
        if ended:
            counts = {s: ended.count(s) for s in dict.fromkeys(ended)}
            runs += " (" + ", ".join(f"{n:,} {one_line(s, 20)}" for s, n in counts.items()) + ")"
        parts.append(runs)
    if history.usage is not None:
        parts.append(usage_text(history.usage))
    return Text("Totals: " + " · ".join(parts), style="bold")


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


class RunHistoryScreen(Screen[None]):
    """The run history of `thread_id`; dismisses with None. Posts nothing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Close", id="threadtui.runs.close"),
        Binding("s", "steps", "Steps", id="threadtui.runs.steps"),
        Binding("c", "copy", "Copy run ID", id="threadtui.runs.copy"),
    ]

    def __init__(self, services: Services, thread_id: str) -> None:
        super().__init__()
        self.services = services
        self.thread_id = thread_id
        self.history: RunHistory | None = None
        self._runs: dict[str, RunSummary] = {}
        self._steps: dict[str, tuple[RunStep, ...]] = {}
        self._now = services.clock.now()

    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="rh-title")
        yield Static(Text("Loading runs…", style="cyan"), id="rh-state")
        yield DataTable(id="runs", cursor_type="row", zebra_stripes=True)
        yield Static("", id="rh-detail")
        with VerticalScroll(id="steps"):
            yield Static("", id="steps-body")
        yield Static("", id="rh-totals")
        yield Footer()

    def _title(self) -> Text:
        tracked = self.services.registry.get(self.thread_id)
        title = one_line(tracked.title, 80) if tracked and tracked.title else "untitled"
        text = Text("Run history · ", style="bold")
        text.append(title)
        text.append(f" · {self.thread_id}", style="dim")
        return text

    @property
    def table(self) -> DataTable:
        return self.query_one("#runs", DataTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.load()

    # -- loading -----------------------------------------------------------------------------
    def _state(self, text: str, style: str = "") -> None:
        state = self.query_one("#rh-state", Static)
        state.update(Text(text, style=style))
        state.display = bool(text)

    @work(exclusive=True, group="runs", exit_on_error=False)
    async def load(self) -> None:
        def progress(what: str, done: int, total: int | None) -> None:
            self._state(f"Loading runs… {done:,} so far", "cyan")

        history = await run_history(self.services, self.thread_id, progress=progress)
        self.history = history
        self._now = self.services.clock.now()
        self._runs = {summary.run.id: summary for summary in history.runs}
        fill_table(self.table, COLUMNS, [self._row(summary) for summary in reversed(history.runs)])
        if history.no_runs_sentence:
            self._state(history.no_runs_sentence)
            self.table.display = False
        elif not history.runs:
            self._state("No runs on this thread yet.")
        else:
            self._state("")
        self.query_one("#rh-totals", Static).update(totals_text(history))

    def _row(self, summary: RunSummary) -> tuple[str, list[Text]]:
        run = summary.run
        usage = run.usage
        assistant = summary.assistant_name or run.assistant_id or "—"
        cells = [
            status_text(run.status),
            Text(stamp(run.created_at, self._now)),
            Text(one_line(assistant, 24)),
            Text(one_line(run.model or "", 20)),
            Text(
                duration(summary.duration) if summary.duration is not None else "",
                justify="right",
            ),
            number(usage.total_tokens if usage else None),
            number(usage.prompt_tokens if usage else None),
            number(usage.completion_tokens if usage else None),
            Text(stamp(summary.ended_at, self._now)),
            Text(one_line(problem_of(summary), 60), style="red"),
        ]
        return run.id, cells

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            message = failure_sentence(event.worker.error)
            if event.worker.group == "steps":
                self._show_steps(Text(message, style="bold red"))
            else:
                self._state(message, "bold red")
                self.table.display = False

    # -- the highlighted run -----------------------------------------------------------------
    @property
    def current(self) -> RunSummary | None:
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._runs.get(key or "")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        summary = self._runs.get(event.row_key.value or "")
        if summary is None:
            return
        line = Text(one_line(summary.run.id, 40), style="bold")
        problem = problem_of(summary)
        if problem:
            line.append(" · ")
            line.append(one_line(problem, 300), style="red")
        line.append(" · enter: steps", style="dim")
        detail = self.query_one("#rh-detail", Static)
        detail.update(line)
        detail.display = True
        if self.query_one("#steps").display:
            self.action_steps()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_steps()

    # -- steps --------------------------------------------------------------------------------
    def action_steps(self) -> None:
        summary = self.current
        if summary is None:
            return
        steps = self._steps.get(summary.run.id)
        if steps is None:
            self._show_steps(Text(f"Loading the steps of {one_line(summary.run.id, 40)}…"))
            self.load_steps(summary)
        else:
            self._show_steps(self.steps_text(summary, steps))

    @work(exclusive=True, group="steps", exit_on_error=False)
    async def load_steps(self, summary: RunSummary) -> None:
        backend = self.services.backend_for(self.thread_id)
        steps = await run_steps(backend, self.thread_id, summary.run.id)
        self._steps[summary.run.id] = steps
        if self.current is summary:
            self._show_steps(self.steps_text(summary, steps))

    def _show_steps(self, body: Text) -> None:
        self.query_one("#steps-body", Static).update(body)
        panel = self.query_one("#steps", VerticalScroll)
        panel.display = True
        panel.scroll_home(animate=False)

    def steps_text(self, summary: RunSummary, steps: tuple[RunStep, ...]) -> Text:
        """Everything about one run: the whole of what the table cuts short, then its steps."""
        run = summary.run
        text = Text()
        text.append(clean(run.id), style="bold")
        text.append("  ")
        text.append_text(status_text(run.status))
        who = clean(run.assistant_id or "no assistant")
        if summary.assistant_name:
            who = f"{clean(summary.assistant_name)} ({who})"
        text.append(f"  {who}")
        if run.model:
            text.append(f" · {clean(run.model)}", style="dim")
        text.append("\n" + summary.times_line(self._now), style="dim")
        if problem := problem_of(summary):
            text.append("\n")
            text.append(clean(problem), style="bold red")
        if not steps:
            text.append("\n\nNo steps recorded for this run.", style="italic")
        for step in steps:
            text.append("\n\n")
            text.append(clean(step.id), style="bold cyan")
            text.append(f" · {clean(step.type)} · {clean(step.status)}", style="cyan")
            if step.usage and step.usage.total_tokens:
                text.append(f" · {step.usage.total_tokens:,} tokens", style="dim")
            for detail in step.details:
                for line in clean(detail).splitlines() or [""]:
                    text.append("\n    " + line)
        return text

    # -- keys ---------------------------------------------------------------------------------
    def action_back(self) -> None:
        panel = self.query_one("#steps", VerticalScroll)
        if panel.display:
            panel.display = False
            self.table.focus()
        else:
            self.dismiss(None)

    def action_copy(self) -> None:
        summary = self.current
        if summary is not None:
            shown = id_text(summary.run.id)  # what the screen shows, never raw server text
            self.app.copy_to_clipboard(shown)
            self.notify(f"Copied {shown} to the clipboard.", markup=False)
