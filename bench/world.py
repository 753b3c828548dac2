"""Realistic data for the benchmarks: tracked threads for a registry, long threads on the fake.

Everything is generated from a seed, so two runs (and the baseline and the measured side
of one run) see the same rows.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from threadtui.core.services import Services
    from threadtui.core.store.registry import TrackedThread

B62 = string.digits + string.ascii_letters
NOW = 1_763_900_000.0  # the benchmarks' "today" (late 2025)
SUBJECTS = (
    "Refund policy question",
    "Password reset",
    "Onboarding flow",
    "Invoice mismatch",
    "Annual plan upgrade",
    "API rate limits",
    "Customer chat log",
    "Shipping delay",
    "Support escalation",
    "Translation batch",
    "Code review helper",
    "Data export request",
)
TAGS = ("billing", "support", "vip", "eval", "prod", "legal", "beta")
STATUSES = ("live",) * 6 + ("unknown",) * 3 + ("gone",)


def thread_rows(count: int, seed: int = 8) -> Iterator[TrackedThread]:
    """`count` tracked threads as people keep them: titled mostly, tagged sometimes, seen
    over two years; a tenth conversations, a tenth gone."""
    from threadtui.core.store.registry import TrackedThread

    rng = random.Random(seed)
    for n in range(count):
        conversation = rng.random() < 0.1
        thread_id = (
            "conv_" + "".join(rng.choices("0123456789abcdef", k=48))
            if conversation
            else "thread_" + "".join(rng.choices(B62, k=24))
        )
        created = NOW - rng.uniform(0, 2 * 365 * 86400)
        yield TrackedThread(
            thread_id,
            kind="conversation" if conversation else "thread",
            profile="default",
            title=f"{rng.choice(SUBJECTS)} {n}" if rng.random() < 0.9 else "",
            tags=tuple(rng.sample(TAGS, k=rng.choice((0, 0, 1, 1, 2)))),
            created_at=created,
            added_at=created + rng.uniform(0, 86400),
            last_activity_at=created + rng.uniform(0, 30 * 86400) if rng.random() < 0.7 else None,
            status=rng.choice(STATUSES),
            source="bench",
        )


def services_at(folder: Path, env: dict[str, str] | None = None) -> Services:
    """Services on a registry in `folder` (config/ and data/ under it)."""
    from threadtui.core.services import Services

    return Services.load(
        config_dir=folder / "config", data_dir=folder / "data", env=dict(env or {})
    )


def fill_registry(folder: Path, count: int, seed: int = 8) -> str:
    """Track `count` generated threads in the registry under `folder`; returns the title
    (or ID) the sidebar shows first, sorted by recent activity."""
    services = services_at(folder)
    try:
        if count:
            services.registry.add_many(thread_rows(count, seed))
        index = services.thread_index()
        return (index.row(0).title or index.row(0).id) if index.total else ""
    finally:
        services.close()


def long_thread(fake: object, messages: int, *, created_at: int = 1_700_000_000) -> str:
    """A thread on the fake with `messages` alternating user/assistant messages of a few
    sentences each (like a long support chat); returns its ID."""
    from threadtui.fakeapi.store import text_part

    store = fake.store  # type: ignore[attr-defined]
    rng = random.Random(messages)
    thread = store.add_thread(created_at=created_at)
    words = [
        "refund",
        "annual",
        "plan",
        "invoice",
        "order",
        "delivery",
        "account",
        "password",
        "reset",
        "thanks",
    ]
    for n in range(messages):
        text = " ".join(rng.choices(words, k=rng.randrange(20, 80))).capitalize() + "."
        store.add_message(
            thread,
            role="user" if n % 2 == 0 else "assistant",
            content=[text_part(text)],
            created_at=created_at + 30 * n,
        )
    return thread.id
