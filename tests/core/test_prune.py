"""Bulk prune through the core API: selection, refusals up front, outcomes, the log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.archive_world import services_on
from threadtui.clock import ManualClock
from threadtui.core.auditing import prune
from threadtui.core.auditing.deletions import DeletionLog
from threadtui.core.services import Services
from threadtui.core.settings.config import Profile
from threadtui.core.store.registry import TrackedThread
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = 86400.0


def make_services(fake: FakeAPI, root: Path, clock: ManualClock, **options) -> Services:
    return services_on(
        fake,
        root,
        clock,
        Profile("main", "assistants", base_url="https://llm.example.test/v1"),
        Profile("convs", "conversations", base_url="https://llm.example.test/v1"),
        Profile("audit", "assistants", base_url=fake.base_url, read_only=True),
        Profile("nokey", "assistants", base_url=fake.base_url, api_key_env="NO_SUCH"),
        key_env="OPENAI_API_KEY",
        **options,
    )


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = make_services(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


def old_threads(
    services: Services,
    fake: FakeAPI,
    count: int,
    *,
    idle_days: float = 200,
    messages: int = 3,
    profile: str = "main",
    tags: tuple[str, ...] = (),
) -> list[str]:
    """Threads on the fake with `messages` each, tracked with their last activity long ago."""
    now = services.clock.now()
    ids = []
    for _ in range(count):
        thread = fake.store.add_thread(created_at=int(now - 400 * DAY))
        for m in range(messages):
            fake.store.add_message(
                thread,
                role="user",
                content=[text_part(f"message {m}")],
                created_at=int(now - idle_days * DAY),
            )
        ids.append(thread.id)
    services.registry.add_many(
        TrackedThread(
            i,
            "thread",
            profile,
            f"Old thread {n}",
            tags=tags,
            last_activity_at=now - idle_days * DAY,
            message_count=messages,
        )
        for n, i in enumerate(ids)
    )
    return ids


# -- ages and selection ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "days"), [("90d", 90), ("12w", 84), ("6m", 180), ("1y", 365), (" 2D ", 2)]
)
def test_ages(text: str, days: int) -> None:
    assert prune.parse_age(text) == days * DAY


@pytest.mark.parametrize("text", ["90", "d", "0d", "1.5d", "90x", "-3d", "", "90 days"])
def test_bad_ages_say_what_to_write(text: str) -> None:
    with pytest.raises(ValueError, match=r"like 90d \(days\), 12w \(weeks\), 6m"):
        prune.parse_age(text)


def test_select_by_last_activity_tag_status_and_profile(services: Services) -> None:
    now = services.clock.now()
    rows = [
        TrackedThread("thread_old", "thread", "main", last_activity_at=now - 100 * DAY),
        TrackedThread("thread_edge", "thread", "main", last_activity_at=now - 90 * DAY),
        TrackedThread("thread_recent", "thread", "main", last_activity_at=now - 89 * DAY),
        # Activity falls back to the creation time, then to when it was tracked.
        TrackedThread("thread_created_old", "thread", "main", created_at=now - 400 * DAY),
        TrackedThread("thread_added_now", "thread", "main"),
        TrackedThread(
            "thread_new_but_created_old",
            "thread",
            "main",
            created_at=now - 400 * DAY,
            last_activity_at=now - DAY,
        ),
        TrackedThread(
            "thread_tagged",
            "thread",
            "main",
            tags=("x",),
            status="gone",
            last_activity_at=now - 200 * DAY,
            message_count=7,
        ),
        TrackedThread(
            "conv_old", "conversation", "convs", last_activity_at=now - 300 * DAY, message_count=5
        ),
    ]
    services.registry.add_many(rows)
    chosen = prune.select(services.registry, older_than=90 * DAY, now=now)
    assert chosen.ids == [
        "thread_created_old",
        "conv_old",
        "thread_tagged",
        "thread_old",
        "thread_edge",
    ]
    assert (len(chosen), chosen.known_messages, chosen.unknown_counts) == (5, 12, 3)
    assert prune.select(services.registry, older_than=90 * DAY, now=now, tag="x").ids == [
        "thread_tagged"
    ]
    assert prune.select(services.registry, older_than=90 * DAY, now=now, status="gone").ids == [
        "thread_tagged"
    ]
    assert prune.select(services.registry, older_than=90 * DAY, now=now, profile="convs").ids == [
        "conv_old"
    ]
    assert not prune.select(services.registry, older_than=2000 * DAY, now=now)


# -- pruning --------------------------------------------------------------------------------
async def test_prune_deletes_logs_and_untracks_each_with_its_outcome(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    ids = old_threads(services, fake, 12)
    conv = fake.responses.add_conversation(int(fake_clock.now() - 400 * DAY))
    services.registry.add_many(
        [TrackedThread(conv.id, "conversation", "convs", "A chat", last_activity_at=1.0)]
    )
    gone, failing = ids[:2], ids[2:4]
    for thread_id in gone:
        fake.store.delete_thread(thread_id)
    for thread_id in failing:
        fake.inject("403", method="DELETE", path=f"^/threads/{thread_id}$")
    seen: list[tuple[int, int, str]] = []
    report = await prune.prune(
        services,
        [*ids, conv.id],
        archive=False,
        progress=lambda done, total, entry: seen.append((done, total, entry.thread_id)),
    )
    assert (report.deleted, report.gone, report.failed) == (9, 2, 2)
    assert report.stopped is None and report.not_attempted == ()
    assert sorted(report.ids("gone")) == sorted(gone)
    assert sorted(report.ids("failed")) == sorted(failing)
    assert [done for done, _, _ in seen] == list(range(1, 14))
    assert {total for _, total, _ in seen} == {13}
    # The server: deleted ones are gone, failed ones are still there.
    assert set(fake.store.threads) == set(failing)
    assert conv.id not in fake.responses.conversations
    # The registry: only the failed ones are still tracked.
    assert {t.id for t in services.registry.tracked()} == set(failing)
    # The log: one entry per thread, newest first, with everything the auditor needs.
    entries = DeletionLog(services.registry).entries()
    assert len(entries) == 13
    by_id = {e.thread_id: e for e in entries}
    deleted = by_id[ids[5]]
    assert (deleted.outcome, deleted.kind, deleted.profile, deleted.host) == (
        "deleted",
        "thread",
        "main",
        "llm.example.test",
    )
    assert (deleted.title, deleted.message_count, deleted.deleted_at) == (
        "Old thread 5",
        3,
        fake_clock.now(),
    )
    assert deleted.archived_to == "" and deleted.detail == ""
    assert by_id[conv.id].kind == "conversation" and by_id[conv.id].outcome == "deleted"
    assert by_id[gone[0]].detail == "It was already gone from the server: untracked it."
    failed = by_id[failing[0]]
    assert failed.outcome == "failed"
    assert "belongs to another organization or project" in failed.detail
    assert DeletionLog(services.registry).count("failed") == 2


async def test_read_only_refuses_before_anything_is_sent(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    for n, options in enumerate(({"read_only": True}, {"profile_name": "audit"})):
        services = make_services(fake, tmp_path / str(n), fake_clock, **options)
        ids = old_threads(services, fake, 3, profile=services.profile_name)
        fake.requests.clear()
        with pytest.raises(prune.PruneRefused, match=r"Read-only .*nothing was deleted"):
            await prune.prune(services, ids)
        assert fake.requests == []
        assert len(services.registry.tracked()) == 3
        assert DeletionLog(services.registry).entries() == []
        await services.aclose()


async def test_a_retired_server_stops_the_prune_up_front_and_marks_nothing(
    services: Services, fake: FakeAPI
) -> None:
    ids = old_threads(services, fake, 5)
    fake.retired = True
    with pytest.raises(prune.PruneRefused, match="nothing was deleted"):
        await prune.prune(services, ids)
    assert fake.count("DELETE") == 0
    assert [t.status for t in services.registry.tracked()] == ["unknown"] * 5
    assert DeletionLog(services.registry).entries() == []


async def test_a_profile_without_a_key_stops_the_prune_up_front(
    services: Services, fake: FakeAPI
) -> None:
    ids = old_threads(services, fake, 2, profile="nokey")
    with pytest.raises(prune.PruneRefused, match="NO_SUCH"):
        await prune.prune(services, ids)
    assert fake.requests == [] and len(services.registry.tracked()) == 2


async def test_a_server_retiring_midway_stops_the_rest_and_gone_is_never_claimed(
    services: Services, fake: FakeAPI
) -> None:
    ids = old_threads(services, fake, 6)

    def retire_after_the_first(done: int, total: int, entry) -> None:
        fake.retired = True

    report = await prune.prune(
        services, ids, archive=False, concurrency=1, progress=retire_after_the_first
    )
    assert [e.outcome for e in report.entries] == ["deleted", "failed"]
    assert report.not_attempted == tuple(ids[2:])
    assert report.stopped and "Assistants" in report.stopped
    assert {t.id for t in services.registry.tracked()} == set(ids[1:])
    assert {t.status for t in services.registry.tracked()} == {"unknown"}


async def test_a_thread_deleted_before_a_crash_is_logged_gone_on_the_rerun(
    services: Services, fake: FakeAPI
) -> None:
    """Killed after the server's delete but before the log: the rerun finds it gone."""
    ids = old_threads(services, fake, 3)
    fake.store.delete_thread(ids[0])  # the delete that landed just before the crash
    report = await prune.prune(services, ids, archive=False)
    assert (report.deleted, report.gone) == (2, 1)
    log = DeletionLog(services.registry)
    assert [e.outcome for e in log.entries(thread_id=ids[0])] == ["gone"]
    assert services.registry.tracked() == []


def test_what_the_tui_asks_for_a_sidebar_selection(services: Services) -> None:
    services.registry.add_many(
        [
            TrackedThread("thread_a", "thread", "main", message_count=4),
            TrackedThread("thread_b", "thread", "main", message_count=1),
            TrackedThread("thread_c", "thread", "main"),
        ]
    )
    picked = prune.selection_of(
        services.registry, ["thread_b", "thread_gone", "thread_a", "thread_b"]
    )
    assert picked.ids == ["thread_b", "thread_a"]
    assert picked.summary == "2 threads holding 5 messages"
    assert prune.selection_of(services.registry, ["thread_b"]).summary == (
        "1 thread holding 1 message"
    )
    everything = prune.selection_of(services.registry, ["thread_a", "thread_b", "thread_c"])
    assert everything.summary == "3 threads holding at least 5 messages (1 with a count not known)"
    assert prune.selection_of(services.registry, ["thread_c"]).summary == (
        "1 thread (its message count is not known)"
    )
    assert [prune.expected_answer(n) for n in (1, 10, 11, 500)] == ["yes", "yes", "11", "500"]
