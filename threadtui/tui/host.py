"""What the main screen's controllers (ThreadView, RunControl, BulkControl) use of it.

The screen hands them its services and widgets (attributes down) and they ask it for the
few things that change the screen around them through these methods, never by reaching
into its widget tree, so they depend on this Protocol and not on `MainScreen`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Protocol, TypeVar

if TYPE_CHECKING:
    from rich.text import Text
    from textual.app import App
    from textual.worker import Worker, WorkType

    from threadtui.api.models import Run
    from threadtui.core.chat.session import ArchivedSession, ThreadSession
    from threadtui.core.services import Services
    from threadtui.tui.widgets.composer import Composer
    from threadtui.tui.widgets.message_pane import MessagePane
    from threadtui.tui.widgets.status_bar import StatusBar

ResultType = TypeVar("ResultType")


class Host(Protocol):
    @property
    def services(self) -> Services: ...

    @property
    def app(self) -> App[object]: ...

    @property
    def status(self) -> StatusBar: ...

    @property
    def pane(self) -> MessagePane: ...

    @property
    def composer(self) -> Composer: ...

    def run_worker(
        self,
        work: WorkType[ResultType],
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
        start: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Worker[ResultType]: ...

    def refresh_bindings(self) -> None: ...

    def reload_index(self) -> None:
        """Read the whole thread index again (after many rows changed)."""

    def refresh_row(self, thread_id: str) -> None:
        """Show one thread's row as the registry has it now."""

    def composer_for(self, session: ThreadSession | ArchivedSession | None) -> None:
        """Show the composer only where a message can be sent."""

    def show_thread_title(self, line: Text | str) -> None:
        """The line above the open thread's messages."""

    def resume_run(self, session: ThreadSession, run: Run) -> None:
        """Follow a run found active when the thread was opened."""

    def close_thread_of(self, thread_ids: Collection[str], notice: str) -> None:
        """Close the open thread, with `notice` in its place, if it is one of `thread_ids`."""

    def clear_marks(self) -> None:
        """Unmark every thread marked in the sidebar."""
