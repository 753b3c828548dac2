"""A tiny host app for one feature screen or dialog, styled like the real app.

Like `ThreadtuiApp`, the host app receives the messages feature screens post for the main
screen (OpenThread, ThreadsChanged) and records them; it also records what the feature
screen dismissed with. Beneath the feature screen sits a plain screen, standing in for
the main one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Static

from threadtui.tui.app import ThreadtuiApp
from threadtui.tui.messages import OpenThread, ThreadsChanged

NOT_YET = object()


class Beneath(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("the main screen")


class FeatureHost(App[None]):
    CSS_PATH = ThreadtuiApp.CSS_PATH

    def __init__(self, make: Callable[[], Screen[Any]] | None = None) -> None:
        """`make` builds the feature screen shown on start; without it, call `show()`."""
        super().__init__()
        self.make = make
        self.received: list[OpenThread | ThreadsChanged] = []
        self.dismissed: Any = NOT_YET
        self.feature: Screen[Any] | None = None

    def on_mount(self) -> None:
        self.push_screen(Beneath())
        if self.make is not None:
            self.show(self.make())

    def show(self, feature: Screen[Any]) -> None:
        self.feature = feature
        self.push_screen(feature, self._dismissed)

    def _dismissed(self, result: Any) -> None:
        self.dismissed = result

    def on_open_thread(self, message: OpenThread) -> None:
        self.received.append(message)

    def on_threads_changed(self, message: ThreadsChanged) -> None:
        self.received.append(message)
