"""The one cursor pager: every walk through a list of messages, runs or steps goes here.

Like openai-python's `BaseAsyncPage.__aiter__`, a `Pager` asks for the page after the last
item of the previous one until `has_more` is false or a page is empty. Unlike it, it does
not trust the server to make progress: a server (or a proxy) that answers `has_more: true`
with a cursor that did not move, comes back to a page it sent before, sends only items
already seen, or goes past `max_items`/`max_pages`, ends the walk with `EndlessPages`, one
sentence, instead of being asked again for ever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, NoReturn, Protocol, TypeVar
from urllib.parse import urlsplit

from threadtui.api.backend import Backend, Order
from threadtui.api.errors import EndlessPages
from threadtui.api.models import Message, Page, Run, RunStep

PAGE = 100  # the API's largest page: fewest requests
MAX_ITEMS = 100_000  # more than any thread this tool was made for; a bound, not a budget
MAX_PAGES = 5_000  # the bound for small pages (MAX_ITEMS at the largest is 1,000 pages)
MISBEHAVING = (
    "the server or a proxy in front of it is misbehaving; try again later, and report it if "
    "it persists."
)


class HasId(Protocol):
    @property
    def id(self) -> str: ...


T = TypeVar("T", bound=HasId)
Fetch = Callable[[str | None], Awaitable[Page[T]]]  # the `after` cursor -> its page


class Pager(Generic[T]):
    """Pages of one list, one request each, from `after` (None: the start).

    Iterate for every page, or call `next_page()` one page at a time (the TUI's "older"
    pages). `cursor` is the `after` of the next request; a caller may move it forward
    between pages (the archive skips stretches it already holds). Memory is the IDs seen,
    bounded by `max_items`, never the items.
    """

    def __init__(
        self,
        fetch: Fetch[T],
        *,
        listing: str,
        after: str | None = None,
        max_items: int = MAX_ITEMS,
        max_pages: int = MAX_PAGES,
    ) -> None:
        self._fetch = fetch
        self.listing = listing  # "thread_abc's messages on api.openai.com", for the sentence
        self.cursor = after
        self.max_items = max_items
        self.max_pages = max_pages
        self.has_more = True
        self.pages = 0
        self._cursors: set[str | None] = {after}
        self._seen: set[str] = set()

    def __aiter__(self) -> AsyncIterator[Page[T]]:
        return self._walk()

    async def _walk(self) -> AsyncIterator[Page[T]]:
        while self.has_more:
            yield await self.next_page()

    async def next_page(self) -> Page[T]:
        """The next page (empty once the list has ended); raises EndlessPages instead of
        handing out a page that would keep the walk going round."""
        if not self.has_more:
            return Page(items=[], first_id=None, last_id=None, has_more=False)
        asked = self.cursor
        page = await self._fetch(asked)
        self.pages += 1
        ids = [item.id for item in page.items]
        repeated = self._seen.intersection(ids)
        if not page.has_more or not ids:
            self.has_more = False
            return _without(page, repeated)
        cursor = ids[-1]  # as openai-python does: the page's last item is the next `after`
        if cursor == asked:
            self._stop(f"answered with a cursor that did not move ({cursor})")
        if cursor in self._cursors:
            self._stop(f"came back to a page it had already sent (ending at {cursor})")
        if self._seen.issuperset(ids):
            self._stop("sent a page of items it had already sent")
        self._seen.update(ids)
        if len(self._seen) >= self.max_items or self.pages >= self.max_pages:
            self._stop(
                f"still had more after {len(self._seen):,} items in {self.pages:,} pages",
                "no list this long is read whole; if the thread really is this long, its "
                "newest pages can still be read in the TUI.",
            )
        self._cursors.add(cursor)
        self.cursor = cursor
        return _without(page, repeated)

    def _stop(self, what: str, advice: str = MISBEHAVING) -> NoReturn:
        self.has_more = False
        raise EndlessPages(
            f"Listing {self.listing}, the server {what}, so threadtui stopped after "
            f"{self.pages:,} request{'' if self.pages == 1 else 's'}: {advice}"
        )

    async def items(self) -> list[T]:
        """Every item of the rest of the list, in the order the pages came."""
        found: list[T] = []
        async for page in self:
            found += page.items
        return found


def _without(page: Page[T], repeated: set[str]) -> Page[T]:
    """`page` without the items an earlier page already handed out: a message that arrives
    between two requests shifts the list, so the next page repeats one."""
    if not repeated:
        return page
    items = [item for item in page.items if item.id not in repeated]
    return Page(items=items, first_id=page.first_id, last_id=page.last_id, has_more=page.has_more)


def host_of(backend: Backend) -> str:
    base_url = backend.connection.base_url
    return (urlsplit(base_url).hostname if base_url else None) or "api.openai.com"


def messages(
    backend: Backend,
    thread_id: str,
    *,
    order: Order = "asc",
    after: str | None = None,
    run_id: str | None = None,
    limit: int = PAGE,
) -> Pager[Message]:
    """A thread's messages (a conversation's items), or only those of run `run_id`."""
    noun = "messages" if backend.kind == "assistants" else "items"
    of_run = f" of {run_id}" if run_id else ""

    def fetch(cursor: str | None) -> Awaitable[Page[Message]]:
        return backend.list_messages(
            thread_id, limit=limit, order=order, after=cursor, run_id=run_id
        )

    return Pager(
        fetch, listing=f"the {noun}{of_run} of {thread_id} on {host_of(backend)}", after=after
    )


def runs(
    backend: Backend, thread_id: str, *, order: Order = "asc", limit: int = PAGE
) -> Pager[Run]:
    """A thread's runs."""

    def fetch(cursor: str | None) -> Awaitable[Page[Run]]:
        return backend.list_runs(thread_id, limit=limit, order=order, after=cursor)

    return Pager(fetch, listing=f"the runs of {thread_id} on {host_of(backend)}")


def run_steps(
    backend: Backend, thread_id: str, run_id: str, *, limit: int = PAGE
) -> Pager[RunStep]:
    """The steps of one run."""

    def fetch(cursor: str | None) -> Awaitable[Page[RunStep]]:
        return backend.list_run_steps(thread_id, run_id, limit=limit, after=cursor)

    return Pager(fetch, listing=f"the steps of {run_id} in {thread_id} on {host_of(backend)}")
