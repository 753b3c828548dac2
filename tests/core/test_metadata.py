"""Metadata: the API's limits in the API's words, checked before anything is sent."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from tests.core.archive_world import services_on
from threadtui.api.errors import ReadOnly
from threadtui.clock import ManualClock
from threadtui.core.auditing import metadata
from threadtui.core.services import Services
from threadtui.core.settings.config import Profile
from threadtui.fakeapi import FakeAPI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

AT_THE_LIMITS = {f"{n:02d}" + "k" * 62: "v" * 512 for n in range(16)}
OVER_THE_LIMITS = [
    {f"k{n}": "v" for n in range(17)},
    {"k" * 65: "v"},
    {"team": "v" * 513},
    {"team": 3},
]


def make_services(fake: FakeAPI, tmp_path: Path, clock: ManualClock, **options) -> Services:
    return services_on(
        fake,
        tmp_path,
        clock,
        Profile("main", "assistants", base_url=fake.base_url),
        Profile("audit", "assistants", base_url=fake.base_url, read_only=True),
        key_env="OPENAI_API_KEY",
        **options,
    )


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = make_services(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


@pytest.mark.parametrize("bad", OVER_THE_LIMITS)
async def test_problems_are_worded_exactly_as_the_server_words_them(fake_client, bad) -> None:
    thread = await fake_client.beta.threads.create()
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.beta.threads.update(thread.id, metadata=bad)
    assert metadata.metadata_problems(bad)[0] == caught.value.body["message"]


def test_at_the_limits_there_is_nothing_to_say() -> None:
    assert metadata.metadata_problems(AT_THE_LIMITS) == []
    assert metadata.metadata_problems({}) == []
    every = metadata.metadata_problems({"k" * 65: "v" * 513, **{f"x{n}": "" for n in range(16)}})
    assert len(every) == 3  # too many pairs, key too long, value too long: all named


async def test_metadata_over_the_limits_is_refused_before_any_request(
    services: Services, fake: FakeAPI
) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"team": "ops"})
    services.track(thread.id)
    fake.requests.clear()
    for bad in OVER_THE_LIMITS:
        with pytest.raises(metadata.MetadataError) as caught:
            await metadata.update_metadata(services, thread.id, bad)
        assert str(caught.value).startswith(("Invalid '", "Invalid type for '"))
    assert fake.requests == []
    assert thread.obj["metadata"] == {"team": "ops"}


async def test_update_at_the_limits_is_kept_by_the_server_and_the_registry(
    services: Services, fake: FakeAPI
) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"team": "ops"})
    services.track(thread.id)
    info = await metadata.update_metadata(services, thread.id, AT_THE_LIMITS)
    assert info.metadata == AT_THE_LIMITS == thread.obj["metadata"]
    assert services.registry.get(thread.id).metadata == AT_THE_LIMITS
    viewed = await metadata.remote_metadata(services, thread.id)
    assert viewed.metadata == AT_THE_LIMITS


async def test_read_only_refuses_without_a_request(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"team": "ops"})
    for n, options in enumerate(({"read_only": True}, {"profile_name": "audit"})):
        services = make_services(fake, tmp_path / str(n), fake_clock, **options)
        services.track(thread.id, profile_name=services.profile_name)
        fake.requests.clear()
        with pytest.raises(ReadOnly, match="metadata was not changed"):
            await metadata.update_metadata(services, thread.id, {"team": "billing"})
        assert fake.requests == []
        assert (await metadata.remote_metadata(services, thread.id)).metadata == {"team": "ops"}
        await services.aclose()


def test_editing_pairs() -> None:
    assert metadata.parse_pair("url=https://x.test/?a=b") == ("url", "https://x.test/?a=b")
    assert metadata.parse_pair("empty=") == ("empty", "")
    for bad in ("novalue", "=v"):
        with pytest.raises(ValueError, match="key=value"):
            metadata.parse_pair(bad)
    current = {"a": "1", "b": "2"}
    assert metadata.edited(current, [("c", "3"), ("a", "9")], ["b"]) == {"a": "9", "c": "3"}
    assert current == {"a": "1", "b": "2"}


def test_local_title_note_and_tags(services: Services) -> None:
    services.track("thread_local1", title="Old", tags=["keep", "drop"])
    assert metadata.set_local(
        services,
        "thread_local1",
        title="New",
        note="check refund",
        add_tags=["new"],
        remove_tags=["drop"],
    )
    row = services.registry.get("thread_local1")
    assert (row.title, row.note, row.tags) == ("New", "check refund", ("keep", "new"))
    assert metadata.set_local(services, "thread_local1", note="")  # other fields untouched
    row = services.registry.get("thread_local1")
    assert (row.title, row.note, row.tags) == ("New", "", ("keep", "new"))
    assert not metadata.set_local(services, "thread_untracked", title="x")
