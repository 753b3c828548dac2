"""The seeded demo data: stable per seed, shaped like real use, valid against the spec."""

from __future__ import annotations

import itertools
import json

import openai
import pytest

from tests.fakeapi.spec import check_schema
from threadtui.clock import ManualClock
from threadtui.fakeapi import FakeAPI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def demo() -> FakeAPI:
    return FakeAPI(clock=ManualClock(), seed=1)


def _snapshot(fake: FakeAPI) -> str:
    threads = {
        tid: [t.obj, t.messages, [r.obj for r in t.runs], [r.steps for r in t.runs]]
        for tid, t in fake.store.threads.items()
    }
    return json.dumps(
        [fake.demo_threads(), list(fake.store.assistants.values()), threads], sort_keys=True
    )


def test_same_seed_same_data_other_seed_other_ids(demo):
    assert _snapshot(FakeAPI(clock=ManualClock(), seed=1)) == _snapshot(demo)
    other = FakeAPI(clock=ManualClock(), seed=2)
    assert {d["id"] for d in other.demo_threads()}.isdisjoint(
        {d["id"] for d in demo.demo_threads()}
    )
    assert FakeAPI(clock=ManualClock()).demo_threads() == []


def test_every_seeded_object_matches_the_spec(demo):
    for assistant in demo.store.assistants.values():
        check_schema("AssistantObject", assistant)
    for thread in demo.store.threads.values():
        check_schema("ThreadObject", thread.obj)
        for message in thread.messages[:200]:
            check_schema("MessageObject", message)
        for run in thread.runs[-20:]:
            check_schema("RunObject", run.obj)
            for step in run.steps:
                check_schema("RunStepObject", step)
    for conv in demo.responses.conversations.values():
        check_schema("ConversationResource", conv.obj)
        for item in conv.items:
            check_schema("ConversationItem", item)


def test_demo_threads_look_like_real_use(demo):
    listed = demo.demo_threads()
    now = demo.clock.now()
    assert {d["kind"] for d in listed} == {"thread", "conversation"}
    listed = [d for d in listed if d["kind"] == "thread"]
    assert 35 <= len(listed) <= 45
    ages = [now - d["created_at"] for d in listed]
    assert min(ages) < 3600 and max(ages) > 365 * 86400
    live = [demo.store.threads[d["id"]] for d in listed if d["id"] in demo.store.threads]
    assert len(listed) - len(live) == 1  # the gone one
    lengths = [len(t.messages) for t in live]
    assert max(lengths) >= 3000 and min(lengths) == 1
    assert sum(1 for t in live if "title" in t.obj["metadata"]) < len(live)
    for thread in live:
        roles = [m["role"] for m in thread.messages]
        assert all(a != b for a, b in itertools.pairwise(roles)), "user/assistant alternate"
        for m in thread.messages:
            if m["role"] == "assistant":
                run = thread.run_index[m["run_id"]]
                assert run.obj["assistant_id"] == m["assistant_id"] and run.obj["usage"] is not None


def _parts(demo, kind):
    return [
        p
        for t in demo.store.threads.values()
        for m in t.messages
        for p in m["content"]
        if p["type"] == kind
    ]


def test_rich_content_is_seeded(demo):
    texts = _parts(demo, "text")
    annotations = [a for p in texts for a in p["text"]["annotations"]]
    citation = next(a for a in annotations if a["type"] == "file_citation")
    value = next(p["text"]["value"] for p in texts if citation in p["text"]["annotations"])
    assert (
        value[citation["start_index"] : citation["end_index"]]
        == citation["text"]
        == "【4:0†source】"
    )
    assert citation["file_citation"]["file_id"].startswith("file-")
    assert any(a["type"] == "file_path" for a in annotations)
    assert _parts(demo, "image_file") and _parts(demo, "refusal")
    bodies = "\n".join(p["text"]["value"] for p in texts)
    for fence in ("```python", "```bash", "```json"):
        assert fence in bodies
    messages = [m for t in demo.store.threads.values() for m in t.messages]
    assert any(m["attachments"] for m in messages)
    assert any(m["status"] == "incomplete" for m in messages)
    steps = [s for t in demo.store.threads.values() for r in t.runs for s in r.steps]
    kinds = {
        c["type"]
        for s in steps
        if s["type"] == "tool_calls"
        for c in s["step_details"]["tool_calls"]
    }
    assert kinds == {"code_interpreter", "file_search", "function"}


async def test_seeded_special_threads_through_the_sdk():
    fake = FakeAPI(clock=ManualClock(), seed=1)
    client = openai.AsyncOpenAI(
        api_key="sk-fake",
        base_url=fake.base_url,
        http_client=openai.DefaultAsyncHttpxClient(transport=fake.transport()),
    )
    by_title = {d["title"]: d["id"] for d in fake.demo_threads()}
    with pytest.raises(openai.NotFoundError):
        await client.beta.threads.retrieve(by_title["Onboarding checklist (old)"])
    failed = (await client.beta.threads.runs.list(by_title["Batch job failed"], limit=1)).data[0]
    assert failed.status == "failed" and failed.last_error.code == "server_error"
    waiting = (
        await client.beta.threads.runs.list(by_title["Weather in Oslo tomorrow"], limit=1)
    ).data[0]
    assert waiting.status == "requires_action"
    call = waiting.required_action.submit_tool_outputs.tool_calls[0]
    assert call.function.name == "get_weather" and "Oslo" in call.function.arguments
    assistants = {a.name: a for a in (await client.beta.assistants.list()).data}
    assert {"Support Bot", "Geography Expert", "Code Helper", "Weather Bot"} <= set(assistants)
    assert assistants["Support Bot"].model == "gpt-4o-mini"
    assert any(t.type == "code_interpreter" for t in assistants["Code Helper"].tools)
    huge = by_title["Customer chat log (import)"]
    count = 0
    async for _ in client.beta.threads.messages.list(huge, limit=100):
        count += 1
    assert count == 3000
    await client.close()
