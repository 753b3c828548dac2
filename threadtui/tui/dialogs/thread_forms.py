"""Forms about one thread: track one by ID, and edit its local title and tags."""

from __future__ import annotations

from dataclasses import dataclass

from threadtui.core.finding.ids import WrongIdKind, require_trackable
from threadtui.tui.dialogs.form import FormDialog


def parse_tags(text: str) -> tuple[str, ...]:
    """ "billing, #urgent  vip" -> ("billing", "urgent", "vip"), without duplicates."""
    tags = [t.strip().lstrip("#") for t in text.replace(",", " ").split()]
    return tuple(dict.fromkeys(t for t in tags if t))


@dataclass(frozen=True)
class ThreadDetails:
    thread_id: str
    title: str
    tags: tuple[str, ...]


class AddThreadDialog(FormDialog):
    TITLE_TEXT = "Track a thread by ID"
    FIELDS = [
        ("thread_id", "Thread or conversation ID", "thread_… or conv_…"),
        ("title", "Title (optional)", "what this thread is about"),
        ("tags", "Tags (optional)", "billing, urgent"),
    ]

    def check(self, values: dict[str, str]) -> ThreadDetails:
        try:
            thread_id, _kind = require_trackable(values["thread_id"])
        except WrongIdKind as problem:
            raise ValueError(str(problem)) from None
        return ThreadDetails(thread_id, values["title"].strip(), parse_tags(values["tags"]))


class EditThreadDialog(FormDialog):
    TITLE_TEXT = "Title and tags (kept locally)"
    FIELDS = [
        ("title", "Title", "what this thread is about"),
        ("tags", "Tags", "billing, urgent"),
    ]

    def __init__(self, thread_id: str, title: str, tags: tuple[str, ...]) -> None:
        super().__init__({"title": title, "tags": ", ".join(tags)}, intro=thread_id)
        self.thread_id = thread_id

    def check(self, values: dict[str, str]) -> ThreadDetails:
        return ThreadDetails(self.thread_id, values["title"].strip(), parse_tags(values["tags"]))
