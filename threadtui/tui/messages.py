"""Messages any screen can post for the main screen to act on.

Feature screens (search, run history, metadata…) stay independent of the main screen:
they post these and the main screen opens threads and refreshes its sidebar rows.
"""

from __future__ import annotations

from textual.message import Message


class OpenThread(Message):
    """Open `thread_id` in the main screen, scrolled to `message_id` when given."""

    def __init__(self, thread_id: str, message_id: str | None = None) -> None:
        super().__init__()
        self.thread_id = thread_id
        self.message_id = message_id


class ThreadsChanged(Message):
    """Registry rows changed (title, tags, status, untracked…): redraw their sidebar rows."""

    def __init__(self, *thread_ids: str) -> None:
        super().__init__()
        self.thread_ids = thread_ids
