"""A fake API and Services on real files, for the archive, export and search tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from threadtui.clock import ManualClock
from threadtui.core.services import Services
from threadtui.core.settings.config import Config, Profile
from threadtui.core.settings.paths import Locations
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.conversations import Conversation
from threadtui.fakeapi.store import Thread, text_part

KEY_ENV = "THREADTUI_TEST_KEY"
T0 = 1_700_000_000


def services_on(
    fake: FakeAPI,
    home: Path,
    clock: ManualClock,
    *profiles: Profile,
    key_env: str = KEY_ENV,
    **options: Any,
) -> Services:
    """Services on real files under `home`, talking to `fake`; the first profile is the
    default one, and the key sits in `key_env` (never a real key)."""
    return Services(
        Locations(home / "config", home / "data", home / "logs"),
        Config({p.name: p for p in profiles}, profiles[0].name),
        env={key_env: "sk-test-key-not-real"},
        clock=clock,
        http_transport=fake.transport(),
        **options,
    )


def services_from_env(fake: FakeAPI, home: Path, clock: ManualClock, **options: Any) -> Services:
    """Services as `threadtui` starts them with no config.toml: the key and base URL from
    the environment (OPENAI_API_KEY, OPENAI_BASE_URL), talking to `fake`."""
    return Services.load(
        config_dir=home / "config",
        data_dir=home / "data",
        env={"OPENAI_API_KEY": "sk-test-key-not-real", "OPENAI_BASE_URL": fake.base_url},
        clock=clock,
        http_transport=fake.transport(),
        **options,
    )


def make_services(fake: FakeAPI, home: Path, clock: ManualClock) -> Services:
    """Services with an Assistants profile "default" and a Conversations profile "convs"."""
    return services_on(
        fake,
        home,
        clock,
        Profile("default", "assistants", base_url=fake.base_url, api_key_env=KEY_ENV),
        Profile(
            "convs",
            "conversations",
            base_url=fake.base_url,
            api_key_env=KEY_ENV,
            default_model="gpt-4o-mini",
        ),
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


HOSTILE = "Look\x1b[31m red\x1b]52;c;ZXZpbA==\x07 \x9b2J\u202egnp.exe\x07 done"
CONTACT = (
    "Write to jane.doe@example.com or call +1 (415) 555-0132; key sk-proj-AbCdEf1234567890ghIJkl"
)


def seed_audit_thread(fake: FakeAPI) -> Thread:
    """A thread with what an auditor must see: citations, an image, an attachment, a
    refusal, a cut-short answer, hostile escapes and personal data."""
    store = fake.store
    bot = store.add_assistant(created_at=T0, model="gpt-4o", name="Policy Bot")
    thread = store.add_thread(created_at=T0, metadata={"title": "Retention audit", "team": "ops"})
    contract, chart, policy = "file-Contract01", "file-Chart01", "file-Policy01"
    store.add_message(
        thread,
        role="user",
        content=[text_part(CONTACT)],
        created_at=T0 + 10,
        attachments=[{"file_id": contract, "tools": [{"type": "file_search"}]}],
    )
    cited = "Logs are kept for 30 days【4:0†source】."
    marker = "【4:0†source】"
    store.add_message(
        thread,
        role="assistant",
        content=[
            {"type": "image_file", "image_file": {"file_id": chart, "detail": "auto"}},
            text_part(
                cited,
                [
                    {
                        "type": "file_citation",
                        "text": marker,
                        "start_index": cited.index(marker),
                        "end_index": cited.index(marker) + len(marker),
                        "file_citation": {"file_id": policy},
                    }
                ],
            ),
        ],
        created_at=T0 + 11,
        assistant_id=bot["id"],
        run_id="run_Audit1",
    )
    store.add_message(thread, role="user", content=[text_part(HOSTILE)], created_at=T0 + 20)
    store.add_message(
        thread,
        role="assistant",
        content=[{"type": "refusal", "refusal": "I can't help with that."}],
        created_at=T0 + 21,
        assistant_id=bot["id"],
        run_id="run_Audit2",
    )
    store.add_message(
        thread,
        role="assistant",
        content=[text_part("The essay begins:\n\n```python\nprint('unclosed")],
        created_at=T0 + 30,
        assistant_id=bot["id"],
        run_id="run_Audit3",
        status="incomplete",
        incomplete_reason="max_tokens",
    )
    return thread
