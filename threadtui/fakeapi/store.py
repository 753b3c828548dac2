"""The fake's state: assistants, threads, their messages, runs and run steps.

Objects are kept as their wire dicts (what the API returns), plus the little bookkeeping
the fake needs (message positions for cursors, a run's pending timeline).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from threadtui.fakeapi.ids import IdMaker
from threadtui.fakeapi.plans import RunPlan

ACTIVE_RUN_STATUSES = ("queued", "in_progress", "requires_action", "cancelling")
TERMINAL_RUN_STATUSES = ("completed", "failed", "cancelled", "expired", "incomplete")


@dataclass
class Run:
    obj: dict[str, Any]
    plan: RunPlan
    created: float  # exact creation time; obj["created_at"] is whole seconds
    events: list[tuple[float, str]] = field(default_factory=list)  # pending (time, kind)
    steps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.obj["id"]

    @property
    def status(self) -> str:
        return self.obj["status"]

    @property
    def active(self) -> bool:
        return self.obj["status"] in ACTIVE_RUN_STATUSES


@dataclass
class Thread:
    obj: dict[str, Any]
    messages: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    positions: dict[str, int] = field(default_factory=dict)
    runs: list[Run] = field(default_factory=list)  # oldest first
    run_index: dict[str, Run] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.obj["id"]

    def active_run(self) -> Run | None:
        return next((r for r in reversed(self.runs) if r.active), None)

    def append(self, message: dict[str, Any]) -> None:
        self.positions[message["id"]] = len(self.messages)
        self.messages.append(message)

    def remove(self, message_id: str) -> None:
        del self.messages[self.positions[message_id]]
        self.positions = {m["id"]: n for n, m in enumerate(self.messages)}


def text_part(value: str, annotations: list[dict] | None = None) -> dict[str, Any]:
    return {"type": "text", "text": {"value": value, "annotations": annotations or []}}


def message_text(message: dict[str, Any]) -> str:
    """All text and refusal parts of a message, joined."""
    out = []
    for part in message["content"]:
        if part["type"] == "text":
            out.append(part["text"]["value"])
        elif part["type"] == "refusal":
            out.append(part["refusal"])
    return "\n".join(out)


class Store:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.ids = IdMaker(rng)
        self.assistants: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, Thread] = {}
        self.active: dict[str, Thread] = {}  # run id -> thread, for runs not yet terminal

    # -- assistants ----------------------------------------------------------------
    def add_assistant(
        self,
        *,
        created_at: int,
        model: str,
        name: str | None = None,
        description: str | None = None,
        instructions: str | None = None,
        tools: list[dict] | None = None,
        metadata: dict[str, str] | None = None,
        tool_resources: dict | None = None,
        temperature: float | None = 1.0,
        top_p: float | None = 1.0,
        response_format: Any = "auto",
    ) -> dict[str, Any]:
        obj = {
            "id": self.ids.assistant(),
            "object": "assistant",
            "created_at": created_at,
            "name": name,
            "description": description,
            "model": model,
            "instructions": instructions,
            "tools": tools or [],
            "tool_resources": tool_resources or {},
            "metadata": metadata or {},
            "temperature": temperature,
            "top_p": top_p,
            "response_format": response_format,
        }
        self.assistants[obj["id"]] = obj
        return obj

    # -- threads and messages --------------------------------------------------------
    def add_thread(
        self,
        *,
        created_at: int,
        metadata: dict[str, str] | None = None,
        tool_resources: dict | None = None,
    ) -> Thread:
        thread = Thread(
            obj={
                "id": self.ids.thread(),
                "object": "thread",
                "created_at": created_at,
                "metadata": metadata or {},
                "tool_resources": tool_resources or {},
            }
        )
        self.threads[thread.id] = thread
        return thread

    def add_message(
        self,
        thread: Thread,
        *,
        role: str,
        content: list[dict[str, Any]],
        created_at: int,
        assistant_id: str | None = None,
        run_id: str | None = None,
        attachments: list[dict] | None = None,
        metadata: dict[str, str] | None = None,
        status: str = "completed",
        incomplete_reason: str | None = None,
    ) -> dict[str, Any]:
        incomplete = status == "incomplete"
        message = {
            "id": self.ids.message(),
            "object": "thread.message",
            "created_at": created_at,
            "assistant_id": assistant_id,
            "thread_id": thread.id,
            "run_id": run_id,
            "role": role,
            "content": content,
            "attachments": attachments or [],
            "metadata": metadata or {},
            "status": status,
            "incomplete_details": {"reason": incomplete_reason} if incomplete else None,
            "completed_at": created_at if status == "completed" and role == "assistant" else None,
            "incomplete_at": created_at if incomplete else None,
        }
        thread.append(message)
        return message

    def delete_thread(self, thread_id: str) -> None:
        thread = self.threads.pop(thread_id)
        for run in thread.runs:
            self.active.pop(run.id, None)
