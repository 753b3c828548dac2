"""Keys that arrive faster than focus moves.

Textual queues each key at the widget focused when it arrived, and runs a screen binding
only after the key has bubbled up, i.e. after the widget has already handled the keys
queued behind it. So when "/" (filter) or "i" (write) arrives in one burst with the text
that follows (a fast typist, a paste, a busy moment), that text would reach the list and
fall through to its single-letter bindings (u untrack, d delete…).

List-like widgets therefore run the screen's focus-moving bindings at once (`take_focus_key`)
and hand every later key to the text box that now has focus (`redeliver`).
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, TextArea

FOCUS_ACTIONS = frozenset({"filter", "compose"})


def redeliver(widget: Widget, event: events.Key) -> bool:
    """Hand `event` to the text box that now has focus, keeping the typed order."""
    focused = widget.screen.focused
    if focused is widget or not isinstance(focused, (Input, TextArea)):
        return False
    event.stop()
    event.prevent_default()
    widget.app.post_message(events.Key(event.key, event.character))
    return True


async def take_focus_key(widget: Widget, event: events.Key) -> bool:
    """Run a screen binding that moves focus to a text box now, before the next key."""
    for binding in widget.screen._bindings.key_to_bindings.get(event.key, []):
        if binding.action in FOCUS_ACTIONS:
            event.stop()
            event.prevent_default()
            await widget.screen.run_action(binding.action)
            return True
    return False


async def route(widget: Widget, event: events.Key) -> bool:
    """True when the key was taken care of here (the caller must not handle it)."""
    return redeliver(widget, event) or await take_focus_key(widget, event)
