"""Run timelines on a ManualClock: each outcome, the lock, cancel, tool outputs."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}}},
    },
}


@pytest.fixture
async def bot(fake_client):
    return await fake_client.beta.assistants.create(model="gpt-4o-mini", name="Support Bot")


@pytest.fixture
async def thread(fake_client):
    thread = await fake_client.beta.threads.create()
    await fake_client.beta.threads.messages.create(thread.id, role="user", content="What is 6 * 7?")
    return thread


async def _retrieve(client, thread, run):
    return await client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)


async def test_default_run_goes_queued_in_progress_completed(fake_client, fake_clock, bot, thread):
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    assert run.status == "queued" and run.usage is None and run.started_at is None
    assert run.expires_at == run.created_at + 600
    fake_clock.advance(0.5)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "in_progress" and run.started_at is not None
    fake_clock.advance(1.5)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "completed"
    assert run.completed_at == int(fake_clock.now())
    assert run.usage.total_tokens == run.usage.prompt_tokens + run.usage.completion_tokens > 0
    assert run.expires_at is None
    page = await fake_client.beta.threads.messages.list(thread.id)
    reply = page.data[0]
    assert (reply.role, reply.assistant_id, reply.run_id) == ("assistant", bot.id, run.id)
    assert reply.created_at == run.completed_at
    assert "6 * 7 = 42" in reply.content[0].text.value


async def test_poll_after_header_follows_status(fake, fake_client, fake_clock, bot, thread):
    raw = await fake_client.beta.threads.runs.with_raw_response.create(
        thread.id, assistant_id=bot.id
    )
    assert raw.headers["openai-poll-after-ms"] == "1000"
    run = raw.parse()
    fake_clock.advance(1)
    raw = await fake_client.beta.threads.runs.with_raw_response.retrieve(
        run.id, thread_id=thread.id
    )
    assert raw.headers["openai-poll-after-ms"] == "500"
    fake_clock.advance(5)
    raw = await fake_client.beta.threads.runs.with_raw_response.retrieve(
        run.id, thread_id=thread.id
    )
    assert "openai-poll-after-ms" not in raw.headers


async def test_thread_lock_while_a_run_is_active(fake_client, fake_clock, bot, thread):
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.beta.threads.messages.create(thread.id, role="user", content="more")
    assert caught.value.body == {
        "message": f"Can't add messages to {thread.id} while a run {run.id} is active.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    assert caught.value.body["message"] == f"Thread {thread.id} already has an active run {run.id}."
    fake_clock.advance(2)
    await fake_client.beta.threads.messages.create(thread.id, role="user", content="more")
