"""Chatting in a conversation through the Conversations backend, on the fake API and its
ManualClock: send, background responses polled by RunPoller to every end, cancel, the
conversation lock, tool outputs, and exactly-once writes when the network fails."""

from __future__ import annotations

import pytest

from tests.api.test_conversations import assert_per_spec
from threadtui.api.backend import Connection
from threadtui.api.conversations import DEFAULT_MODEL, ConversationsBackend
from threadtui.api.errors import BadRequest, NetworkDown, RunActive, ServerError
from threadtui.core.chat.poller import RunPoller
from threadtui.fakeapi import RunPlan
from threadtui.fakeapi.transport import FakeTransport

API_KEY = "sk-test-0123456789abcdefXYZ"
ITEMS = "/conversations/{c}/items"
RESPONSES = "/responses"


class HookedTransport(FakeTransport):
    """The fake's own transport, calling `after_post()` once, when the first POST is over:
    for changing the fake between a lost send and the look that follows it."""

    def __init__(self, fake, after_post) -> None:
        super().__init__(fake)
        self.after_post = after_post

    async def handle_async_request(self, request):
        try:
            return await super().handle_async_request(request)
        finally:
            if request.method == "POST" and self.after_post is not None:
                hook, self.after_post = self.after_post, None
                hook()


@pytest.fixture
async def open_conversations(fake, fake_clock):
    """ConversationsBackends on the fake (no SDK retries unless asked), closed afterwards."""
    opened: list[ConversationsBackend] = []

    def make(*, transport=None, **fields) -> ConversationsBackend:
        fields.setdefault("max_retries", 0)
        connection = Connection(
            kind="conversations",
            api_key=API_KEY,
            base_url=fake.base_url,
            http_transport=transport or fake.transport(),
            **fields,
        )
        backend = ConversationsBackend(connection, clock=fake_clock)
        opened.append(backend)
        return backend

    yield make
    for backend in opened:
        await backend.aclose()


@pytest.fixture
def conversations(open_conversations) -> ConversationsBackend:
    return open_conversations()


@pytest.fixture
def resilient(open_conversations) -> ConversationsBackend:
    """A backend with the default two retries."""
    return open_conversations(max_retries=2)


@pytest.fixture
async def conversation_id(conversations) -> str:
    return (await conversations.create_thread([("user", "Hi")])).id


def stored(fake, conversation_id: str) -> list[dict]:
    return fake.responses.conversations[conversation_id].items


def texts(fake, conversation_id: str) -> list[tuple[str, str]]:
    return [
        (item["role"], item["content"][0].get("text") or "")
        for item in stored(fake, conversation_id)
        if item["type"] == "message"
    ]


async def test_send_is_one_user_item_and_one_background_response(
    fake, conversations, conversation_id
):
    fake.requests.clear()
    message = await conversations.add_message(conversation_id, "What is 6 * 7?")
    run = await conversations.start_run(conversation_id, assistant_id=None, model="gpt-4.1")
    assert fake.count("POST", ITEMS) == 1 and fake.count("POST", RESPONSES) == 1
    assert fake.count("POST") == 2 and fake.count("DELETE") == 0
    # The text went in as an item; the response only answers the conversation.
    (create,) = fake.requests.matching("POST", RESPONSES)
    assert create.json == {
        "model": "gpt-4.1",
        "conversation": conversation_id,
        "background": True,
        "store": True,
    }
    assert texts(fake, conversation_id) == [("user", "Hi"), ("user", "What is 6 * 7?")]
    assert message.id == stored(fake, conversation_id)[-1]["id"]
    assert (message.role, message.text, message.thread_id) == (
        "user",
        "What is 6 * 7?",
        conversation_id,
    )
    assert run.id.startswith("resp_") and run.id in fake.responses.responses
    assert (run.thread_id, run.status, run.model) == (conversation_id, "queued", "gpt-4.1")
    assert isinstance(run.created_at, int)
    assert_per_spec(fake.requests)


async def test_without_a_model_the_documented_default_answers(fake, conversations, conversation_id):
    run = await conversations.start_run(conversation_id, assistant_id="asst_ignored")
    assert run.model == DEFAULT_MODEL
    assert fake.requests.matching("POST", RESPONSES)[0].json["model"] == DEFAULT_MODEL


@pytest.mark.parametrize(
    ("plan", "status", "says"),
    [
        (RunPlan(reply="42."), "completed", "completed ("),
        (
            RunPlan(outcome="failed", error_code="rate_limit_exceeded"),
            "failed",
            "failed: rate_limit_exceeded: You exceeded your current quota",
        ),
        (
            RunPlan(outcome="incomplete", reply="forty-two"),
            "incomplete",
            "ended incomplete: max_output_tokens.",
        ),
    ],
)
async def test_a_response_is_polled_to_each_end_and_its_items_come_only_then(
    fake, fake_clock, conversations, conversation_id, plan, status, says
):
    fake.script_responses(conversation_id, [plan])
    await conversations.add_message(conversation_id, "What is 6 * 7?")
    run = await conversations.start_run(conversation_id)
    seen = []
    async for update in RunPoller(conversations, run, clock=fake_clock):
        final = update
        if not update.finished:
            seen.append(update.status)
            page = await conversations.list_messages(conversation_id, order="asc")
            assert [m.text for m in page.items] == ["Hi", "What is 6 * 7?"]  # nothing yet
    assert seen[0] == "queued" and "in_progress" in seen
    assert final.run.status == status and final.run.is_terminal
    assert says in final.message
    assert final.run.thread_id == conversation_id

    new = (await conversations.list_messages(conversation_id, order="asc", run_id=run.id)).items
    whole = (await conversations.list_messages(conversation_id, order="asc")).items
    if status == "failed":
        assert new == [] and len(whole) == 2
        assert final.run.usage is None
        return
    usage = final.run.usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens > 0
    assert usage.total_tokens == final.run.raw["usage"]["total_tokens"]
    (answer,) = new
    assert [m.id for m in whole[2:]] == [answer.id]  # what the run added, and only that
    assert (answer.role, answer.run_id) == ("assistant", run.id)
    if status == "completed":
        assert answer.text == "42." and answer.status == "completed"
        assert final.run.completed_at is not None
    else:
        assert answer.text == "fort"  # cut short
        assert (answer.status, answer.incomplete_reason) == ("incomplete", "max_output_tokens")


async def test_cancel_while_polling_ends_cancelled_adds_nothing_and_frees_the_conversation(
    fake, fake_clock, conversations, conversation_id
):
    await conversations.add_message(conversation_id, "Write a long poem.")
    run = await conversations.start_run(conversation_id)
    poller = RunPoller(conversations, run, clock=fake_clock)
    poller.cancel()
    final = await poller.run()
    assert final.run.status == "cancelled" and final.message.endswith("was cancelled.")
    assert fake.count("POST", RESPONSES + "/{r}/cancel") == 1
    assert (await conversations.list_messages(conversation_id, run_id=run.id)).items == []
    await conversations.add_message(conversation_id, "Never mind.")  # no longer locked
    assert [text for _, text in texts(fake, conversation_id)] == [
        "Hi",
        "Write a long poem.",
        "Never mind.",
    ]


async def test_cancelling_a_finished_response_returns_how_it_ended(
    fake_clock, conversations, conversation_id
):
    run = await conversations.start_run(conversation_id)
    fake_clock.advance(5)
    assert (await conversations.cancel_run(conversation_id, run.id)).status == "completed"


async def test_a_busy_conversation_refuses_messages_and_responses_as_run_active(
    fake, conversations, conversation_id
):
    run = await conversations.start_run(conversation_id)
    with pytest.raises(RunActive) as caught:
        await conversations.add_message(conversation_id, "Are you there?")
    assert caught.value.user_message.startswith(f"{conversation_id} is busy with a response")
    with pytest.raises(RunActive) as caught:
        await conversations.start_run(conversation_id)
    assert "probably" not in caught.value.user_message
    assert texts(fake, conversation_id) == [("user", "Hi")]
    assert list(fake.responses.responses) == [run.id]


async def test_tool_outputs_are_items_once_then_a_new_response_on_the_same_model(
    fake, fake_clock, resilient, conversation_id
):
    call = {"type": "function_call", "call_id": "call_7", "name": "get_weather"}
    fake.responses.conversations[conversation_id].append(
        {"id": "fc_1", **call, "arguments": '{"city": "Oslo"}', "status": "completed"}
    )
    run = await resilient.start_run(conversation_id, model="gpt-4.1")
    fake_clock.advance(5)
    fake.inject("fail_after_create", method="POST", path=r"/items$")
    follow_up = await resilient.submit_tool_outputs(conversation_id, run.id, {"call_7": "18 C"})
    outputs = [i for i in stored(fake, conversation_id) if i["type"] == "function_call_output"]
    assert [(o["call_id"], o["output"]) for o in outputs] == [("call_7", "18 C")]
    assert fake.count("POST", ITEMS) == 1  # lost after landing: found, not resent
    assert follow_up.id != run.id and follow_up.status == "queued"
    assert follow_up.model == "gpt-4.1"
    assert_per_spec(fake.requests)


# -- exactly once ------------------------------------------------------------------------
async def test_a_message_lost_after_landing_is_found_not_sent_twice(
    fake, resilient, conversation_id
):
    fake.inject("fail_after_create", method="POST", path=r"/items$")
    message = await resilient.add_message(conversation_id, "Refund my annual plan, please.")
    assert texts(fake, conversation_id) == [
        ("user", "Hi"),
        ("user", "Refund my annual plan, please."),
    ]
    assert fake.count("POST", ITEMS) == 1
    assert message.id == stored(fake, conversation_id)[-1]["id"]
    assert message.text == "Refund my annual plan, please."


@pytest.mark.parametrize("kind", ["timeout", "drop", "500", "503"])
async def test_a_message_lost_before_landing_is_sent_again_once(
    fake, fake_clock, resilient, conversation_id, kind
):
    fake.inject(kind, method="POST", path=r"/items$")
    started = fake_clock.now()
    await resilient.add_message(conversation_id, "hello")
    assert texts(fake, conversation_id) == [("user", "Hi"), ("user", "hello")]
    assert fake.count("POST", ITEMS) == 2
    assert fake.count("GET", ITEMS) == 2  # the newest item before sending, and the look
    assert fake_clock.now() - started == pytest.approx(0.5)  # backoff, on the injected clock


async def test_the_same_text_as_the_last_message_is_still_sent(fake, resilient, conversation_id):
    await resilient.add_message(conversation_id, "yes")
    fake.inject("timeout", method="POST", path=r"/items$")  # lost before landing
    await resilient.add_message(conversation_id, "yes")
    # The earlier "yes" is older than the newest item noted before sending: not ours.
    assert texts(fake, conversation_id) == [("user", "Hi"), ("user", "yes"), ("user", "yes")]


async def test_a_message_that_never_gets_through_gives_up_after_the_retries(
    fake, resilient, conversation_id
):
    fake.inject("timeout", method="POST", path=r"/items$", times=None)
    with pytest.raises(NetworkDown):
        await resilient.add_message(conversation_id, "hello")
    assert fake.count("POST", ITEMS) == 3  # the first send and two more
    assert texts(fake, conversation_id) == [("user", "Hi")]


async def test_when_looking_fails_too_the_message_is_not_sent_again(
    fake, open_conversations, conversation_id
):
    def break_reads():
        fake.inject("503", method="GET", path=r"/items$", times=None, retry_after=0.01)

    backend = open_conversations(max_retries=1, transport=HookedTransport(fake, break_reads))
    fake.inject("fail_after_create", method="POST", path=r"/items$")
    with pytest.raises(ServerError):
        await backend.add_message(conversation_id, "hello")
    assert texts(fake, conversation_id) == [("user", "Hi"), ("user", "hello")]
    assert fake.count("POST", ITEMS) == 1


async def test_when_the_noted_item_vanished_it_cannot_look_and_does_not_resend(
    fake, open_conversations, conversation_id
):
    def delete_the_first_item():
        fake.responses.conversations[conversation_id].remove(stored(fake, conversation_id)[0]["id"])

    backend = open_conversations(
        max_retries=2, transport=HookedTransport(fake, delete_the_first_item)
    )
    fake.inject("fail_after_create", method="POST", path=r"/items$")
    with pytest.raises(NetworkDown) as caught:
        await backend.add_message(conversation_id, "hello")
    assert "reload the conversation before sending again" in caught.value.user_message
    assert texts(fake, conversation_id) == [("user", "hello")]
    assert fake.count("POST", ITEMS) == 1


async def test_a_response_lost_before_creation_is_started_once(fake, resilient, conversation_id):
    fake.inject("500", method="POST", path=r"^/responses$")
    run = await resilient.start_run(conversation_id)
    assert fake.count("POST", RESPONSES) == 2
    assert list(fake.responses.responses) == [run.id]


async def test_a_response_lost_after_creation_is_not_started_twice(
    fake, resilient, conversation_id
):
    fake.inject("fail_after_create", method="POST", path=r"^/responses$")
    with pytest.raises(RunActive) as caught:
        await resilient.start_run(conversation_id)
    # The resend met the lock held by the first attempt's response: say so plainly.
    assert "probably started just now" in caught.value.user_message
    assert fake.count("POST", RESPONSES) == 2
    assert len(fake.responses.responses) == 1


async def test_a_responses_own_items_page_like_any_list(
    fake, fake_clock, conversations, conversation_id
):
    run = await conversations.start_run(conversation_id)
    fake_clock.advance(5)
    await conversations.get_run(conversation_id, run.id)  # completed: one message
    record = fake.responses.responses[run.id]
    thinking = {"id": "rs_1", "type": "reasoning", "summary": []}
    call = {"id": "fc_1", "type": "function_call", "call_id": "c", "name": "f", "arguments": "{}"}
    record.obj["output"] = [thinking, call, *record.obj["output"]]
    ids = [item["id"] for item in record.obj["output"]]

    async def page(**cursor):
        got = await conversations.list_messages(conversation_id, run_id=run.id, limit=2, **cursor)
        return [m.id for m in got.items], got.has_more

    assert await page(order="asc") == (ids[:2], True)
    assert await page(order="asc", after=ids[1]) == (ids[2:], False)
    assert await page(order="desc") == (ids[:0:-1], True)
    assert await page(order="asc", before=ids[2]) == (ids[:2], False)
    other = await conversations.create_thread()
    with pytest.raises(BadRequest) as caught:
        await conversations.list_messages(other.id, run_id=run.id)
    assert caught.value.user_message.startswith(f"{run.id} answered in {conversation_id}")
