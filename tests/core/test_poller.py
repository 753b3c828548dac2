"""RunPoller follows runs on the fake API and its ManualClock: every end, backoff, the
server's poll-after hint, cancel races, rate limits, failures and the deadline."""

from __future__ import annotations

import asyncio

import pytest

from threadtui.api.assistants import AssistantsBackend
from threadtui.api.backend import Connection
from threadtui.api.errors import NotFound
from threadtui.clock import ManualClock
from threadtui.core.chat.poller import PollUpdate, RunPoller, end_message
from threadtui.fakeapi import FakeAPI, RunPlan

RUN_GET = "/threads/{t}/runs/{r}"
RUN_PATH = r"/runs/run_[^/]+$"


@pytest.fixture
async def backend(fake, fake_clock):
    backend = AssistantsBackend(
        Connection(
            api_key="sk-test-poller-0000",
            base_url=fake.base_url,
            http_transport=fake.transport(),
            max_retries=0,  # failures reach the poller at once
        ),
        clock=fake_clock,
    )
    yield backend
    await backend.aclose()


@pytest.fixture
def assistant(fake, fake_clock) -> dict:
    return fake.store.add_assistant(created_at=int(fake_clock.now()), model="gpt-4o-mini")


@pytest.fixture
def start(fake, backend, assistant):
    """Start a run following `plan` on a new thread (with or without the server's hints)."""

    async def go(plan: RunPlan, *, hints: bool = True):
        if not hints:  # no openai-poll-after-ms header: the poller's own backoff shows
            fake.poll_after_ms = {}
        thread = await backend.create_thread([("user", "What is 6 * 7?")])
        fake.script_runs(thread.id, [plan])
        return await backend.start_run(thread.id, assistant_id=assistant["id"])

    return go


def follow(backend, run, clock, **options) -> tuple[RunPoller, list[PollUpdate]]:
    updates: list[PollUpdate] = []
    return RunPoller(backend, run, clock=clock, on_update=updates.append, **options), updates


@pytest.mark.parametrize(
    ("plan", "status", "says"),
    [
        (RunPlan(reply="42."), "completed", "completed ("),
        (
            RunPlan(outcome="failed", error_code="rate_limit_exceeded"),
            "failed",
            "failed: rate_limit_exceeded: You exceeded your current quota",
        ),
        (
            RunPlan(outcome="incomplete", incomplete_reason="max_prompt_tokens"),
            "incomplete",
            "ended incomplete: max_prompt_tokens.",
        ),
        (RunPlan(outcome="expired", expires_after=90), "expired", "expired before it finished"),
        (
            RunPlan(
                outcome="requires_action",
                tool_calls=[{"name": "get_weather", "arguments": {"city": "Oslo"}}],
            ),
            "requires_action",
            "waits for tool outputs for get_weather(call_",
        ),
    ],
)
async def test_each_end_of_a_run(fake_clock, backend, start, plan, status, says) -> None:
    run = await start(plan)
    poller, updates = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.finished and not final.timed_out and final.error is None
    assert final.status == status
    assert final.message.startswith(f"Run {run.id} ")
    assert says in final.message
    assert updates[-1] is final and all(not u.finished for u in updates[:-1])
    assert final.message == end_message(final.run)


async def test_backoff_grows_from_half_a_second_to_five(fake, fake_clock, backend, start) -> None:
    run = await start(RunPlan(start_after=0.5, finish_after=30), hints=False)
    poller, updates = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.status == "completed"
    waits = [u.next_check_in for u in updates if u.next_check_in is not None]
    # queued -> in_progress at 0.5 s resets the backoff; then it doubles up to 5 s.
    assert waits == [0.5, 0.5, 1, 2, 4, 5, 5, 5, 5, 5]
    assert fake.count("GET", RUN_GET) == len(waits) == 10
    assert final.elapsed == pytest.approx(33)


async def test_the_servers_poll_after_hint_is_honoured(fake, fake_clock, backend, start) -> None:
    run = await start(RunPlan(start_after=1, finish_after=10, poll_after_ms=2000))
    assert run.poll_after_ms == 2000
    poller, updates = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.status == "completed"
    # never sooner than the hint; the backoff (reset at in_progress, 2 s) passes it at 4 s
    assert [u.next_check_in for u in updates if not u.finished] == [2, 2, 2, 2, 4]
    assert fake.count("GET", RUN_GET) == 5


async def test_a_short_hint_does_not_make_a_long_run_cost_more_checks(
    fake, backend, fake_clock, start
) -> None:
    run = await start(RunPlan(start_after=0.5, finish_after=10, poll_after_ms=500))
    poller, updates = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.status == "completed"
    # taken as a rate, the 500 ms hint would be 20 checks; as a floor it is the backoff's
    assert [u.next_check_in for u in updates if not u.finished] == [0.5, 0.5, 1, 2, 4, 5]
    assert fake.count("GET", RUN_GET) == 6


async def test_progress_reads_well_in_the_status_bar(fake_clock, backend, start) -> None:
    run = await start(RunPlan(start_after=0.5, finish_after=30), hints=False)
    poller, updates = follow(backend, run, fake_clock)
    await poller.run()
    line = next(u for u in updates if u.status == "in_progress" and u.next_check_in == 2)
    assert line.describe() == f"{run.id[:6]}… in_progress · 2.0 s · next check in 2 s"


async def test_cancel_wins_the_race(fake, fake_clock, backend, start) -> None:
    run = await start(RunPlan(finish_after=30), hints=False)
    poller, updates = follow(backend, run, fake_clock)
    async for update in poller:
        if update.status == "in_progress" and not poller.cancel_requested:
            poller.cancel()
    assert update.finished and update.status == "cancelled"
    assert update.message == f"Run {run.id} was cancelled."
    assert any(u.describe().split(" ")[1] == "cancelling" for u in updates[:-1])
    assert fake.count("POST", RUN_GET + "/cancel") == 1


async def test_the_run_wins_the_cancel_race(fake, fake_clock, backend, start) -> None:
    run = await start(RunPlan(start_after=0.5, finish_after=0.8), hints=False)
    poller, _ = follow(backend, run, fake_clock)
    async for update in poller:
        if update.status == "in_progress" and not poller.cancel_requested:
            poller.cancel()  # 0.3 s before it completes: too late
    assert update.finished and update.status == "completed"
    assert "completed" in update.message
    assert fake.count("POST", RUN_GET + "/cancel") == 1


async def test_cancel_at_requires_action_polls_on_until_cancelled(
    fake, fake_clock, backend, start
) -> None:
    run = await start(RunPlan(outcome="requires_action"))
    waiting = await RunPoller(backend, run, clock=fake_clock).run()
    assert waiting.status == "requires_action"
    poller = RunPoller(backend, waiting.run, clock=fake_clock)
    poller.cancel()
    final = await poller.run()
    assert final.status == "cancelled"


async def test_cancelling_an_already_ended_run_just_reports_its_end(
    fake_clock, backend, start
) -> None:
    run = await start(RunPlan(finish_after=1))
    fake_clock.advance(5)
    poller = RunPoller(backend, run, clock=fake_clock)
    poller.cancel()
    final = await poller.run()
    assert final.status == "completed" and final.error is None


async def test_rate_limit_is_waited_out_with_a_countdown(fake, fake_clock, backend, start) -> None:
    run = await start(RunPlan(start_after=0.5, finish_after=20), hints=False)
    fake.inject("429", method="GET", path=RUN_PATH, retry_after=3)
    poller, updates = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.status == "completed"
    countdown = [u.rate_limited_for for u in updates if u.rate_limited_for is not None]
    assert countdown == [3, 2, 1]
    assert "rate limited · retry in 3 s" in next(
        u.describe() for u in updates if u.rate_limited_for == 3
    )


async def test_network_and_server_failures_are_retried(fake, fake_clock, backend, start) -> None:
    run = await start(RunPlan(finish_after=10), hints=False)
    fake.inject("drop", method="GET", path=RUN_PATH, times=2)
    fake.inject("503", method="GET", path=RUN_PATH, times=2)
    poller, updates = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.status == "completed" and final.error is None
    problems = [u.problem for u in updates if u.problem]
    assert any("Could not reach" in p for p in problems)
    assert any("HTTP 503" in p for p in problems)


async def test_deadline_when_the_server_never_ends_the_run(
    fake, fake_clock, backend, start
) -> None:
    run = await start(RunPlan(finish_after=10_000, expires_after=120), hints=False)
    fake_clock.advance(1)
    fake.inject("503", method="GET", path=RUN_PATH, times=None)  # no answer from here on
    poller, _ = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.finished and final.timed_out
    assert fake_clock.now() == pytest.approx(run.expires_at + 2)  # expires_at plus grace
    assert "at its expiry time: stopped checking" in final.message
    assert final.problem and "HTTP 503" in final.problem


async def test_an_explicit_deadline_stops_earlier(fake_clock, backend, start) -> None:
    run = await start(RunPlan(finish_after=300), hints=False)
    poller = RunPoller(backend, run, clock=fake_clock, deadline=fake_clock.now() + 20)
    final = await poller.run()
    assert final.timed_out and final.status == "in_progress"
    assert final.elapsed == pytest.approx(22)


async def test_a_deleted_thread_ends_polling_with_its_error(
    fake, fake_clock, backend, start
) -> None:
    run = await start(RunPlan(finish_after=60))
    fake.inject("404", method="GET", path=RUN_PATH)
    final = await RunPoller(backend, run, clock=fake_clock).run()
    assert isinstance(final.error, NotFound)
    assert final.message == final.error.user_message


class GatedClock(ManualClock):
    """Virtual time whose sleeps wait until the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        await self.gate.wait()
        await super().sleep(seconds)


async def _until(condition) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


async def test_cancel_is_sent_at_once_not_after_the_current_wait() -> None:
    clock = GatedClock()
    fake = FakeAPI(clock=clock)
    assistant = fake.store.add_assistant(created_at=int(clock.now()), model="gpt-4o-mini")
    backend = AssistantsBackend(
        Connection(api_key="sk-test-0000", base_url=fake.base_url, http_transport=fake.transport()),
        clock=clock,
    )
    thread = await backend.create_thread([("user", "hi")])
    fake.script_runs(thread.id, [RunPlan(finish_after=60)])
    run = await backend.start_run(thread.id, assistant_id=assistant["id"])
    poller = RunPoller(backend, run, clock=clock)
    following = asyncio.ensure_future(poller.run())
    await _until(lambda: poller.latest is not None)  # now waiting for its first check
    started = clock.now()
    poller.cancel()
    await _until(lambda: fake.count("POST", RUN_GET + "/cancel") == 1)
    assert clock.now() == started  # sent without waiting out the check interval
    clock.gate.set()
    final = await following
    assert final.status == "cancelled"
    await backend.aclose()
