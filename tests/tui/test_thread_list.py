"""ThreadList on a tiny host app: rows render from the line API, the cursor moves and
opens, and 100,000 rows cost nothing to mount."""

from __future__ import annotations

from textual import on
from textual.app import App, ComposeResult

from threadtui.core.store.thread_index import IndexRow, ThreadIndex
from threadtui.tui.widgets.thread_list import ThreadList

NOW = 1_763_900_000.0


def make_rows(count: int) -> list[IndexRow]:
    return [
        IndexRow(
            id=f"thread_{i:024d}",
            kind="thread",
            profile="default",
            title=f"Question number {i}" if i % 3 else "",
            tags=("billing",) if i % 5 == 0 else (),
            status="gone" if i == 2 else "live",
            added_at=NOW - 86400 * 30,
            created_at=NOW - 86400 * 30,
            last_activity_at=NOW - 3600 * i,
        )
        for i in range(count)
    ]


class ListApp(App):
    def __init__(self, rows: list[IndexRow]) -> None:
        super().__init__()
        self.index = ThreadIndex(rows)
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield ThreadList(id="list")

    def on_mount(self) -> None:
        threads = self.query_one(ThreadList)
        threads.now = lambda: NOW
        threads.set_source(self.index)
        threads.focus()

    def on_thread_list_selected(self, event: ThreadList.Selected) -> None:
        self.selected.append(event.row.id)


async def test_rows_show_title_badge_age_and_tags():
    app = ListApp(make_rows(50))
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        threads = app.query_one(ThreadList)
        texts = [threads.render_line(y).text for y in range(6)]
        assert texts[0].startswith(" ● thread_000000")  # no title: the ID stands in
        assert texts[0].endswith(" now ")
        assert texts[1].startswith(" ● Question number 1 ") and texts[1].endswith(" 1h ")
        assert texts[2].startswith(" ✗ Question number 2 (gone)")
        assert "#billing" in texts[5]
        width = threads.scrollable_content_region.width
        assert {len(t) for t in texts} == {width}


async def test_cursor_moves_scrolls_and_opens():
    app = ListApp(make_rows(500))
    async with app.run_test(size=(40, 10)) as pilot:
        threads = app.query_one(ThreadList)
        await pilot.press("down", "down", "enter")
        assert app.selected == ["thread_" + "2".zfill(24)]
        await pilot.press("end")
        assert threads.cursor == 499
        assert threads.scroll_offset.y >= 490  # the cursor row is on screen
        await pilot.press("enter")
        assert app.selected[-1].endswith("499")
        await pilot.press("home")
        assert threads.cursor == 0 and threads.scroll_offset.y == 0


async def test_filter_narrows_rows_and_keeps_cursor_in_range():
    app = ListApp(make_rows(1000))
    async with app.run_test(size=(40, 10)) as pilot:
        threads = app.query_one(ThreadList)
        await pilot.press("end")
        app.index.set_filter("#billing")
        threads.set_source(app.index)
        assert len(app.index) == 200
        assert threads.cursor == 199
        app.index.set_filter("number 98")
        threads.set_source(app.index, keep_id=f"thread_{98:024d}")
        assert threads.current is not None and threads.current.id.endswith("98")


async def test_hundred_thousand_rows_render_only_the_visible_ones():
    app = ListApp(make_rows(100_000))
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        threads = app.query_one(ThreadList)
        assert threads.virtual_size.height == 100_000
        assert len(threads.children) == 0  # nothing mounted per row
        await pilot.press("end")
        assert threads.current is not None and threads.current.id.endswith("99999")


async def test_marking_rows_for_bulk_actions():
    app = ListApp(make_rows(10))
    async with app.run_test(size=(40, 10)) as pilot:
        threads = app.query_one(ThreadList)
        await pilot.press("space", "space")
        assert threads.marked == {f"thread_{0:024d}", f"thread_{1:024d}"}
        await pilot.press("up", "space")
        assert threads.marked == {f"thread_{0:024d}"}


class TwoListsApp(App):
    """Two lists; handlers pick one by its ID, as Textual's own widgets allow."""

    def __init__(self) -> None:
        super().__init__()
        self.picked: list[tuple[str, str]] = []

    def compose(self) -> ComposeResult:
        yield ThreadList(id="left")
        yield ThreadList(id="right")

    def on_mount(self) -> None:
        for threads, rows in zip(
            self.query(ThreadList), (make_rows(3), make_rows(9)[5:]), strict=True
        ):
            threads.set_source(ThreadIndex(rows))
        self.query_one("#right", ThreadList).focus()

    @on(ThreadList.Selected, "#left")
    def left_selected(self, event: ThreadList.Selected) -> None:
        self.picked.append(("left", event.row.id))

    @on(ThreadList.Selected, "#right")
    def right_selected(self, event: ThreadList.Selected) -> None:
        assert event.control is self.query_one("#right")
        self.picked.append(("right", event.row.id))


async def test_selected_names_its_list_so_a_handler_can_pick_one_by_id():
    app = TwoListsApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.picked == [("right", "thread_" + "6".zfill(24))]
