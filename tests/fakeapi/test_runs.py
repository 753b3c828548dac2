"""Run timelines on a ManualClock: each outcome, the lock, cancel, tool outputs."""

from __future__ import annotations

import openai
import pytest

from threadtui.fakeapi import RunPlan

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


async def _run_to_end(client, clock, thread, run, step: float = 1.0, limit: int = 1000):
    for _ in range(limit):
        run = await _retrieve(client, thread, run)
        if run.status not in ("queued", "in_progress", "cancelling"):
            return run
        clock.advance(step)
    raise AssertionError(f"run stuck in {run.status}")


async def test_failed_run_carries_last_error(fake, fake_client, fake_clock, bot, thread):
    fake.script_runs(thread.id, [RunPlan(outcome="failed", error_code="rate_limit_exceeded")])
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    run = await _run_to_end(fake_client, fake_clock, thread, run)
    assert run.status == "failed"
    assert run.last_error.code == "rate_limit_exceeded"
    assert "quota" in run.last_error.message
    assert run.failed_at is not None and run.completed_at is None and run.usage is not None
    page = await fake_client.beta.threads.messages.list(thread.id)
    assert [m.role for m in page.data] == ["user"]  # no reply from a failed run


async def test_incomplete_run_leaves_a_partial_message(fake, fake_client, fake_clock, bot, thread):
    fake.script_runs(
        thread.id, [RunPlan(outcome="incomplete", reply="one two three four five six")]
    )
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    run = await _run_to_end(fake_client, fake_clock, thread, run)
    assert run.status == "incomplete"
    assert run.incomplete_details.reason == "max_completion_tokens"
    reply = (await fake_client.beta.threads.messages.list(thread.id)).data[0]
    assert reply.status == "incomplete" and reply.incomplete_details.reason == "max_tokens"
    partial = reply.content[0].text.value
    assert partial and "one two three four five six".startswith(partial) and len(partial) < 27
    assert reply.incomplete_at is not None


async def test_expired_run_waits_until_expires_at(fake, fake_client, fake_clock, bot, thread):
    fake.script_runs(assistant_id=bot.id, outcomes=[RunPlan(outcome="expired", expires_after=60)])
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    fake_clock.advance(59)
    assert (await _retrieve(fake_client, thread, run)).status == "in_progress"
    fake_clock.advance(1)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "expired" and run.expires_at == run.created_at + 60


async def test_scripted_plans_are_used_in_order(fake, fake_client, fake_clock, bot, thread):
    fake.script_runs(outcomes=[RunPlan(reply="first"), RunPlan(reply="second")])
    for expected in ("first", "second"):
        run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
        await _run_to_end(fake_client, fake_clock, thread, run)
        newest = (await fake_client.beta.threads.messages.list(thread.id, limit=1)).data[0]
        assert newest.content[0].text.value == expected
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    await _run_to_end(fake_client, fake_clock, thread, run)
    newest = (await fake_client.beta.threads.messages.list(thread.id, limit=1)).data[0]
    assert "Support Bot here" in newest.content[0].text.value  # back to the demo assistant


async def test_requires_action_then_tool_outputs_then_completed(fake_client, fake_clock):
    weather = await fake_client.beta.assistants.create(
        model="gpt-4o", name="Weather Bot", tools=[WEATHER_TOOL]
    )
    thread = await fake_client.beta.threads.create(
        messages=[{"role": "user", "content": "What's the weather in Lisbon today?"}]
    )
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=weather.id)
    run = await _run_to_end(fake_client, fake_clock, thread, run)
    assert run.status == "requires_action"
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert call.id.startswith("call_") and call.function.name == "get_weather"
    assert '"location": "Lisbon"' in call.function.arguments
    fake_clock.advance(300)  # still waiting, well before expires_at
    run = await fake_client.beta.threads.runs.submit_tool_outputs(
        run.id,
        thread_id=thread.id,
        tool_outputs=[{"tool_call_id": call.id, "output": "21°C, sunny"}],
    )
    assert run.status == "queued" and run.required_action is None
    run = await _run_to_end(fake_client, fake_clock, thread, run, step=0.5)
    assert run.status == "completed"
    reply = (await fake_client.beta.threads.messages.list(thread.id, limit=1)).data[0]
    assert "21°C, sunny" in reply.content[0].text.value
    steps = (
        await fake_client.beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc")
    ).data
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    assert steps[0].step_details.tool_calls[0].function.output == "21°C, sunny"
    assert steps[1].step_details.message_creation.message_id == reply.id


async def test_requires_action_expires_without_outputs(fake_client, fake_clock):
    weather = await fake_client.beta.assistants.create(
        model="gpt-4o", name="Weather Bot", tools=[WEATHER_TOOL]
    )
    thread = await fake_client.beta.threads.create(
        messages=[{"role": "user", "content": "Weather in Oslo?"}]
    )
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=weather.id)
    fake_clock.advance(599)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "requires_action"
    fake_clock.advance(1)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "expired" and run.required_action is None
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_x", "output": "x"}]
        )
    assert caught.value.body["message"] == 'Runs in status "expired" do not accept tool outputs.'
    steps = (await fake_client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)).data
    assert steps[0].status == "expired"


async def test_submit_tool_outputs_to_a_queued_run_is_a_400(fake_client, bot, thread):
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.beta.threads.runs.submit_tool_outputs(
            run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": "call_x", "output": "x"}]
        )
    assert caught.value.body["message"] == 'Runs in status "queued" do not accept tool outputs.'


async def test_cancel_goes_cancelling_then_cancelled(fake_client, fake_clock, bot, thread):
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    fake_clock.advance(0.6)
    run = await fake_client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert run.status == "cancelling"
    with pytest.raises(openai.BadRequestError):  # still holds the thread lock
        await fake_client.beta.threads.messages.create(thread.id, role="user", content="x")
    fake_clock.advance(0.5)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "cancelled" and run.cancelled_at is not None
    assert [m.role for m in (await fake_client.beta.threads.messages.list(thread.id)).data] == [
        "user"
    ]


async def test_cancel_race_won_by_the_run(fake_client, fake_clock, bot, thread):
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    fake_clock.advance(1.8)  # completion is due at 2.0, before a cancel could land (2.3)
    run = await fake_client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert run.status == "cancelling"
    fake_clock.advance(0.5)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "completed"
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    assert caught.value.body["message"] == "Cannot cancel run with status 'completed'."


async def test_cancel_a_run_waiting_for_tool_outputs(fake_client, fake_clock):
    weather = await fake_client.beta.assistants.create(
        model="gpt-4o", name="Weather Bot", tools=[WEATHER_TOOL]
    )
    thread = await fake_client.beta.threads.create(
        messages=[{"role": "user", "content": "Weather in Rome?"}]
    )
    run = await fake_client.beta.threads.runs.create(thread.id, assistant_id=weather.id)
    fake_clock.advance(5)
    run = await fake_client.beta.threads.runs.cancel(run.id, thread_id=thread.id)
    fake_clock.advance(1)
    run = await _retrieve(fake_client, thread, run)
    assert run.status == "cancelled"
    steps = (await fake_client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)).data
    assert steps[0].status == "cancelled"


async def test_unknown_run_and_assistant_404(fake_client, thread):
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.beta.threads.runs.retrieve("run_nope", thread_id=thread.id)
    assert caught.value.body["message"] == "No run found with id 'run_nope'."
    with pytest.raises(openai.NotFoundError) as caught:
        await fake_client.beta.threads.runs.create(thread.id, assistant_id="asst_nope")
    assert caught.value.body["message"] == "No assistant found with id 'asst_nope'."


async def test_messages_filtered_by_run_id(fake_client, fake_clock, bot, thread):
    first = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    await _run_to_end(fake_client, fake_clock, thread, first)
    await fake_client.beta.threads.messages.create(thread.id, role="user", content="again")
    second = await fake_client.beta.threads.runs.create(thread.id, assistant_id=bot.id)
    await _run_to_end(fake_client, fake_clock, thread, second)
    page = await fake_client.beta.threads.messages.list(thread.id, run_id=second.id)
    assert [m.run_id for m in page.data] == [second.id]
    runs = await fake_client.beta.threads.runs.list(thread.id)
    assert [r.id for r in runs.data] == [second.id, first.id]


async def test_run_metadata_and_create_thread_and_run(fake_client, fake_clock, bot):
    run = await fake_client.beta.threads.create_and_run(
        assistant_id=bot.id,
        thread={"messages": [{"role": "user", "content": "hello"}], "metadata": {"title": "T"}},
        metadata={"k": "v"},
    )
    assert run.metadata == {"k": "v"}
    thread = await fake_client.beta.threads.retrieve(run.thread_id)
    assert thread.metadata == {"title": "T"}
    updated = await fake_client.beta.threads.runs.update(
        run.id, thread_id=thread.id, metadata={"k": "w"}
    )
    assert updated.metadata == {"k": "w"}


async def test_poll_after_hint_is_scriptable(fake, fake_client, fake_clock, bot, thread):
    fake.poll_after_ms["queued"] = 2500
    raw = await fake_client.beta.threads.runs.with_raw_response.create(
        thread.id, assistant_id=bot.id
    )
    assert raw.headers["openai-poll-after-ms"] == "2500"
    fake_clock.advance(3)
    fake.script_runs(thread.id, [RunPlan(poll_after_ms=42)])
    raw = await fake_client.beta.threads.runs.with_raw_response.create(
        thread.id, assistant_id=bot.id
    )
    assert raw.headers["openai-poll-after-ms"] == "42"
