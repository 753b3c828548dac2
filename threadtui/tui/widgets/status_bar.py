"""One line at the bottom: what is happening now (run progress, confirmations, errors)
on the left, and a short fact about the open thread (tokens, counts) on the right."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from threadtui.core.text.sanitize import clean

Tone = Literal["info", "success", "warning", "error", "progress"]

_STYLES = {
    "info": "",
    "success": "bold green",
    "warning": "bold yellow",
    "error": "bold red",
    "progress": "cyan",
}
_ICONS = {"info": "", "success": "✓ ", "warning": "! ", "error": "✗ ", "progress": "⟳ "}


class StatusBar(Widget):
    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        padding: 0 1;
        background: $panel;
    }
    StatusBar.-error {
        background: $error 25%;
    }
    """

    message: reactive[str] = reactive("")
    """What is happening now, as plain text (never markup)."""
    tone: reactive[Tone] = reactive("info")
    """How `message` is styled, and the icon before it."""
    right: reactive[str] = reactive("")
    """A short fact about the open thread (tokens, counts), right-aligned and dim."""

    def say(self, message: str, tone: Tone = "info") -> None:
        """Show `message` (plain text, never markup) until the next one.

        Cleaned here, where it is shown: sentences name servers' IDs and quote their words."""
        self.message = clean(message)
        self.tone = tone
        self.set_class(tone == "error", "-error")

    def render(self) -> Text:
        width = self.size.width
        right = Text(self.right, style="dim")
        left = Text(_ICONS.get(self.tone, "") + self.message, style=_STYLES.get(self.tone, ""))
        left.truncate(max(0, width - len(right) - 1), overflow="ellipsis")
        left.pad_right(max(0, width - left.cell_len - right.cell_len))
        return left + right
