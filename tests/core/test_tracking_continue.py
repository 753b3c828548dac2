"""Continuing a thread in a new one: from the archive when gone, live otherwise; links."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.archive_world import services_from_env
from threadtui.api.errors import ReadOnly
from threadtui.clock import ManualClock
from threadtui.core.archive.dumps import import_dump
from threadtui.core.chat.continuation import (
    NothingToContinue,
    continue_thread,
    continued_as,
    continued_from,
)
from threadtui.core.services import Services
from threadtui.core.settings.config import add_profile, profile_from_options
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

GONE = "thread_D1hdJFT5q1dv1cExdAO0NHl9"


def wire_message(n: int, role: str, content: list[dict]) -> dict:
    return {
        "id": f"msg_{n:04d}Ab",
        "object": "thread.message",
        "created_at": 1_763_600_000 + n,
        "thread_id": GONE,
        "role": role,
        "content": content,
        "assistant_id": "asst_Q1" if role == "assistant" else None,
        "run_id": None,
        "attachments": [],
        "metadata": {},
    }


def archive_gone_thread(services: Services, count: int) -> None:
    """A transcript of `count` messages in the archive, of a thread the server never had."""
    messages = [
        wire_message(n, "user" if n % 2 == 0 else "assistant", [text_part(f"message {n}")])
        for n in range(count)
    ]
    image = {"type": "image_file", "image_file": {"file_id": "file-Img1", "detail": "auto"}}
    messages.append(wire_message(count, "user", [image, text_part("what is this?")]))
    page = {"object": "list", "data": list(reversed(messages)), "has_more": False}
    import_dump(services.registry, page, source="test.json")


@pytest.fixture
async def services(fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock):
    services = services_from_env(fake, tmp_path, fake_clock)
    yield services
    await services.aclose()


async def test_a_gone_thread_continues_from_its_archive(services: Services, fake: FakeAPI) -> None:
    services.track(GONE, title="Refund policy", tags=["billing", "vip"])
    services.registry.update(GONE, status="gone", last_assistant_id="asst_Q1")
    archive_gone_thread(services, 30)
    new_id = await continue_thread(services, GONE, last=5)
    thread = fake.store.threads[new_id]
    seeded = [
        (m["role"], [c.get("text", {}).get("value") for c in m["content"]]) for m in thread.messages
    ]
    assert seeded == [
        ("user", ["message 26"]),
        ("assistant", ["message 27"]),
        ("user", ["message 28"]),
        ("assistant", ["message 29"]),
        ("user", ["[image file: file-Img1]\n\nwhat is this?"]),  # what text cannot carry, named
    ]
    assert thread.obj["metadata"] == {"continued_from": GONE}
    tracked = services.registry.get(new_id)
    assert tracked is not None
    assert (tracked.title, tracked.tags, tracked.status) == (
        "Refund policy (continued)",
        ("billing", "vip"),
        "live",
    )
    assert (tracked.last_assistant_id, tracked.message_count, tracked.source) == (
        "asst_Q1",
        5,
        "continue",
    )
    assert continued_as(services.registry, GONE) == [new_id]
    assert continued_from(services.registry, new_id) == GONE
    assert fake.count("GET", "/threads/{id}/messages") == 0  # a gone thread is not asked


async def test_a_thread_that_still_answers_continues_from_the_server(
    services: Services, fake: FakeAPI
) -> None:
    old = fake.store.add_thread(created_at=1_700_000_000)
    for n in range(8):
        role = "user" if n % 2 == 0 else "assistant"
        fake.store.add_message(
            old, role=role, content=[text_part(f"live {n}")], created_at=1_700_000_000 + n
        )
    new_id = await continue_thread(services, old.id, last=3)
    texts = [m["content"][0]["text"]["value"] for m in fake.store.threads[new_id].messages]
    assert texts == ["live 5", "live 6", "live 7"]
    tracked = services.registry.get(new_id)
    assert tracked is not None and tracked.title == f"{old.id[:16]}… (continued)"
    assert continued_from(services.registry, new_id) == old.id


async def test_nothing_to_continue_and_read_only_send_nothing(
    services: Services, fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    services.track("thread_nothing1X")
    with pytest.raises(NothingToContinue, match="has no messages to carry over"):
        await continue_thread(services, "thread_nothing1X")
    archive_gone_thread(services, 4)
    read_only = services_from_env(fake, tmp_path, fake_clock, read_only=True)
    with pytest.raises(ReadOnly):
        await continue_thread(read_only, GONE)
    await read_only.aclose()
    assert fake.count("POST") == 0
    assert continued_as(services.registry, GONE) == []


async def test_a_conversation_continues_as_a_conversation(
    fake: FakeAPI, tmp_path: Path, fake_clock: ManualClock
) -> None:
    env = {"OPENAI_API_KEY": "sk-test-key-not-real"}
    profile = profile_from_options("responses", kind="conversations", base_url=fake.base_url)
    add_profile(tmp_path / "config" / "config.toml", profile, make_default=True, env=env)
    services = Services.load(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        env=env,
        clock=fake_clock,
        http_transport=fake.transport(),
    )
    old = await services.backend().create_thread(
        [("user", "first"), ("assistant", "second"), ("user", "third")]
    )
    services.track(old.id, title="Chat")
    new_id = await continue_thread(services, old.id, last=2)
    assert new_id.startswith("conv_")
    page = await services.backend().list_messages(new_id, order="asc")
    await services.aclose()
    assert [(m.role, m.text) for m in page.items] == [("assistant", "second"), ("user", "third")]
    tracked = services.registry.get(new_id)
    assert tracked is not None and (tracked.kind, tracked.profile) == ("conversation", "responses")
