"""Fixtures for the API layer: the real AssistantsBackend on the fake API and its clock."""

from __future__ import annotations

import pytest

from threadtui.api.assistants import AssistantsBackend
from threadtui.api.backend import Connection

API_KEY = "sk-test-0123456789abcdefXYZ"


@pytest.fixture
def connect(fake):
    """A Connection to the fake; keyword arguments override its fields."""

    def make(**fields) -> Connection:
        fields.setdefault("api_key", API_KEY)
        return Connection(base_url=fake.base_url, http_transport=fake.transport(), **fields)

    return make


@pytest.fixture
async def open_backend(fake_clock, connect):
    """Backends on the fake, closed after the test. Their own waits use the fake clock."""
    opened: list[AssistantsBackend] = []

    def make(**fields) -> AssistantsBackend:
        backend = AssistantsBackend(connect(**fields), clock=fake_clock)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        await backend.aclose()


@pytest.fixture
async def backend(open_backend):
    """A backend whose SDK retries are off unless a test asks for them (no real sleeps)."""
    return open_backend(max_retries=0)


@pytest.fixture
def assistant(fake, fake_clock) -> dict:
    return fake.store.add_assistant(
        created_at=int(fake_clock.now()), model="gpt-4o-mini", name="Support Bot"
    )
