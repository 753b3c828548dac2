"""Conversations and background Responses as the real openai SDK sees them."""

from __future__ import annotations

import re

import openai
import pytest

from tests.fakeapi.spec import check_traffic
from threadtui.clock import ManualClock
from threadtui.fakeapi import FakeAPI, RunPlan

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def _filled(client, count: int):
    conv = await client.conversations.create(metadata={"title": "filled"})
    for start in range(0, count, 20):
        batch = [
            {"role": "user", "content": f"item {n}"} for n in range(start, min(count, start + 20))
        ]
        await client.conversations.items.create(conv.id, items=batch)
    return conv


def _numbers(items) -> list[int]:
    return [int(i.content[0].text.split()[1]) for i in items]


async def test_conversation_crud_and_404_wording(fake_client):
    conv = await fake_client.conversations.create(
        items=[{"role": "user", "content": "hello"}], metadata={"title": "Trip"}
    )
    assert re.fullmatch(r"conv_[0-9a-f]{48}", conv.id)
    assert (await fake_client.conversations.retrieve(conv.id)).metadata == {"title": "Trip"}
    updated = await fake_client.conversations.update(conv.id, metadata={"title": "Trip 2"})
    assert updated.metadata == {"title": "Trip 2"}
    deleted = await fake_client.conversations.delete(conv.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (conv.id, "conversation.deleted", True)
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.conversations.retrieve(conv.id)
    assert caught.value.body == {
        "message": f"Conversation with id '{conv.id}' not found.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


async def test_at_most_20_items_per_request(fake_client):
    conv = await fake_client.conversations.create()
    ok = await fake_client.conversations.items.create(
        conv.id, items=[{"role": "user", "content": str(n)} for n in range(20)]
    )
    assert len(ok.data) == 20 and ok.first_id == ok.data[0].id
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.conversations.items.create(
            conv.id, items=[{"role": "user", "content": str(n)} for n in range(21)]
        )
    assert caught.value.body == {
        "message": "Invalid 'items': array too long. Expected an array with maximum length 20, "
        "but got an array with length 21 instead.",
        "type": "invalid_request_error",
        "param": "items",
        "code": "array_above_max_length",
    }
    with pytest.raises(openai.BadRequestError):
        await fake_client.conversations.create(items=[{"role": "user", "content": "x"}] * 21)


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_items_page_over_250_without_gaps(fake_client, order):
    conv = await _filled(fake_client, 250)
    seen: list[int] = []
    after = None
    while True:
        kwargs = {"after": after} if after else {}
        page = await fake_client.conversations.items.list(conv.id, limit=100, order=order, **kwargs)
        seen += _numbers(page.data)
        if not page.has_more:
            break
        after = page.last_id
    assert seen == (list(range(250)) if order == "asc" else list(range(249, -1, -1)))
    everything = [i async for i in fake_client.conversations.items.list(conv.id, order="asc")]
    assert _numbers(everything) == list(range(250))
    default = await fake_client.conversations.items.list(conv.id)
    assert _numbers(default.data) == list(range(249, 229, -1))  # desc, 20
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.conversations.items.list(conv.id, limit=101)
    assert caught.value.body["code"] == "integer_above_max_value"


async def test_item_retrieve_delete_and_include():
    fake_seeded = FakeAPI(clock=ManualClock(), seed=1)
    client = openai.AsyncOpenAI(
        api_key="sk-fake",
        base_url=fake_seeded.base_url,
        http_client=openai.DefaultAsyncHttpxClient(transport=fake_seeded.transport()),
    )
    by_title = {
        d["title"]: d["id"] for d in fake_seeded.demo_threads() if d["kind"] == "conversation"
    }
    conv_id = by_title["Expense policy: client dinners"]
    page = await client.conversations.items.list(conv_id, order="asc")
    search = next(i for i in page.data if i.type == "file_search_call")
    assert search.results is None
    page = await client.conversations.items.list(
        conv_id, order="asc", include=["file_search_call.results"]
    )
    search = next(i for i in page.data if i.type == "file_search_call")
    assert search.results[0].filename == "expense-policy.pdf"
    one = await client.conversations.items.retrieve(search.id, conversation_id=conv_id)
    assert one.id == search.id
    conv = await client.conversations.items.delete(search.id, conversation_id=conv_id)
    assert conv.id == conv_id and conv.object == "conversation"
    with pytest.raises(openai.NotFoundError) as caught:
        await client.conversations.items.retrieve(search.id, conversation_id=conv_id)
    assert caught.value.body["message"] == f"Item with id '{search.id}' not found."
    with pytest.raises(openai.NotFoundError):
        await client.conversations.retrieve(by_title["Old onboarding chat"])
    await client.close()


async def test_background_response_lifecycle_and_lock(fake, fake_client, fake_clock):
    conv = await fake_client.conversations.create(items=[{"role": "user", "content": "hi"}])
    resp = await fake_client.responses.create(
        model="gpt-4o-mini",
        conversation=conv.id,
        input="What is 12 * 12?",
        background=True,
        store=True,
    )
    assert re.fullmatch(r"resp_[0-9a-f]{48}", resp.id)
    assert (resp.status, resp.background, resp.usage, resp.output) == ("queued", True, None, [])
    assert resp.conversation.id == conv.id
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.conversations.items.create(
            conv.id, items=[{"role": "user", "content": "more"}]
        )
    assert caught.value.body["code"] == "conversation_locked"
    assert caught.value.body["message"] == (
        "Another process is currently operating on this conversation. Please retry in a few seconds."
    )
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.responses.create(
            model="gpt-4o-mini", conversation=conv.id, input="x", background=True
        )
    assert (caught.value.body["code"], caught.value.body["param"]) == (
        "conversation_locked",
        "conversation",
    )
    fake_clock.advance(1)
    resp = await fake_client.responses.retrieve(resp.id)
    assert resp.status == "in_progress"
    items = await fake_client.conversations.items.list(conv.id)
    assert len(items.data) == 1  # nothing appended before completion
    fake_clock.advance(1)
    resp = await fake_client.responses.retrieve(resp.id)
    assert resp.status == "completed" and resp.completed_at is not None
    assert "12 * 12 = 144" in resp.output_text
    assert resp.usage.total_tokens == resp.usage.input_tokens + resp.usage.output_tokens
    items = await fake_client.conversations.items.list(conv.id, order="asc")
    assert [(i.role, i.content[0].type) for i in items.data] == [
        ("user", "input_text"),
        ("user", "input_text"),
        ("assistant", "output_text"),
    ]
    assert items.data[-1].id == resp.output[0].id
    await fake_client.conversations.items.create(
        conv.id, items=[{"role": "user", "content": "thanks"}]
    )
    assert check_traffic(fake.requests) == len(fake.requests)


async def test_failed_incomplete_and_cancelled_responses(fake, fake_client, fake_clock):
    conv = await fake_client.conversations.create()
    fake.script_responses(
        conv.id,
        [
            RunPlan(outcome="failed", error_code="rate_limit_exceeded"),
            RunPlan(outcome="incomplete", reply="abcdefgh"),
        ],
    )
    failed = await fake_client.responses.create(
        model="gpt-4o", conversation=conv.id, input="a", background=True
    )
    fake_clock.advance(3)
    failed = await fake_client.responses.retrieve(failed.id)
    assert failed.status == "failed" and failed.error.code == "rate_limit_exceeded"
    assert (await fake_client.conversations.items.list(conv.id)).data == []
    partial = await fake_client.responses.create(
        model="gpt-4o", conversation=conv.id, input="b", background=True
    )
    fake_clock.advance(3)
    partial = await fake_client.responses.retrieve(partial.id)
    assert (
        partial.status == "incomplete" and partial.incomplete_details.reason == "max_output_tokens"
    )
    assert partial.output[0].status == "incomplete" and partial.output_text == "abcd"
    cancelled = await fake_client.responses.create(
        model="gpt-4o", conversation=conv.id, input="c", background=True
    )
    fake_clock.advance(1)
    cancelled = await fake_client.responses.cancel(cancelled.id)
    assert cancelled.status == "cancelled"
    again = await fake_client.responses.cancel(cancelled.id)  # idempotent
    assert again.status == "cancelled"
    fake_clock.advance(5)
    assert (await fake_client.responses.retrieve(cancelled.id)).status == "cancelled"
    await fake_client.conversations.items.create(
        conv.id, items=[{"role": "user", "content": "unlocked"}]
    )
    assert check_traffic(fake.requests) == len(fake.requests)


async def test_cancel_needs_background_and_unknown_response_404(fake_client):
    conv = await fake_client.conversations.create()
    done = await fake_client.responses.create(model="gpt-4o", conversation=conv.id, input="hello")
    assert done.status == "completed" and done.background is False
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.responses.cancel(done.id)
    assert "background" in caught.value.body["message"]
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.responses.retrieve("resp_" + "0" * 48)
    assert caught.value.body["message"] == f"Response with id 'resp_{'0' * 48}' not found."


async def test_conversations_survive_the_assistants_retirement(fake, fake_client):
    fake.retired = True
    conv = await fake_client.conversations.create(items=[{"role": "user", "content": "still here"}])
    assert (await fake_client.conversations.items.list(conv.id)).data[0].content[
        0
    ].text == "still here"
    with pytest.raises(openai.NotFoundError):
        await fake_client.beta.assistants.list(limit=1)


def test_seeded_conversations_hold_every_item_kind():
    fake = FakeAPI(clock=ManualClock(), seed=1)
    listed = [d for d in fake.demo_threads() if d["kind"] == "conversation"]
    assert len(listed) >= 5
    live = [
        fake.responses.conversations[d["id"]]
        for d in listed
        if d["id"] in fake.responses.conversations
    ]
    assert len(listed) - len(live) == 1  # one is gone
    items = [i for c in live for i in c.items]
    assert {i["type"] for i in items} >= {
        "message",
        "function_call",
        "function_call_output",
        "reasoning",
        "web_search_call",
        "file_search_call",
    }
    parts = {p["type"] for i in items if i["type"] == "message" for p in i["content"]}
    assert parts >= {"input_text", "output_text", "refusal", "input_image"}


async def test_injected_faults_on_conversation_routes(fake, fake_client):
    no_retry = fake_client.with_options(max_retries=0)
    conv = await fake_client.conversations.create()
    fake.inject("404", path="^/conversations/")
    with pytest.raises(openai.NotFoundError) as caught:
        await no_retry.conversations.items.list(conv.id)
    assert caught.value.body["message"] == f"Conversation with id '{conv.id}' not found."
    fake.inject("fail_after_create", method="POST", path=r"/items$")
    with pytest.raises(openai.APITimeoutError):
        await no_retry.conversations.items.create(
            conv.id, items=[{"role": "user", "content": "once"}]
        )
    assert len((await fake_client.conversations.items.list(conv.id)).data) == 1
