"""Run history against the fake's seeded demo data, through the real SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from threadtui.clock import ManualClock
from threadtui.core.auditing.run_history import run_history
from threadtui.core.services import Services
from threadtui.core.settings.config import Config, Profile
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import TrackedThread
from threadtui.fakeapi import FakeAPI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def seeded(fake_clock: ManualClock) -> FakeAPI:
    return FakeAPI(clock=fake_clock, seed=1)


@pytest.fixture
async def services(seeded: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    profiles = {
        "main": Profile("main", "assistants", base_url=seeded.base_url),
        "convs": Profile("convs", "conversations", base_url=seeded.base_url),
    }
    services = Services(
        Locations(tmp_path / "config", tmp_path / "data", tmp_path / "logs"),
        Config(profiles, "main"),
        env={"OPENAI_API_KEY": "sk-test-key-not-real"},
        clock=fake_clock,
        http_transport=seeded.transport(),
    )
    services.registry.add_many(
        TrackedThread(
            d["id"],
            d["kind"],
            "main" if d["kind"] == "thread" else "convs",
            d["title"] or "",
        )
        for d in seeded.demo_threads()
    )
    yield services
    await services.aclose()


def seeded_id(fake: FakeAPI, title: str) -> str:
    return next(d["id"] for d in fake.demo_threads() if d["title"] == title)


def server_runs(fake: FakeAPI, thread_id: str) -> list[dict]:
    """The runs as the fake holds them, oldest first: the truth to compare with."""
    return [run.obj for run in fake.store.threads[thread_id].runs]


async def test_failed_run_shows_its_error_assistant_times_and_the_totals(
    services: Services, seeded: FakeAPI
) -> None:
    thread_id = seeded_id(seeded, "Batch job failed")
    history = await run_history(services, thread_id)
    truth = server_runs(seeded, thread_id)
    assert [r.run.id for r in history.runs] == [r["id"] for r in truth]
    assert [r.run.status for r in history.runs] == ["completed", "failed"]
    failed = history.runs[1]
    assert failed.run.last_error == f"server_error: {truth[1]['last_error']['message']}"
    assert failed.ended_at == truth[1]["failed_at"]
    assert failed.duration == truth[1]["failed_at"] - truth[1]["started_at"]
    assert {r.assistant_name for r in history.runs} == {"Code Helper"}
    assert {r.run.model for r in history.runs} == {truth[0]["model"]}
    assert history.runs[0].steps is None  # not asked for
    usage = history.usage
    assert usage is not None
    assert usage.total_tokens == sum(r["usage"]["total_tokens"] for r in truth) > 0
    assert usage.prompt_tokens == sum(r["usage"]["prompt_tokens"] for r in truth)
    assert usage.completion_tokens == sum(r["usage"]["completion_tokens"] for r in truth)
    messages = len(seeded.store.threads[thread_id].messages)
    assert (history.message_count, history.message_count_counted) == (messages, True)
    assert history.run_count == 2
    # The count is remembered: next time nothing needs counting.
    assert services.registry.get(thread_id).message_count == messages
    again = await run_history(services, thread_id)
    assert (again.message_count, again.message_count_counted) == (messages, False)


async def test_steps_render_code_interpreter_file_search_and_function_calls(
    services: Services, seeded: FakeAPI
) -> None:
    chart = await run_history(services, seeded_id(seeded, "Chart of monthly sales"), steps=True)
    details = [d for r in chart.runs for s in r.steps for d in s.details]
    code = next(d for d in details if d.startswith("code_interpreter:"))
    assert "df = pd.read_csv('sales.csv')" in code and "\n-> image file-" in code

    docs = await run_history(services, seeded_id(seeded, "Docs: data retention policy"), steps=True)
    details = [d for r in docs.runs for s in r.steps for d in s.details]
    assert "file_search: 2 results (handbook.pdf, retention-policy.md)" in details

    lisbon = await run_history(services, seeded_id(seeded, "Weather in Lisbon"), steps=True)
    details = [d for r in lisbon.runs for s in r.steps for d in s.details]
    assert any(
        d.startswith("function get_weather(")
        and d.endswith('-> {"temp_c": 19, "sky": "partly cloudy"}')
        for d in details
    )
    # Every step of every run, with their types, in order.
    truth = seeded.store.threads[seeded_id(seeded, "Weather in Lisbon")].runs
    assert [[s.id for s in r.steps] for r in lisbon.runs] == [
        [s["id"] for s in run.steps] for run in truth
    ]


async def test_an_incomplete_run_has_its_reason_and_no_made_up_duration(
    services: Services, seeded: FakeAPI
) -> None:
    history = await run_history(services, seeded_id(seeded, "Essay: history of cartography"))
    (only,) = history.runs
    assert only.run.status == "incomplete"
    assert only.run.incomplete_reason == "max_completion_tokens"
    assert only.duration is None  # the API gives no end time for an incomplete run


async def test_every_page_of_a_long_thread_is_read(services: Services, seeded: FakeAPI) -> None:
    thread_id = seeded_id(seeded, "Customer chat log (import)")
    truth = server_runs(seeded, thread_id)
    assert len(truth) > 1000  # more than ten pages of 100
    seeded.requests.clear()
    history = await run_history(services, thread_id)
    assert [r.run.id for r in history.runs] == [r["id"] for r in truth]
    assert history.usage.total_tokens == sum(r["usage"]["total_tokens"] for r in truth)
    assert history.message_count == len(seeded.store.threads[thread_id].messages)
    assert seeded.count("GET", "/threads/{id}/runs") == -(-len(truth) // 100)
    assert history.to_json()["totals"]["runs"] == len(truth)


async def test_a_conversation_says_it_has_no_run_list_instead_of_zero_runs(
    services: Services, seeded: FakeAPI
) -> None:
    conv = next(d["id"] for d in seeded.demo_threads() if d["kind"] == "conversation")
    history = await run_history(services, conv, steps=True)
    assert not history.runs_listed
    assert history.run_count is None and history.usage is None
    assert "keep no list of their responses" in history.no_runs_sentence
    assert conv in history.no_runs_sentence
    assert history.message_count == len(seeded.responses.conversations[conv].items)
    totals = history.to_json()["totals"]
    assert totals["runs"] is None and totals["tokens"] is None
