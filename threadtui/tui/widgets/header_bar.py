"""The top line: which profile, server and host you are on (auditors run several)."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class HeaderBar(Widget):
    DEFAULT_CSS = """
    HeaderBar {
        height: 1;
        padding: 0 1;
        background: $primary 30%;
    }
    """

    profile: reactive[str] = reactive("")
    """The name of the session's profile."""
    server: reactive[str] = reactive("")
    """The host of the profile's server."""
    where: reactive[str] = reactive("")
    """user@host of the machine threadtui runs on (auditors run several)."""
    read_only: reactive[bool] = reactive(False)
    """Shows READ-ONLY: nothing will be sent or deleted."""
    demo: reactive[bool] = reactive(False)
    """Shows DEMO: the fake API answers, not a real server."""

    def render(self) -> Text:
        text = Text("threadtui", style="bold")
        for part in (self.profile, self.server, self.where):
            if part:
                text.append(" · ")
                text.append(part)
        if self.demo:
            text.append("  DEMO", style="bold black on yellow")
        if self.read_only:
            text.append("  READ-ONLY", style="bold white on red")
        hint = Text("ctrl+p commands", style="dim")
        text.truncate(max(0, self.size.width - hint.cell_len - 1), overflow="ellipsis")
        text.pad_right(max(0, self.size.width - text.cell_len - hint.cell_len))
        return text + hint
