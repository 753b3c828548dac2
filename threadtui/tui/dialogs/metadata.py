"""View and edit a thread: its local title, note and tags, and its remote metadata.

The local fields live in the registry only. The remote metadata is the API's key-value
pairs, edited as rows and checked as you type against the API's limits, in the API's own
words; Save stays off while the server would refuse them, so nothing is sent in vain. In
a read-only session the remote pairs are shown, not editable.

Remote text is shown cleaned (`sanitize.one_line`); a field left as shown keeps its
original text, so opening and saving never alters what the server had.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from threadtui.api.errors import ApiError
from threadtui.core.auditing.metadata import (
    MAX_PAIRS,
    LocalChanges,
    MetadataError,
    metadata_problems,
    remote_metadata,
    set_local,
    update_metadata,
)
from threadtui.core.settings.config import ConfigError
from threadtui.core.store.registry import StorageError
from threadtui.core.text.sanitize import one_line
from threadtui.errors import read_only_refusal
from threadtui.tui.dialogs.form import next_box_or
from threadtui.tui.dialogs.thread_forms import parse_tags
from threadtui.tui.messages import ThreadsChanged
from threadtui.tui.screens import failure_sentence, tell_app

if TYPE_CHECKING:
    from threadtui.core.services import Services

HINTS = "ctrl+n add pair · ctrl+r remove pair · esc cancel"
READ_ONLY_HINTS = "tab next field · esc cancel"


def shown(text: str) -> str:
    """Remote text as an Input may show it: cleaned, on one line."""
    return one_line(text, 1_000_000)


def kept(typed: str, original: str) -> str:
    """What the user means: the original text when they left its shown form alone."""
    return original if typed == shown(original) else typed


@dataclass(frozen=True)
class MetadataChange:
    """What a save changed: the local fields, and the remote metadata (None: untouched)."""

    thread_id: str
    local: bool
    remote: dict[str, str] | None


class PairRow(Horizontal):
    """One remote key-value pair: key, value, and a button to remove it."""

    def __init__(self, key: str = "", value: str = "") -> None:
        super().__init__(classes="pair")
        self.original = (key, value)

    def compose(self) -> ComposeResult:
        key, value = self.original
        yield Input(shown(key), placeholder="key", classes="key", compact=True)
        yield Input(shown(value), placeholder="value", classes="value", compact=True)
        yield Button("✕", classes="remove", compact=True, tooltip="Remove this pair")

    def pair(self) -> tuple[str, str]:
        boxes = list(self.query(Input))
        if len(boxes) < 2:  # not composed yet
            return self.original
        return kept(boxes[0].value, self.original[0]), kept(boxes[1].value, self.original[1])


class MetadataDialog(ModalScreen[MetadataChange | None]):
    """Dismisses with a MetadataChange, or None when nothing changed (or on Esc). After a
    change it also posts ThreadsChanged(thread_id) to the app."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", show=False, id="threadtui.metadata.cancel"),
        Binding("ctrl+n", "add_pair", "Add pair", show=False, id="threadtui.metadata.add"),
        Binding("ctrl+r", "remove_pair", "Remove pair", show=False, id="threadtui.metadata.remove"),
    ]

    def __init__(self, services: Services, thread_id: str) -> None:
        super().__init__()
        self.services = services
        self.thread_id = thread_id
        self.tracked = services.registry.get(thread_id)
        profile = services.profile_for(thread_id)
        self.read_only = services.is_read_only(profile)
        self.host = services.profile(profile).host
        self.remote: dict[str, str] | None = None  # as the server has it, once loaded
        self.problems: list[str] = []

    # -- layout ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            title = Text("Metadata", style="bold")
            if self.tracked and self.tracked.title:
                title.append(f" · “{one_line(self.tracked.title, 50)}”", style="bold")
            yield Static(title, id="md-title")
            yield Static(Text(self.thread_id, style="dim"), id="md-id")
            with VerticalScroll(id="md-body"):
                yield Label("Local, in this registry only", classes="section")
                if self.tracked is None:
                    yield Static(
                        Text(
                            "Not tracked: add it (a) to give it a title, note and tags.",
                            style="italic",
                        )
                    )
                else:
                    for field, label, value in (
                        ("title", "Title", self.tracked.title),
                        ("note", "Note", self.tracked.note),
                        ("tags", "Tags", ", ".join(self.tracked.tags)),
                    ):
                        with Horizontal(classes="field"):
                            yield Label(label)
                            yield Input(shown(value), id=field, compact=True)
                yield Label(f"Remote, on {one_line(self.host, 40)}", classes="section")
                yield Static(Text("Loading the remote metadata…", style="cyan"), id="remote-state")
                yield Vertical(id="pairs")
                yield Button("+ Add pair (ctrl+n)", id="add", compact=True, disabled=True)
            yield Static("", id="md-problems")
            with Horizontal(id="buttons"):
                hints = READ_ONLY_HINTS if self.read_only else HINTS
                yield Static(Text(hints, style="dim"), id="md-hints")
                yield Button("Save", id="save", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#title" if self.tracked else "#cancel").focus()
        self.load_remote()

    # -- the remote side --------------------------------------------------------------------------
    @work(exclusive=True, group="load", exit_on_error=False)
    async def load_remote(self) -> None:
        info = await remote_metadata(self.services, self.thread_id)
        self.remote = dict(info.metadata)
        await self._show_remote()

    async def _show_remote(self) -> None:
        assert self.remote is not None
        state = self.query_one("#remote-state", Static)
        if self.read_only:
            state.update(self._read_only_view(self.remote))
            self.query_one("#add").display = False
            self._check()
            return
        state.display = False
        await self.query_one("#pairs").mount_all(PairRow(k, v) for k, v in self.remote.items())
        self.query_one("#add", Button).disabled = False
        self._check()

    def _read_only_view(self, metadata: dict[str, str]) -> Group:
        note = Text(
            read_only_refusal("the remote metadata is shown, not editable."),
            style="yellow",
        )
        if not metadata:
            return Group(note, Text("No remote metadata.", style="italic"))
        table = Table(box=None, show_header=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        for key, value in metadata.items():
            table.add_row(Text(one_line(key, 64)), Text(shown(value)))
        return Group(table, note)

    @property
    def rows(self) -> list[PairRow]:
        return list(self.query(PairRow))

    async def action_add_pair(self) -> None:
        if self.query_one("#add", Button).disabled:
            return
        row = PairRow()
        await self.query_one("#pairs").mount(row)
        row.query_one(".key", Input).focus()
        self._check()

    async def action_remove_pair(self) -> None:
        focused = self.focused
        row = (
            next((a for a in focused.ancestors if isinstance(a, PairRow)), None)
            if focused
            else None
        )
        if row is not None:
            await self._remove(row)

    async def _remove(self, row: PairRow) -> None:
        """Remove a pair; focus goes to the pair that took its place, else to "Add pair"."""
        rows = self.rows
        position = rows.index(row)
        await row.remove()
        rest = rows[:position] + rows[position + 1 :]
        if rest:
            rest[min(position, len(rest) - 1)].query_one(".key", Input).focus()
        else:
            self.query_one("#add", Button).focus()
        self._check()

    # -- checking as you type ---------------------------------------------------------------------
    def wanted_remote(self) -> dict[str, str] | None:
        """The pairs as typed (blank rows left out); None when the remote side can't change."""
        if self.remote is None or self.read_only:
            return None
        return dict(pair for pair in (row.pair() for row in self.rows) if pair != ("", ""))

    def _row_problems(self) -> list[str]:
        """What the API could not even be asked: a value without a key, a key used twice."""
        problems = []
        seen: set[str] = set()
        for number, row in enumerate(self.rows, 1):
            key, value = row.pair()
            if not key and value:
                problems.append(
                    f"Pair {number} has a value but no key: give it a key or remove it."
                )
            elif key in seen:
                problems.append(
                    f"The key “{one_line(key, 40)}” is used twice: each key can have one value."
                )
            seen.add(key)
        return problems

    def _check(self) -> None:
        wanted = self.wanted_remote()
        problems = [] if wanted is None else self._row_problems() + metadata_problems(wanted)
        self.problems = problems
        box = self.query_one("#md-problems", Static)
        box.update(Text("\n".join(problems), style="bold red"))
        box.display = bool(problems)
        self.query_one("#save", Button).disabled = bool(problems)
        if wanted is not None:  # beside Save: always in view, however many rows there are
            hints = Text(f"{len(wanted)} of {MAX_PAIRS} pairs", style="bold" if problems else "")
            hints.append(f" · {HINTS}", style="dim")
            self.query_one("#md-hints", Static).update(hints)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._check()

    # -- saving ------------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        next_box_or(self, event.input, self.action_save)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        elif event.button.id == "cancel":
            self.action_cancel()
        elif event.button.id == "add":
            await self.action_add_pair()
        elif event.button.has_class("remove"):
            await self._remove(next(a for a in event.button.ancestors if isinstance(a, PairRow)))

    def local_changes(self) -> LocalChanges:
        """The set_local arguments for what changed locally ({} when nothing did)."""
        if self.tracked is None:
            return {}
        title = kept(self.query_one("#title", Input).value.strip(), self.tracked.title)
        note = kept(self.query_one("#note", Input).value.strip(), self.tracked.note)
        tags = parse_tags(self.query_one("#tags", Input).value)
        changes: LocalChanges = {}
        if title != self.tracked.title:
            changes["title"] = title
        if note != self.tracked.note:
            changes["note"] = note
        if set(tags) != set(self.tracked.tags):
            changes["add_tags"] = [t for t in tags if t not in self.tracked.tags]
            changes["remove_tags"] = [t for t in self.tracked.tags if t not in tags]
        return changes

    def action_save(self) -> None:
        if self.problems:
            return  # Save is off: the problems say what to fix
        wanted = self.wanted_remote()
        remote = wanted if wanted is not None and wanted != self.remote else None
        self.save(remote, self.local_changes())

    @work(exclusive=True, group="save", exit_on_error=False)
    async def save(self, remote: dict[str, str] | None, local: LocalChanges) -> None:
        """The remote side first: if the server refuses, nothing is changed anywhere."""
        if remote is not None:
            self.query_one("#save", Button).disabled = True
            self._say_problem(Text("Saving the remote metadata…", style="cyan"))
            try:
                info = await update_metadata(self.services, self.thread_id, remote)
            except (ApiError, MetadataError, ConfigError) as problem:
                self.query_one("#save", Button).disabled = False
                self._say_problem(
                    Text(f"{problem.user_message} Nothing was changed.", style="bold red")
                )
                return
            remote = dict(info.metadata)
        if local:
            try:
                set_local(self.services, self.thread_id, **local)
            except StorageError as problem:
                kept_remote = " The remote metadata was saved." if remote is not None else ""
                self._say_problem(Text(f"{problem}{kept_remote}", style="bold red"))
                return
        if remote is None and not local:
            self.dismiss(None)
            return
        tell_app(self, ThreadsChanged(self.thread_id))
        self.dismiss(MetadataChange(self.thread_id, bool(local), remote))

    def _say_problem(self, text: Text) -> None:
        box = self.query_one("#md-problems", Static)
        box.update(text)
        box.display = True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        sentence = failure_sentence(event.worker.error)
        if event.worker.group == "load":
            state = self.query_one("#remote-state", Static)
            state.update(
                Text(
                    f"{sentence} The remote metadata can't be changed now; the local fields can.",
                    style="bold red",
                )
            )
        else:
            self.query_one("#save", Button).disabled = False
            self._say_problem(Text(sentence, style="bold red"))

    def action_cancel(self) -> None:
        self.dismiss(None)
