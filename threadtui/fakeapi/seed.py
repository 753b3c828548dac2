"""Seeded demo data (placeholder: a few assistants and threads; the full set comes next)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from threadtui.fakeapi.store import text_part

if TYPE_CHECKING:
    from threadtui.fakeapi.app import FakeAPI


def seed_demo(fake: FakeAPI, seed: int) -> list[dict[str, Any]]:
    store = fake.store
    now = int(fake.clock.now())
    bot = store.add_assistant(created_at=now - 86400 * 30, model="gpt-4o-mini", name="Support Bot")
    out = []
    for n in range(5):
        created = now - 3600 * (n + 1)
        thread = store.add_thread(created_at=created, metadata={"title": f"Demo thread {n + 1}"})
        store.add_message(
            thread, role="user", content=[text_part("Hello there")], created_at=created
        )
        store.add_message(
            thread,
            role="assistant",
            content=[text_part("Hi! How can I help?")],
            created_at=created + 2,
            assistant_id=bot["id"],
        )
        out.append(
            {
                "id": thread.id,
                "title": f"Demo thread {n + 1}",
                "tags": [],
                "created_at": created,
                "kind": "thread",
            }
        )
    return out
