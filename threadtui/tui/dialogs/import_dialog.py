"""Import thread IDs: paste text (logs, JSON, CSV…) or give file paths.

The import reads in a background thread with a live count; the summary says what was
added, what was tracked already, which cut-short IDs and other ID kinds were seen.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from threadtui.core.finding.importer import (
    ImportProgress,
    ImportSummary,
    PastedText,
    import_sources,
)
from threadtui.core.services import Services


class ImportDialog(ModalScreen[ImportSummary | None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", show=False)]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.summary: ImportSummary | None = None
        self._stop = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Import thread IDs", style="bold"), id="import-title")
            yield Label("Paste text: logs, JSON, CSV, anything holding thread_… or conv_… IDs")
            yield TextArea(id="pasted", soft_wrap=True, tab_behavior="focus")
            yield Label("…or files (paths separated by spaces; ~ works)")
            yield Input(placeholder="~/logs/app.log ~/exports/threads.json", id="paths")
            yield Static("", id="import-status")
            with Horizontal(id="buttons"):
                yield Button("Import", id="import", variant="primary")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#pasted", TextArea).focus()

    def sources(self) -> list[str | PastedText]:
        found: list[str | PastedText] = []
        text = self.query_one("#pasted", TextArea).text
        if text.strip():
            found.append(PastedText(text))
        for path in self.query_one("#paths", Input).value.split():
            found.append(str(Path(path).expanduser()))
        return found

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "import":
            self.start()
        else:
            self.action_close()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def start(self) -> None:
        sources = self.sources()
        if not sources:
            self.say("Paste some text or give a file path first.", "bold red")
            return
        self.query_one("#import", Button).disabled = True
        self.say("Reading…", "")
        self._import(sources)

    def say(self, text: str, style: str) -> None:
        self.query_one("#import-status", Static).update(Text(text, style=style))

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _import(self, sources: list[str | PastedText]) -> None:
        def progress(p: ImportProgress) -> None:
            self.app.call_from_thread(self.say, f"Reading {p.name}… {p.found:,} IDs so far", "")

        summary = import_sources(
            self.services, sources, progress=progress, should_stop=lambda: self._stop
        )
        self.app.call_from_thread(self._done, summary)

    def _done(self, summary: ImportSummary) -> None:
        self.summary = summary
        self.query_one("#import", Button).disabled = False
        self.say("\n".join(summary.lines()), "")

    def action_close(self) -> None:
        self._stop = True  # an import in progress ends after the batch in hand
        self.dismiss(self.summary)
