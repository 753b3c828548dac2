"""The backend-neutral interface every remote service implements.

`AssistantsBackend` (threads, messages, runs) and `ConversationsBackend` (conversations,
items, background responses) both implement `Backend`. Callers never see `openai` types:
only the records of `threadtui.api.models` and the errors of `threadtui.api.errors`.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from threadtui.api.models import AssistantInfo, Message, Page, Run, RunStep, ThreadInfo

Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class Connection:
    """Everything needed to reach a server. The key lives only in memory.

    `http_transport` is an `httpx2.AsyncBaseTransport`, used by the demo and the tests to
    mount the fake API under the real SDK.
    """

    kind: Literal["assistants", "conversations"] = "assistants"
    api_key: str | None = None
    base_url: str | None = None
    organization: str | None = None
    project: str | None = None
    timeout: float = 60.0
    max_retries: int = 2
    http_transport: Any = None
    read_only: bool = False

    @property
    def deadline(self) -> float:
        """The most one call may take, the SDK's retries included. `timeout` bounds each
        connect and each read, so an answer dripping in a byte at a time needs this too."""
        return self.timeout * (self.max_retries + 1)

    @property
    def host(self) -> str:
        """The server's host name, for sentences (never the credentials in a URL)."""
        from urllib.parse import urlsplit

        try:
            return urlsplit(self.base_url or "https://api.openai.com/v1").hostname or "the server"
        except ValueError:
            return "the server"

    def __repr__(self) -> str:  # never print the key
        return (
            f"Connection(kind={self.kind!r}, base_url={self.base_url!r}, "
            f"organization={self.organization!r}, project={self.project!r}, "
            f"read_only={self.read_only!r})"
        )


class Backend(abc.ABC):
    """One server, one key. All methods raise only `threadtui.api.errors.ApiError`s."""

    kind: Literal["assistants", "conversations"]

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    @property
    def read_only(self) -> bool:
        return self.connection.read_only

    # -- reading -------------------------------------------------------------------
    @abc.abstractmethod
    async def probe(self) -> None:
        """Cheap request proving the API is there; raises ApiRetired when it is gone."""

    @abc.abstractmethod
    async def retrieve_thread(self, thread_id: str) -> ThreadInfo: ...

    @abc.abstractmethod
    async def list_messages(
        self,
        thread_id: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
        run_id: str | None = None,
    ) -> Page[Message]: ...

    @abc.abstractmethod
    async def get_run(self, thread_id: str, run_id: str) -> Run: ...

    @abc.abstractmethod
    async def list_runs(
        self, thread_id: str, *, limit: int = 20, order: Order = "desc", after: str | None = None
    ) -> Page[Run]: ...

    @abc.abstractmethod
    async def list_run_steps(
        self, thread_id: str, run_id: str, *, limit: int = 100, after: str | None = None
    ) -> Page[RunStep]: ...

    @abc.abstractmethod
    async def list_assistants(self, *, limit: int = 20) -> Page[AssistantInfo]: ...

    # -- changing (refused with ReadOnly on a read-only connection) -----------------
    @abc.abstractmethod
    async def create_thread(
        self,
        messages: Sequence[tuple[str, str]] = (),
        metadata: Mapping[str, str] | None = None,
        *,
        on_created: Callable[[ThreadInfo], None] | None = None,
    ) -> ThreadInfo:
        """Create a thread seeded with (role, text) messages.

        `on_created` is called with the new thread as soon as it exists, before any
        further batch of messages is added, so a caller can record it in case it is
        interrupted half-way.
        """

    @abc.abstractmethod
    async def delete_thread(self, thread_id: str) -> None: ...

    @abc.abstractmethod
    async def update_metadata(self, thread_id: str, metadata: Mapping[str, str]) -> ThreadInfo: ...

    @abc.abstractmethod
    async def add_message(self, thread_id: str, text: str) -> Message:
        """Append a user message exactly once, even when the request times out and is retried."""

    @abc.abstractmethod
    async def start_run(
        self, thread_id: str, *, assistant_id: str | None = None, model: str | None = None
    ) -> Run: ...

    @abc.abstractmethod
    async def cancel_run(self, thread_id: str, run_id: str) -> Run: ...

    @abc.abstractmethod
    async def submit_tool_outputs(
        self, thread_id: str, run_id: str, outputs: Mapping[str, str]
    ) -> Run:
        """`outputs` maps tool call IDs to their output text."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook, nothing to release by default
        """Release the HTTP client."""
