"""Feature screens (run history, search, deletion log) and what they share with the dialogs.

Each screen is self-contained: it takes `services` and the IDs it needs, does its I/O in
workers, and shows failures as one sentence inside itself. It talks back through
`threadtui.tui.messages`, posted to the app (see `tell_app`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from threadtui.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from rich.text import Text
    from textual.message import Message
    from textual.screen import Screen
    from textual.widgets import DataTable

log = logging.getLogger("threadtui.tui")


def failure_sentence(error: BaseException | None) -> str:
    """One sentence for the user, whatever went wrong; the unexpected is logged too."""
    if isinstance(error, UserError):
        return error.user_message
    log.error("unexpected failure", exc_info=error)
    return (
        f"Something unexpected failed ({type(error).__name__}); threadtui kept running and "
        "wrote the details to its log."
    )


def tell_app(screen: Screen, message: Message) -> None:
    """Post `message` to the app, which hands it to the main screen (`ThreadtuiApp`).

    Not to `screen` itself: a screen that dismisses itself next may be gone before its
    own queue gets to the message. Not to the screen beneath: the message would then
    bubble on to the app and be handled twice.
    """
    screen.app.post_message(message)


def fill_table(
    table: DataTable, columns: Sequence[str], rows: Sequence[tuple[str, Sequence[Text]]]
) -> None:
    """Add `columns` sized to fit their cells, then `rows` (key, cells).

    Sized here, not by the table: it measures new rows only when it is next idle, and a
    frame drawn before that (the highlighted row, on a busy machine) keeps the header's
    widths.
    """
    widths = [len(name) for name in columns]
    for _key, cells in rows:
        widths = [max(w, cell.cell_len) for w, cell in zip(widths, cells, strict=True)]
    for name, width in zip(columns, widths, strict=True):
        table.add_column(name, width=width, key=name)
    for key, cells in rows:
        table.add_row(*cells, key=key)
