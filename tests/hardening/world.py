"""A small world for hardening tests: a fake API on a virtual clock, a registry in a
temporary folder, and the checks that say whether state stayed consistent.

Everything here is real: the fake API under the real SDK, a real SQLite registry, the
real `Services`. Nothing of threadtui is replaced.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.hardening.hostile import leaks
from threadtui.api.backend import Connection
from threadtui.clock import ManualClock
from threadtui.core.services import Services
from threadtui.core.settings.config import Config, Profile
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import TrackedThread
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.conversations import normalize_item
from threadtui.fakeapi.store import text_part

# A distinctive key: any file or output holding it (or its middle) is a leak.
KEY_ENV = "THREADTUI_HARDENING_KEY"
KEY = "sk-proj-HARDEN1NGk3yZQX7c1f0e2d9b8a4f3e6d5c4b3a2"
KEY_MARKS = (KEY, "HARDEN1NGk3yZQX7", "c1f0e2d9b8a4f3e6")
PROFILE = "main"
RETIRED_BASE_URL = "http://fake.local/v0"  # a server with no such API: every route 404s


def key_leaks(text: str) -> list[str]:
    return [mark for mark in KEY_MARKS if mark in text]


def sentence_problems(text: str) -> list[str]:
    """What keeps `text` from being one clear sentence for a user."""
    problems = []
    if not text.strip():
        problems.append("empty")
    if "\n" in text.strip():
        problems.append("more than one line")
    if not text.rstrip().endswith((".", "!", "?", "…")):  # "…": cut server text
        problems.append("does not end a sentence")
    if len(text) > 600:
        problems.append(f"{len(text)} characters long")
    if "Traceback" in text or "Error(" in text:
        problems.append("looks like a traceback")
    if key_leaks(text):
        problems.append("shows the key")
    if leaks(text):
        problems.append(f"raw control characters {leaks(text)}")
    return problems


@dataclass
class World:
    """One fake server, one profile, one registry; thread IDs in `threads`."""

    kind: str = "assistants"  # or "conversations"
    retired: bool = False  # the server has no such API
    clock: ManualClock = field(default_factory=ManualClock)
    threads: list[str] = field(default_factory=list)
    assistant: str = ""

    def __post_init__(self) -> None:
        self.fake = FakeAPI(clock=self.clock)
        self.folder = Path(tempfile.mkdtemp(prefix="threadtui-hardening-"))
        self.base_url = self.fake.base_url
        self.assistant = self.fake.store.add_assistant(
            created_at=int(self.clock.now()) - 1000, model="gpt-4o-mini", name="Helper"
        )["id"]
        self._services: Services | None = None
        self.created: set[str] = set()  # threads the app says it created
        self.unsure = 0  # creates that said their thread may exist

    # -- remote state ------------------------------------------------------------------
    def add_thread(self, messages: int = 3, *, title: str = "") -> str:
        now = int(self.clock.now())
        if self.kind == "conversations":
            conv = self.fake.responses.add_conversation(now - 500)
            for n in range(messages):
                conv.append(normalize_item(self.fake.store, self._easy(n, conv.id), "items"))
            thread_id = conv.id
        else:
            thread = self.fake.store.add_thread(created_at=now - 500)
            for n in range(messages):
                self.fake.store.add_message(
                    thread,
                    role="user" if n % 2 == 0 else "assistant",
                    content=[text_part(f"{thread.id} message {n}")],
                    created_at=now - 500 + n,
                )
            thread_id = thread.id
        self.threads.append(thread_id)
        return thread_id

    @staticmethod
    def _easy(n: int, conv_id: str) -> dict[str, Any]:
        return {"role": "user" if n % 2 == 0 else "assistant", "content": f"{conv_id} message {n}"}

    def remote_threads(self) -> set[str]:
        if self.kind == "conversations":
            return set(self.fake.responses.conversations)
        return set(self.fake.store.threads)

    def texts(self, thread_id: str) -> list[str]:
        """The text of every message on the server, oldest first."""
        if self.kind == "conversations":
            conv = self.fake.responses.conversations.get(thread_id)
            items = conv.items if conv else []
            return [
                p.get("text", "")
                for it in items
                if it.get("type") == "message"
                for p in it["content"]
            ]
        thread = self.fake.store.threads.get(thread_id)
        messages = thread.messages if thread else []
        return [p["text"]["value"] for m in messages for p in m["content"] if p["type"] == "text"]

    def duplicates(self) -> int:
        """Messages the server holds more than once (every text a world writes is unique),
        plus threads created that nobody knows of (orphans of a repeated create) beyond
        those the app reported as possibly created."""
        extra = 0
        for thread_id in self.remote_threads():
            counts = Counter(self.texts(thread_id))
            extra += sum(n - 1 for n in counts.values() if n > 1)
        orphans = self.remote_threads() - set(self.threads) - self.created
        # A create that said its thread "may exist" may leave that one thread behind.
        return extra + max(0, len(orphans) - self.unsure)

    # -- the app's side ----------------------------------------------------------------
    def connection(self, **fields: Any) -> Connection:
        fields.setdefault("max_retries", 2)  # what Services uses
        return Connection(
            kind=self.kind,  # type: ignore[arg-type]
            api_key=KEY,
            base_url=self._base_url(),
            http_transport=self.fake.transport(),
            **fields,
        )

    def backend(self, **fields: Any):
        """A backend like the app's, whose own waits run on the world's clock."""
        from threadtui.api.assistants import AssistantsBackend
        from threadtui.api.conversations import ConversationsBackend

        cls = ConversationsBackend if self.kind == "conversations" else AssistantsBackend
        return cls(self.connection(**fields), clock=self.clock)

    def _base_url(self) -> str:
        if self.retired and self.kind == "conversations":
            return RETIRED_BASE_URL
        return self.base_url

    @property
    def locations(self) -> Locations:
        return Locations(self.folder / "config", self.folder / "data", self.folder / "logs")

    @property
    def services(self) -> Services:
        if self._services is None:
            profile = Profile(
                PROFILE,
                self.kind,  # type: ignore[arg-type]
                base_url=self._base_url(),
                api_key_env=KEY_ENV,
                default_assistant=self.assistant if self.kind == "assistants" else None,
                default_model="gpt-4o-mini" if self.kind == "conversations" else None,
            )
            self._services = Services(
                self.locations,
                Config({PROFILE: profile}, PROFILE),
                env={KEY_ENV: KEY},
                clock=self.clock,
                http_transport=self.fake.transport(),
            )
        return self._services

    def track_all(self, **fields: Any) -> None:
        kind = "conversation" if self.kind == "conversations" else "thread"
        self.services.registry.add_many(
            TrackedThread(t, kind, PROFILE, title=f"title of {t}", **fields) for t in self.threads
        )

    def retire(self) -> None:
        """The server no longer offers this API: Assistants routes answer 404 "Invalid URL";
        for conversations, the profile points where no such API is."""
        self.retired = True
        self.fake.retired = True
        if self.kind == "conversations" and self._services is not None:
            self._services.close()
            self._services = None

    async def close(self) -> None:
        if self._services is not None:
            await self._services.aclose()
        shutil.rmtree(self.folder, ignore_errors=True)

    # -- consistency -----------------------------------------------------------------
    def registry_problems(self, allowed_gone: set[str]) -> list[str]:
        """Integrity, and the registry, archive and deletion log agreeing with the server."""
        path = self.locations.registry_file
        if not path.exists():
            return []
        problems = []
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                problems.append("integrity_check failed")
            status = dict(db.execute("SELECT id, status FROM threads"))
            log = db.execute("SELECT thread_id, outcome FROM deletion_log").fetchall()
            archived = db.execute("SELECT thread_id, id, text FROM archived_messages").fetchall()
            retired = db.execute(
                "SELECT count(*) FROM servers WHERE retired_at IS NOT NULL"
            ).fetchone()[0]
        finally:
            db.close()
        remote = self.remote_threads()
        said_gone = {t for t, s in status.items() if s == "gone"}
        said_gone |= {t for t, outcome in log if outcome == "gone"}
        wrongly = sorted((said_gone & remote) - allowed_gone)
        if wrongly:
            problems.append(f"wrongly marked gone: {wrongly}")
        for thread_id, outcome in log:
            if outcome in ("deleted", "gone") and thread_id in status:
                problems.append(f"{thread_id} logged {outcome} but still tracked")
            if outcome == "deleted" and thread_id in remote:
                problems.append(f"{thread_id} logged deleted but still on the server")
        for thread_id, _, text in archived:
            if thread_id in remote and text and text not in self.texts(thread_id):
                problems.append(f"archive of {thread_id} holds a message the server never had")
        if self.retired and said_gone:
            problems.append("a retired server's threads were marked gone")
        self.retired_recorded = bool(retired)
        return problems

    def wrongly_gone(self, allowed_gone: set[str]) -> int:
        problems = self.registry_problems(allowed_gone)
        found = [p for p in problems if p.startswith("wrongly marked gone")]
        return len(re.findall(r"'(\w+)'", found[0])) if found else 0
