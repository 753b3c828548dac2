"""The input box: Enter sends, ctrl+n starts a new line.

ctrl+n arrives intact through tmux, screen and SSH. The keys people try first do not:
alt+enter and shift+enter reach a terminal app as a plain Enter unless the terminal speaks
the kitty keyboard protocol (they are bound too, for those terminals), and ctrl+j is a
bare line feed. Pasted text keeps its newlines. While a run is active the box is
read-only and its border says why.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import TextArea

from threadtui.core.text.sanitize import clean

ThreadListSelector = "ThreadList"
PLACEHOLDER = "Type a message · enter send · ctrl+n newline"


class Composer(TextArea):
    DEFAULT_CSS = """
    Composer {
        height: auto;
        min-height: 3;
        max-height: 8;
        border: round $primary 60%;
        padding: 0 1;
    }
    Composer:focus {
        border: round $accent;
    }
    Composer.-waiting {
        border: round $warning;
        color: $text-muted;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+n,alt+enter,shift+enter", "newline", "Newline", show=False, id="composer.newline"
        ),
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
            highlight_cursor_line=False,
        )
        self.border_title = "Message"

    def wait_for(self, reason: str) -> None:
        """Lock the box, keeping what was typed, and say why."""
        self.read_only = True
        # A border title is parsed as markup, and the reason may name a server's run:
        # given as Text, cleaned, it is shown as written and never obeyed.
        self.border_subtitle = Text(clean(reason))
        self.add_class("-waiting")

    def ready(self) -> None:
        self.read_only = False
        self.border_subtitle = ""
        self.remove_class("-waiting")

    async def _on_key(self, event: events.Key) -> None:
        # The newline key is handled here, not left to the binding: a binding runs only
        # after the key has bubbled up, i.e. after the keys typed just behind it.
        if any(b.action == "newline" for b in self._bindings.key_to_bindings.get(event.key, ())):
            event.stop()
            event.prevent_default()
            self.action_newline()
            return
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
