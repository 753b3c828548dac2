"""The Assistants backend against the fake API through the real SDK: reading and changing."""

from __future__ import annotations

import warnings

import pytest

from threadtui.api import open_backend as open_backend_for
from threadtui.api.assistants import AssistantsBackend
from threadtui.api.errors import NotFound
from threadtui.fakeapi import RunPlan
from threadtui.fakeapi.store import text_part


@pytest.fixture
async def long_thread(fake, fake_clock, backend):
    """A thread of 250 messages, msg 0 oldest, filled straight into the fake's store."""
    info = await backend.create_thread()
    thread = fake.store.threads[info.id]
    start = int(fake_clock.now())
    ids = [
        fake.store.add_message(
            thread, role="user", content=[text_part(f"message {n}")], created_at=start + n
        )["id"]
        for n in range(250)
    ]
    return info.id, ids


async def _walk(backend, thread_id, *, order, cursor, start=None):
    """Every message id from `start` on, 100 a page, moving the cursor `after` or `before`."""
    seen: list[str] = []
    pages = 0
    position = start
    while True:
        page = await backend.list_messages(
            thread_id, limit=100, order=order, **({cursor: position} if position else {})
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


async def test_250_messages_page_in_both_orders_with_after(backend, long_thread) -> None:
    thread_id, ids = long_thread
    newest_first, pages = await _walk(backend, thread_id, order="desc", cursor="after")
    assert newest_first == ids[::-1] and pages == 3
    oldest_first, pages = await _walk(backend, thread_id, order="asc", cursor="after")
    assert oldest_first == ids and pages == 3


async def test_250_messages_page_in_both_orders_with_before(backend, long_thread) -> None:
    thread_id, ids = long_thread
    # From the last item of each order, walk back to the first with `before`.
    newest_first, pages = await _walk(
        backend, thread_id, order="desc", cursor="before", start=ids[0]
    )
    assert newest_first == ids[1:][::-1] and pages == 3
    oldest_first, pages = await _walk(
        backend, thread_id, order="asc", cursor="before", start=ids[-1]
    )
    assert oldest_first == ids[:-1] and pages == 3


async def test_messages_keep_every_part_kind(fake, fake_clock, backend) -> None:
    info = await backend.create_thread([("user", "What's in the report?")])
    thread = fake.store.threads[info.id]
    content = [
        text_part(
            "See 【4:0†report.pdf】 and the chart sandbox:/mnt/data/chart.png.",
            [
                {
                    "type": "file_citation",
                    "text": "【4:0†report.pdf】",
                    "file_citation": {"file_id": "file-report"},
                    "start_index": 4,
                    "end_index": 20,
                },
                {
                    "type": "file_path",
                    "text": "sandbox:/mnt/data/chart.png",
                    "file_path": {"file_id": "file-chart"},
                    "start_index": 35,
                    "end_index": 62,
                },
            ],
        ),
        {"type": "image_file", "image_file": {"file_id": "file-img", "detail": "auto"}},
        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        {"type": "refusal", "refusal": "I can't help with that."},
        {"type": "hologram", "hologram": {"id": "h1"}},
    ]
    fake.store.add_message(
        thread,
        role="assistant",
        content=content,
        created_at=int(fake_clock.now()),
        attachments=[{"file_id": "file-att", "tools": [{"type": "file_search"}]}],
        status="incomplete",
        incomplete_reason="max_tokens",
    )
    message = (await backend.list_messages(info.id, limit=1)).items[0]
    text, image_file, image_url, refusal, unknown = message.parts
    citation, path = text.annotations
    assert (citation.kind, citation.target, citation.text) == (
        "file_citation",
        "file-report",
        "【4:0†report.pdf】",
    )
    assert (citation.start, citation.end) == (4, 20)
    assert (path.kind, path.target) == ("file_path", "file-chart")
    assert (image_file.kind, image_file.ref) == ("image_file", "file-img")
    assert (image_url.kind, image_url.ref) == ("image_url", "https://example.com/a.png")
    assert refusal.kind == "refusal" and message.is_refusal
    assert unknown.kind == "hologram"
    assert message.attachments == ("file-att",)
    assert (message.status, message.incomplete_reason) == ("incomplete", "max_tokens")
    assert message.raw["content"][4] == {"type": "hologram", "hologram": {"id": "h1"}}


async def test_create_update_delete_then_not_found(backend) -> None:
    info = await backend.create_thread([("user", "hello")], metadata={"title": "Greeting"})
    assert info.id.startswith("thread_") and info.metadata == {"title": "Greeting"}
    updated = await backend.update_metadata(info.id, {"title": "Renamed", "tag": "a"})
    assert updated.metadata == {"title": "Renamed", "tag": "a"}
    assert (await backend.retrieve_thread(info.id)).metadata["title"] == "Renamed"
    await backend.delete_thread(info.id)
    with pytest.raises(NotFound) as caught:
        await backend.retrieve_thread(info.id)
    assert caught.value.object_id == info.id
    assert info.id in caught.value.user_message


async def test_run_with_tool_calls_steps_and_usage(fake, fake_clock, backend, assistant) -> None:
    fake.script_runs(
        outcomes=[
            RunPlan(
                outcome="requires_action",
                tool_calls=[{"name": "lookup_order", "arguments": {"order": 42}}],
                after_tool_outputs=RunPlan(reply="Order 42 ships tomorrow."),
            )
        ]
    )
    info = await backend.create_thread([("user", "Where is order 42?")])
    run = await backend.start_run(info.id, assistant_id=assistant["id"])
    assert run.status == "queued" and run.poll_after_ms == 1000 and run.expires_at
    fake_clock.advance(3)
    run = await backend.get_run(info.id, run.id)
    assert run.status == "requires_action"
    (call,) = run.tool_calls
    assert call.name == "lookup_order" and '"order": 42' in call.arguments
    run = await backend.submit_tool_outputs(info.id, run.id, {call.id: "ships tomorrow"})
    assert run.status == "queued"
    fake_clock.advance(3)
    run = await backend.get_run(info.id, run.id)
    assert run.status == "completed" and run.poll_after_ms is None
    assert run.usage and run.usage.total_tokens > 0
    steps = (await backend.list_run_steps(info.id, run.id)).items
    assert [s.type for s in steps] == ["tool_calls", "message_creation"]
    assert steps[0].details == ('function lookup_order({"order": 42}) -> ships tomorrow',)
    reply = (await backend.list_messages(info.id, run_id=run.id)).items
    assert [m.text for m in reply] == ["Order 42 ships tomorrow."]
    runs = (await backend.list_runs(info.id)).items
    assert [r.id for r in runs] == [run.id]


async def test_lists_assistants(backend, assistant) -> None:
    page = await backend.list_assistants()
    assert [(a.id, a.name, a.model) for a in page.items] == [
        (assistant["id"], "Support Bot", "gpt-4o-mini")
    ]
    assert page.items[0].raw["object"] == "assistant"


async def test_probe_passes_on_a_live_server(backend) -> None:
    await backend.probe()


async def test_sdk_deprecation_warning_is_silenced_for_our_calls_only(
    fake_client, backend, assistant
) -> None:
    info = await backend.create_thread([("user", "hi")])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await backend.list_messages(info.id)
        await backend.add_message(info.id, "more")
        run = await backend.start_run(info.id, assistant_id=assistant["id"])
        await backend.get_run(info.id, run.id)
        ours = [w for w in caught if "Assistants API is deprecated" in str(w.message)]
        await fake_client.beta.threads.retrieve(info.id)  # someone else's call still warns
    assert ours == []
    assert any("Assistants API is deprecated" in str(w.message) for w in caught)


async def test_open_backend_builds_an_assistants_backend_lazily(connect) -> None:
    backend = open_backend_for(connect())
    assert isinstance(backend, AssistantsBackend)
    await backend.aclose()


async def test_cancelling_twice_or_too_late_returns_the_run(
    fake, fake_clock, backend, assistant
) -> None:
    fake.script_runs(outcomes=[RunPlan(finish_after=30), RunPlan(finish_after=1)])
    info = await backend.create_thread([("user", "hi")])
    run = await backend.start_run(info.id, assistant_id=assistant["id"])
    assert (await backend.cancel_run(info.id, run.id)).status == "cancelling"
    assert (await backend.cancel_run(info.id, run.id)).status == "cancelling"
    fake_clock.advance(1)
    assert (await backend.cancel_run(info.id, run.id)).status == "cancelled"
    late = await backend.start_run(info.id, assistant_id=assistant["id"])
    fake_clock.advance(2)
    assert (await backend.cancel_run(info.id, late.id)).status == "completed"
