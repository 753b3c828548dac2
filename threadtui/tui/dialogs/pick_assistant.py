"""Choose which assistant answers in a thread that has none remembered."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from threadtui.api.models import AssistantInfo
from threadtui.core.text.sanitize import id_text, one_line


class PickAssistantDialog(ModalScreen[str | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", show=False)
    ]

    def __init__(self, assistants: list[AssistantInfo]) -> None:
        super().__init__()
        self.assistants = assistants

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text("Which assistant should answer in this thread?", style="bold"))
            yield OptionList(
                *(
                    # Shown cleaned; picked by position, so a server's ID (repeated or
                    # odd) is never a widget ID.
                    Option(
                        Text(
                            f"{one_line(a.name or '(unnamed)', 40)} · "
                            f"{one_line(a.model or '?', 30)} · {id_text(a.id)}"
                        )
                    )
                    for a in self.assistants
                )
            )

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.assistants[event.option_index].id)
