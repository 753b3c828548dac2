"""What the routes and the demo seeders use of `FakeAPI`: its clock, state and engines.

A Protocol, so those modules never import `app`, which imports them to build itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from threadtui.clock import Clock
    from threadtui.fakeapi.conversations import ResponseEngine
    from threadtui.fakeapi.runs import RunEngine, RunScripts
    from threadtui.fakeapi.store import Store


class FakeParts(Protocol):
    @property
    def clock(self) -> Clock: ...

    @property
    def store(self) -> Store: ...

    @property
    def engine(self) -> RunEngine: ...

    @property
    def scripts(self) -> RunScripts: ...

    @property
    def responses(self) -> ResponseEngine: ...

    @property
    def response_scripts(self) -> RunScripts: ...

    @property
    def poll_after_ms(self) -> dict[str, int]: ...
