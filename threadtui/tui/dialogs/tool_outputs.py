"""A run stopped at requires_action: show each tool call with its arguments and let the
user type the outputs, or cancel the run."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from threadtui.api.models import Run
from threadtui.core.text.sanitize import clean
from threadtui.tui.dialogs.form import next_box_or

CANCEL_RUN = "cancel"


def pretty_arguments(arguments: str) -> str:
    try:
        return json.dumps(json.loads(arguments), indent=2, ensure_ascii=False)
    except (ValueError, TypeError):
        return arguments


class ToolOutputsDialog(ModalScreen[dict[str, str] | str | None]):
    """Dismisses with {call_id: output}, CANCEL_RUN, or None (decide later)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "later", "Later", show=False)]

    def __init__(self, run: Run) -> None:
        super().__init__()
        self.run = run

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Text(f"{clean(self.run.id)} is waiting for tool outputs", style="bold"), id="title"
            )
            with VerticalScroll(id="calls"):
                for number, call in enumerate(self.run.tool_calls):
                    yield Static(Text(f"{clean(call.name)}  ({clean(call.id)})", style="bold cyan"))
                    yield Static(Text(clean(pretty_arguments(call.arguments))), classes="arguments")
                    yield Input(placeholder=f"output of {clean(call.name)}", id=f"out-{number}")
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Submit outputs", id="submit", variant="primary")
                yield Button("Cancel run", id="cancel-run", variant="error")
                yield Button("Later", id="later")

    def on_mount(self) -> None:
        first = self.query(Input).first(Input)
        first.focus()

    def _outputs(self) -> dict[str, str]:
        inputs = list(self.query(Input))
        return {call.id: box.value for call, box in zip(self.run.tool_calls, inputs, strict=True)}

    def submit(self) -> None:
        outputs = self._outputs()
        missing = [cid for cid, value in outputs.items() if not value.strip()]
        if missing:
            self.query_one("#error", Static).update(
                Text(
                    f"Type an output for {len(missing)} more call(s), or cancel the run.",
                    style="bold red",
                )
            )
            return
        self.dismiss(outputs)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        next_box_or(self, event.input, self.submit)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "submit":
            self.submit()
        elif event.button.id == "cancel-run":
            self.dismiss(CANCEL_RUN)
        else:
            self.dismiss(None)

    def action_later(self) -> None:
        self.dismiss(None)
