"""Talking to the remote service.

Backend-neutral types live in `models`, domain errors in `errors`, the interface in
`backend`. Implementations import `openai` lazily so the first paint never waits for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from threadtui.api.backend import Backend, Connection
    from threadtui.clock import Clock


def open_backend(connection: Connection, *, clock: Clock | None = None) -> Backend:
    """The backend for `connection.kind`. Imports `openai` on first call, not before.

    `clock` times the backend's own waits (resending after an unclear failure)."""
    if connection.kind == "conversations":
        from threadtui.api.conversations import ConversationsBackend

        return ConversationsBackend(connection, clock=clock)
    from threadtui.api.assistants import AssistantsBackend

    return AssistantsBackend(connection, clock=clock)
