"""The open thread, without a screen: its pages, its assistant, sending a message.

Paging is economical by design: the newest page is one request; each older page is one
request with `after=<oldest loaded id>`; after a run only that run's messages are fetched
(`run_id` filter), never the whole thread again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from threadtui.api import paging
from threadtui.api.backend import Backend
from threadtui.api.errors import ApiError
from threadtui.api.models import AssistantInfo, Message, Run

PAGE_SIZE = 100  # the API's maximum: fewest requests for long threads


@dataclass
class AssistantChoice:
    """Which assistant answers in this thread, and where that came from."""

    assistant_id: str | None
    source: str  # "remembered", "last run", "profile", "only assistant", "ask"
    candidates: list[AssistantInfo] = field(default_factory=list)


class ThreadSession:
    """A live thread on its server."""

    read_only = False

    def __init__(self, backend: Backend, thread_id: str, *, page_size: int = PAGE_SIZE) -> None:
        self.backend = backend
        self.thread_id = thread_id
        self.page_size = page_size
        self._pages: paging.Pager[Message] | None = None  # newest first, one page per call

    @property
    def has_older(self) -> bool:
        return self._pages is not None and self._pages.has_more

    async def newest(self) -> list[Message]:
        """The newest page, oldest first. One request."""
        self._pages = paging.messages(
            self.backend, self.thread_id, order="desc", limit=self.page_size
        )
        return (await self._pages.next_page()).items[::-1]

    async def older(self) -> list[Message]:
        """The page before the oldest loaded message, oldest first. One request.

        A server whose older page does not move back (or repeats itself) raises
        EndlessPages once, and `has_older` is false from then on: no more requests."""
        if self._pages is None:
            return []
        return (await self._pages.next_page()).items[::-1]

    async def messages_of_run(self, run_id: str) -> list[Message]:
        """What a finished run added, oldest first (usually one request)."""
        pages = paging.messages(self.backend, self.thread_id, run_id=run_id, limit=self.page_size)
        return await pages.items()

    async def active_run(self) -> Run | None:
        """The thread's newest run when it has not ended (one request; None on errors)."""
        try:
            runs = await self.backend.list_runs(self.thread_id, limit=1, order="desc")
        except ApiError:
            return None
        newest = runs.items[0] if runs.items else None
        return newest if newest is not None and not newest.is_terminal else None

    async def choose_assistant(
        self, remembered: str | None, profile_default: str | None
    ) -> AssistantChoice:
        """The thread's assistant: remembered, else its last run's, else the profile's,
        else the only one the server has; with several, the caller asks the user."""
        if remembered:
            return AssistantChoice(remembered, "remembered")
        try:
            runs = await self.backend.list_runs(self.thread_id, limit=1, order="desc")
        except ApiError:
            runs = None
        if runs and runs.items and runs.items[0].assistant_id:
            return AssistantChoice(runs.items[0].assistant_id, "last run")
        if profile_default:
            return AssistantChoice(profile_default, "profile")
        assistants = (await self.backend.list_assistants(limit=100)).items
        if len(assistants) == 1:
            return AssistantChoice(assistants[0].id, "only assistant", assistants)
        return AssistantChoice(None, "ask", assistants)

    async def send(
        self, text: str, assistant_id: str | None, model: str | None = None
    ) -> tuple[Message, Run]:
        """Add the user's message (exactly once) and start a run on it."""
        message = await self.backend.add_message(self.thread_id, text)
        run = await self.backend.start_run(self.thread_id, assistant_id=assistant_id, model=model)
        return message, run


class ArchivedSession:
    """An archived transcript, paged from memory like a live thread; nothing can be sent."""

    read_only = True

    def __init__(
        self, thread_id: str, messages: list[Message], *, page_size: int = PAGE_SIZE
    ) -> None:
        self.thread_id = thread_id
        self.page_size = page_size
        self._messages = messages  # oldest first
        self._start = len(messages)

    @property
    def has_older(self) -> bool:
        return self._start > 0

    @property
    def total(self) -> int:
        return len(self._messages)

    async def newest(self) -> list[Message]:
        self._start = len(self._messages)
        return await self.older()

    async def older(self) -> list[Message]:
        end, self._start = self._start, max(0, self._start - self.page_size)
        return self._messages[self._start : end]
