"""Assistants v2 wire dicts (threads, messages, runs, run steps, assistants) as the records of
`threadtui.api.models`. Pure: no SDK, no I/O, so the core can rebuild archived records."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from threadtui.api.models import (
    Annotation,
    AssistantInfo,
    Message,
    Part,
    Run,
    RunStep,
    ThreadInfo,
    ToolCall,
    Usage,
)
from threadtui.api.wire import dig, identifier, metadata_of, timestamp


def usage_from_dict(raw: Mapping[str, Any] | None) -> Usage | None:
    if not isinstance(raw, Mapping):
        return None
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
        total_tokens=int(raw.get("total_tokens") or 0),
    )


def thread_from_dict(raw: dict[str, Any]) -> ThreadInfo:
    return ThreadInfo(
        id=identifier(raw, "thread"),
        kind="thread",
        created_at=timestamp(raw, "created_at", "thread"),
        metadata=metadata_of(raw),
        raw=raw,
    )


def annotation_from_dict(raw: Mapping[str, Any]) -> Annotation:
    kind = str(raw.get("type") or "unknown")
    target = (
        dig(raw, "file_citation", "file_id")
        or dig(raw, "file_path", "file_id")
        or dig(raw, "url_citation", "url")
        or raw.get("url")
        or raw.get("file_id")
        or ""
    )
    title = dig(raw, "url_citation", "title") or raw.get("title")
    return Annotation(
        kind=kind,
        text=str(raw.get("text") or ""),
        target=str(target),
        start=raw.get("start_index"),
        end=raw.get("end_index"),
        title=title if isinstance(title, str) else None,
    )


def part_from_dict(raw: Mapping[str, Any]) -> Part:
    kind = str(raw.get("type") or "unknown")
    if kind == "text":
        text = raw.get("text")
        if isinstance(text, Mapping):
            annotations = tuple(annotation_from_dict(a) for a in text.get("annotations") or ())
            return Part("text", text=str(text.get("value") or ""), annotations=annotations)
        return Part("text", text=str(text or ""))
    if kind == "refusal":
        return Part("refusal", text=str(raw.get("refusal") or ""))
    if kind == "image_file":
        return Part("image_file", ref=dig(raw, "image_file", "file_id"))
    if kind == "image_url":
        return Part("image_url", ref=dig(raw, "image_url", "url"))
    # A part type we don't know yet: keep its wire type, and its text if it has one.
    text = raw.get("text")
    return Part(kind, text=text if isinstance(text, str) else "")


def message_from_dict(raw: dict[str, Any]) -> Message:
    attachments = tuple(
        a["file_id"]
        for a in raw.get("attachments") or ()
        if isinstance(a, Mapping) and a.get("file_id")
    )
    return Message(
        id=identifier(raw, "message"),
        thread_id=raw.get("thread_id") or "",
        role=str(raw.get("role") or "unknown"),
        created_at=timestamp(raw, "created_at", "message"),
        parts=tuple(part_from_dict(p) for p in raw.get("content") or () if isinstance(p, Mapping)),
        assistant_id=raw.get("assistant_id"),
        run_id=raw.get("run_id"),
        status=raw.get("status"),
        incomplete_reason=dig(raw, "incomplete_details", "reason"),
        attachments=attachments,
        raw=raw,
    )


def _last_error(raw: Mapping[str, Any]) -> str | None:
    error = raw.get("last_error")
    if not isinstance(error, Mapping):
        return None
    code, message = error.get("code"), error.get("message")
    return ": ".join(str(p) for p in (code, message) if p) or None


def run_from_dict(raw: dict[str, Any], poll_after_ms: int | None = None) -> Run:
    calls = dig(raw, "required_action", "submit_tool_outputs", "tool_calls") or ()
    tool_calls = tuple(
        ToolCall(
            id=call.get("id", ""),
            name=dig(call, "function", "name") or "",
            arguments=dig(call, "function", "arguments") or "",
            type=call.get("type") or "function",
        )
        for call in calls
        if isinstance(call, Mapping)
    )
    return Run(
        id=identifier(raw, "run"),
        thread_id=raw.get("thread_id") or "",
        status=str(raw.get("status") or "unknown"),
        created_at=timestamp(raw, "created_at", "run"),
        assistant_id=raw.get("assistant_id"),
        model=raw.get("model"),
        started_at=timestamp(raw, "started_at", "run"),
        completed_at=timestamp(raw, "completed_at", "run"),
        failed_at=timestamp(raw, "failed_at", "run"),
        cancelled_at=timestamp(raw, "cancelled_at", "run"),
        expires_at=timestamp(raw, "expires_at", "run"),
        last_error=_last_error(raw),
        incomplete_reason=dig(raw, "incomplete_details", "reason"),
        usage=usage_from_dict(raw.get("usage")),
        tool_calls=tool_calls,
        poll_after_ms=poll_after_ms,
        raw=raw,
    )


def _tool_call_line(call: Mapping[str, Any]) -> str:
    kind = str(call.get("type") or "tool")
    if kind == "function":
        name = dig(call, "function", "name") or "?"
        arguments = dig(call, "function", "arguments") or ""
        output = dig(call, "function", "output")
        line = f"function {name}({arguments})"
        return f"{line} -> {output}" if output is not None else line
    if kind == "code_interpreter":
        line = f"code_interpreter: {dig(call, 'code_interpreter', 'input') or ''}"
        for output in dig(call, "code_interpreter", "outputs") or ():
            if not isinstance(output, Mapping):
                continue
            if output.get("type") == "logs":
                line += f"\n-> {output.get('logs') or ''}"
            elif output.get("type") == "image":
                line += f"\n-> image {dig(output, 'image', 'file_id') or ''}"
        return line
    if kind == "file_search":
        results = dig(call, "file_search", "results") or ()
        names = ", ".join(str(r.get("file_name") or r.get("file_id")) for r in results)
        return f"file_search: {len(results)} results" + (f" ({names})" if names else "")
    return kind


def step_from_dict(raw: dict[str, Any]) -> RunStep:
    details_raw = raw.get("step_details") or {}
    if raw.get("type") == "message_creation":
        message_id = dig(details_raw, "message_creation", "message_id")
        details: tuple[str, ...] = (f"message {message_id}",) if message_id else ()
    else:
        details = tuple(
            _tool_call_line(call)
            for call in dig(details_raw, "tool_calls") or ()
            if isinstance(call, Mapping)
        )
    return RunStep(
        id=identifier(raw, "run step"),
        run_id=raw.get("run_id") or "",
        type=str(raw.get("type") or "unknown"),
        status=str(raw.get("status") or "unknown"),
        created_at=timestamp(raw, "created_at", "run step"),
        completed_at=timestamp(raw, "completed_at", "run step"),
        usage=usage_from_dict(raw.get("usage")),
        details=details,
        raw=raw,
    )


def assistant_from_dict(raw: dict[str, Any]) -> AssistantInfo:
    return AssistantInfo(
        id=identifier(raw, "assistant"),
        name=raw.get("name"),
        model=raw.get("model"),
        created_at=timestamp(raw, "created_at", "assistant"),
        raw=raw,
    )
