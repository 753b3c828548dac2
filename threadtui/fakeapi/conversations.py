"""Conversations and background Responses: state, item shapes and the response timeline.

A background response is `queued`, `in_progress` after `start_after` seconds, then
completed, failed or incomplete after `finish_after` seconds (a `RunPlan` scripts it).
Its input and output items join the conversation only when it completes; while it is
queued or in progress the conversation is locked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from threadtui.fakeapi import brain
from threadtui.fakeapi.errors import FakeError, bad_request
from threadtui.fakeapi.plans import RunPlan
from threadtui.fakeapi.runs import LAST_ERRORS
from threadtui.fakeapi.store import Store

ACTIVE_RESPONSE_STATUSES = ("queued", "in_progress")
ITEM_PREFIXES = {
    "message": "msg_",
    "function_call": "fc_",
    "function_call_output": "fco_",
    "reasoning": "rs_",
    "web_search_call": "ws_",
    "file_search_call": "fs_",
}

LOCKED = (
    "Another process is currently operating on this conversation. Please retry in a few seconds."
)


def conversation_not_found(conversation_id: str) -> FakeError:
    return FakeError(404, f"Conversation with id '{conversation_id}' not found.")


def item_not_found(item_id: str) -> FakeError:
    return FakeError(404, f"Item with id '{item_id}' not found.")


def response_not_found(response_id: str) -> FakeError:
    return FakeError(404, f"Response with id '{response_id}' not found.")


def locked(param: str | None) -> FakeError:
    return FakeError(400, LOCKED, param=param, code="conversation_locked")


@dataclass
class Conversation:
    obj: dict[str, Any]
    items: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    positions: dict[str, int] = field(default_factory=dict)
    active_response: str | None = None

    @property
    def id(self) -> str:
        return self.obj["id"]

    def append(self, item: dict[str, Any]) -> None:
        self.positions[item["id"]] = len(self.items)
        self.items.append(item)

    def remove(self, item_id: str) -> None:
        del self.items[self.positions[item_id]]
        self.positions = {it["id"]: n for n, it in enumerate(self.items)}


@dataclass
class ResponseRecord:
    obj: dict[str, Any]
    plan: RunPlan
    conversation_id: str | None
    input_items: list[dict[str, Any]]
    events: list[tuple[float, str]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.obj["id"]

    @property
    def active(self) -> bool:
        return self.obj["status"] in ACTIVE_RESPONSE_STATUSES


def item_text(item: dict[str, Any]) -> str:
    if item.get("type") != "message":
        return ""
    out = []
    for part in item["content"]:
        if part.get("type") in ("input_text", "output_text", "text"):
            out.append(part["text"])
        elif part.get("type") == "refusal":
            out.append(part["refusal"])
    return "\n".join(out)


def normalize_item(store: Store, raw: Any, param: str) -> dict[str, Any]:
    """An input item (an easy message or a full item) as the conversation stores it."""
    if not isinstance(raw, dict):
        raise bad_request(
            f"Invalid type for '{param}': expected an object.", param=param, code="invalid_type"
        )
    kind = raw.get("type") or ("message" if "role" in raw else None)
    if kind == "message":
        role = raw.get("role")
        if role not in ("user", "assistant", "system", "developer"):
            raise bad_request(
                f"Invalid value: '{role}'. Supported values are: 'assistant', 'system', 'developer', and 'user'.",
                param=f"{param}.role",
                code="invalid_value",
            )
        content = raw.get("content")
        text_type = "output_text" if role == "assistant" else "input_text"
        parts: list[dict[str, Any]]
        if isinstance(content, str):
            parts = [{"type": text_type, "text": content}]
        elif isinstance(content, list) and content:
            parts = [dict(p) for p in content if isinstance(p, dict)]
        else:
            raise bad_request(
                f"Invalid '{param}.content': expected a string or a non-empty array.",
                param=f"{param}.content",
            )
        for part in parts:
            if part.get("type") == "output_text":
                part.setdefault("annotations", [])
                part.setdefault("logprobs", [])
            elif part.get("type") == "input_image":
                part.setdefault("detail", "auto")
        item = {"type": "message", "role": role, "content": parts, "status": "completed"}
    elif kind in (
        "function_call",
        "function_call_output",
        "reasoning",
        "web_search_call",
        "file_search_call",
    ):
        item = {k: v for k, v in raw.items() if k != "id"}
        if kind in ("function_call", "function_call_output", "web_search_call", "file_search_call"):
            item.setdefault("status", "completed")
    else:
        raise bad_request(
            f"Invalid value: '{kind}'. The fake API stores message, function_call, "
            "function_call_output, reasoning, web_search_call and file_search_call items.",
            param=f"{param}.type",
            code="invalid_value",
        )
    return {"id": store.ids.hex48(ITEM_PREFIXES[kind]), **item}


def render_item(item: dict[str, Any], include: list[str]) -> dict[str, Any]:
    """Optional fields only when asked for with `include`, as the API does."""
    if item.get("type") == "file_search_call" and "file_search_call.results" not in include:
        return {**item, "results": None}
    return item


class ResponseEngine:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.conversations: dict[str, Conversation] = {}
        self.responses: dict[str, ResponseRecord] = {}
        self.active: set[str] = set()

    def add_conversation(
        self, created_at: int, metadata: dict[str, str] | None = None
    ) -> Conversation:
        conv = Conversation(
            obj={
                "id": self.store.ids.hex48("conv_"),
                "object": "conversation",
                "created_at": created_at,
                "metadata": metadata or {},
            }
        )
        self.conversations[conv.id] = conv
        return conv

    def create_response(
        self, body: dict, now: float, plan: RunPlan, conv: Conversation | None, inputs: list[dict]
    ) -> ResponseRecord:
        background = bool(body.get("background"))
        obj: dict[str, Any] = {
            "id": self.store.ids.hex48("resp_"),
            "object": "response",
            "created_at": int(now),
            "status": "queued",
            "background": background,
            "completed_at": None,
            "conversation": {"id": conv.id} if conv else None,
            "error": None,
            "incomplete_details": None,
            "instructions": body.get("instructions"),
            "max_output_tokens": body.get("max_output_tokens"),
            "max_tool_calls": body.get("max_tool_calls"),
            "model": body["model"],
            "output": [],
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
            "previous_response_id": body.get("previous_response_id"),
            "prompt_cache_key": body.get("prompt_cache_key"),
            "reasoning": {"effort": None, "summary": None},
            "safety_identifier": body.get("safety_identifier"),
            "service_tier": "default",
            "store": body.get("store", True),
            "temperature": body.get("temperature", 1.0),
            "text": body.get("text") or {"format": {"type": "text"}, "verbosity": "medium"},
            "tool_choice": body.get("tool_choice", "auto"),
            "tools": body.get("tools") or [],
            "top_logprobs": body.get("top_logprobs", 0),
            "top_p": body.get("top_p", 1.0),
            "truncation": body.get("truncation", "disabled"),
            "usage": None,
            "metadata": body.get("metadata") or {},
        }
        if body.get("user") is not None:
            obj["user"] = body["user"]
        record = ResponseRecord(obj, plan, conv.id if conv else None, inputs)
        record.events = [
            (now + plan.start_after, "start"),
            (now + max(plan.finish_after, plan.start_after), "finish"),
        ]
        self.responses[record.id] = record
        self.active.add(record.id)
        if conv is not None:
            conv.active_response = record.id
        if not background:  # a foreground call returns when the response is done
            self.advance(record, now + plan.finish_after)
        return record

    def advance_all(self, now: float) -> None:
        for response_id in list(self.active):
            self.advance(self.responses[response_id], now)

    def advance(self, record: ResponseRecord, now: float) -> None:
        while record.active and record.events and record.events[0][0] <= now:
            at, kind = record.events.pop(0)
            if kind == "start":
                record.obj["status"] = "in_progress"
            else:
                self._finish(record, at)
        if not record.active:
            self._release(record)

    def cancel(self, record: ResponseRecord, now: float) -> None:
        if not record.obj["background"]:
            raise bad_request("Only responses created with background=true can be cancelled.")
        if record.active:  # cancelling twice, or a finished response, just returns it
            record.obj["status"] = "cancelled"
            record.events.clear()
            self._release(record)

    def _release(self, record: ResponseRecord) -> None:
        self.active.discard(record.id)
        conv = self.conversations.get(record.conversation_id or "")
        if conv is not None and conv.active_response == record.id:
            conv.active_response = None

    def _finish(self, record: ResponseRecord, at: float) -> None:
        plan = record.plan
        conv = self.conversations.get(record.conversation_id or "")
        items = [*(conv.items if conv else []), *record.input_items]
        history = [(it["role"], item_text(it)) for it in items if it["type"] == "message"]
        if plan.outcome == "failed":
            record.obj["status"] = "failed"
            record.obj["error"] = {
                "code": plan.error_code,
                "message": plan.error_message
                or LAST_ERRORS.get(plan.error_code, "Sorry, something went wrong."),
            }
            return
        text = plan.reply if plan.reply is not None else brain.reply(history, noun="conversation")
        status = "completed"
        if plan.outcome == "incomplete":
            text, status = text[: max(1, len(text) // 2)], "incomplete"
            record.obj["incomplete_details"] = {"reason": "max_output_tokens"}
        message = {
            "id": self.store.ids.hex48("msg_"),
            "type": "message",
            "status": status,
            "role": "assistant",
            "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
        }
        record.obj["status"] = status
        record.obj["output"] = [message]
        if status == "completed":
            record.obj["completed_at"] = int(at)
        prompt = brain.tokens(" ".join(t for _, t in history) or "x")
        completion = brain.tokens(text)
        record.obj["usage"] = plan.usage or {
            "input_tokens": prompt,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": completion,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": prompt + completion,
        }
        if conv is not None:
            for item in [*record.input_items, message]:
                conv.append(item)
