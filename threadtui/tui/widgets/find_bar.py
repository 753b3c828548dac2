"""Find in the open thread: type, Enter (or ↓) for the next match, ↑ for the previous.

It searches the messages loaded in the pane; `[` loads older pages to search further.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input


class FindBar(Input):
    DEFAULT_CSS = """
    FindBar {
        height: 1;
        border: none;
        padding: 0 1;
        background: $boost;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "step(1)", "Next match", show=False),
        Binding("up", "step(-1)", "Previous match", show=False),
        Binding("escape", "close", "Close find", show=False),
    ]

    class Step(Message):
        def __init__(self, query: str, direction: int) -> None:
            super().__init__()
            self.query = query
            self.direction = direction

    class Closed(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            placeholder="find in this thread · enter/↓ next · ↑ previous · esc close", id=id
        )
        self.display = False

    def open(self) -> None:
        self.display = True
        self.screen.set_focus(self)

    def action_step(self, direction: int) -> None:
        if self.value.strip():
            self.post_message(self.Step(self.value, direction))

    def action_close(self) -> None:
        self.display = False
        self.post_message(self.Closed())

    async def action_submit(self) -> None:
        self.action_step(1)
