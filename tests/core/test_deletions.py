"""The one delete path (TUI, `delete`, `prune`): archive, delete, log, untrack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.archive_world import services_on
from threadtui.api.errors import ReadOnly, WrongProject
from threadtui.clock import ManualClock
from threadtui.core.archive.store import archive_thread, load_transcript
from threadtui.core.auditing import prune
from threadtui.core.auditing.deletions import DeletionLog
from threadtui.core.services import Services
from threadtui.core.settings.config import Profile
from threadtui.core.store.registry import TrackedThread
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def make_services(fake: FakeAPI, root: Path, clock: ManualClock, **options) -> Services:
    return services_on(
        fake,
        root,
        clock,
        Profile("main", "assistants", base_url=fake.base_url),
        Profile("convs", "conversations", base_url=fake.base_url),
        key_env="OPENAI_API_KEY",
        **options,
    )


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = make_services(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


def thread_with(fake: FakeAPI, services: Services, messages: int, title: str = "Refunds") -> str:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"title": title})
    for n in range(messages):
        fake.store.add_message(
            thread,
            role="user" if n % 2 == 0 else "assistant",
            content=[text_part(f"message {n}")],
            created_at=1_700_000_000 + n,
        )
    services.track(thread.id, title=title)
    return thread.id


async def test_delete_archives_first_and_the_archive_outlives_the_thread(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    thread_id = thread_with(fake, services, 250)  # three pages
    fetched: list[int] = []
    outcome = await services.delete_thread(
        thread_id, progress=lambda _, count: fetched.append(count)
    )
    assert outcome == "deleted"
    assert thread_id not in fake.store.threads and thread_id not in services.registry
    assert fetched and fetched[-1] == 250
    # The archive came first: every message, readable offline after the server forgot it.
    archived = load_transcript(services.registry, thread_id)
    assert archived is not None
    info, messages = archived
    assert info.id == thread_id and info.metadata == {"title": "Refunds"}
    assert [m.text for m in messages] == [f"message {n}" for n in range(250)]
    (entry,) = DeletionLog(services.registry).entries()
    assert (entry.thread_id, entry.outcome, entry.title, entry.message_count) == (
        thread_id,
        "deleted",
        "Refunds",
        250,
    )
    assert entry.archived_to == f"local archive in {services.locations.registry_file}"
    assert entry.deleted_at == fake_clock.now() and entry.host == "fake.local"
    # Order on the wire: every read of the archive, then the one delete.
    methods = [r.method for r in fake.requests if r.path.startswith(f"/threads/{thread_id}")]
    assert methods[-1] == "DELETE" and methods.count("DELETE") == 1
    assert set(methods[:-1]) == {"GET"}


async def test_no_archive_deletes_without_a_copy(services: Services, fake: FakeAPI) -> None:
    thread_id = thread_with(fake, services, 4)
    assert await services.delete_thread(thread_id, archive=False) == "deleted"
    assert load_transcript(services.registry, thread_id) is None
    assert fake.count("GET", "/threads/{id}/messages") == 0
    (entry,) = DeletionLog(services.registry).entries()
    assert (entry.outcome, entry.archived_to) == ("deleted", "")


async def test_a_failed_archive_means_no_delete(services: Services, fake: FakeAPI) -> None:
    thread_id = thread_with(fake, services, 4)
    fake.inject("403", method="GET", path=f"^/threads/{thread_id}/messages$")
    with pytest.raises(WrongProject):
        await services.delete_thread(thread_id)
    assert thread_id in fake.store.threads and thread_id in services.registry
    assert fake.count("DELETE") == 0
    (entry,) = DeletionLog(services.registry).entries()
    assert entry.outcome == "failed"
    assert entry.detail.startswith("Not deleted, archiving failed: ")


async def test_a_refused_delete_is_logged_and_raised(services: Services, fake: FakeAPI) -> None:
    thread_id = thread_with(fake, services, 2)
    fake.inject("403", method="DELETE")
    with pytest.raises(WrongProject):
        await services.delete_thread(thread_id)
    assert thread_id in fake.store.threads and thread_id in services.registry
    (entry,) = DeletionLog(services.registry).entries()
    assert entry.outcome == "failed" and entry.archived_to  # the copy was made all the same
    # The server's ID for the refused request is kept, for its support to look up.
    (refused,) = fake.requests.matching("DELETE")
    assert entry.request_id == refused.headers["x-request-id"]
    assert entry.request_id.startswith("req_")


async def test_gone_is_untracked_and_names_an_earlier_archive(
    services: Services, fake: FakeAPI
) -> None:
    archived_before = thread_with(fake, services, 3)
    await archive_thread(services, archived_before)
    never_archived = thread_with(fake, services, 3)
    for thread_id in (archived_before, never_archived):
        fake.store.delete_thread(thread_id)
        assert await services.delete_thread(thread_id) == "gone"
        assert thread_id not in services.registry
    log = {e.thread_id: e for e in DeletionLog(services.registry).entries()}
    assert log[archived_before].outcome == log[never_archived].outcome == "gone"
    assert log[archived_before].archived_to and not log[never_archived].archived_to
    assert log[archived_before].message_count == 3


async def test_a_conversation_is_archived_then_deleted(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    conv = fake.responses.add_conversation(1_700_000_000)
    services.registry.add_many([TrackedThread(conv.id, "conversation", "convs", "Chat")])
    assert await services.delete_thread(conv.id) == "deleted"
    assert conv.id not in fake.responses.conversations
    (entry,) = DeletionLog(services.registry).entries()
    assert (entry.kind, entry.profile, entry.outcome) == ("conversation", "convs", "deleted")
    assert load_transcript(services.registry, conv.id) is not None


async def test_read_only_deletes_and_logs_nothing(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    services = make_services(fake, tmp_path, fake_clock, read_only=True)
    thread_id = thread_with(fake, services, 2)
    fake.requests.clear()
    with pytest.raises(ReadOnly):
        await services.delete_thread(thread_id)
    assert fake.requests == [] and thread_id in services.registry
    assert DeletionLog(services.registry).entries() == []
    await services.aclose()


async def test_prune_archives_each_before_deleting_unless_told_not_to(
    services: Services, fake: FakeAPI
) -> None:
    kept = [thread_with(fake, services, 5, f"Kept {n}") for n in range(3)]
    report = await prune.prune(services, kept)
    assert report.deleted == 3
    for thread_id in kept:
        archived = load_transcript(services.registry, thread_id)
        assert archived is not None and len(archived[1]) == 5
    bare = [thread_with(fake, services, 5, f"Bare {n}") for n in range(3)]
    report = await prune.prune(services, bare, archive=False)
    assert report.deleted == 3
    assert all(load_transcript(services.registry, t) is None for t in bare)
    assert fake.store.threads == {}
