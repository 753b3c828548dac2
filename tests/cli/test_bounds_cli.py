"""What a user sees when a server answers absurdly: `show` refuses an answer past the size
cap in one sentence, and `check` waits out a Retry-After of
eleven days for two minutes at most, then carries on."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Cli
from tests.core.archive_world import seed_thread, services_from_env
from threadtui.api.limits import MAX_ANSWER_BYTES
from threadtui.api.sdk_errors import MAX_RETRY_AFTER
from threadtui.clock import ManualClock
from threadtui.core.finding.checker import check_threads
from threadtui.core.store.registry import TrackedThread
from threadtui.fakeapi import FakeAPI


def test_show_refuses_an_answer_past_the_size_cap_in_one_sentence(cli: Cli, fake: FakeAPI) -> None:
    seeded = seed_thread(fake, 3)
    fake.tamper(r"/messages$", pad_to=MAX_ANSWER_BYTES + 1)
    shown = cli("show", seeded.id)
    assert (shown.code, shown.out) == (1, "")
    lines = shown.err.splitlines()
    assert len(lines) == 1, shown.err
    assert "The answer from fake.local was larger than 32 MB, so it was not read" in lines[0]
    assert fake.count("GET", regex=r"/messages$") == 1  # refused, not asked again
    fake.clear_faults()
    shown = cli("show", seeded.id)
    assert shown.code == 0 and shown.out.count("\n") >= 3


async def test_check_waits_out_an_eleven_day_retry_after_for_two_minutes_at_most(
    fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    ids = [fake.store.add_thread(created_at=1_700_000_000 + n).id for n in range(5)]
    services = services_from_env(fake, tmp_path, fake_clock)
    services.registry.add_many(TrackedThread(i, "thread", "default") for i in ids)
    fake.inject("429", method="GET", path=r"^/threads/", times=1, retry_after=999_999)
    started = fake_clock.now()
    try:
        report = await check_threads(services)
    finally:
        await services.aclose()
    assert report.summary() == "Checked 5 threads: 5 live, 0 gone, 0 forbidden, 0 errors."
    assert report.rate_limited == 1
    assert MAX_RETRY_AFTER <= fake_clock.now() - started <= MAX_RETRY_AFTER + 10
