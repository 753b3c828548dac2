"""The input box: Enter sends, alt+enter (or ctrl+n) starts a new line.

Both newline keys survive tmux, screen and SSH (ctrl+j is a bare line feed and
shift+enter is indistinguishable from enter in most terminals). While a run is active the
box is read-only and its border says why.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

ThreadListSelector = "ThreadList"
PLACEHOLDER = "Type a message · enter send · alt+enter newline"


class Composer(TextArea):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("alt+enter,ctrl+n", "newline", "Newline", show=False, id="composer.newline"),
        Binding("escape", "leave", "Back to list", show=False),
    ]

    class Submitted(Message):
        def __init__(self, composer: Composer, text: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            placeholder=PLACEHOLDER,
            compact=True,
            highlight_cursor_line=False,
        )
        self.border_title = "Message"

    def wait_for(self, reason: str) -> None:
        """Lock the box, keeping what was typed, and say why."""
        self.read_only = True
        self.border_subtitle = reason
        self.add_class("-waiting")

    def ready(self) -> None:
        self.read_only = False
        self.border_subtitle = ""
        self.remove_class("-waiting")

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text.strip()
            if text and not self.read_only:
                self.post_message(self.Submitted(self, text))
            return
        await super()._on_key(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While waiting, Esc belongs to the screen: it cancels the run.
        return not (action == "leave" and self.read_only)

    def action_leave(self) -> None:
        self.screen.focus_next(ThreadListSelector)

    def action_newline(self) -> None:
        if not self.read_only:
            self.insert("\n")
