"""A fake API and Services on real files, for the archive, export and search tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threadtui.clock import ManualClock
from threadtui.core.config import Config, Profile
from threadtui.core.paths import Locations
from threadtui.core.services import Services
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.conversations import Conversation
from threadtui.fakeapi.store import Thread, text_part

KEY_ENV = "THREADTUI_TEST_KEY"
T0 = 1_700_000_000


def make_services(fake: FakeAPI, home: Path, clock: ManualClock) -> Services:
    """Services with an Assistants profile "default" and a Conversations profile "convs"."""
    profiles = {
        "default": Profile("default", "assistants", base_url=fake.base_url, api_key_env=KEY_ENV),
        "convs": Profile(
            "convs",
            "conversations",
            base_url=fake.base_url,
            api_key_env=KEY_ENV,
            default_model="gpt-4o-mini",
        ),
    }
    return Services(
        Locations(home / "config", home / "data", home / "logs"),
        Config(profiles, "default"),
        env={KEY_ENV: "sk-test-key-not-real"},
        clock=clock,
        http_transport=fake.transport(),
    )


def seed_thread(fake: FakeAPI, count: int, *, words: str = "hello", title: str = "") -> Thread:
    """A thread of `count` alternating user/assistant messages, two per second."""
    thread = fake.store.add_thread(created_at=T0, metadata={"title": title} if title else {})
    for n in range(count):
        fake.store.add_message(
            thread,
            role="user" if n % 2 == 0 else "assistant",
            content=[text_part(f"{words} number {n}")],
            created_at=T0 + n // 2,
        )
    return thread


def seed_conversation(fake: FakeAPI, count: int, *, words: str = "hello") -> Conversation:
    """A conversation of `count` message items (items carry no time), a function call too."""
    conv = fake.responses.add_conversation(T0, {"title": "A conversation"})
    for n in range(count):
        role = "user" if n % 2 == 0 else "assistant"
        kind = "input_text" if role == "user" else "output_text"
        part: dict[str, Any] = {"type": kind, "text": f"{words} item {n}"}
        if kind == "output_text":
            part |= {"annotations": [], "logprobs": []}
        conv.append(
            {
                "id": fake.store.ids.hex48("msg_"),
                "type": "message",
                "status": "completed",
                "role": role,
                "content": [part],
            }
        )
    return conv


def server_ids(fake: FakeAPI, thread_id: str) -> list[str]:
    if thread_id.startswith("conv_"):
        return [item["id"] for item in fake.responses.conversations[thread_id].items]
    return [m["id"] for m in fake.store.threads[thread_id].messages]


def server_raw(fake: FakeAPI, thread_id: str) -> list[dict[str, Any]]:
    if thread_id.startswith("conv_"):
        return list(fake.responses.conversations[thread_id].items)
    return list(fake.store.threads[thread_id].messages)


async def finish_a_run(
    services: Services, fake: FakeAPI, clock: ManualClock, thread_id: str, text: str
) -> None:
    """Send `text` and let the (fake) assistant answer it, through the real SDK."""
    backend = services.backend_for(thread_id)
    assistant = (
        next(iter(fake.store.assistants), None)
        or fake.store.add_assistant(created_at=T0, model="gpt-4o", name="Helper")["id"]
    )
    await backend.add_message(thread_id, text)
    run = await backend.start_run(thread_id, assistant_id=assistant)
    while not run.is_terminal:
        clock.advance(5)
        run = await backend.get_run(thread_id, run.id)
