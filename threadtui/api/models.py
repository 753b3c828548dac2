"""Backend-neutral records the rest of threadtui works with.

Both backends (Assistants threads, Conversations) turn their wire objects into these.
Every record keeps `raw`, the object exactly as the server returned it, so JSON export
loses nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

T = TypeVar("T")

ThreadKind = Literal["thread", "conversation"]

RUN_ACTIVE_STATUSES = frozenset({"queued", "in_progress", "requires_action", "cancelling"})
RUN_TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled", "expired", "incomplete"})


@dataclass(frozen=True)
class Page(Generic[T]):
    """One cursor page. `first_id`/`last_id` are the cursors for `before`/`after`."""

    items: list[T]
    first_id: str | None
    last_id: str | None
    has_more: bool


@dataclass(frozen=True)
class ThreadInfo:
    id: str
    kind: ThreadKind
    created_at: int | None
    metadata: dict[str, str] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class Annotation:
    """A citation or file path inside a text part, e.g. 【4:0†source】 -> file-abc."""

    kind: str  # "file_citation" | "file_path" | "url_citation"
    text: str  # the marker as it appears in the text
    target: str  # file ID or URL
    start: int | None = None
    end: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Part:
    """One content part of a message.

    kind is "text", "refusal", "image_file", "image_url", "file" or, for anything we
    don't know yet, the wire type itself. `ref` is the file ID or URL of non-text parts.
    """

    kind: str
    text: str = ""
    annotations: tuple[Annotation, ...] = ()
    ref: str | None = None


@dataclass(frozen=True)
class Message:
    """A message of a thread, or an item of a conversation.

    `item_type` is "message" for messages; conversation items of other types
    (function_call, function_call_output, reasoning, web_search_call, ...) keep their
    wire type there and a compact description in `parts`.
    """

    id: str
    thread_id: str
    role: str
    created_at: int | None
    parts: tuple[Part, ...]
    assistant_id: str | None = None
    run_id: str | None = None
    status: str | None = None  # "completed", "incomplete", "in_progress"
    incomplete_reason: str | None = None
    attachments: tuple[str, ...] = ()  # file IDs
    item_type: str = "message"
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def text(self) -> str:
        """All text and refusal parts joined, for search, previews and export."""
        return "\n\n".join(p.text for p in self.parts if p.text)

    @property
    def is_refusal(self) -> bool:
        return any(p.kind == "refusal" for p in self.parts)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model produced it
    type: str = "function"


@dataclass(frozen=True)
class Run:
    """A run of a thread, or a background response of a conversation."""

    id: str
    thread_id: str
    status: str
    created_at: int | None = None
    assistant_id: str | None = None
    model: str | None = None
    started_at: int | None = None
    completed_at: int | None = None
    failed_at: int | None = None
    cancelled_at: int | None = None
    expires_at: int | None = None
    last_error: str | None = None  # "code: message"
    incomplete_reason: str | None = None
    usage: Usage | None = None
    tool_calls: tuple[ToolCall, ...] = ()  # what requires_action waits for
    poll_after_ms: int | None = None  # the server's `openai-poll-after-ms` hint
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_terminal(self) -> bool:
        return self.status in RUN_TERMINAL_STATUSES

    @property
    def ended_at(self) -> int | None:
        return self.completed_at or self.failed_at or self.cancelled_at


@dataclass(frozen=True)
class RunStep:
    id: str
    run_id: str
    type: str  # "message_creation" | "tool_calls"
    status: str
    created_at: int | None = None
    completed_at: int | None = None
    usage: Usage | None = None
    # Human-readable lines: "code_interpreter: input …", "function get_weather(…) -> …"
    details: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class AssistantInfo:
    id: str
    name: str | None
    model: str | None
    created_at: int | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
