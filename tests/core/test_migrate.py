"""Migrating threads to conversations, through the real SDK against the fake API."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.archive_world import KEY_ENV, T0, make_services, seed_audit_thread, seed_thread
from threadtui.api.errors import ApiError, ReadOnly
from threadtui.clock import ManualClock
from threadtui.core.archive.dumps import import_dump
from threadtui.core.archive.store import archive_info, archive_thread
from threadtui.core.auditing.deletions import DeletionLog
from threadtui.core.auditing.migrate import (
    AlreadyMigrated,
    MigrationError,
    MigrationProgress,
    NothingToMigrate,
    migrate_thread,
    migrated_from,
    migrated_to,
)
from threadtui.core.services import Services
from threadtui.core.settings.config import Config, Profile
from threadtui.core.settings.paths import Locations
from threadtui.core.store import links
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

GONE = "thread_GoneLongAgo0000000000001"


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = make_services(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


def archive_gone_thread(services: Services, count: int) -> None:
    """A whole transcript of `count` messages in the archive; the server never had it."""
    messages = [
        {
            "id": f"msg_{n:04d}Xy",
            "object": "thread.message",
            "created_at": T0 + n,
            "thread_id": GONE,
            "role": "user" if n % 2 == 0 else "assistant",
            "content": [text_part(f"archived {n}")],
            "assistant_id": None,
            "run_id": None,
            "attachments": [],
            "metadata": {},
        }
        for n in range(count)
    ]
    page = {"object": "list", "data": messages[::-1], "has_more": False}
    import_dump(services.registry, page, source="dump.json")


async def conversation_items(services: Services, conversation_id: str) -> list[tuple[str, str]]:
    """(role, text) of every item, oldest first, paged through items.list."""
    backend = services.backend("convs")
    found, after = [], None
    while True:
        page = await backend.list_messages(conversation_id, limit=100, order="asc", after=after)
        found += [(m.role, m.text) for m in page.items]
        if not page.has_more:
            return found
        after = page.last_id


def creating_posts(fake: FakeAPI) -> int:
    return fake.count("POST", "/conversations") + fake.count("POST", "/conversations/{id}/items")


async def test_a_250_message_archived_thread_becomes_a_conversation_in_13_batches(
    services: Services, fake: FakeAPI
) -> None:
    services.track(GONE, title="Refund policy", tags=["billing", "vip"])
    services.registry.update(GONE, status="gone", note="Asked by finance.")
    archive_gone_thread(services, 250)

    result = await migrate_thread(services, GONE)

    assert (result.items, result.batches, result.read_from) == (250, 13, "archive")
    assert creating_posts(fake) == 13
    assert fake.count("GET", "/threads/{id}/messages") == 0  # a gone thread is not asked
    items = await conversation_items(services, result.conversation_id)
    expected = [("user" if n % 2 == 0 else "assistant", f"archived {n}") for n in range(250)]
    assert items == expected
    tracked = services.registry.get(result.conversation_id)
    assert tracked is not None
    assert (tracked.kind, tracked.profile, tracked.title, tracked.tags, tracked.message_count) == (
        "conversation",
        "convs",
        "Refund policy (migrated)",
        ("billing", "vip"),
        250,
    )
    assert tracked.note == f"Asked by finance.\nMigrated from {GONE} on fake.local."
    assert migrated_to(services.registry, GONE) == [result.conversation_id]
    assert migrated_from(services.registry, result.conversation_id) == GONE
    assert fake.responses.conversations[result.conversation_id].obj["metadata"] == {
        "migrated_from": GONE
    }
    assert services.registry.get(GONE) is not None  # not deleted unless asked
    assert fake.count("DELETE") == 0


async def test_a_250_message_live_thread_is_read_through_the_assistants_api_the_same_way(
    services: Services, fake: FakeAPI
) -> None:
    thread = seed_thread(fake, 250, words="live")
    result = await migrate_thread(services, thread.id)
    assert (result.items, result.batches, result.read_from) == (250, 13, "server")
    assert fake.count("GET", "/threads/{id}/messages") == 3  # pages of 100, oldest first
    assert creating_posts(fake) == 13
    items = await conversation_items(services, result.conversation_id)
    expected = [("user" if n % 2 == 0 else "assistant", f"live number {n}") for n in range(250)]
    assert items == expected
    assert migrated_to(services.registry, thread.id) == [result.conversation_id]
    assert migrated_from(services.registry, result.conversation_id) == thread.id


async def test_a_live_thread_migrates_every_message_in_order_with_what_cannot_move_named(
    services: Services, fake: FakeAPI
) -> None:
    audit = seed_audit_thread(fake)
    for n in range(40):  # enough for three batches and several pages
        fake.store.add_message(
            audit, role="user", content=[text_part(f"more {n}")], created_at=T0 + 100 + n
        )
    services.track(audit.id, title="Retention audit")
    progress: list[MigrationProgress] = []

    result = await migrate_thread(services, audit.id, progress=progress.append)

    assert (result.read_from, result.items, result.batches, result.complete) == (
        "server",
        45,
        3,
        True,
    )
    items = await conversation_items(services, result.conversation_id)
    assert items[:5] == [
        (
            "user",
            "Write to jane.doe@example.com or call +1 (415) 555-0132; key "
            "sk-proj-AbCdEf1234567890ghIJkl\n\n[attachment: file-Contract01]",
        ),
        (
            "assistant",
            "[image file: file-Chart01]\n\nLogs are kept for 30 days【4:0†source】.\n\n"
            "[citation 【4:0†source】: file-Policy01]",
        ),
        ("user", fake.store.threads[audit.id].messages[2]["content"][0]["text"]["value"]),
        ("assistant", "[refusal] I can't help with that."),
        (
            "assistant",
            "The essay begins:\n\n```python\nprint('unclosed\n\n[incomplete: max_tokens]",
        ),
    ]
    assert items[5:] == [("user", f"more {n}") for n in range(40)]
    assert creating_posts(fake) == 3
    info = archive_info(services.registry, audit.id)
    assert info is not None and info.whole and info.message_count == 45  # archived first
    assert audit.id in fake.store.threads  # the source stays unless asked
    assert migrated_from(services.registry, result.conversation_id) == audit.id
    stages = [(p.stage, p.done, p.total) for p in progress]
    assert stages[0][0] == "reading" and stages[-2:] == [("writing", 0, 45), ("writing", 45, 45)]


async def test_the_source_is_deleted_only_when_asked_through_the_delete_path(
    services: Services, fake: FakeAPI
) -> None:
    kept = seed_thread(fake, 6, title="Keep me")
    doomed = seed_thread(fake, 6, title="Move me")
    services.track(kept.id)
    services.track(doomed.id)

    await migrate_thread(services, kept.id)
    result = await migrate_thread(services, doomed.id, delete_source=True)

    assert kept.id in fake.store.threads and services.registry.get(kept.id) is not None
    assert doomed.id not in fake.store.threads
    assert services.registry.get(doomed.id) is None
    assert result.deleted == "deleted"
    (entry,) = DeletionLog(services.registry).entries(thread_id=doomed.id)
    assert (entry.outcome, entry.message_count) == ("deleted", 6)
    assert entry.archived_to  # the delete path archived (again) before deleting
    assert migrated_to(services.registry, doomed.id) == [result.conversation_id]
    assert result.conversation_id in fake.responses.conversations


async def test_a_gone_thread_without_an_archive_gets_one_sentence_and_nothing_is_created(
    services: Services, fake: FakeAPI
) -> None:
    services.track(GONE)
    with pytest.raises(NothingToMigrate) as refused:
        await migrate_thread(services, GONE)
    assert str(refused.value) == (
        f"{GONE} is gone from the server and was never archived, so there is nothing to migrate."
    )
    assert creating_posts(fake) == 0
    assert services.registry.get(GONE).status == "gone"  # what the server said is kept


async def test_a_retired_server_migrates_from_the_archive(
    services: Services, fake: FakeAPI
) -> None:
    thread = seed_thread(fake, 30, words="ledger")
    services.track(thread.id)
    await archive_thread(services, thread.id)
    fake.retired = True

    result = await migrate_thread(services, thread.id)

    assert (result.read_from, result.items, result.complete) == ("archive", 30, True)
    assert "no longer offers the Assistants API" in result.why_archive
    items = await conversation_items(services, result.conversation_id)
    assert [text for _, text in items] == [f"ledger number {n}" for n in range(30)]


async def test_migrating_twice_names_the_first_copy_unless_again(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    thread = seed_thread(fake, 4)
    first = await migrate_thread(services, thread.id)
    fake.requests.clear()
    with pytest.raises(AlreadyMigrated) as already:
        await migrate_thread(services, thread.id)
    assert already.value.conversation_ids == (first.conversation_id,)
    assert first.conversation_id in str(already.value) and "--again" in str(already.value)
    assert len(fake.requests) == 0
    fake_clock.advance(60)
    second = await migrate_thread(services, thread.id, again=True)
    assert second.conversation_id != first.conversation_id
    assert migrated_to(services.registry, thread.id) == [
        first.conversation_id,
        second.conversation_id,
    ]


async def test_read_only_refuses_before_any_request(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    thread = seed_thread(fake, 4)
    services = make_services(fake, tmp_path, fake_clock)
    services.session_read_only = True
    with pytest.raises(ReadOnly):
        await migrate_thread(services, thread.id)
    await services.aclose()
    assert len(fake.requests) == 0


async def test_without_a_conversations_profile_the_sentence_says_how_to_add_one(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock, services: Services
) -> None:
    thread = seed_thread(fake, 4)
    only_assistants = Services(
        Locations(tmp_path / "c2", tmp_path / "d2", tmp_path / "l2"),
        Config({"default": Profile("default", "assistants", base_url=fake.base_url)}, "default"),
        env={KEY_ENV: "sk-test"},
        clock=fake_clock,
        http_transport=fake.transport(),
    )
    with pytest.raises(MigrationError, match=r"threadtui profile add NAME --kind conversations"):
        await migrate_thread(only_assistants, thread.id)
    only_assistants.close()
    with pytest.raises(MigrationError, match="speaks the assistants API"):
        await migrate_thread(services, thread.id, to_profile="default")
    with pytest.raises(MigrationError, match="is a conversation already"):
        await migrate_thread(services, "conv_abc123")
    assert len(fake.requests) == 0


async def test_an_unreachable_server_migrates_from_the_archive_or_says_why_not(
    services: Services, fake: FakeAPI
) -> None:
    archived, never = seed_thread(fake, 8, words="cairn"), seed_thread(fake, 3)
    await archive_thread(services, archived.id)
    fake.inject("401", path="^/threads", times=None)

    result = await migrate_thread(services, archived.id)

    assert (result.read_from, result.items) == ("archive", 8)
    assert result.why_archive  # the server's sentence, for the user
    with pytest.raises(MigrationError) as refused:
        await migrate_thread(services, never.id)
    assert str(refused.value).startswith(f"{never.id} cannot be read (")
    assert str(refused.value).endswith("and has no local archive: nothing was migrated.")
    assert len(fake.responses.conversations) == 1


async def test_a_thread_with_a_run_in_progress_waits(services: Services, fake: FakeAPI) -> None:
    thread = seed_thread(fake, 2)
    assistant = fake.store.add_assistant(created_at=T0, model="gpt-4o", name="Helper")["id"]
    backend = services.backend_for(thread.id)
    await backend.add_message(thread.id, "one more question")
    await backend.start_run(thread.id, assistant_id=assistant)  # the clock does not move
    with pytest.raises(MigrationError, match="has a run in progress: wait for it to end"):
        await migrate_thread(services, thread.id)
    assert creating_posts(fake) == 0


async def test_a_batch_that_fails_for_good_leaves_no_copy_and_no_record(
    services: Services, fake: FakeAPI
) -> None:
    """Issue 13, item 6: the half-made copy recorded before its second batch is deleted
    with its record when a later batch fails; nothing is left for a rerun to clean."""
    services.track(GONE, title="Refund policy")
    archive_gone_thread(services, 100)
    fake.inject("403", method="POST", path=r"/conversations/[^/]+/items", times=None)

    with pytest.raises(ApiError):
        await migrate_thread(services, GONE)

    assert fake.responses.conversations == {}
    assert [t.id for t in services.registry.tracked()] == [GONE]
    assert migrated_to(services.registry, GONE) == []
    assert links.linked(services.registry, GONE, links.MIGRATING_TO) == []
    fake.clear_faults()
    result = await migrate_thread(services, GONE)
    assert result.items == 100 and result.dropped == ()
