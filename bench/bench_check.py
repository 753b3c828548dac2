"""`check --all` of 10,000 threads on the fake API at 50 ms latency: the speedup of
concurrency 8 over one request at a time, and the requests it takes.

The one-at-a-time baseline would take over eight minutes on all 10,000 threads, so it is
measured on the first 1,000 of them in the same run and scaled by 10 (each request costs
the same: 50 ms plus the same client and fake work). `--full` (or
THREADTUI_BENCH_CHECK_FULL=1) measures the baseline on all of them.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from pathlib import Path

from bench.common import Row, full

NAME = "check"
FULL = {"threads": 10_000, "gone_every": 10, "latency": 0.050, "sample": 1_000}
SMOKE = {"threads": 200, "gone_every": 10, "latency": 0.005, "sample": 40}
CONCURRENCY = 8
SPEEDUP_TARGET = 6.0


async def measure(threads: int, gone_every: int, latency: float, sample: int) -> dict[str, float]:
    from threadtui.clock import SystemClock
    from threadtui.core.finding.checker import check_threads
    from threadtui.core.services import Services
    from threadtui.core.store.registry import TrackedThread
    from threadtui.fakeapi import FakeAPI

    fake = FakeAPI(clock=SystemClock())
    ids = [
        f"thread_gone{n:06d}X"
        if n % gone_every == 0
        else fake.store.add_thread(created_at=1_700_000_000).id
        for n in range(threads)
    ]
    with tempfile.TemporaryDirectory(prefix="threadtui-bench-") as tmp:
        services = Services.load(
            config_dir=Path(tmp) / "config",
            data_dir=Path(tmp) / "data",
            env={"OPENAI_API_KEY": "sk-bench", "OPENAI_BASE_URL": fake.base_url},
            http_transport=fake.transport(),
        )
        services.registry.add_many(TrackedThread(i, "thread", "default") for i in ids)
        await check_threads(services, ids[:5])  # warm up: the SDK's lazy imports
        fake.latency = latency
        fake.requests.clear()
        started = time.perf_counter()
        report = await check_threads(services, concurrency=CONCURRENCY)
        concurrent = time.perf_counter() - started
        counts = {
            "threads": fake.count("GET", "/threads/{id}"),
            "probes": fake.count("GET", "/assistants"),
            "all": fake.count(),
        }
        started = time.perf_counter()
        await check_threads(services, ids[:sample], concurrency=1)
        one_at_a_time = (time.perf_counter() - started) * threads / sample
        await services.aclose()
    return {
        "concurrent": concurrent,
        "one_at_a_time": one_at_a_time,
        "live": len(report.live),
        "gone": len(report.gone),
        **counts,
    }


def run(smoke: bool = False) -> list[Row]:
    size = dict(SMOKE if smoke else FULL)
    if not smoke and (full() or os.environ.get("THREADTUI_BENCH_CHECK_FULL")):
        size["sample"] = size["threads"]
    found = asyncio.run(measure(**size))
    threads = int(size["threads"])
    label = f"check --all, {threads:,} threads at {size['latency'] * 1000:.0f} ms latency"
    speedup = found["one_at_a_time"] / found["concurrent"]
    gone = threads // int(size["gone_every"])
    sampled = size["sample"] != threads
    return [
        Row(
            label,
            f"speedup of concurrency {CONCURRENCY} over one at a time",
            f"{speedup:.1f}×",
            "one at a time"
            + (f" on {size['sample']:,} threads, scaled" if sampled else "")
            + f": {found['one_at_a_time']:,.1f} s vs {found['concurrent']:,.1f} s",
            f"≥ {SPEEDUP_TARGET:g}×",
            speedup >= SPEEDUP_TARGET,
        ),
        Row(
            label,
            "thread requests (GET /threads/{id})",
            f"{found['threads']:,}",
            f"{threads:,} threads",
            "one per thread",
            found["threads"] == threads,
        ),
        Row(
            label,
            "other requests (probes of GET /assistants)",
            f"{found['all'] - found['threads']:,.0f}",
            f"{gone:,} gone threads",
            "1 + 1 per 200 gone",
            found["all"] - found["threads"] == 1 + -(-gone // 200),
            "a probe before each batch of 'gone' is written: a retired API marks nothing gone",
        ),
        Row(
            label,
            "statuses recorded",
            f"{found['live']:,} live, {found['gone']:,} gone",
            f"{threads - gone:,} live, {gone:,} gone on the fake",
            "all right",
            (found["live"], found["gone"]) == (threads - gone, gone),
        ),
    ]
