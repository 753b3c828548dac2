"""MessagePane on a tiny host app: messages render as text (never markup), older pages
are asked for at the top and inserted without moving what the user was reading."""

from __future__ import annotations

from textual.app import App, ComposeResult

from threadtui.api.models import Annotation, Message, Part
from threadtui.tui.widgets.message_pane import MessagePane
from threadtui.tui.widgets.message_view import MessageView

from .screen import screen_text

NOW = 1_763_900_000.0


def msg(i: int, text: str = "", role: str = "user", **extra) -> Message:
    return Message(
        id=f"msg_{i:06d}",
        thread_id="thread_A1",
        role=role,
        created_at=int(NOW) - 1000 + i,
        parts=(Part("text", text or f"message number {i}"),),
        **extra,
    )


class PaneApp(App):
    def __init__(self) -> None:
        super().__init__()
        self.older_requests = 0

    def compose(self) -> ComposeResult:
        yield MessagePane(id="pane")

    def on_message_pane_need_older(self, event: MessagePane.NeedOlder) -> None:
        self.older_requests += 1


async def test_hostile_text_is_shown_literally_and_no_action_fires():
    app = PaneApp()
    hostile = "[bold]b[/bold] [@click=app.quit]quit[/] \x1b]52;c;aGk=\x07 \x1b[31mred"
    async with app.run_test(size=(80, 20)) as pilot:
        pane = app.query_one(MessagePane)
        await pane.show_messages([msg(1, hostile)], has_older=False)
        await pilot.pause()
        view = app.query_one(MessageView)
        text = screen_text(app)
        assert "[bold]b[/bold]" in text and "[@click=app.quit]quit[/]" in text
        assert "␛]52;c;aGk=" in text and "␛[31mred" in text
        await pilot.click(MessageView, offset=(10, 1))
        assert app.is_running  # clicking the "link" did not quit
        assert view.message.id == "msg_000001"


async def test_header_names_role_assistant_run_and_marks_refusal_and_incomplete():
    app = PaneApp()
    reply = Message(
        id="msg_2",
        thread_id="thread_A1",
        role="assistant",
        created_at=int(NOW),
        parts=(
            Part(
                "text",
                "See 【4:0†source】",
                (Annotation("file_citation", "【4:0†source】", "file-abc"),),
            ),
            Part("image_file", ref="file-img1"),
            Part("refusal", "I can't help with that."),
        ),
        assistant_id="asst_X",
        run_id="run_9xYz",
        status="incomplete",
        incomplete_reason="max_tokens",
    )
    async with app.run_test(size=(100, 20)) as pilot:
        pane = app.query_one(MessagePane)
        pane.assistant_names = {"asst_X": "Geography Expert"}
        await pane.show_messages([reply], has_older=False)
        await pilot.pause()
        text = screen_text(app)
        assert "assistant · Geography Expert · run_9xYz" in text
        assert "incomplete (max_tokens)" in text and "refusal" in text
        assert "[1] 【4:0†source】 cites file-abc" in text
        assert "[image: file-img1]" in text


async def test_scrolling_to_the_top_asks_for_older_and_keeps_place():
    app = PaneApp()
    async with app.run_test(size=(60, 16)) as pilot:
        pane = app.query_one(MessagePane)
        await pane.show_messages([msg(i) for i in range(20, 40)], has_older=True)
        await pilot.pause()
        assert pane.scroll_y > 0 and app.older_requests == 0
        pane.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        assert app.older_requests == 1
        pane.scroll_home(animate=False, immediate=True)  # still loading: no second request
        await pilot.pause()
        assert app.older_requests == 1
        await pane.prepend_older([msg(i) for i in range(0, 20)], has_older=False)
        assert pane.message_ids[:2] == ["msg_000000", "msg_000001"] and len(pane.message_ids) == 40
        reading = app.query(MessageView)[20]
        for _ in range(50):
            await pilot.pause(0.02)
            if pane.scroll_y > 0:
                break
        on_screen_at = reading.virtual_region.y - pane.scroll_y
        assert 0 <= on_screen_at < 16  # message 20 is still where the user was reading


async def test_older_key_and_append_skips_duplicates():
    app = PaneApp()
    async with app.run_test(size=(60, 16)) as pilot:
        pane = app.query_one(MessagePane)
        await pane.show_messages([msg(1), msg(2)], has_older=True)
        pane.focus()
        await pilot.press("[")
        assert app.older_requests == 1
        await pane.append([msg(2), msg(3, "reply", role="assistant")])
        assert pane.message_ids == ["msg_000001", "msg_000002", "msg_000003"]
