"""Export one thread to a file: Markdown to read, JSON that loses nothing, or JSON Lines.

The folder defaults to ~/threadtui-exports: one predictable, private (0700) place, the
same wherever the TUI was started. The current directory would scatter transcripts over
whatever folder a shell happened to be in (often a git checkout, where they could be
committed by mistake). Threads gone from the server, or with no key to reach it, are
exported from the local archive.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState

from threadtui.api.errors import ApiError
from threadtui.core.archive.export import FROM_SERVER, Exported, NothingToExport, export_thread
from threadtui.core.archive.store import archive_info
from threadtui.core.settings.config import ConfigError
from threadtui.core.store.registry import StorageError
from threadtui.core.text.sanitize import one_line
from threadtui.tui.messages import ThreadsChanged
from threadtui.tui.screens import failure_sentence, tell_app

if TYPE_CHECKING:
    from threadtui.core.services import Services

DEFAULT_FOLDER = "~/threadtui-exports"
FORMATS = {  # format -> (button label, what it is for)
    "md": ("Markdown", "For people: roles, times, run IDs and citations, ready to read."),
    "json": (
        "JSON",
        "Loses nothing: the API's objects as returned; `threadtui import` reads it back.",
    ),
    "jsonl": ("JSON Lines", "One message per line, exactly as the API returned it."),
}


def result_text(done: Exported) -> Text:
    """What was written, where, from where, and anything worth knowing."""
    text = Text("✓ ", style="bold green")
    if done.renamed:
        text.append("The file name was taken, so this was written instead: ")
    else:
        text.append("Wrote ")
    text.append(str(done.path), style="bold")
    where = "the server" if done.origin == FROM_SERVER else "the local archive"
    text.append(f"\n{done.message_count:,} messages, from {where}")
    if done.redacted == "nothing":
        text.append("; nothing needed redacting")
    elif done.redacted:
        text.append(f"; redacted {done.redacted}")
    text.append(".")
    if done.note:
        text.append(f"\n{done.note}", style="yellow")
    return text


class ExportDialog(ModalScreen[Exported | None]):
    """Dismisses with the last Exported file (also after Esc), or None when nothing was
    written. Posts ThreadsChanged(thread_id) after asking the server: archiving can
    change the thread's row (live, gone, message count)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", show=False, id="threadtui.export.close"),
    ]

    def __init__(
        self, services: Services, thread_id: str, *, folder: str | Path | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.thread_id = thread_id
        self.folder = str(folder) if folder else DEFAULT_FOLDER
        self.exported: Exported | None = None
        tracked = services.registry.get(thread_id)
        self.title_text = (tracked.title if tracked else "") or "untitled"
        self.gone = tracked is not None and tracked.status == "gone"
        self.profile = services.profile_for(thread_id)
        self.offline = self.gone or not services.has_key(self.profile)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            title = Text("Export ", style="bold")
            title.append(f"“{one_line(self.title_text, 50)}”", style="bold")
            yield Static(title, id="export-title")
            yield Static(self._intro(), id="export-intro")
            with Horizontal(classes="field"):
                yield Label("Format")
                with RadioSet(id="format", compact=True):
                    for number, (label, _) in enumerate(FORMATS.values()):
                        yield RadioButton(label, value=number == 0)
            yield Static(Text(FORMATS["md"][1], style="dim"), id="format-help")
            with Horizontal(classes="field"):
                yield Label("Folder")
                yield Input(self.folder, placeholder=DEFAULT_FOLDER, id="folder", compact=True)
            with Horizontal(classes="field"):
                yield Label("Redact")
                yield Checkbox(
                    "e-mail addresses, phone numbers and key-like strings",
                    id="redact",
                    compact=True,
                )
            yield Static("", id="export-state")
            with Horizontal(id="buttons"):
                yield Button("Export", id="export", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _intro(self) -> Text:
        text = Text(self.thread_id, style="dim")
        info = archive_info(self.services.registry, self.thread_id)
        kept = f"{info.message_count:,} messages archived" if info else "not archived yet"
        if self.gone:
            text.append(f" · gone from the server: the archived copy is exported ({kept}).")
        elif self.offline:
            text.append(f" · no API key for its profile: the archived copy is exported ({kept}).")
        else:
            text.append(" · fetched from the server first, then kept in the archive.")
        return text

    def on_mount(self) -> None:
        self.query_one("#format", RadioSet).focus()

    @property
    def format(self) -> str:
        pressed = self.query_one("#format", RadioSet).pressed_index
        return list(FORMATS)[max(0, pressed)]

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.query_one("#format-help", Static).update(Text(FORMATS[self.format][1], style="dim"))

    # -- exporting ------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export":
            self.start()
        else:
            self.action_close()

    def start(self) -> None:
        if self.query_one("#export", Button).disabled:
            return  # one export at a time
        typed = self.query_one("#folder", Input).value.strip()
        if not typed:
            self._say(Text("✗ Give a folder to write into, like ~/threadtui-exports.", "bold red"))
            return
        folder = Path(typed).expanduser().absolute()
        if folder.exists() and not folder.is_dir():
            self._say(Text(f"✗ {folder} is a file, not a folder: give a folder.", "bold red"))
            return
        redact = self.query_one("#redact", Checkbox).value
        self.run_export(self.format, folder, redact)

    @work(exclusive=True, group="export", exit_on_error=False)
    async def run_export(self, fmt: str, folder: Path, redact: bool) -> None:
        self._busy(True)
        self._say(Text("Exporting…", style="cyan"))

        def progress(thread_id: str, fetched: int) -> None:
            self._say(Text(f"Fetching from the server… {fetched:,} messages", style="cyan"))

        try:
            done = await export_thread(
                self.services,
                self.thread_id,
                fmt,
                folder,
                redact=redact,
                offline=self.offline,
                progress=progress,
            )
        except NothingToExport as problem:
            self._finished(self._nothing_sentence() if self.offline else str(problem))
        except OSError as problem:
            reason = problem.strerror or problem
            self._finished(f"Cannot write to {folder} ({reason}): nothing was written.")
        except (ApiError, ConfigError, StorageError) as problem:
            self._finished(self._api_sentence(problem))
        else:
            self.exported = done
            self._finished(result_text(done))

    def _finished(self, outcome: Text | str) -> None:
        self._busy(False)
        if isinstance(outcome, str):
            outcome = Text("✗ " + outcome, style="bold red")
        else:
            self.query_one("#cancel", Button).label = "Close"
            self.query_one("#cancel", Button).focus()
        self._say(outcome)
        if not self.offline:  # the server was asked: the thread's row may have changed
            tell_app(self, ThreadsChanged(self.thread_id))

    def _nothing_sentence(self) -> str:
        if self.gone:
            return (
                f"{self.thread_id} is gone from the server and was never archived: "
                "there is nothing to export."
            )
        return (
            f"{self.thread_id} is not in the local archive, and there is no key to fetch it: "
            + self.services.setup_hint(self.profile)
        )

    def _api_sentence(self, problem: Exception) -> str:
        sentence = failure_sentence(problem)
        if archive_info(self.services.registry, self.thread_id) is not None:
            return f"{sentence} Nothing was written; the archived copy is still there."
        return f"{sentence} Nothing was written."

    def _busy(self, busy: bool) -> None:
        self.query_one("#export", Button).disabled = busy

    def _say(self, text: Text) -> None:
        self.query_one("#export-state", Static).update(text)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self._finished(failure_sentence(event.worker.error))

    def action_close(self) -> None:
        self.dismiss(self.exported)
