"""The one yes/no dialog every destructive action goes through.

It names what will be lost. For big bulk actions it can ask the user to type a word
(e.g. the number of threads) before Yes is accepted.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", show=False),
        Binding("n,escape", "answer(False)", "No", show=False),
    ]

    def __init__(
        self,
        title: str,
        body: str,
        *,
        yes_label: str = "Yes",
        no_label: str = "No",
        type_to_confirm: str | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._yes_label = yes_label
        self._no_label = no_label
        self._type_to_confirm = type_to_confirm

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self._title, style="bold"), id="title")
            yield Static(Text(self._body), id="body")
            if self._type_to_confirm is not None:
                yield Static(Text(f"Type {self._type_to_confirm} to confirm:"), id="prompt")
                yield Input(id="typed", placeholder=self._type_to_confirm)
            with Horizontal(id="buttons"):
                yield Button(f"{self._yes_label} (y)", id="yes", variant="error")
                yield Button(f"{self._no_label} (n)", id="no", variant="primary")

    def on_mount(self) -> None:
        target = "#typed" if self._type_to_confirm is not None else "#no"
        self.query_one(target).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_answer(event.button.id == "yes")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_answer(True)

    def action_answer(self, yes: bool) -> None:
        if yes and self._type_to_confirm is not None:
            typed = self.query_one("#typed", Input).value.strip()
            if typed != self._type_to_confirm:
                self.query_one("#prompt", Static).update(
                    Text(
                        f"That is not {self._type_to_confirm}. Type {self._type_to_confirm} to confirm, or press Esc.",
                        style="bold red",
                    )
                )
                return
        self.dismiss(yes)
