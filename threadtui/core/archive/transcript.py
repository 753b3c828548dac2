"""A whole thread as Markdown (for people) or JSON (the raw API objects, for programs).

The Markdown keeps what an auditor needs: the thread's IDs and times (UTC, ISO 8601), who
spoke and when, which assistant and run answered, citations listed under each message,
placeholders naming the file IDs of images and attachments, refusals and cut-short
messages marked, and where an archived copy may have holes. Remote text is passed
through as written; callers writing for a person (a terminal, an export file) run the
result through `threadtui.core.text.sanitize.clean`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence

from threadtui.api.models import Annotation, Message, Part, ThreadInfo
from threadtui.core.text.timefmt import iso

HOLE = "*… messages may be missing here: they were never archived …*"
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def render_markdown(
    thread: ThreadInfo,
    messages: Sequence[Message],
    *,
    title: str = "",
    assistant_names: Mapping[str, str] | None = None,
    gaps: Collection[str] = (),
    complete: bool | None = None,
    exported_at: float | None = None,
    origin: str = "",
) -> str:
    """The transcript, oldest message first, as Markdown.

    `gaps`: IDs of messages that may have unarchived messages before them. `complete`:
    False when the copy does not reach back to the first message. `exported_at` and
    `origin` ("the server", "the local archive") describe where the copy came from.
    """
    names = assistant_names or {}
    heading = title or thread.metadata.get("title") or thread.id
    lines = [f"# {_one_line(heading)}", ""]
    noun = "Conversation" if thread.kind == "conversation" else "Thread"
    count = str(len(messages))
    if complete is False:
        count += " (the copy does not reach back to the first message)"
    if gaps:
        count += f", with {len(gaps)} place{'s' if len(gaps) > 1 else ''} where some may be missing"
    facts = [f"{noun}: `{thread.id}`"]
    if thread.created_at:
        facts.append(f"Created: {iso(thread.created_at)}")
    facts.append(f"Messages: {count}")
    extra = {k: v for k, v in thread.metadata.items() if k != "title" or v != heading}
    if extra:
        facts.append("Metadata: " + "; ".join(f"{k} = {_one_line(v)}" for k, v in extra.items()))
    if exported_at:
        facts.append(f"Exported: {iso(exported_at)}" + (f" from {origin}" if origin else ""))
    lines += [f"- {fact}" for fact in facts] + [""]
    for message in messages:
        if message.id in gaps:
            lines += [HOLE, ""]
        lines += _message(message, names)
    return "\n".join(lines).rstrip("\n") + "\n"


def _message(message: Message, names: Mapping[str, str]) -> list[str]:
    who = (
        message.role if message.item_type == "message" else f"{message.role} · {message.item_type}"
    )
    facts = [who, iso(message.created_at) or "time unknown"]
    if message.assistant_id:
        name = names.get(message.assistant_id)
        facts.append(
            f"{_one_line(name)} ({message.assistant_id})" if name else message.assistant_id
        )
    if message.run_id:
        facts.append(message.run_id)
    if message.status and message.status != "completed":
        reason = f" ({message.incomplete_reason})" if message.incomplete_reason else ""
        facts.append(f"{message.status}{reason}")
    lines = [f"## {' · '.join(facts)}", "", f"`{message.id}`", ""]
    if message.status == "incomplete":
        reason = f" ({message.incomplete_reason})" if message.incomplete_reason else ""
        lines += [f"**Incomplete{reason}:** this message was cut short.", ""]
    citations: list[str] = []
    for part in message.parts:
        lines += [_part(part, message.item_type), ""]
        citations += [_citation(note) for note in part.annotations]
    if citations:
        lines += ["Citations:", *citations, ""]
    for file_id in message.attachments:
        lines += [f"[attachment: {file_id}]", ""]
    return lines


def _part(part: Part, item_type: str) -> str:
    if part.kind == "text":
        return _close_fences(part.text)
    if part.kind == "refusal":
        return "> **Refused:** " + _one_line(part.text)
    if part.kind in ("image_file", "image_url"):
        return f"[image: {part.ref or 'unknown'}]"
    if part.kind == "file":
        name = f"{_one_line(part.text)} " if part.text else ""
        return f"[file: {name}{part.ref or 'unknown'}]"
    if part.ref:
        return f"[{part.kind}: {part.ref}]"
    if part.kind == item_type:  # a tool call, its output, a reasoning summary: one line
        return f"**{part.kind}:** {_one_line(part.text)}" if part.text else f"[{part.kind}]"
    return _close_fences(part.text) if part.text else f"[{part.kind}]"


def _citation(note: Annotation) -> str:
    label = f" ({_one_line(note.title)})" if note.title else ""
    return f"- {_one_line(note.text) or note.kind} → {note.target}{label}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _close_fences(text: str) -> str:
    """Close a code fence left open, so it cannot swallow the messages after it."""
    opened: str | None = None
    for match in _FENCE.finditer(text):
        fence = match.group(1)
        if opened is None:
            opened = fence
        elif fence[0] == opened[0] and len(fence) >= len(opened):
            opened = None
    return text if opened is None else f"{text}\n{opened}"


def render_json(
    thread: ThreadInfo, messages: Sequence[Message], *, ascii_only: bool = False
) -> str:
    """`{"thread": …, "messages": […]}` with the objects exactly as the server sent them."""
    document = {"thread": thread.raw, "messages": [m.raw for m in messages]}
    return json.dumps(document, indent=2, ensure_ascii=ascii_only) + "\n"
