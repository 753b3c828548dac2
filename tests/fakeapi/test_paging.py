"""Cursor pagination over a 250-message thread, both orders, after and before."""

from __future__ import annotations

import openai
import pytest

from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def thread_250(fake):
    thread = fake.store.add_thread(created_at=1_700_000_000)
    for n in range(250):
        fake.store.add_message(
            thread,
            role="user" if n % 2 == 0 else "assistant",
            content=[text_part(f"message {n}")],
            created_at=1_700_000_000 + n // 3,
        )
    return thread


def _numbers(page) -> list[int]:
    return [int(m.content[0].text.value.split()[1]) for m in page.data]


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_after_walks_every_message_once(fake_client, thread_250, order):
    seen: list[int] = []
    after = None
    pages = 0
    while True:
        kwargs = {"after": after} if after else {}
        page = await fake_client.beta.threads.messages.list(
            thread_250.id, limit=100, order=order, **kwargs
        )
        pages += 1
        seen += _numbers(page)
        assert page.first_id == page.data[0].id and page.last_id == page.data[-1].id
        if not page.has_more:
            break
        after = page.last_id
    expected = list(range(250)) if order == "asc" else list(range(249, -1, -1))
    assert seen == expected
    assert pages == 3


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_before_walks_back_to_the_start(fake_client, thread_250, order):
    # Start from the last page in this order, then page back with `before`.
    last = await fake_client.beta.threads.messages.list(
        thread_250.id, limit=50, order="desc" if order == "asc" else "asc"
    )
    tail_first = last.data[0].id  # the very last item in `order`
    collected = [tail_first]
    before = tail_first
    while True:
        page = await fake_client.beta.threads.messages.list(
            thread_250.id, limit=40, order=order, before=before
        )
        ids = [m.id for m in page.data]
        collected = ids + collected
        if not page.has_more:
            break
        before = page.first_id
    full = [m["id"] for m in thread_250.messages]
    assert collected == (full if order == "asc" else full[::-1])


async def test_auto_pagination_of_the_sdk_sees_all(fake_client, thread_250):
    ids = [m.id async for m in fake_client.beta.threads.messages.list(thread_250.id, order="asc")]
    assert ids == [m["id"] for m in thread_250.messages]


async def test_default_page_is_20_newest_first(fake_client, thread_250):
    page = await fake_client.beta.threads.messages.list(thread_250.id)
    assert _numbers(page) == list(range(249, 229, -1))
    assert page.has_more is True


@pytest.mark.parametrize(
    ("limit", "message", "code"),
    [
        (
            101,
            "Invalid 'limit': integer above maximum value. Expected a value <= 100, but got 101 instead.",
            "integer_above_max_value",
        ),
        (
            0,
            "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead.",
            "integer_below_min_value",
        ),
    ],
)
async def test_limit_out_of_range_is_a_400(fake_client, thread_250, limit, message, code):
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.beta.threads.messages.list(thread_250.id, limit=limit)
    assert caught.value.body == {
        "message": message,
        "type": "invalid_request_error",
        "param": "limit",
        "code": code,
    }


async def test_limit_bounds_are_inclusive(fake_client, thread_250):
    assert len((await fake_client.beta.threads.messages.list(thread_250.id, limit=1)).data) == 1
    assert len((await fake_client.beta.threads.messages.list(thread_250.id, limit=100)).data) == 100


async def test_empty_thread_page(fake_client):
    thread = await fake_client.beta.threads.create()
    page = await fake_client.beta.threads.messages.list(thread.id)
    assert page.data == [] and page.has_more is False


# -- endless pages: a broken server, on request ----------------------------------------------
async def _ids(fake_client, thread_id: str, after: str | None = None) -> tuple[list[str], bool]:
    kwargs = {"after": after} if after else {}
    page = await fake_client.beta.threads.messages.list(thread_id, limit=100, **kwargs)
    return [m.id for m in page.data], page.has_more


async def test_a_repeating_cursor_answers_the_first_page_whatever_the_cursor(
    fake, fake_client, thread_250
):
    fake.endless_pages(thread_250.id, "repeat")
    first, more = await _ids(fake_client, thread_250.id)
    again, still = await _ids(fake_client, thread_250.id, after=first[-1])
    assert (again, more, still) == (first, True, True)
    fake.clear_faults()
    mended, _ = await _ids(fake_client, thread_250.id, after=first[-1])
    assert mended[0] != first[0]


async def test_a_cycle_is_two_pages_whose_cursors_point_at_each_other(
    fake, fake_client, thread_250
):
    fake.endless_pages(thread_250.id, "cycle")
    a, _ = await _ids(fake_client, thread_250.id)
    b, more = await _ids(fake_client, thread_250.id, after=a[-1])
    back, still = await _ids(fake_client, thread_250.id, after=b[-1])
    assert (len(a), len(b), more, still) == (50, 50, True, True)
    assert back == a and not set(a) & set(b)


async def test_endless_pages_spare_other_threads_and_single_objects(fake, fake_client, thread_250):
    other = fake.store.add_thread(created_at=1_700_000_000)
    fake.store.add_message(other, role="user", content=[text_part("hi")], created_at=1)
    fake.endless_pages(thread_250.id)
    assert await _ids(fake_client, other.id) == ([other.messages[0]["id"]], False)
    assert (await fake_client.beta.threads.retrieve(thread_250.id)).id == thread_250.id
