"""Checking tracked threads against the fake API: statuses, rate limits, retired servers."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx2
import pytest

from tests.core.archive_world import services_from_env
from threadtui.clock import ManualClock, SteppedClock
from threadtui.core.finding import servers
from threadtui.core.finding.checker import CheckProgress, check_threads
from threadtui.core.services import Services
from threadtui.core.settings.config import add_profile, profile_from_options
from threadtui.core.store.registry import TrackedThread
from threadtui.fakeapi import FakeAPI

KEY = "sk-test-key-not-real"


def track(services: Services, ids: list[str], profile: str = "default") -> None:
    services.registry.add_many(TrackedThread(i, "thread", profile) for i in ids)


def live_threads(fake: FakeAPI, count: int) -> list[str]:
    return [
        fake.store.add_thread(created_at=1_700_000_000 + n, metadata={"n": str(n)}).id
        for n in range(count)
    ]


def statuses(services: Services) -> dict[str, str]:
    return {t.id: t.status for t in services.registry.tracked()}


async def test_check_all_of_10000_threads_with_bursts_of_429(
    fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    """The issue's figure at a small latency (2 ms; the benchmark runs 50 ms): 8,000 live,
    1,500 gone, 500 forbidden, and three bursts of 25 rate limits with retry-after 3 s."""
    fake.latency = 0.002
    live = live_threads(fake, 8000)
    gone = [f"thread_gone{n:05d}X" for n in range(1500)]
    forbidden = [f"thread_forb{n:05d}X" for n in range(500)]
    fake.inject("403", method="GET", path=r"^/threads/thread_forb", times=None)
    services = services_from_env(fake, tmp_path, fake_clock)
    # Interleave the kinds so bursts land in the middle of everything.
    everything = [
        t for group in zip(live[:1500], gone, live[1500:3000], strict=True) for t in group
    ]
    everything += forbidden + live[3000:]
    track(services, everything)
    started = fake_clock.now()
    bursts = {2000, 5000, 8000}
    seen: list[CheckProgress] = []

    def progress(p: CheckProgress) -> None:
        seen.append(p)
        if p.done in bursts:
            bursts.discard(p.done)
            fake.inject("429", method="GET", path=r"^/threads/", times=25, retry_after=3)

    try:
        report = await check_threads(services, progress=progress)
    finally:
        await services.aclose()
    assert (
        report.summary() == "Checked 10000 threads: 8000 live, 1500 gone, 500 forbidden, 0 errors."
    )
    assert report.rate_limited == 75 and not bursts
    final = statuses(services)
    assert {final[t] for t in live} == {"live"}
    assert {final[t] for t in gone} == {"gone"}
    assert {final[t] for t in forbidden} == {"forbidden"}
    first = services.registry.get(live[0])
    assert first is not None and (first.created_at, first.metadata) == (1_700_000_000, {"n": "0"})
    assert first.checked_at is not None and first.checked_at >= started
    # Every thread asked once, plus a retry per 429; a probe first and before each "gone" batch.
    assert fake.count("GET", "/threads/{id}") == 10_000 + 75
    assert fake.count("GET", "/assistants") == 1 + 1500 // 200 + 1
    assert fake_clock.now() - started >= 3 * 3  # each burst held everyone for its retry-after
    assert seen[-1].done == seen[-1].total == 10_000
    assert any(p.paused_until is not None for p in seen)


async def test_one_429_pauses_every_worker_until_its_retry_after(tmp_path: Path) -> None:
    clock = SteppedClock()
    fake = FakeAPI(clock=clock)
    services = services_from_env(fake, tmp_path, clock)
    track(services, live_threads(fake, 100))
    await services.backend().probe()  # import the SDK's lazy modules before timing matters
    fake.requests.clear()
    fake.inject("429", method="GET", path=r"^/threads/", times=1, retry_after=30)
    task = asyncio.create_task(check_threads(services, concurrency=8))
    for _ in range(10_000):  # until every worker waits for the pause to end
        if clock.sleeping >= 8 or task.done():
            break
        await asyncio.sleep(0)
    assert clock.sleeping == 8
    limited = [n for n, r in enumerate(fake.requests) if r.status == 429]
    assert len(limited) == 1
    # Only requests already on their way when the 429 arrived were answered after it.
    assert len(fake.requests) - limited[0] - 1 <= 7
    before = len(fake.requests)
    clock.advance(29.9)
    await asyncio.sleep(0.05)
    assert len(fake.requests) == before and not task.done()
    clock.advance(0.1)
    report = await task
    await services.aclose()
    assert len(report.live) == 100 and report.rate_limited == 1


async def test_a_retired_server_marks_no_thread_gone(
    fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    services = services_from_env(fake, tmp_path, fake_clock)
    ids = live_threads(fake, 50) + [f"thread_gone{n}X" for n in range(50)]
    track(services, ids)
    fake.retired = True
    report = await check_threads(services)
    await services.aclose()
    assert set(statuses(services).values()) == {"unknown"}
    assert fake.count() == 1  # the probe, and nothing else
    state = servers.get(services.registry, "default")
    assert state is not None and state.retired and state.host == "fake.local"
    assert servers.retired_profiles(services.registry) == {"default"}
    assert report.gone == [] and len(report.skipped) == 100
    lines = report.lines()
    assert (
        lines[0] == "Checked 100 threads: 0 live, 0 gone, 0 forbidden, 0 errors, 100 not checked."
    )
    assert lines[1:] == [
        "The server of profile 'default' (fake.local) no longer offers the Assistants API: "
        "its threads are kept as they were, none was marked gone; their archived transcripts "
        "still open, and a conversations profile can continue them. (100 threads)"
    ]
    # Once it answers again, the next check says so and checks.
    fake.retired = False
    services = services_from_env(fake, tmp_path, fake_clock)
    report = await check_threads(services)
    await services.aclose()
    assert len(report.live) == 50 and len(report.gone) == 50
    assert not servers.get(services.registry, "default").retired  # type: ignore[union-attr]


async def test_an_api_retiring_midway_marks_no_thread_gone(
    fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    services = services_from_env(fake, tmp_path, fake_clock)
    live = live_threads(fake, 300)
    gone = [f"thread_gone{n:03d}X" for n in range(300)]
    track(services, [t for pair in zip(live, gone, strict=True) for t in pair])

    def retire_at_100(p: CheckProgress) -> None:
        if p.done == 100:
            fake.retired = True

    report = await check_threads(services, concurrency=4, progress=retire_at_100)
    await services.aclose()
    final = statuses(services)
    assert "gone" not in final.values()
    assert report.gone == [] and [s.profile for s in report.retired] == ["default"]
    assert 0 < len(report.live) < 300 and len(report.skipped) == 600 - len(report.live)
    assert {final[t] for t in report.live} == {"live"}


async def test_gone_threads_found_before_a_batch_is_proved_stay_gone(
    fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    """A probe after 200 "gone" answers proves them; the API retiring later undoes nothing."""
    services = services_from_env(fake, tmp_path, fake_clock)
    gone = [f"thread_gone{n:03d}X" for n in range(250)]
    track(services, gone)

    def retire_after_first_batch(p: CheckProgress) -> None:
        if p.done == 210:
            fake.retired = True

    report = await check_threads(services, concurrency=1, progress=retire_after_first_batch)
    await services.aclose()
    assert len(report.gone) == 200 and {statuses(services)[t] for t in gone[:200]} == {"gone"}
    assert {statuses(services)[t] for t in gone[200:]} == {"unknown"}


async def test_another_profile_is_asked_with_profile(tmp_path: Path) -> None:
    """Two servers (two projects): a thread gone on its own profile is found on the other."""
    clock = ManualClock()
    here, there = FakeAPI(clock=clock), FakeAPI(clock=clock)
    transports = {"here.local": here.transport(), "there.local": there.transport()}

    class ByHost(httpx2.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
            return await transports[request.url.host].handle_async_request(request)

    config = tmp_path / "config" / "config.toml"
    env = {"OPENAI_API_KEY": KEY}
    for name in ("here", "there"):
        add_profile(
            config,
            profile_from_options(name, kind="assistants", base_url=f"http://{name}.local/v1"),
            make_default=name == "here",
            env=env,
        )
    services = Services.load(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        env=env,
        clock=clock,
        http_transport=ByHost(),
    )
    mine = live_threads(here, 1)[0]
    elsewhere = live_threads(there, 2)[1]  # both fakes make the same IDs in turn
    nowhere = "thread_nowhere1X"
    track(services, [mine, elsewhere, nowhere], profile="here")
    first = await check_threads(services)
    assert (first.live, sorted(first.gone)) == ([mine], sorted([elsewhere, nowhere]))
    assert first.lines()[1] == (
        "A 404 can also mean the thread belongs to another project: `threadtui check "
        "--profile there ID…` asks that profile's server (profiles: there)."
    )
    second = await check_threads(services, [elsewhere, nowhere], profile="there")
    await services.aclose()
    assert second.summary() == (
        "Checked 2 threads on profile 'there': 1 live, 0 gone, 1 not there, 0 forbidden, 0 errors."
    )
    assert second.lines()[1] == "1 found on profile 'there' and now tracked there."
    moved = services.registry.get(elsewhere)
    assert moved is not None and (moved.profile, moved.status) == ("there", "live")
    stayed = services.registry.get(nowhere)
    assert stayed is not None and (stayed.profile, stayed.status) == ("here", "gone")


async def test_errors_no_key_and_kind_mismatch_are_said_once(
    fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    services = services_from_env(fake, tmp_path, fake_clock)
    live = live_threads(fake, 3)
    track(services, live)
    services.registry.add("conv_0a1b2c", kind="conversation", profile="default")
    fake.inject("500", method="GET", path=f"^/threads/{live[0]}$", times=None)
    report = await check_threads(services)
    await services.aclose()
    assert report.summary() == (
        "Checked 4 threads: 2 live, 0 gone, 0 forbidden, 1 errors, 1 not checked."
    )
    assert statuses(services)[live[0]] == "unknown"
    assert fake.count("GET", f"/threads/{live[0]}") == 3  # tried, then twice more after backoff
    assert report.lines()[1:] == [
        "Conversations were not checked on profile 'default': it speaks the assistants API.",
        "The server failed (HTTP 500) and did not recover after retries: try again in a moment.",
    ]
    keyless = Services.load(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        env={"OPENAI_BASE_URL": fake.base_url},
        clock=fake_clock,
        http_transport=fake.transport(),
    )
    report = await check_threads(keyless, live)
    await keyless.aclose()
    assert len(report.skipped) == 3 and report.lines()[1].startswith("No API key for profile")


@pytest.mark.parametrize("fault", ["401"])
async def test_a_rejected_key_stops_the_check(
    fault: str, fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    services = services_from_env(fake, tmp_path, fake_clock)
    ids = live_threads(fake, 20)
    track(services, ids)
    fake.inject(fault, method="GET", path=r"^/threads/", times=None)
    report = await check_threads(services, concurrency=2)
    await services.aclose()
    assert report.live == [] and report.gone == [] and len(report.skipped) == 20
    assert fake.count("GET", "/threads/{id}") <= 2  # in flight when the first 401 came back
    assert set(statuses(services).values()) == {"unknown"}


async def test_probing_a_server_records_retired_and_back_again(
    fake: FakeAPI, fake_clock: ManualClock, tmp_path: Path
) -> None:
    services = services_from_env(fake, tmp_path, fake_clock)
    assert servers.get(services.registry, "default") is None
    fake.retired = True
    first = await servers.probe(services)
    fake_clock.advance(60)
    again = await servers.probe(services)
    assert first.retired and again.retired_at == first.retired_at  # when it was first seen
    assert again.checked_at == first.checked_at + 60
    fake.retired = False
    back = await servers.probe(services)
    await services.aclose()
    assert not back.retired and back.message() == ""
    assert servers.all_states(services.registry) == [back]
