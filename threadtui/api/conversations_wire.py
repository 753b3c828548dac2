"""Conversations wire dicts (conversations, items, background responses) as the records of
`threadtui.api.models`. Pure: no SDK, no I/O, so the core can rebuild archived records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from threadtui.api.models import Annotation, Message, Part, Run, ThreadInfo, ToolCall, Usage
from threadtui.api.wire import dig, identifier, metadata_of, timestamp

MAX_ITEMS_PER_REQUEST = 20  # the API's limit for conversations.create and items.create
DESCRIPTION_LIMIT = 500  # characters of a non-message item's one-line description


def conversation_from_dict(raw: dict[str, Any]) -> ThreadInfo:
    return ThreadInfo(
        id=identifier(raw, "conversation"),
        kind="conversation",
        created_at=timestamp(raw, "created_at", "conversation"),
        metadata=metadata_of(raw),
        raw=raw,
    )


def _marker(text: str, start: Any, end: Any) -> str:
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text):
        return text[start:end]
    return ""


def annotation_from_dict(raw: Mapping[str, Any], text: str) -> Annotation:
    """url_citation, file_citation, container_file_citation or file_path in `text`."""
    start = raw.get("start_index", raw.get("index"))
    end = raw.get("end_index", raw.get("index"))
    title = raw.get("title") or raw.get("filename")
    return Annotation(
        kind=str(raw.get("type") or "unknown"),
        text=_marker(text, start, end),
        target=str(raw.get("url") or raw.get("file_id") or ""),
        start=start if isinstance(start, int) else None,
        end=end if isinstance(end, int) else None,
        title=title if isinstance(title, str) else None,
    )


def _image_ref(raw: Mapping[str, Any]) -> str | None:
    ref = raw.get("file_id") or raw.get("image_url")
    if isinstance(ref, str) and ref.startswith("data:"):
        return ref.split(",", 1)[0] + ",…"  # inline images can be megabytes
    return ref if isinstance(ref, str) else None


def part_from_content(raw: Mapping[str, Any]) -> Part:
    kind = str(raw.get("type") or "unknown")
    if kind in ("input_text", "output_text", "text"):
        text = str(raw.get("text") or "")
        annotations = tuple(
            annotation_from_dict(a, text)
            for a in raw.get("annotations") or ()
            if isinstance(a, Mapping)
        )
        return Part("text", text=text, annotations=annotations)
    if kind == "refusal":
        return Part("refusal", text=str(raw.get("refusal") or ""))
    if kind in ("input_image", "computer_screenshot"):
        return Part("image_file" if raw.get("file_id") else "image_url", ref=_image_ref(raw))
    if kind == "input_file":
        ref = raw.get("file_id") or raw.get("file_url")
        return Part("file", text=str(raw.get("filename") or ""), ref=ref)
    # summary_text, reasoning_text, or a part type we don't know yet: keep its text.
    wire_text = raw.get("text")
    return Part(kind, text=wire_text if isinstance(wire_text, str) else "")


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > DESCRIPTION_LIMIT:
        text = text[: DESCRIPTION_LIMIT - 1].rstrip() + "…"
    return text


def _texts(parts: Any, *types: str) -> str:
    if isinstance(parts, str):
        return parts
    return " ".join(
        str(p.get("text") or "")
        for p in parts or ()
        if isinstance(p, Mapping) and (not types or p.get("type") in types)
    )


def _web_search(raw: Mapping[str, Any]) -> str:
    action = raw.get("action") or {}
    kind = dig(action, "type")
    if kind == "search":
        return str(action.get("query") or "; ".join(action.get("queries") or ()))
    if kind == "open_page":
        return f"open {action.get('url') or ''}"
    if kind in ("find", "find_in_page"):
        return f"find {action.get('pattern') or ''!r} in {action.get('url') or ''}"
    return str(kind or "")


def _file_search(raw: Mapping[str, Any]) -> str:
    line = "; ".join(str(q) for q in raw.get("queries") or ())
    results = raw.get("results")
    if isinstance(results, list):  # only there when listed with include=
        line += f" ({len(results)} result{'' if len(results) == 1 else 's'})"
    return line


def _call_line(raw: Mapping[str, Any]) -> str:
    name = raw.get("name") or "?"
    if raw.get("server_label"):  # mcp_call
        name = f"{raw['server_label']}.{name}"
    return f"{name}({raw.get('arguments') or raw.get('input') or ''})"


_DESCRIBE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "function_call": _call_line,
    "custom_tool_call": _call_line,
    "mcp_call": _call_line,
    "reasoning": lambda raw: (
        _texts(raw.get("summary"), "summary_text")
        or _texts(raw.get("content"), "reasoning_text")
        or "(no summary)"
    ),
    "web_search_call": _web_search,
    "file_search_call": _file_search,
    "code_interpreter_call": lambda raw: str(raw.get("code") or ""),
}


def describe_item(raw: Mapping[str, Any]) -> str:
    """A compact one-line description of a non-message item."""
    kind = str(raw.get("type") or "")
    describe = _DESCRIBE.get(kind)
    if describe is not None:
        text = describe(raw)
    elif "output" in raw:  # function_call_output and the other *_output items
        output = raw.get("output")
        text = _texts(output) if isinstance(output, (str, list)) else str(output or "")
    elif raw.get("name"):
        text = _call_line(raw)
    else:
        text = str(raw.get("status") or "")
    return _one_line(text)


def message_from_item(
    raw: dict[str, Any],
    conversation_id: str,
    *,
    run_id: str | None = None,
    incomplete_reason: str | None = None,
) -> Message:
    kind = str(raw.get("type") or "message")
    status = raw.get("status")
    if kind == "message":
        role = str(raw.get("role") or "unknown")
        parts = tuple(
            part_from_content(p) for p in raw.get("content") or () if isinstance(p, Mapping)
        )
    else:
        role = str(raw.get("role") or ("tool" if kind.endswith("_output") else "assistant"))
        parts = (Part(kind, text=describe_item(raw)),)
    return Message(
        id=str(raw.get("id") or ""),
        thread_id=conversation_id,
        role=role,
        created_at=raw.get("created_at"),
        parts=parts,
        run_id=run_id,
        status=status if isinstance(status, str) else None,
        incomplete_reason=incomplete_reason if status == "incomplete" else None,
        item_type=kind,
        raw=raw,
    )


def usage_from_response(raw: Mapping[str, Any] | None) -> Usage | None:
    if not isinstance(raw, Mapping):
        return None
    return Usage(
        prompt_tokens=int(raw.get("input_tokens") or 0),
        completion_tokens=int(raw.get("output_tokens") or 0),
        total_tokens=int(raw.get("total_tokens") or 0),
    )


def _seconds(value: Any) -> int | None:
    # The SDK types a response's times as floats; the wire and our records use whole seconds.
    return int(value) if isinstance(value, (int, float)) else None


def run_from_response(
    raw: dict[str, Any], conversation_id: str, poll_after_ms: int | None = None
) -> Run:
    """A background response as a `Run` of its conversation."""
    error = raw.get("error")
    last_error = None
    if isinstance(error, Mapping):
        parts = (error.get("code"), error.get("message"))
        last_error = ": ".join(str(p) for p in parts if p) or None
    tool_calls = tuple(
        ToolCall(
            id=str(item.get("call_id") or item.get("id") or ""),
            name=str(item.get("name") or ""),
            arguments=str(item.get("arguments") or ""),
        )
        for item in raw.get("output") or ()
        if isinstance(item, Mapping) and item.get("type") == "function_call"
    )
    return Run(
        id=identifier(raw, "response"),
        thread_id=dig(raw, "conversation", "id") or conversation_id,
        status=str(raw.get("status") or "unknown"),
        created_at=_seconds(raw.get("created_at")),
        model=raw.get("model"),
        completed_at=_seconds(raw.get("completed_at")),
        last_error=last_error,
        incomplete_reason=dig(raw, "incomplete_details", "reason"),
        usage=usage_from_response(raw.get("usage")),
        tool_calls=tool_calls,
        poll_after_ms=poll_after_ms,
        raw=raw,
    )
