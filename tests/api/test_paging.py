"""The one pager (`threadtui.api.paging`): it walks a list to its end, and ends a list that
would never end with one sentence, after as few requests as it takes to tell."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.core.archive_world import seed_conversation, seed_thread
from threadtui.api import open_backend, paging
from threadtui.api.backend import Connection
from threadtui.api.errors import ApiError, EndlessPages
from threadtui.api.models import Page


@dataclass(frozen=True)
class Item:
    id: str


class Server:
    """Pages of items `n0`, `n1`, …: `answers[after]` is the page for that cursor."""

    def __init__(self, answers: dict[str | None, Page[Item]]) -> None:
        self.answers = answers
        self.asked: list[str | None] = []

    async def __call__(self, after: str | None) -> Page[Item]:
        self.asked.append(after)
        return self.answers[after]


def page(*numbers: int, more: bool = True) -> Page[Item]:
    items = [Item(f"n{n}") for n in numbers]
    return Page(items, items[0].id if items else None, items[-1].id if items else None, more)


def honest(total: int, size: int) -> Server:
    """A list of `total` items, `size` a page, as a well-behaved server pages it."""
    answers: dict[str | None, Page[Item]] = {}
    for start in range(0, total, size):
        cursor = f"n{start - 1}" if start else None
        answers[cursor] = page(*range(start, min(total, start + size)), more=start + size < total)
    return Server(answers)


def pager(server: Server, **options) -> paging.Pager[Item]:
    return paging.Pager(server, listing="the messages of thread_x on example.com", **options)


async def test_walks_every_page_once_to_the_end() -> None:
    server = honest(250, 100)
    found = await pager(server).items()
    assert [i.id for i in found] == [f"n{n}" for n in range(250)]
    assert server.asked == [None, "n99", "n199"]


async def test_an_empty_page_ends_the_walk_even_when_it_says_there_is_more() -> None:
    server = Server({None: page(0, 1), "n1": page()})
    assert len(await pager(server).items()) == 2
    assert server.asked == [None, "n1"]


async def test_a_caller_may_stop_early_and_is_charged_only_what_it_read() -> None:
    server = honest(1_000, 100)
    async for _ in pager(server):
        break
    assert server.asked == [None]


async def test_one_page_at_a_time_then_nothing_once_ended() -> None:
    server = honest(150, 100)
    pages = pager(server)
    assert len((await pages.next_page()).items) == 100 and pages.has_more
    assert len((await pages.next_page()).items) == 50 and not pages.has_more
    assert (await pages.next_page()).items == []
    assert len(server.asked) == 2


@pytest.mark.parametrize(
    ("answers", "requests", "said"),
    [
        ({None: page(0, 1), "n1": page(0, 1)}, 2, "answered with a cursor that did not move (n1)"),
        (
            {None: page(0, 1), "n1": page(2, 3), "n3": page(0, 1)},
            3,
            "came back to a page it had already sent (ending at n1)",
        ),
        ({None: page(0, 1), "n1": page(1, 0)}, 2, "sent a page of items it had already sent"),
    ],
    ids=["cursor-stuck", "cycle", "nothing-new"],
)
async def test_a_list_that_would_never_end_stops_with_one_sentence(
    answers, requests: int, said: str
) -> None:
    server = Server(answers)
    with pytest.raises(EndlessPages) as stopped:
        await pager(server).items()
    assert len(server.asked) == requests
    sentence = stopped.value.user_message
    assert sentence == (
        f"Listing the messages of thread_x on example.com, the server {said}, so threadtui "
        f"stopped after {requests} requests: the server or a proxy in front of it is "
        "misbehaving; try again later, and report it if it persists."
    )
    assert isinstance(stopped.value, ApiError)  # shown wherever API errors are


async def test_a_cursor_that_returns_to_the_start_is_a_cycle() -> None:
    server = Server({"n9": page(0, 1), "n1": page(8, 9)})
    with pytest.raises(EndlessPages, match="came back to a page"):
        await pager(server, after="n9").items()
    assert server.asked == ["n9", "n1"]


@pytest.mark.parametrize(("options", "requests"), [({"max_items": 250}, 3), ({"max_pages": 2}, 2)])
async def test_the_caps_end_an_honest_but_endless_list(options, requests: int) -> None:
    server = honest(10_000, 100)
    pages = pager(server, **options)
    read = 0
    with pytest.raises(EndlessPages, match=f"still had more after .* items in {requests} pages"):
        async for one in pages:
            read += len(one.items)
    assert len(server.asked) == requests and read == (requests - 1) * 100
    assert not pages.has_more


async def test_a_list_exactly_at_the_cap_is_read_whole() -> None:
    assert len(await pager(honest(300, 100), max_items=300).items()) == 300


def test_the_default_caps_allow_the_longest_threads_at_the_largest_page() -> None:
    assert paging.MAX_ITEMS >= 100_000 and paging.MAX_PAGES * paging.PAGE >= paging.MAX_ITEMS


# -- on the real backends, against the fake ----------------------------------------------------
@pytest.mark.parametrize("kind", ["assistants", "conversations"])
async def test_the_backends_lists_stop_on_a_repeating_cursor(fake, kind) -> None:
    seeded = seed_thread(fake, 150) if kind == "assistants" else seed_conversation(fake, 150)
    backend = open_backend(
        Connection(kind, "sk-test-key-not-real", fake.base_url, http_transport=fake.transport())
    )
    try:
        assert len(await paging.messages(backend, seeded.id).items()) >= 150
        fake.endless_pages(seeded.id, "repeat")
        with pytest.raises(EndlessPages, match=f"{seeded.id} on fake.local"):
            await paging.messages(backend, seeded.id).items()
    finally:
        await backend.aclose()
