"""Per-profile server state: has this profile's server retired the API?

A server that answers 404 to `GET /assistants?limit=1` no longer speaks the Assistants API
(api.openai.com since 2026-08-26). That is a fact about the server, not about its threads:
they keep their last known status, and nothing is marked gone. The state lives in the
registry's `servers` table (one row per profile), so the CLI, the TUI and bulk actions
all see it, and a second check does not need to ask again to say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from threadtui.api.errors import ApiRetired

if TYPE_CHECKING:
    from threadtui.core.access import ThreadAccess
    from threadtui.core.store.registry import Registry

_COLUMNS = "profile, host, retired_at, checked_at, detail"


@dataclass(frozen=True)
class ServerState:
    """What threadtui last learned about a profile's server."""

    profile: str
    host: str = ""
    retired_at: float | None = None  # when the API was first found gone; None: it answers
    checked_at: float | None = None  # when the server was last probed
    detail: str = ""  # the server's own sentence, when retired

    @property
    def retired(self) -> bool:
        return self.retired_at is not None

    def message(self, kind: str = "assistants") -> str:
        """One plain sentence for a retired server (empty when it answers)."""
        if not self.retired:
            return ""
        if kind == "conversations":
            return (
                f"The server of profile {self.profile!r} ({self.host}) does not offer the "
                "Conversations API: its conversations are kept as they were, none was marked "
                "gone, and their archived transcripts still open; check the profile's base_url."
            )
        return (
            f"The server of profile {self.profile!r} ({self.host}) no longer offers the "
            "Assistants API: its threads are kept as they were, none was marked gone; "
            "their archived transcripts still open, and a conversations profile can "
            "continue them."
        )


def get(registry: Registry, profile: str) -> ServerState | None:
    """The recorded state of a profile's server, or None when it was never probed."""
    with registry.reading() as db:
        row = db.execute(f"SELECT {_COLUMNS} FROM servers WHERE profile = ?", (profile,)).fetchone()
    return ServerState(*row) if row else None


def all_states(registry: Registry) -> list[ServerState]:
    """Every recorded server state, by profile name."""
    with registry.reading() as db:
        rows = db.execute(f"SELECT {_COLUMNS} FROM servers ORDER BY profile").fetchall()
    return [ServerState(*row) for row in rows]


def retired_profiles(registry: Registry) -> set[str]:
    """Profiles whose server was last found retired."""
    with registry.reading() as db:
        rows = db.execute("SELECT profile FROM servers WHERE retired_at IS NOT NULL")
        return {row[0] for row in rows}


def record(
    registry: Registry, profile: str, *, host: str, at: float, retired_detail: str | None
) -> ServerState:
    """Record a probe's outcome: retired (keeping the first time it was seen) or answering."""
    with registry.writing() as db:
        db.execute(
            """
            INSERT INTO servers (profile, host, retired_at, checked_at, detail)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(profile) DO UPDATE SET
                host = excluded.host,
                retired_at = CASE WHEN excluded.retired_at IS NULL THEN NULL
                                  ELSE coalesce(servers.retired_at, excluded.retired_at) END,
                checked_at = excluded.checked_at,
                detail = excluded.detail
            """,
            (profile, host, at if retired_detail is not None else None, at, retired_detail or ""),
        )
    state = get(registry, profile)
    assert state is not None
    return state


async def probe(services: ThreadAccess, profile: str | None = None) -> ServerState:
    """Ask a profile's server whether its API is there, and record the answer.

    Returns the state (retired or answering). Other failures (no key, network, rate
    limit) are raised as the API errors they are, and nothing is recorded.
    """
    chosen = services.profile(profile)
    try:
        await services.backend(chosen.name).probe()
    except ApiRetired as retired:
        detail: str | None = retired.user_message
    else:
        detail = None
    return record(
        services.registry,
        chosen.name,
        host=chosen.host,
        at=services.clock.now(),
        retired_detail=detail,
    )
