"""A whole thread as Markdown (for people) or JSON (the raw API objects, for programs).

The Markdown keeps what an auditor needs: who spoke and when, which assistant and run
answered, citations, and placeholders for images and attachments (their file IDs). Remote
text is passed through as written; callers printing to a terminal run the result through
`threadtui.core.sanitize.clean`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from threadtui.api.models import Message, Part, ThreadInfo
from threadtui.core.timefmt import iso


def render_markdown(
    thread: ThreadInfo,
    messages: Sequence[Message],
    *,
    title: str = "",
    assistant_names: Mapping[str, str] | None = None,
) -> str:
    """The transcript, oldest message first, as Markdown."""
    names = assistant_names or {}
    heading = title or thread.metadata.get("title") or thread.id
    count = len(messages)
    facts = [f"`{thread.id}`", f"{count} message" if count == 1 else f"{count} messages"]
    if thread.created_at:
        facts.insert(1, f"created {iso(thread.created_at)}")
    lines = [f"# {heading}", "", " · ".join(facts), ""]
    for message in messages:
        lines += _message(message, names)
    return "\n".join(lines).rstrip("\n") + "\n"


def _message(message: Message, names: Mapping[str, str]) -> list[str]:
    who = (
        message.role if message.item_type == "message" else f"{message.role} · {message.item_type}"
    )
    facts = [who, iso(message.created_at) or "time unknown"]
    if message.assistant_id:
        name = names.get(message.assistant_id)
        facts.append(f"{name} ({message.assistant_id})" if name else message.assistant_id)
    if message.run_id:
        facts.append(message.run_id)
    if message.status and message.status != "completed":
        reason = f" ({message.incomplete_reason})" if message.incomplete_reason else ""
        facts.append(f"{message.status}{reason}")
    lines = [f"## {' · '.join(facts)}", "", f"<!-- {message.id} -->", ""]
    citations: list[str] = []
    for part in message.parts:
        lines += [_part(part), ""]
        for note in part.annotations:
            label = f" ({note.title})" if note.title else ""
            citations.append(f"- {note.text or note.kind} → {note.target}{label}")
    if citations:
        lines += ["Citations:", *citations, ""]
    for file_id in message.attachments:
        lines += [f"[attachment: {file_id}]", ""]
    return lines


def _part(part: Part) -> str:
    if part.kind == "text":
        return part.text
    if part.kind == "refusal":
        return f"> **Refused:** {part.text}"
    if part.kind in ("image_file", "image_url"):
        return f"[image: {part.ref or 'unknown'}]"
    if part.ref:
        return f"[{part.kind}: {part.ref}]"
    return part.text or f"[{part.kind}]"


def render_json(
    thread: ThreadInfo, messages: Sequence[Message], *, ascii_only: bool = False
) -> str:
    """`{"thread": …, "messages": […]}` with the objects exactly as the server sent them."""
    document = {"thread": thread.raw, "messages": [m.raw for m in messages]}
    return json.dumps(document, indent=2, ensure_ascii=ascii_only) + "\n"
