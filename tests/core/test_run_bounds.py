"""Following a run always ends, whatever the server says: absurd poll-after hints, an
`expires_at` in milliseconds, a cancel the server never completes, a malformed run. On the
fake API (its `tamper` knob) and its ManualClock, so hours of virtual time take no time."""

from __future__ import annotations

import logging

import pytest

from threadtui.api.assistants import AssistantsBackend
from threadtui.api.backend import Connection
from threadtui.api.sdk_backend import poll_after
from threadtui.clock import ManualClock
from threadtui.core.chat.poller import CANCEL_GRACE, MAX_FOLLOW, MAX_HINT, PollUpdate, RunPoller
from threadtui.fakeapi import FakeAPI, RunPlan

RUN_PATH = r"/runs/run_[^/]+$"


@pytest.fixture
async def backend(fake: FakeAPI, fake_clock: ManualClock):
    backend = AssistantsBackend(
        Connection(
            api_key="sk-test-bounds-0000",
            base_url=fake.base_url,
            http_transport=fake.transport(),
            max_retries=0,
        ),
        clock=fake_clock,
    )
    yield backend
    await backend.aclose()


@pytest.fixture
def start(fake: FakeAPI, fake_clock: ManualClock, backend: AssistantsBackend):
    assistant = fake.store.add_assistant(created_at=int(fake_clock.now()), model="gpt-4o-mini")

    async def go(plan: RunPlan):
        thread = await backend.create_thread([("user", "What is 6 * 7?")])
        fake.script_runs(thread.id, [plan])
        return await backend.start_run(thread.id, assistant_id=assistant["id"])

    return go


def follow(backend, run, clock) -> tuple[RunPoller, list[PollUpdate]]:
    updates: list[PollUpdate] = []
    return RunPoller(backend, run, clock=clock, on_update=updates.append), updates


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("inf", None),
        ("-inf", None),
        ("nan", None),
        ("soon", None),
        ("1e400", None),
        ("-5", 0),
        ("250", 250),
        ("1e12", 60_000),
    ],
)
def test_poll_after_hints_are_numbers_within_a_minute_or_nothing(header, expected) -> None:
    assert poll_after({"openai-poll-after-ms": header}) == expected


@pytest.mark.parametrize("hint", ["inf", "nan", "-1", "99999999999", "soon"])
async def test_an_absurd_poll_after_hint_neither_breaks_nor_stalls_following(
    fake: FakeAPI, fake_clock: ManualClock, backend, start, hint: str
) -> None:
    run = await start(RunPlan(start_after=1, finish_after=30))
    fake.tamper(RUN_PATH, headers={"openai-poll-after-ms": hint})
    poller, updates = follow(backend, run, fake_clock)
    final = await poller.run()
    assert final.status == "completed" and final.error is None
    waits = [u.next_check_in for u in updates if u.next_check_in is not None]
    assert max(waits) <= MAX_HINT
    assert final.elapsed <= 30 + MAX_HINT


async def test_an_expires_at_in_milliseconds_is_not_followed_for_ever(
    fake: FakeAPI, fake_clock: ManualClock, backend, start
) -> None:
    run = await start(RunPlan(finish_after=10**7, expires_after=10**7))
    fake.tamper(RUN_PATH, fields={"expires_at": int(fake_clock.now() * 1000)})
    final = await follow(backend, run, fake_clock)[0].run()
    assert final.finished and final.timed_out and final.status == "in_progress"
    assert final.elapsed <= MAX_FOLLOW + 10
    assert "was still in_progress after 1 h" in final.message
    assert "its expires_at was not a sane time" in final.message


async def test_a_cancel_the_server_never_completes_ends_after_a_bound(
    fake: FakeAPI, fake_clock: ManualClock, backend, start
) -> None:
    run = await start(RunPlan(finish_after=10**7, expires_after=10**7))
    fake.tamper(RUN_PATH, fields={"status": "cancelling"})  # for ever "cancelling"
    poller, _ = follow(backend, run, fake_clock)
    poller.cancel()
    final = await poller.run()
    assert fake.count("POST", regex=r"/cancel$") == 1
    assert final.finished and final.timed_out and final.status == "cancelling"
    assert final.elapsed <= CANCEL_GRACE + 10
    assert "after the cancel was asked" in final.message
    assert "the thread is usable" in final.message


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_a_malformed_run_ends_following_with_one_sentence_and_a_logged_traceback(
    fake: FakeAPI, fake_clock: ManualClock, backend, start
) -> None:
    run = await start(RunPlan(finish_after=60))
    fake.tamper(RUN_PATH, fields={"usage": {"total_tokens": "many"}})
    poller, updates = follow(backend, run, fake_clock)
    kept = _Kept()  # on threadtui's own logger: its log file may not propagate to the root
    logging.getLogger("threadtui").addHandler(kept)
    try:
        final = await poller.run()
    finally:
        logging.getLogger("threadtui").removeHandler(kept)
    assert final.finished and final.error is not None
    assert final.message.startswith(f"Stopped following {run.id}: the server's answer")
    assert "\n" not in final.message
    assert updates[-1] is final and poller.latest is final
    # (exc_text: a redacting log handler may have turned the traceback into text first)
    assert any(record.exc_info or record.exc_text for record in kept.records)
