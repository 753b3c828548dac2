"""Every request the SDK makes and every body the fake answers, checked against the spec."""

from __future__ import annotations

import openai
import pytest

from tests.fakeapi.spec import check_traffic
from threadtui.fakeapi import RunPlan

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

WEATHER_TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object"}},
}


async def test_assistants_traffic_matches_the_openapi_spec(fake, fake_client, fake_clock):
    c = fake_client.beta
    bot = await c.assistants.create(
        model="gpt-4o-mini", name="Support Bot", tools=[{"type": "code_interpreter"}]
    )
    weather = await c.assistants.create(model="gpt-4o", name="Weather Bot", tools=[WEATHER_TOOL])
    await c.assistants.list(limit=2, order="asc")
    await c.assistants.update(bot.id, metadata={"team": "support"})
    await c.assistants.retrieve(bot.id)
    thread = await c.threads.create(
        messages=[{"role": "user", "content": "Hello 2 + 2"}], metadata={"title": "x"}
    )
    await c.threads.update(thread.id, metadata={"title": "y"})
    msg = await c.threads.messages.create(
        thread.id,
        role="user",
        content=[
            {"type": "text", "text": "look"},
            {"type": "image_file", "image_file": {"file_id": "file-abc"}},
        ],
    )
    await c.threads.messages.update(msg.id, thread_id=thread.id, metadata={"a": "b"})
    fake.script_runs(
        thread.id,
        [
            RunPlan(
                tool_steps=[
                    {
                        "type": "code_interpreter",
                        "code_interpreter": {
                            "input": "2+2",
                            "outputs": [{"type": "logs", "logs": "4"}],
                        },
                    }
                ]
            ),
            RunPlan(outcome="failed"),
            RunPlan(outcome="incomplete"),
        ],
    )
    for _ in range(3):
        run = await c.threads.runs.create(thread.id, assistant_id=bot.id, metadata={"n": "1"})
        fake_clock.advance(3)
        await c.threads.runs.retrieve(run.id, thread_id=thread.id)
        await c.threads.runs.steps.list(run.id, thread_id=thread.id)
    steps = await c.threads.runs.steps.list(run.id, thread_id=thread.id)
    if steps.data:
        await c.threads.runs.steps.retrieve(steps.data[0].id, thread_id=thread.id, run_id=run.id)
    run = await c.threads.runs.create(thread.id, assistant_id=weather.id)
    fake_clock.advance(3)
    run = await c.threads.runs.retrieve(run.id, thread_id=thread.id)
    call = run.required_action.submit_tool_outputs.tool_calls[0]
    await c.threads.runs.submit_tool_outputs(
        run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}]
    )
    await c.threads.runs.cancel(run.id, thread_id=thread.id)
    fake_clock.advance(3)
    await c.threads.runs.update(run.id, thread_id=thread.id, metadata={"k": "v"})
    await c.threads.runs.list(thread.id, limit=10, order="asc")
    page = await c.threads.messages.list(thread.id, limit=3, order="asc")
    await c.threads.messages.list(thread.id, after=page.last_id, run_id=run.id)
    await c.threads.messages.list(thread.id, before=page.last_id)
    await c.threads.messages.retrieve(msg.id, thread_id=thread.id)
    await c.threads.messages.delete(msg.id, thread_id=thread.id)
    await c.threads.create_and_run(
        assistant_id=bot.id, thread={"messages": [{"role": "user", "content": "hi"}]}
    )
    with pytest.raises(openai.NotFoundError):
        await c.threads.retrieve("thread_missing")
    with pytest.raises(openai.BadRequestError):
        await c.threads.messages.list(thread.id, limit=500)
    await c.threads.delete(thread.id)
    await c.assistants.delete(weather.id)
    assert check_traffic(fake.requests) >= 35
