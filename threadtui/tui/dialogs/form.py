"""Small modal forms: a title, labelled inputs, an error line, OK/Cancel.

Each form validates in `check()` and stays open with the error shown until the input is
right or the user presses Esc, so nothing typed is lost to a mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


def next_box_or(screen: ModalScreen[Any], submitted: Input, submit: Callable[[], object]) -> None:
    """Enter in a form: on to the next box, or `submit` from the last one."""
    boxes = list(screen.query(Input))
    position = boxes.index(submitted)
    if position + 1 < len(boxes):
        boxes[position + 1].focus()
    else:
        submit()


class FormDialog(ModalScreen[Any]):
    """Subclasses set TITLE_TEXT and FIELDS ((id, label, placeholder, initial)), and
    implement `check(values) -> result` raising ValueError with a sentence."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", show=False)]
    TITLE_TEXT = ""
    FIELDS: ClassVar[list[tuple[str, str, str]]] = []

    def __init__(self, initial: dict[str, str] | None = None, *, intro: str = "") -> None:
        super().__init__()
        self._initial = initial or {}
        self._intro = intro

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(self.TITLE_TEXT, style="bold"), id="form-title")
            if self._intro:
                yield Static(Text(self._intro), id="form-intro")
            for field_id, label, placeholder in self.FIELDS:
                yield Label(label)
                yield Input(self._initial.get(field_id, ""), placeholder=placeholder, id=field_id)
            yield Static("", id="form-error")
            with Horizontal(id="buttons"):
                yield Button("OK", id="ok", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query(Input).first().focus()

    def values(self) -> dict[str, str]:
        return {
            field_id: self.query_one(f"#{field_id}", Input).value for field_id, _, _ in self.FIELDS
        }

    def check(self, values: dict[str, str]) -> Any:
        return values

    def submit(self) -> None:
        try:
            result = self.check(self.values())
        except ValueError as problem:
            self.query_one("#form-error", Static).update(Text(str(problem), style="bold red"))
            return
        self.dismiss(result)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        next_box_or(self, event.input, self.submit)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self.submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
