"""OpenAI ID recognition, in one place.

IDs are a prefix plus an opaque suffix. We recognise them by prefix and never assume a
suffix length. `thread_` and `conv_` IDs are the only ones threadtui tracks; for every other
kind we explain what the ID is and where the thread ID is likely to be found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from threadtui.api.models import ThreadKind
from threadtui.core.text.sanitize import one_line
from threadtui.errors import UserError


class IdKind(Enum):
    THREAD = "thread"
    CONVERSATION = "conversation"
    RUN = "run"
    MESSAGE = "message"
    ASSISTANT = "assistant"
    RUN_STEP = "run step"
    TOOL_CALL = "tool call"
    RESPONSE = "response"
    FILE = "file"
    VECTOR_STORE = "vector store"
    ITEM = "conversation item"


@dataclass(frozen=True)
class IdPrefix:
    prefix: str
    kind: IdKind
    hint: str  # where the thread or conversation ID is usually found


PREFIXES: tuple[IdPrefix, ...] = (
    IdPrefix("thread_", IdKind.THREAD, ""),
    IdPrefix("conv_", IdKind.CONVERSATION, ""),
    IdPrefix("run_", IdKind.RUN, "look for the thread_ ID next to it"),
    IdPrefix("msg_", IdKind.MESSAGE, "a message's thread_id field names its thread"),
    IdPrefix(
        "asst_",
        IdKind.ASSISTANT,
        "assistants are shared by many threads; look for a thread_ ID in your logs",
    ),
    IdPrefix("step_", IdKind.RUN_STEP, "look for the thread_ ID next to it"),
    IdPrefix("call_", IdKind.TOOL_CALL, "look for the thread_ ID of the run that made the call"),
    IdPrefix("resp_", IdKind.RESPONSE, "a response's conversation field names its conv_ ID"),
    IdPrefix("file-", IdKind.FILE, "files are not conversations; look for a thread_ or conv_ ID"),
    IdPrefix(
        "vs_",
        IdKind.VECTOR_STORE,
        "vector stores are not conversations; look for a thread_ or conv_ ID",
    ),
    IdPrefix("item_", IdKind.ITEM, "look for the conv_ ID of its conversation"),
)

TRACKABLE = frozenset({IdKind.THREAD, IdKind.CONVERSATION})

_ARTICLE = {IdKind.ASSISTANT: "an"}
_SUFFIX = re.compile(r"[A-Za-z0-9]+")


class WrongIdKind(UserError, ValueError):
    """The text is an ID, or looks like one, but not of a kind threadtui can track."""


class MalformedServerId(UserError, ValueError):
    """A server answered a create with an ID that is not one threadtui can track."""


def classify(text: str) -> IdKind | None:
    """The kind of ID `text` is, or None when it is not a recognisable OpenAI ID."""
    text = text.strip()
    for entry in PREFIXES:
        if text.startswith(entry.prefix) and _SUFFIX.fullmatch(text[len(entry.prefix) :]):
            return entry.kind
    return None


def kind_of(thread_id: str) -> ThreadKind:
    """Whether a tracked ID is a conversation (`conv_…`) or an Assistants thread: the
    prefix decides, and anything that is not conv_ is taken for a thread."""
    return "conversation" if thread_id.startswith("conv_") else "thread"


def short(text: str, keep: int = 10) -> str:
    """`thread_6YqAbc…` for display; IDs are long and the prefix says most."""
    return text if len(text) <= keep + 1 else text[:keep] + "…"


def explain(text: str) -> str:
    """One sentence on why `text` is not a thread or conversation ID, and what to do.

    The text may come from a file or a server: it is echoed cleaned and bounded."""
    text = text.strip()
    kind = classify(text)
    if kind in TRACKABLE:
        return f"{text} is a {kind.value} ID."
    if kind is not None:
        entry = next(p for p in PREFIXES if p.kind is kind)
        article = _ARTICLE.get(kind, "a")
        return f"{short(text)} is {article} {kind.value} ID, not a thread ID: {entry.hint}."
    if not text:
        return "The ID is empty: give a thread_… or conv_… ID."
    shown = one_line(text, 21)  # like short(text, 20), with escapes and controls made inert
    if text.startswith(("thread_", "conv_")):
        return (
            f"{shown} is not a complete ID: after the prefix an ID has only letters "
            "and digits. Copy it again without quotes, dots or spaces."
        )
    return (
        f"{shown} is not an OpenAI thread ID: thread IDs start with thread_ and "
        "conversation IDs with conv_."
    )


def require_trackable(text: str) -> tuple[str, IdKind]:
    """Return the cleaned ID and its kind, or raise WrongIdKind with the explanation."""
    cleaned = text.strip()
    kind = classify(cleaned)
    if kind not in TRACKABLE:
        raise WrongIdKind(explain(cleaned))
    return cleaned, kind


def require_made(made_id: str, kind: ThreadKind, host: str) -> str:
    """`made_id`, the ID a server gave what it just created, when it is a well-formed ID
    of `kind`; else MalformedServerId, so nothing unrepresentable is stored or shown."""
    if made_id.strip() == made_id and classify(made_id) in TRACKABLE and kind_of(made_id) == kind:
        return made_id
    prefix = "conv_" if kind == "conversation" else "thread_"
    raise MalformedServerId(
        f"{one_line(host, 60)} made a {kind} but named it “{one_line(made_id, 40)}”, which is "
        f"not a {prefix}… ID, so it was not tracked: ask whoever runs that server to fix it."
    )
