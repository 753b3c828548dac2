"""Services: the core behind CLI and TUI, on the fake API through its transport."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.archive_world import services_from_env
from threadtui.api.errors import AuthFailed, ReadOnly
from threadtui.clock import ManualClock
from threadtui.core.finding.ids import WrongIdKind
from threadtui.core.services import Services
from threadtui.core.settings.config import ConfigError
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = services_from_env(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


async def test_create_thread_tracks_it_live(services: Services, fake: FakeAPI) -> None:
    thread_id = await services.create_thread()
    assert thread_id in fake.store.threads
    row = services.index_row(thread_id)
    assert row is not None and (row.status, row.profile, row.kind) == ("live", "default", "thread")
    services.track("conv_other", title="Second", tags=["b", "a"])
    index = services.thread_index()
    assert index.total == 2
    by_id = {index.row(n).id: index.row(n) for n in range(index.total)}
    assert by_id == {t: services.index_row(t) for t in (thread_id, "conv_other")}
    assert by_id["conv_other"].tags == ("a", "b") and by_id["conv_other"].kind == "conversation"


async def test_opening_and_a_finished_run_update_what_the_sidebar_shows(
    services: Services, fake: FakeAPI, fake_clock: ManualClock
) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000)
    bot = fake.store.add_assistant(created_at=1_700_000_000, model="gpt-4o", name="Helper")
    fake.store.add_message(thread, role="user", content=[text_part("hi")], created_at=1_700_000_100)
    fake.store.add_message(
        thread,
        role="assistant",
        content=[text_part("hello")],
        created_at=1_700_000_200,
        assistant_id=bot["id"],
    )
    assert services.track(thread.id, title="Greeting", tags=["demo"]) == f"Tracking {thread.id}."
    page = await services.backend().list_messages(thread.id)
    services.thread_opened(thread.id, page.items)
    tracked = services.registry.get(thread.id)
    assert tracked is not None
    assert tracked.last_activity_at == 1_700_000_200
    assert tracked.last_opened_at == fake_clock.now()
    assert services.remembered_assistant(thread.id) == bot["id"]
    assert await services.assistant_names() == {bot["id"]: "Helper"}


async def test_delete_forgets_and_reports_already_gone(services: Services, fake: FakeAPI) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000)
    services.track(thread.id)
    services.track("thread_neverthere")
    assert await services.delete_thread(thread.id) == "deleted"
    assert await services.delete_thread("thread_neverthere") == "gone"
    assert thread.id not in fake.store.threads
    assert services.registry.count() == 0


async def test_read_only_sends_nothing(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    services = services_from_env(fake, tmp_path, fake_clock, read_only=True)
    thread = fake.store.add_thread(created_at=1_700_000_000)
    services.track(thread.id)
    with pytest.raises(ReadOnly):
        await services.delete_thread(thread.id)
    with pytest.raises(ReadOnly):
        await services.create_thread()
    assert fake.count() == 0 and thread.id in fake.store.threads
    await services.aclose()


async def test_setup_problems_are_sentences(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    services = services_from_env(fake, tmp_path, fake_clock)
    with pytest.raises(WrongIdKind, match="run ID"):
        services.track("run_abc")
    with pytest.raises(ConfigError, match=r"conversation.*--kind conversations"):
        services.backend_for("conv_abc")  # the default profile here speaks Assistants
    services.env = {}
    assert not services.has_key()
    with pytest.raises(AuthFailed, match="set OPENAI_API_KEY"):
        services.backend()
    with pytest.raises(ConfigError, match="no profile 'nope'"):
        services_from_env(fake, tmp_path, fake_clock, profile_name="nope")
    await services.aclose()


async def test_the_sidebars_first_screen_is_the_top_of_the_whole_index(
    services: Services,
) -> None:
    from threadtui.core.store.registry import TrackedThread

    services.registry.add_many(
        TrackedThread(
            f"thread_{n:024d}",
            title=f"Thread {n}",
            tags=("big",) if n % 7 == 0 else (),
            added_at=1_700_000_000 + n,
            last_activity_at=1_700_000_000 + (n * 7919) % 1000,  # shuffled, no ties
        )
        for n in range(1000)
    )
    whole = services.thread_index()
    head = services.thread_index_head(50)
    assert whole.complete and whole.total == 1000
    assert not head.complete and head.total == 1000 and len(head) == 50
    assert [head.row(n) for n in range(50)] == [whole.row(n) for n in range(50)]
    assert services.thread_index_head(5000).complete  # a small registry is whole at once
