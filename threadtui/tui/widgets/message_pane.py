"""The open thread's messages, oldest at the top, newest page loaded first.

Older pages are asked for (`NeedOlder`) when the user scrolls to the top or presses the
key; the pane keeps the message that was on top in place while they are inserted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message as TextualMessage
from textual.widgets import Static

from threadtui.api.models import Message
from threadtui.tui.widgets.message_view import MessageView


class MessagePane(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    MessagePane {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    MessagePane #pane-notice {
        color: $text-muted;
        text-style: italic;
        content-align: center middle;
        width: 100%;
        height: auto;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Previous message", show=False),
        Binding("down,j", "move(1)", "Next message", show=False),
        Binding("[", "older", "Older", id="messages.older"),
    ]

    class NeedOlder(TextualMessage):
        """The user wants the page before the oldest loaded message."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.has_older = False
        self.loading_older = False
        self.assistant_names: dict[str, str] = {}
        self.now: float = 0.0
        self._notice = Static("", id="pane-notice", markup=False)

    def compose(self):
        yield self._notice

    # -- content ------------------------------------------------------------------------
    @property
    def views(self) -> list[MessageView]:
        return list(self.query(MessageView))

    @property
    def message_ids(self) -> list[str]:
        return [view.message.id for view in self.views]

    def show_notice(self, text: str) -> None:
        self._notice.update(text)
        self._notice.display = bool(text)

    async def clear(self, notice: str = "") -> None:
        await self.query(MessageView).remove()
        self.has_older = False
        self.loading_older = False
        self.show_notice(notice)

    async def show_messages(self, messages: Sequence[Message], *, has_older: bool) -> None:
        """Replace everything with `messages` (oldest first) and scroll to the newest."""
        await self.query(MessageView).remove()
        self.has_older = has_older
        self.show_notice(self._older_hint())
        await self.mount_all(self._views(messages))
        # Anchored: stays at the newest message while long messages finish their layout,
        # until the user scrolls up (and again once they are back at the bottom).
        self.anchor()

    async def prepend_older(self, messages: Sequence[Message], *, has_older: bool) -> None:
        """Insert an older page (oldest first) above what is shown, keeping the view still."""
        self.loading_older = False
        self.has_older = has_older
        self.show_notice(self._older_hint())
        if not messages:
            return
        first = next(iter(self.query(MessageView)), None)
        if first is None:
            await self.mount_all(self._views(messages))
            return
        offset = first.virtual_region.y - self.scroll_y
        old_y = first.virtual_region.y
        await self.mount_all(self._views(messages), before=first)

        def keep_place(tries: int = 5) -> None:
            if first.virtual_region.y == old_y and tries:
                self.call_after_refresh(keep_place, tries - 1)  # layout not done yet
                return
            self.scroll_to(y=first.virtual_region.y - offset, animate=False, immediate=True)

        self.call_after_refresh(keep_place)

    async def append(self, messages: Sequence[Message]) -> None:
        """Add new messages at the bottom (skipping any already shown) and follow them."""
        known = set(self.message_ids)
        fresh = [m for m in messages if m.id not in known]
        if fresh:
            await self.mount_all(self._views(fresh))
            self.scroll_end(animate=False)

    def _views(self, messages: Sequence[Message]) -> list[MessageView]:
        return [MessageView(m, self.assistant_names, self.now) for m in messages]

    def _older_hint(self) -> str:
        if self.loading_older:
            return "Loading older messages…"
        return "↑ older messages: scroll up or press [" if self.has_older else ""

    # -- asking for more ---------------------------------------------------------------------
    def request_older(self) -> None:
        if self.has_older and not self.loading_older:
            self.loading_older = True
            self.show_notice(self._older_hint())
            self.post_message(self.NeedOlder())

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new <= 0 and old > 0:
            self.request_older()

    def action_older(self) -> None:
        self.request_older()

    def action_move(self, delta: int) -> None:
        views = self.views
        if not views:
            return
        focused = self.screen.focused
        index = views.index(focused) if focused in views else (len(views) if delta < 0 else -1)
        target = views[max(0, min(len(views) - 1, index + delta))]
        target.focus()
        if delta < 0 and target is views[0]:
            self.request_older()

    @property
    def selected(self) -> Message | None:
        focused = self.screen.focused
        return focused.message if isinstance(focused, MessageView) else None
