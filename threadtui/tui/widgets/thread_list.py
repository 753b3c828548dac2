"""The sidebar's list of tracked threads, rendered with Textual's line API.

Only the rows on screen are rendered, so 100,000 threads cost no more to paint than 20
(Textual's OptionList mounts every option: ~4 s to first paint at 100k).
"""

from __future__ import annotations

import time
from typing import ClassVar, Protocol

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from threadtui.core.store.thread_index import IndexRow
from threadtui.core.text.sanitize import id_text, one_line
from threadtui.core.text.timefmt import age

# The badge says the kind (● thread, ◆ conversation), green once the server confirmed it,
# or what went wrong with it.
KIND_BADGES = {"thread": "●", "conversation": "◆"}
STATUS_BADGES = {"gone": "✗", "forbidden": "⊘", "retired": "◌"}


class RowSource(Protocol):
    def __len__(self) -> int: ...
    def row(self, position: int) -> IndexRow: ...


class _Empty:
    def __len__(self) -> int:
        return 0

    def row(self, position: int) -> IndexRow:
        raise IndexError(position)


class ThreadList(ScrollView, can_focus=True):
    """A cursor over a `RowSource`; posts `Highlighted` and `Selected`."""

    DEFAULT_CSS = """
    ThreadList {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        background: $surface;
    }
    ThreadList > .thread-list--cursor {
        background: $boost;
        text-style: bold;
    }
    ThreadList:focus > .thread-list--cursor {
        background: $accent 40%;
    }
    ThreadList > .thread-list--dim {
        color: $text-muted;
        text-style: dim;
    }
    ThreadList > .thread-list--meta {
        color: $text-muted;
    }
    ThreadList > .thread-list--badge {
        color: $success;
    }
    ThreadList > .thread-list--marked {
        background: $warning 20%;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "jump(0)", show=False),
        Binding("end", "jump(-1)", show=False),
        Binding("enter", "open", "Open", id="thread-list.open"),
        Binding("space", "toggle_mark", "Mark", show=False, id="thread-list.mark"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "thread-list--cursor",
        "thread-list--dim",
        "thread-list--meta",
        "thread-list--badge",
        "thread-list--marked",
    }

    cursor: reactive[int] = reactive(0, always_update=True)
    """The highlighted row's position among the shown rows (always posts Highlighted)."""
    show_profile: reactive[bool] = reactive(False)
    """Show each row's profile (when more than one profile is tracked)."""

    class Highlighted(Message):
        """The cursor moved to `row` (None: the list is empty)."""

        def __init__(self, thread_list: ThreadList, row: IndexRow | None) -> None:
            super().__init__()
            self.thread_list = thread_list
            self.row = row

        @property
        def control(self) -> ThreadList:
            """The list, so `@on(ThreadList.Highlighted, "#threads")` can pick it."""
            return self.thread_list

    class Selected(Message):
        """`row` was chosen (enter, a double click)."""

        def __init__(self, thread_list: ThreadList, row: IndexRow) -> None:
            super().__init__()
            self.thread_list = thread_list
            self.row = row

        @property
        def control(self) -> ThreadList:
            """The list, so `@on(ThreadList.Selected, "#threads")` can pick it."""
            return self.thread_list

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ):
        super().__init__(name=name, id=id, classes=classes)
        self._source: RowSource = _Empty()
        self.marked: set[str] = set()
        self.now = time.time

    # -- data -------------------------------------------------------------------------
    @property
    def source(self) -> RowSource:
        return self._source

    def set_source(self, source: RowSource, *, keep_id: str | None = None) -> None:
        """Show `source`, keeping the cursor on `keep_id` when it is still listed."""
        self._source = source
        self.virtual_size = Size(self.scrollable_content_region.width, len(source))
        position = None
        if keep_id is not None and hasattr(source, "position_of"):
            position = source.position_of(keep_id)
        self.cursor = min(
            position if position is not None else self.cursor, max(0, len(source) - 1)
        )
        self.refresh()

    @property
    def current(self) -> IndexRow | None:
        if 0 <= self.cursor < len(self._source):
            return self._source.row(self.cursor)
        return None

    # -- cursor -----------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._source) - 1)) if len(self._source) else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.current))

    def _scroll_to_cursor(self) -> None:
        if self.is_mounted and len(self._source):
            self.scroll_to_region(
                Region(0, self.cursor, 1, 1), animate=False, force=True, immediate=True
            )

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_jump(self, position: int) -> None:
        self.cursor = position if position >= 0 else len(self._source) - 1

    def action_open(self) -> None:
        if (row := self.current) is not None:
            self.post_message(self.Selected(self, row))

    def action_toggle_mark(self) -> None:
        if (row := self.current) is not None:
            self.marked ^= {row.id}
            self.cursor += 1

    async def _on_click(self, event: events.Click) -> None:
        position = event.style.meta.get("row")
        if position is not None:
            self.cursor = position
            if event.chain >= 2 or self.has_focus:
                self.action_open()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._source))

    # -- rendering --------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        position = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if not 0 <= position < len(self._source):
            return Strip.blank(width, base)
        row = self._source.row(position)
        style = base
        if row.status in ("gone", "forbidden", "retired"):
            style += self.get_component_rich_style("thread-list--dim")
        if row.id in self.marked:
            style += self.get_component_rich_style("thread-list--marked")
        if position == self.cursor:
            style += self.get_component_rich_style("thread-list--cursor")
        meta = Style(meta={"row": position})
        return Strip(self._segments(row, width, style, meta), width).simplify()

    def _segments(self, row: IndexRow, width: int, style: Style, meta: Style) -> list[Segment]:
        mark = "▌" if row.id in self.marked else " "
        badge = STATUS_BADGES.get(row.status) or KIND_BADGES.get(row.kind, "?")
        when = age(row.last_activity_at or row.created_at or row.added_at, self.now())
        label = one_line(row.title, 200) if row.title else id_text(row.id)
        suffix = f" ({row.status})" if row.status in ("gone", "forbidden", "retired") else ""
        extras = " ".join(f"#{t}" for t in row.tags)
        if self.show_profile:
            extras = f"{row.profile} {extras}".strip()
        # mark + badge + space on the left, one space after the age on the right
        room = max(0, width - 3 - len(when) - 2)
        if suffix:  # the status must survive truncation: shorten the title instead
            fit = max(0, room - len(suffix))
            if cell_len(label) > fit:
                label = set_cell_size(label, max(0, fit - 1)) + "…" if fit else ""
            label += suffix
        label_cells = cell_len(label)
        if label_cells > room:
            label = set_cell_size(label, max(0, room - 1)) + "…" if room else ""
            extras = ""
        elif extras:
            extras = " " + extras
            if label_cells + cell_len(extras) > room:
                extras = set_cell_size(extras, room - label_cells)
        filler = " " * max(0, room - cell_len(label) - cell_len(extras) + 1)
        badge_style = style + self.get_component_rich_style(
            "thread-list--badge" if row.status == "live" else "thread-list--meta"
        )
        meta_style = style + self.get_component_rich_style("thread-list--meta")
        return [
            Segment(mark, style + meta),
            Segment(badge + " ", badge_style + meta),
            Segment(label, style + meta),
            Segment(extras, meta_style + meta),
            Segment(filler, style + meta),
            Segment(when + " ", meta_style + meta),
        ]
