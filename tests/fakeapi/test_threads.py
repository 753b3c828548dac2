"""Threads, messages and the thread lock, as the real openai SDK sees them."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


async def test_thread_create_retrieve_modify(fake_client):
    thread = await fake_client.beta.threads.create(metadata={"title": "Refund policy"})
    assert thread.id.startswith("thread_") and len(thread.id) == len("thread_") + 24
    got = await fake_client.beta.threads.retrieve(thread.id)
    assert got.metadata == {"title": "Refund policy"}
    changed = await fake_client.beta.threads.update(thread.id, metadata={"title": "Renamed"})
    assert changed.metadata == {"title": "Renamed"}


async def test_unknown_thread_is_a_404_with_the_real_body(fake_client):
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.beta.threads.retrieve("thread_doesNotExist")
    assert caught.value.body == {
        "message": "No thread found with id 'thread_doesNotExist'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


async def test_a_run_id_in_a_thread_slot_says_no_thread(fake_client):
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.beta.threads.messages.list("run_abc123")
    assert caught.value.body["message"] == "No thread found with id 'run_abc123'."


async def test_delete_thread_then_it_and_its_messages_404(fake_client):
    thread = await fake_client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    page = await fake_client.beta.threads.messages.list(thread.id)
    message_id = page.data[0].id
    deleted = await fake_client.beta.threads.delete(thread.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (thread.id, "thread.deleted", True)
    with pytest.raises(openai.NotFoundError):
        await fake_client.beta.threads.retrieve(thread.id)
    with pytest.raises(openai.NotFoundError):
        await fake_client.beta.threads.messages.retrieve(message_id, thread_id=thread.id)


async def test_message_create_keeps_metadata_and_content(fake_client):
    thread = await fake_client.beta.threads.create()
    msg = await fake_client.beta.threads.messages.create(
        thread.id, role="user", content="Hello there", metadata={"nonce": "n-1"}
    )
    assert msg.metadata == {"nonce": "n-1"}
    assert msg.content[0].text.value == "Hello there"
    assert msg.thread_id == thread.id and msg.run_id is None and msg.assistant_id is None
    again = await fake_client.beta.threads.messages.retrieve(msg.id, thread_id=thread.id)
    assert again == msg


async def test_unknown_message_404(fake_client):
    thread = await fake_client.beta.threads.create()
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.beta.threads.messages.retrieve("msg_nope", thread_id=thread.id)
    assert caught.value.body["message"] == "No message found with id 'msg_nope'."


async def test_missing_beta_header_is_refused(fake, fake_client):
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.get(
            "/assistants", cast_to=object, options={"headers": {"OpenAI-Beta": ""}}
        )
    assert caught.value.body["code"] == "invalid_beta"
    assert "OpenAI-Beta: assistants=v2" in caught.value.body["message"]


async def test_unknown_url_is_invalid_url(fake_client):
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.get("/threads", cast_to=object)
    assert caught.value.body["message"] == "Invalid URL (GET /v1/threads)"
