"""Knowing when something is on screen, headless.

Textual's headless driver skips turning a screen update into terminal bytes. `watch()`
puts that step back (what a real terminal costs) and tells a listener about each update
as it would reach the terminal: when, and its text without escape sequences. So "the
screen shows X" means the frame that carries X was rendered, not merely that a widget's
state changed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

Listener = Callable[[Any, float, str], None]  # (app, perf_counter at the frame, its text)


def watch(listener: Listener) -> Callable[[], None]:
    """Call `listener` after every screen update of every Textual app; returns an undo."""
    from textual.app import App

    original = App._display

    def display(self: Any, screen: Any, renderable: Any) -> None:
        original(self, screen, renderable)
        if renderable is None or not hasattr(renderable, "render_segments"):
            return
        terminal = renderable.render_segments(self.console)
        at = time.perf_counter()
        listener(self, at, ESCAPES.sub("", terminal))

    App._display = display  # type: ignore[method-assign]

    def undo() -> None:
        App._display = original  # type: ignore[method-assign]

    return undo
