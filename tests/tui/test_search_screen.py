"""The search screen over a real archive of demo threads: as-you-type results grouped by
thread, highlighted matches, opening a result, counts, bad queries and hostile text."""

from __future__ import annotations

from rich.console import Group

from threadtui.core.archive.store import archive_thread
from threadtui.demo import Demo
from threadtui.tui.messages import OpenThread
from threadtui.tui.screens.search import HIGHLIGHT, SearchScreen

from .conftest import flat, thread_id, wait_until
from .feature_host import NOT_YET, FeatureHost
from .screen import screen_text

ARCHIVED = (
    "Refund policy question",
    "Invoice missing VAT number",
    "Markup in pasted logs",
    "Capital cities quiz",
)


async def archive(demo: Demo, *titles: str) -> None:
    for title in titles:
        await archive_thread(demo.services, thread_id(demo, title))


def searched(app, query: str) -> bool:
    found = app.feature.found
    return found is not None and found.query == query


async def test_typing_finds_archived_messages_grouped_by_thread(demo):
    await archive(demo, *ARCHIVED)
    app = FeatureHost(lambda: SearchScreen(demo.services))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"refu")  # a word still being typed matches as a prefix
        await wait_until(  # the search for all four letters, not one typed on the way
            pilot, lambda: searched(app, "refu") and "matching" in screen_text(app)
        )
        text = screen_text(app)
        assert "2 matching messages in 1 thread." in text
        lines = text.splitlines()
        header = next(
            n for n, line in enumerate(lines) if "Refund policy question · thread_" in line
        )
        assert lines[header + 1].strip().startswith(("user · ", "assistant · "))
        assert "How do I get a refund for an annual plan?" in text
        assert "Invoice missing VAT number" not in text
        await pilot.press(*"nd zebra")
        await wait_until(pilot, lambda: "No archived message matches" in screen_text(app))
        assert "“refund zebra”" in screen_text(app)


async def test_matches_are_styled_from_spans_and_hostile_text_stays_inert(demo):
    await archive(demo, *ARCHIVED)
    app = FeatureHost(lambda: SearchScreen(demo.services, "ERROR"))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = app.feature
        await wait_until(pilot, lambda: screen.hits)
        text = flat(app)
        assert "Markup in pasted logs" in text
        assert "[bold red]ERROR[/bold red] and ␛[31mred text␛[0m" in text
        snippets = []
        for option in screen.results.options:
            if isinstance(option.prompt, Group):  # a result; thread headers are Text
                snippets.append(option.prompt.renderables[1].renderable)
        marked = {
            snippet.plain: [
                snippet.plain[s.start : s.end] for s in snippet.spans if s.style == HIGHLIGHT
            ]
            for snippet in snippets
        }
        pasted = next(plain for plain in marked if "[bold red]ERROR" in plain)
        assert marked[pasted] == ["ERROR"]  # the word, not the markup around it
        assert ["error"] in marked.values()  # the reply: "the error itself is ECONNRESET"


async def test_enter_on_a_result_asks_the_app_to_open_it_at_that_message(demo):
    await archive(demo, *ARCHIVED)
    target = thread_id(demo, "Invoice missing VAT number")
    app = FeatureHost(lambda: SearchScreen(demo.services))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"VAT number", "enter")  # Enter searches now and goes to the results
        screen = app.feature
        await wait_until(pilot, lambda: screen.results.has_focus)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.dismissed is not NOT_YET)
        await pilot.pause()
        hit = app.dismissed
        assert hit.thread_id == target
        assert "VAT number" in hit.snippet
        [message] = app.received
        assert isinstance(message, OpenThread)
        assert (message.thread_id, message.message_id) == (target, hit.message_id)
        assert hit.message_id.startswith("msg_")


async def test_empty_archive_and_unsearchable_queries_say_what_to_do(demo):
    app = FeatureHost(lambda: SearchScreen(demo.services))
    async with app.run_test(size=(100, 24)) as pilot:
        assert "Type to search every archived transcript" in flat(app)
        await pilot.press(*"refund")
        await wait_until(pilot, lambda: "archive is empty" in screen_text(app))
        assert "`threadtui archive --all`" in flat(app)
        await pilot.press(*["backspace"] * 6, *"--- ?")
        await wait_until(pilot, lambda: "Nothing to search for" in screen_text(app))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dismissed is None)
        assert app.received == []


async def test_thousands_of_matches_show_the_best_hundred_and_say_so(demo):
    await archive(demo, "Customer chat log (import)")
    app = FeatureHost(lambda: SearchScreen(demo.services, "noted"))
    async with app.run_test(size=(100, 24)) as pilot:
        screen = app.feature
        await wait_until(pilot, lambda: screen.hits)
        assert len(screen.hits) == 100
        assert "Showing the best 100 of 1,500 matching messages in 1 thread" in flat(app)
