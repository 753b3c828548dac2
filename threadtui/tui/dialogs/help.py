"""`?`: every key that works here, with its binding id for remapping in config.toml."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

TIPS = (
    "Enter sends a message; ctrl+n starts a new line (pasted text keeps its own).\n"
    "Esc cancels a run that is in progress. ctrl+p opens the command palette.\n"
    'Remap a key in config.toml:  [keys]  followed by  "threadtui.delete" = "ctrl+d"'
)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss(None)", "Close", show=False)
    ]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        """rows: (key, description, binding id)."""
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_header=True, header_style="bold")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        table.add_column("binding id", style="dim", no_wrap=True)
        for key, description, binding_id in self.rows:
            table.add_row(Text(key), Text(description), Text(binding_id))
        with VerticalScroll(id="dialog"):
            yield Static(Text("threadtui keys", style="bold"))
            yield Static(Text(TIPS, style="dim"), id="tips")
            yield Static(table)
