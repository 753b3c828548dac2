"""What the core's server-side operations (archiving, deleting, probing) use of `Services`.

They take this narrow Protocol rather than `Services`, so the modules `Services` delegates
to never import it back; `Services` satisfies it as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from threadtui.api.backend import Backend
    from threadtui.clock import Clock
    from threadtui.core.settings.config import Profile
    from threadtui.core.settings.paths import Locations
    from threadtui.core.store.registry import Registry


class ThreadAccess(Protocol):
    """The registry, the clock, and the profiles and backends threads are reached through."""

    @property
    def registry(self) -> Registry: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def locations(self) -> Locations: ...

    def profile(self, name: str | None = None) -> Profile: ...

    def profile_for(self, thread_id: str) -> str: ...

    def is_read_only(self, profile_name: str | None = None) -> bool: ...

    def backend(self, profile_name: str | None = None) -> Backend: ...

    def backend_for(self, thread_id: str) -> Backend: ...

    def mark_gone(self, thread_id: str, reason: str) -> None: ...
