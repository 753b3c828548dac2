"""The Conversations backend against the fake API through the real SDK: reading, items as
messages, creating, metadata, delete, errors, read-only."""

from __future__ import annotations

import pytest

from tests.fakeapi.spec import check_request, check_response, check_schema
from threadtui.api import open_backend as open_backend_for
from threadtui.api.backend import Connection
from threadtui.api.conversations import ConversationsBackend
from threadtui.api.errors import (
    ApiRetired,
    AuthFailed,
    BadRequest,
    NetworkDown,
    NotFound,
    RateLimited,
    ReadOnly,
)
from threadtui.fakeapi import FakeAPI

ITEMS = "/conversations/{c}/items"
ITEM_SCHEMAS = {"message": "InputMessage", "function_call_output": "FunctionCallOutputItemParam"}


def assert_per_spec(requests) -> None:
    """Every request and successful answer matches the OpenAPI extract.

    The extract's InputItem is a strict oneOf, which rejects a typed input message for
    matching two branches (EasyInputMessage and InputMessage) where the API's discriminator
    accepts it; so items are checked against their own branch.
    """
    for entry in requests:
        body = entry.json
        if isinstance(body, dict) and "items" in body:
            for item in body["items"]:
                easy = isinstance(item.get("content"), str)
                check_schema("EasyInputMessage" if easy else ITEM_SCHEMAS[item["type"]], item)
            body = {**body, "items": []}
        check_request(entry.route, entry.method, entry.query, body)
        if entry.status == 200:
            check_response(entry.route, entry.method, entry.response)


@pytest.fixture
async def open_conversations(fake_clock, connect):
    """ConversationsBackends on the fake (no SDK retries unless asked), closed afterwards."""
    opened: list[ConversationsBackend] = []

    def make(**fields) -> ConversationsBackend:
        fields.setdefault("max_retries", 0)
        backend = ConversationsBackend(connect(kind="conversations", **fields), clock=fake_clock)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        await backend.aclose()


@pytest.fixture
def conversations(open_conversations) -> ConversationsBackend:
    return open_conversations()


def stored(fake, conversation_id: str) -> list[dict]:
    return fake.responses.conversations[conversation_id].items


def put(fake, conversation_id: str, item: dict) -> dict:
    """An item written straight into the fake's conversation, as the seeder does."""
    item = {"id": fake.store.ids.hex48("it_"), **item}
    fake.responses.conversations[conversation_id].append(item)
    return item


@pytest.fixture
async def long_conversation(fake, conversations):
    """250 messages, alternating user and assistant, created through the backend."""
    seed = [("user" if n % 2 == 0 else "assistant", f"message {n}") for n in range(250)]
    info = await conversations.create_thread(seed)
    return info.id, [item["id"] for item in stored(fake, info.id)]


async def _walk(backend, conversation_id, *, order, cursor, start=None):
    """Every item id from `start` on, 100 a page, moving the cursor `after` or `before`."""
    seen: list[str] = []
    pages = 0
    position = start
    while True:
        page = await backend.list_messages(
            conversation_id, limit=100, order=order, **({cursor: position} if position else {})
        )
        pages += 1
        if cursor == "after":
            seen.extend(m.id for m in page.items)
            position = page.last_id
        else:  # walking back: each page holds the items just before the cursor
            seen[:0] = [m.id for m in page.items]
            position = page.first_id
        if not page.has_more:
            return seen, pages


async def test_a_250_message_seed_goes_in_batches_of_20_in_order(fake, long_conversation):
    conversation_id, _ = long_conversation
    items = stored(fake, conversation_id)
    assert [item["content"][0]["text"] for item in items] == [f"message {n}" for n in range(250)]
    assert [item["role"] for item in items[:4]] == ["user", "assistant", "user", "assistant"]
    # 20 with the create, then 12 batches of items (the last one 10): 13 batches.
    assert fake.count("POST", "/conversations") == 1
    batches = fake.requests.matching("POST", ITEMS)
    assert [len(r.json["items"]) for r in batches] == [20] * 11 + [10]


async def test_250_items_page_in_both_orders_with_after(conversations, long_conversation):
    conversation_id, ids = long_conversation
    newest_first, pages = await _walk(conversations, conversation_id, order="desc", cursor="after")
    assert newest_first == ids[::-1] and pages == 3
    oldest_first, pages = await _walk(conversations, conversation_id, order="asc", cursor="after")
    assert oldest_first == ids and pages == 3


async def test_before_is_answered_by_paging_the_other_way(fake, conversations, long_conversation):
    conversation_id, ids = long_conversation
    fake.requests.clear()
    older, pages = await _walk(
        conversations, conversation_id, order="asc", cursor="before", start=ids[-1]
    )
    assert older == ids[:-1] and pages == 3
    newer, pages = await _walk(
        conversations, conversation_id, order="desc", cursor="before", start=ids[0]
    )
    assert newer == ids[:0:-1] and pages == 3
    assert fake.count("GET", ITEMS) == 6  # one request a page
    assert all("before" not in r.query for r in fake.requests)  # the API has no before


async def test_both_cursors_at_once_are_refused_without_a_request(
    fake, conversations, long_conversation
):
    conversation_id, ids = long_conversation
    fake.requests.clear()
    with pytest.raises(BadRequest) as caught:
        await conversations.list_messages(conversation_id, after=ids[10], before=ids[20])
    assert "either after or before" in caught.value.user_message
    assert len(fake.requests) == 0


async def test_create_thread_maps_roles_to_the_parts_the_api_accepts(fake, conversations):
    info = await conversations.create_thread(
        [
            ("developer", "Answer in French."),
            ("system", "Be brief."),
            ("user", "Hi!"),
            ("assistant", "Bonjour !"),
        ],
        metadata={"title": "Salut"},
    )
    assert (info.kind, info.metadata) == ("conversation", {"title": "Salut"})
    parts = [(item["role"], item["content"][0]["type"]) for item in stored(fake, info.id)]
    assert parts == [
        ("developer", "input_text"),
        ("system", "input_text"),
        ("user", "input_text"),
        ("assistant", "output_text"),
    ]
    page = await conversations.list_messages(info.id, order="asc")
    assert [(m.role, m.text) for m in page.items] == [
        ("developer", "Answer in French."),
        ("system", "Be brief."),
        ("user", "Hi!"),
        ("assistant", "Bonjour !"),
    ]
    assert_per_spec(fake.requests)


async def test_a_seed_batch_lost_after_landing_is_not_sent_twice(fake, open_conversations):
    backend = open_conversations(max_retries=2)
    fake.inject("fail_after_create", method="POST", path=r"/items$")
    seed = [("user", f"line {n}") for n in range(45)]
    info = await backend.create_thread(seed)
    texts = [item["content"][0]["text"] for item in stored(fake, info.id)]
    assert texts == [f"line {n}" for n in range(45)]
    assert fake.count("POST", ITEMS) == 2  # the lost batch was found, not resent


async def test_a_seed_that_cannot_be_finished_leaves_no_half_conversation(fake, open_conversations):
    backend = open_conversations(max_retries=1)
    fake.inject("timeout", method="POST", path=r"/items$", times=None)
    with pytest.raises(NetworkDown):
        await backend.create_thread([("user", f"line {n}") for n in range(30)])
    assert fake.responses.conversations == {}  # created, then deleted again
    assert fake.count("DELETE", "/conversations/{c}") == 1


async def test_every_item_type_becomes_a_message(fake, conversations):
    conversation_id = (await conversations.create_thread()).id
    url = "https://example.org/heat-pumps"
    answer = f"Yes, at -20 °C too ([study]({url}))."
    start = answer.index("[study]")
    written = [
        put(fake, conversation_id, item)
        for item in [
            {
                "type": "message",
                "role": "user",
                "status": "completed",
                "content": [
                    {"type": "input_text", "text": "What is this plant?"},
                    {"type": "input_image", "file_id": "file-plant", "detail": "auto"},
                    {"type": "input_image", "image_url": "data:image/png;base64," + "A" * 5000},
                    {"type": "input_file", "file_id": "file-doc", "filename": "care.pdf"},
                ],
            },
            {
                "type": "message",
                "role": "assistant",
                "status": "completed",
                "content": [
                    {
                        "type": "output_text",
                        "text": answer,
                        "annotations": [
                            {
                                "type": "url_citation",
                                "url": url,
                                "title": "Field study",
                                "start_index": start,
                                "end_index": len(answer) - 2,
                            },
                            {
                                "type": "file_citation",
                                "file_id": "file-doc",
                                "filename": "care.pdf",
                                "index": 3,
                            },
                        ],
                        "logprobs": [],
                    }
                ],
            },
            {
                "type": "message",
                "role": "assistant",
                "status": "incomplete",
                "content": [{"type": "refusal", "refusal": "I can't help with that."}],
            },
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": '{"city": "Oslo"}',
                "status": "completed",
            },
            {
                "type": "function_call_output",
                "call_id": "call_1",
                "output": '{"temp_c": 6,\n "rain": true}',
                "status": "completed",
            },
            {
                "type": "reasoning",
                "summary": [
                    {"type": "summary_text", "text": "**Checking**\n\nLooking at ratings."},
                    {"type": "summary_text", "text": "Then field tests."},
                ],
            },
            {"type": "reasoning", "summary": []},
            {
                "type": "web_search_call",
                "status": "completed",
                "action": {"type": "search", "query": "heat pump COP -20C"},
            },
            {
                "type": "web_search_call",
                "status": "completed",
                "action": {"type": "open_page", "url": url},
            },
            {
                "type": "file_search_call",
                "status": "completed",
                "queries": ["dinner limit", "meals policy"],
                "results": None,
            },
            {"type": "image_generation_call", "status": "completed", "result": "iVBOR" * 1000},
        ]
    ]
    page = await conversations.list_messages(conversation_id, order="asc")
    got = page.items
    assert [m.id for m in got] == [item["id"] for item in written]
    assert [m.raw for m in got] == written  # everything the server sent is kept
    assert all(m.thread_id == conversation_id for m in got)

    question, answer_msg, refusal, call, output, thinking, blank, search, visit, files, image = got
    assert (question.role, question.item_type) == ("user", "message")
    assert [(p.kind, p.text, p.ref) for p in question.parts] == [
        ("text", "What is this plant?", None),
        ("image_file", "", "file-plant"),
        ("image_url", "", "data:image/png;base64,…"),  # not 5,000 characters of base64
        ("file", "care.pdf", "file-doc"),
    ]
    (text,) = answer_msg.parts
    assert text.text == answer
    cite_url, cite_file = text.annotations
    assert (cite_url.kind, cite_url.text, cite_url.target, cite_url.title) == (
        "url_citation",
        f"[study]({url})",
        url,
        "Field study",
    )
    assert (cite_file.kind, cite_file.target, cite_file.title, cite_file.start) == (
        "file_citation",
        "file-doc",
        "care.pdf",
        3,
    )
    assert refusal.is_refusal and refusal.text == "I can't help with that."
    assert refusal.status == "incomplete"

    def described(message):
        (part,) = message.parts
        assert part.kind == message.item_type
        return message.role, message.item_type, part.text

    assert described(call) == ("assistant", "function_call", 'get_weather({"city": "Oslo"})')
    assert described(output) == ("tool", "function_call_output", '{"temp_c": 6, "rain": true}')
    assert described(thinking) == (
        "assistant",
        "reasoning",
        "**Checking** Looking at ratings. Then field tests.",
    )
    assert described(blank)[2] == "(no summary)"
    assert described(search) == ("assistant", "web_search_call", "heat pump COP -20C")
    assert described(visit)[2] == f"open {url}"
    assert described(files) == ("assistant", "file_search_call", "dinner limit; meals policy")
    assert described(image) == ("assistant", "image_generation_call", "completed")


async def test_seeded_demo_conversations_read_whole(fake_clock):
    """The demo's conversations (every kind of item) load without a single unknown part."""
    seeded = FakeAPI(clock=fake_clock, seed=3)
    backend = ConversationsBackend(
        Connection(
            kind="conversations",
            api_key="sk-test-0123456789abcdefXYZ",
            base_url=seeded.base_url,
            http_transport=seeded.transport(),
        ),
        clock=fake_clock,
    )
    try:
        kinds = set()
        for entry in seeded.demo_threads():
            if entry["kind"] != "conversation" or entry["title"] == "Old onboarding chat":
                continue
            page = await backend.list_messages(entry["id"], limit=100, order="asc")
            assert all(m.parts and all(p.text or p.ref for p in m.parts) for m in page.items)
            kinds |= {p.kind for m in page.items for p in m.parts}
        assert kinds >= {
            "text",
            "refusal",
            "image_file",
            "function_call",
            "function_call_output",
            "reasoning",
            "web_search_call",
            "file_search_call",
        }
    finally:
        await backend.aclose()


async def test_metadata_update_is_what_retrieve_then_says(conversations):
    info = await conversations.create_thread(metadata={"title": "Trip"})
    updated = await conversations.update_metadata(info.id, {"title": "Trip 2", "tag": "x"})
    assert updated.metadata == {"title": "Trip 2", "tag": "x"}
    again = await conversations.retrieve_thread(info.id)
    assert (again.id, again.kind, again.metadata) == (info.id, "conversation", updated.metadata)
    assert again.created_at == info.created_at and again.raw["object"] == "conversation"


async def test_delete_then_every_call_says_not_found_naming_it(fake, conversations):
    info = await conversations.create_thread([("user", "bye")])
    await conversations.delete_thread(info.id)
    assert info.id not in fake.responses.conversations
    for call in (
        conversations.retrieve_thread(info.id),
        conversations.list_messages(info.id),
        conversations.delete_thread(info.id),
        conversations.add_message(info.id, "still there?"),
    ):
        with pytest.raises(NotFound) as caught:
            await call
        assert caught.value.object_id == info.id
        assert caught.value.user_message.startswith(f"{info.id} was not found")


async def test_errors_become_domain_errors(fake, conversations):
    info = await conversations.create_thread()
    fake.inject("401", method="GET")
    with pytest.raises(AuthFailed):
        await conversations.retrieve_thread(info.id)
    fake.inject("429", method="GET", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        await conversations.list_messages(info.id)
    assert caught.value.retry_after == 7
    fake.inject("404", method="GET")
    with pytest.raises(NotFound) as caught:
        await conversations.get_run(info.id, "resp_" + "1" * 48)
    assert caught.value.object_id == "resp_" + "1" * 48


async def test_probe_passes_where_conversations_live_even_if_assistants_retired(
    fake, conversations
):
    fake.retired = True  # /threads and /assistants are gone; conversations are not
    await conversations.probe()
    assert [r.method for r in fake.requests] == ["GET"]


async def test_probe_on_a_server_without_conversations_says_so(fake, fake_clock):
    backend = ConversationsBackend(
        Connection(
            kind="conversations",
            api_key="sk-test-0123456789abcdefXYZ",
            base_url="http://fake.local/v0",  # the fake knows no route there: "Invalid URL"
            http_transport=fake.transport(),
        ),
        clock=fake_clock,
    )
    with pytest.raises(ApiRetired) as caught:
        await backend.probe()
    assert "does not offer the Conversations API" in caught.value.user_message
    await backend.aclose()


async def test_no_runs_steps_or_assistants_and_nothing_sent(fake, conversations):
    info = await conversations.create_thread()
    fake.requests.clear()
    assert (await conversations.list_runs(info.id)).items == []
    assert (await conversations.list_run_steps(info.id, "resp_x")).items == []
    assert (await conversations.list_assistants()).items == []
    assert len(fake.requests) == 0


async def test_open_backend_picks_conversations_for_that_kind(connect):
    backend = open_backend_for(connect(kind="conversations"))
    assert isinstance(backend, ConversationsBackend) and backend.kind == "conversations"
    await backend.aclose()


async def test_read_only_sends_no_post_or_delete(fake, conversations, open_conversations):
    info = await conversations.create_thread([("user", "keep me")])
    fake.requests.clear()
    reader = open_conversations(read_only=True)
    assert (await reader.retrieve_thread(info.id)).id == info.id  # reading works
    assert [m.text for m in (await reader.list_messages(info.id)).items] == ["keep me"]
    changes = [
        reader.create_thread([("user", "hi")]),
        reader.delete_thread(info.id),
        reader.update_metadata(info.id, {"title": "x"}),
        reader.add_message(info.id, "hi"),
        reader.start_run(info.id, model="gpt-4o"),
        reader.cancel_run(info.id, "resp_x"),
        reader.submit_tool_outputs(info.id, "resp_x", {"call_x": "out"}),
    ]
    for change in changes:
        with pytest.raises(ReadOnly) as caught:
            await change
        assert "read-only" in caught.value.user_message
    assert fake.count("POST") == 0 and fake.count("DELETE") == 0
    assert len(stored(fake, info.id)) == 1 and fake.responses.responses == {}
