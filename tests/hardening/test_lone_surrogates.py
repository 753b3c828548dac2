"""Lone surrogates: JSON can carry half a UTF-16 pair ("\\ud800"); no UTF-8 file, terminal
or SQLite column can hold one. The fake must be able to serve them, and threadtui must
store and show them (as U+FFFD) instead of crashing on the first write."""

from __future__ import annotations


import pytest

from tests.hardening.hostile import BY_NAME
from threadtui.api.assistants import AssistantsBackend
from threadtui.api.backend import Connection
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HALVES = BY_NAME["lone_surrogates"].text  # "before \ud800 middle \udfff after \udc00\ud83d"
SHOWN = "before \ufffd middle \ufffd after \ufffd\ufffd"


def thread_with_halves(fake: FakeAPI) -> str:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"title": HALVES})
    fake.store.add_message(
        thread, role="user", content=[text_part(HALVES)], created_at=1_700_000_001
    )
    return thread.id


async def test_the_fake_serves_lone_surrogates_as_json_escapes(fake: FakeAPI) -> None:
    thread_id = thread_with_halves(fake)
    backend = AssistantsBackend(
        Connection(
            api_key="sk-x-12345678",
            base_url=fake.base_url,
            http_transport=fake.transport(),
            max_retries=0,
        )
    )
    try:
        page = await backend.list_messages(thread_id)
    finally:
        await backend.aclose()
    assert fake.requests[-1].status == 200
    assert len(page.items) == 1
