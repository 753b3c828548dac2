"""The transcript archive on a real SQLite file, fed through the real SDK by the fake API."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.archive_world import (
    finish_a_run,
    make_services,
    seed_conversation,
    seed_thread,
    server_ids,
    server_raw,
)
from threadtui.api.errors import NotFound
from threadtui.clock import ManualClock
from threadtui.core.archive.store import archive_info, archive_thread, load_transcript
from threadtui.core.chat.session import ThreadSession
from threadtui.core.services import Services
from threadtui.fakeapi import FakeAPI

MESSAGES = "/threads/{t}/messages"
ITEMS = "/conversations/{c}/items"


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = make_services(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


def archived_ids(services: Services, thread_id: str) -> list[str]:
    loaded = load_transcript(services.registry, thread_id)
    assert loaded is not None
    return [m.id for m in loaded[1]]


async def test_a_second_archive_of_an_unchanged_250_message_thread_costs_one_request(
    services: Services, fake: FakeAPI
) -> None:
    thread = seed_thread(fake, 250)
    services.track(thread.id)
    first = await archive_thread(services, thread.id)
    assert (first.new_messages, first.message_count, first.complete) == (250, 250, True)
    assert fake.count("GET", MESSAGES) == 3  # 100 + 100 + 50, oldest first
    fake.requests.clear()

    again = await archive_thread(services, thread.id)
    assert len(fake.requests) == 1
    assert (again.new_messages, again.message_count) == (0, 250)
    assert archived_ids(services, thread.id) == server_ids(fake, thread.id)
    assert services.registry.get(thread.id).message_count == 250


async def test_after_a_new_run_only_the_new_messages_are_fetched(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    thread = seed_thread(fake, 250)
    await archive_thread(services, thread.id)
    newest_before = server_ids(fake, thread.id)[-1]
    await finish_a_run(services, fake, fake_clock, thread.id, "One more question")
    fake.requests.clear()

    result = await archive_thread(services, thread.id, progress=lambda *_: None)
    pages = fake.requests.matching("GET", MESSAGES)
    assert [p.query.get("after") for p in pages] == [newest_before]
    assert [m["id"] for m in pages[0].response["data"]] == server_ids(fake, thread.id)[-2:]
    assert (result.new_messages, result.message_count, result.runs) == (2, 252, 1)
    loaded = load_transcript(services.registry, thread.id)
    assert loaded is not None
    info, messages = loaded
    assert [m.raw for m in messages] == server_raw(fake, thread.id)
    assert info.raw == fake.store.threads[thread.id].obj
    assert messages[-1].run_id and messages[-1].assistant_id  # rebuilt as the API gave them


async def test_conversations_are_archived_like_threads(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    conv = seed_conversation(fake, 250)
    services.track(conv.id, profile_name="convs")
    first = await archive_thread(services, conv.id)
    assert (first.new_messages, first.complete) == (250, True)
    assert fake.count("GET", ITEMS) == 3
    fake.requests.clear()
    assert (await archive_thread(services, conv.id)).new_messages == 0
    assert len(fake.requests) == 1

    backend = services.backend_for(conv.id)
    await backend.add_message(conv.id, "And one more thing")
    response = await backend.start_run(conv.id, model="gpt-4o-mini")
    while not response.is_terminal:
        fake_clock.advance(5)
        response = await backend.get_run(conv.id, response.id)
    newest_before = archived_ids(services, conv.id)[-1]
    fake.requests.clear()
    assert (await archive_thread(services, conv.id)).new_messages == 2
    assert [r.query.get("after") for r in fake.requests.matching("GET", ITEMS)] == [newest_before]
    loaded = load_transcript(services.registry, conv.id)
    assert loaded is not None
    assert loaded[0].kind == "conversation" and loaded[0].metadata == {"title": "A conversation"}
    assert [m.raw for m in loaded[1]] == server_raw(fake, conv.id)
    assert loaded[1][-1].text and loaded[1][-1].role == "assistant"


async def test_what_the_tui_loads_is_kept_and_archiving_fetches_only_the_rest(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    thread = seed_thread(fake, 250)
    services.track(thread.id)
    session = ThreadSession(services.backend_for(thread.id), thread.id, page_size=50)
    services.thread_opened(thread.id, await session.newest())
    services.thread_page_loaded(thread.id, await session.older())
    assert archived_ids(services, thread.id) == server_ids(fake, thread.id)[-100:]
    info = archive_info(services.registry, thread.id)
    assert info is not None and (info.message_count, info.complete, info.gaps) == (100, False, 0)

    # Someone else talks in the thread; the TUI then sees a run's replies (not the question).
    await finish_a_run(services, fake, fake_clock, thread.id, "Question from elsewhere")
    await finish_a_run(services, fake, fake_clock, thread.id, "Question in the TUI")
    run_id = fake.store.threads[thread.id].runs[-1].id
    replies = await session.messages_of_run(run_id)
    services.run_finished(thread.id, await session.backend.get_run(thread.id, run_id), replies)
    info = archive_info(services.registry, thread.id)
    assert info is not None and info.gaps == 1  # the three messages in between

    fake.requests.clear()
    result = await archive_thread(services, thread.id)
    assert result.new_messages == 150 + 3
    pages = fake.requests.matching("GET", MESSAGES)
    # One page up to the newest (the hole), then two older pages: nothing loaded twice.
    assert [(p.query.get("order"), len(p.response["data"])) for p in pages] == [
        ("asc", 4),
        ("desc", 100),
        ("desc", 50),
    ]
    assert archived_ids(services, thread.id) == server_ids(fake, thread.id)
    info = archive_info(services.registry, thread.id)
    assert info is not None and info.whole


async def test_a_gone_threads_archive_stays_and_reads_offline(
    services: Services, fake: FakeAPI
) -> None:
    thread = seed_thread(fake, 30, words="lighthouse")
    services.track(thread.id, title="Keeper")
    await archive_thread(services, thread.id)
    expected = server_raw(fake, thread.id)
    fake.store.delete_thread(thread.id)

    with pytest.raises(NotFound):
        await archive_thread(services, thread.id)
    assert fake.requests[-1].status == 404
    assert services.registry.get(thread.id).status == "gone"

    fake.requests.clear()
    loaded = load_transcript(services.registry, thread.id)
    assert loaded is not None and [m.raw for m in loaded[1]] == expected
    assert loaded[1][0].text == "lighthouse number 0"
    assert len(fake.requests) == 0  # read without the server
    assert load_transcript(services.registry, "thread_NeverArchived") is None


async def test_an_empty_thread_is_archived_as_complete(services: Services, fake: FakeAPI) -> None:
    thread = seed_thread(fake, 0)
    result = await archive_thread(services, thread.id)
    assert (result.message_count, result.complete) == (0, True)
    loaded = load_transcript(services.registry, thread.id)
    assert loaded is not None and loaded[0].id == thread.id and loaded[1] == []
