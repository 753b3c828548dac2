"""Shared pytest fixtures. Each section belongs to the module it serves; keep them small."""

from __future__ import annotations

import pytest

# --- fake API (threadtui/fakeapi) --------------------------------------------------------
# `fake` is an empty FakeAPI on a ManualClock (`fake_clock`); `fake_client` is the real
# openai.AsyncOpenAI mounted on it through an httpx2 transport.
from threadtui.clock import ManualClock
from threadtui.fakeapi import FakeAPI


@pytest.fixture
def fake_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def fake(fake_clock: ManualClock) -> FakeAPI:
    return FakeAPI(clock=fake_clock)


@pytest.fixture
async def fake_client(fake: FakeAPI):
    import openai

    client = openai.AsyncOpenAI(
        api_key="sk-fake-test-key-0000",
        base_url=fake.base_url,
        http_client=openai.DefaultAsyncHttpxClient(transport=fake.transport()),
    )
    yield client
    await client.close()


# --- end fake API ------------------------------------------------------------------------


# --- time zone ------------------------------------------------------------------------------
# Times on screen are local: pin the zone so screens read the same on every machine.
import os  # noqa: E402
import time  # noqa: E402

os.environ["TZ"] = "UTC"
time.tzset()
