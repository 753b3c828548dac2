"""The run history screen on the seeded fake API: the table, marks, totals, steps on demand,
1,500 runs without fetching any steps, conversations, errors, and hostile remote text."""

from __future__ import annotations

from threadtui.demo import Demo
from threadtui.fakeapi import RunPlan
from threadtui.tui.screens.run_history import RunHistoryScreen, status_text

from .conftest import thread_id, wait_until
from .feature_host import NOT_YET, FeatureHost
from .screen import screen_text

RUNS = "/threads/{thread_id}/runs"
STEPS = "/threads/{thread_id}/runs/{run_id}/steps"


def host(demo: Demo, title: str) -> FeatureHost:
    target = thread_id(demo, title)
    return FeatureHost(lambda: RunHistoryScreen(demo.services, target))


async def loaded(pilot) -> RunHistoryScreen:
    """Runs loaded and drawn: the table sizes its columns a moment after the rows arrive,
    so wait until the newest run's status shows whole, and the line about it below."""
    screen = pilot.app.feature

    def drawn() -> bool:
        if screen.history is None:
            return False
        runs = screen.history.runs
        if not runs:
            return True
        newest = status_text(runs[-1].run.status).plain
        return screen.query_one("#rh-detail").display and newest in screen_text(pilot.app)

    await wait_until(pilot, drawn)
    await pilot.pause()
    return screen


async def test_failed_run_is_marked_with_its_error_and_totals_count_everything(demo):
    app = host(demo, "Batch job failed")
    async with app.run_test(size=(100, 24)) as pilot:
        await loaded(pilot)
        text = screen_text(app)
        lines = text.splitlines()
        assert "Run history · Batch job failed · thread_" in lines[0]
        failed = next(line for line in lines if "✗ failed" in line)
        assert "Code Helper" in failed and "gpt-4o" in failed and "2.0 s" in failed
        assert lines.index(failed) < next(n for n, row in enumerate(lines) if "✓ completed" in row)
        assert "server_error: Sorry, something went wrong." in text  # the highlighted run
        assert (
            "Totals: 3 messages · 2 runs (1 failed) · 125 tokens (104 prompt, 21 completion)"
            in text
        )
        assert demo.fake.count("GET", STEPS) == 0  # steps only when asked


async def test_incomplete_run_says_why(demo):
    app = host(demo, "Essay: history of cartography")
    async with app.run_test(size=(160, 24)) as pilot:
        await loaded(pilot)
        text = screen_text(app)
        assert "⚠ incomplete" in text
        assert "incomplete: max_completion_tokens" in text


async def test_enter_fetches_the_steps_of_that_run_only_and_esc_closes_them_then_the_screen(
    demo,
):
    app = host(demo, "Parse a CSV in Python")
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        assert "print(totals('sales.csv'))" not in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Counter(" in screen_text(app))
        text = screen_text(app)
        assert "tool_calls · completed" in text
        assert "code_interpreter: print(totals('sales.csv'))" in text
        assert "-> Counter({'amount': 1234.5})" in text
        assert "message_creation · completed" in text
        assert demo.fake.count("GET", STEPS) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert "code_interpreter" not in screen_text(app)
        assert app.dismissed is NOT_YET
        await pilot.press("s")  # steps again: kept from the first time
        await wait_until(pilot, lambda: "Counter(" in screen_text(app))
        assert demo.fake.count("GET", STEPS) == 1
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: app.dismissed is None)


async def test_steps_show_function_arguments_and_outputs_and_file_search_results(demo):
    app = host(demo, "Weather in Lisbon")
    async with app.run_test(size=(140, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "get_weather" in screen_text(app))
        assert (
            'function get_weather({"location": "Lisbon, Portugal", "unit": "celsius"}) '
            '-> {"temp_c": 19, "sky": "partly cloudy"}'
        ) in screen_text(app)
    app = host(demo, "Docs: data retention policy")
    async with app.run_test(size=(140, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("down", "enter")  # the older run searched the files
        await wait_until(pilot, lambda: "file_search" in screen_text(app))
        assert "file_search: 2 results (handbook.pdf, retention-policy.md)" in screen_text(app)


async def test_1500_runs_are_listed_newest_first_without_fetching_any_steps(demo):
    app = host(demo, "Customer chat log (import)")
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await loaded(pilot)
        assert screen.table.row_count == 1500
        assert demo.fake.count("GET", RUNS) == 15  # pages of 100
        assert demo.fake.count("GET", STEPS) == 0
        newest = screen.history.runs[-1].run
        assert screen.current.run is newest
        text = screen_text(app)
        assert "1,500 runs" in text and "3,000 messages" in text
        assert "31,476,390 tokens (31,464,600 prompt, 11,790 completion)" in text
        await pilot.press("ctrl+end")
        await pilot.pause()
        assert screen.current.run is screen.history.runs[0].run


async def test_a_conversation_says_it_keeps_no_run_list(demo):
    app = host(demo, "Packing for Reykjavík")
    async with app.run_test(size=(100, 24)) as pilot:
        await loaded(pilot)
        text = " ".join(screen_text(app).split())
        assert "Conversations keep no list of their responses" in text
        assert "Totals: 4 messages" in text
        assert "status" not in text  # no empty table
        assert demo.fake.count("GET", regex="/responses") == 0


async def test_a_gone_thread_is_one_sentence_and_the_screen_stays(demo):
    app = host(demo, "Onboarding checklist (old)")
    async with app.run_test(size=(100, 24)) as pilot:
        await wait_until(pilot, lambda: "was not found" in screen_text(app))
        assert "Traceback" not in screen_text(app)
        assert app.dismissed is NOT_YET
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.dismissed is None)


async def run_to_its_end(demo, target: str) -> None:
    """Start a run on `target` with the server's first assistant, then let it end."""
    backend = demo.services.backend_for(target)
    assistant = (await backend.list_assistants(limit=100)).items[0].id
    await backend.start_run(target, assistant_id=assistant)
    demo.services.clock.advance(30)


async def test_remote_error_text_is_shown_cleaned_never_as_markup(demo):
    target = thread_id(demo, "Password reset loop")
    hostile = "[bold red]boom[/bold red] \x1b[31mred\x1b[0m [link=https://x.example]x[/link]"
    demo.fake.script_runs(target, [RunPlan(outcome="failed", error_message=hostile)])
    await run_to_its_end(demo, target)
    app = FeatureHost(lambda: RunHistoryScreen(demo.services, target))
    async with app.run_test(size=(160, 30)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: "No steps" in screen_text(app) or "step_" in screen_text(app)
        )
        text = screen_text(app)
        assert "[bold red]boom[/bold red] ␛[31mred␛[0m [link=https://x.example]x[/link]" in text
