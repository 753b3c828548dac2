"""Writes land exactly once although the network fails, and retry-after is honoured.

The fake's `fail_after_create` creates the object and then lets the client time out: the
case where a naive retry adds the message twice.
"""

from __future__ import annotations

import pytest

from threadtui.api.assistants import NONCE_KEY
from threadtui.api.errors import NetworkDown, RateLimited, ServerError
from threadtui.fakeapi import RunPlan

MESSAGES = "/threads/{t}/messages"
RUNS = "/threads/{t}/runs"


@pytest.fixture
async def resilient(open_backend):
    """A backend with the default two retries."""
    return open_backend(max_retries=2)


@pytest.fixture
async def thread_id(resilient) -> str:
    return (await resilient.create_thread()).id


def stored_texts(fake, thread_id) -> list[str]:
    thread = fake.store.threads[thread_id]
    return [m["content"][0]["text"]["value"] for m in thread.messages]


async def test_a_post_failing_after_creation_leaves_exactly_one_message(
    fake, resilient, thread_id
) -> None:
    fake.inject("fail_after_create", method="POST", path=r"/messages$")
    message = await resilient.add_message(thread_id, "Refund my annual plan, please.")
    assert stored_texts(fake, thread_id) == ["Refund my annual plan, please."]
    assert fake.count("POST", MESSAGES) == 1  # it landed: found, not sent again
    assert message.id == fake.store.threads[thread_id].messages[0]["id"]
    assert message.text == "Refund my annual plan, please."


@pytest.mark.parametrize("kind", ["timeout", "drop", "500", "503"])
async def test_a_post_lost_before_creation_is_sent_again_once(
    fake, fake_clock, resilient, thread_id, kind
) -> None:
    fake.inject(kind, method="POST", path=r"/messages$")
    started = fake_clock.now()
    await resilient.add_message(thread_id, "hello")
    assert stored_texts(fake, thread_id) == ["hello"]
    assert fake.count("POST", MESSAGES) == 2
    assert fake.count("GET", MESSAGES) == 1  # looked before sending again
    assert fake_clock.now() - started == pytest.approx(0.5)  # backoff, on the injected clock


async def test_a_rate_limited_post_waits_retry_after_then_sends_once(
    fake, fake_clock, resilient, thread_id
) -> None:
    fake.inject("429", method="POST", path=r"/messages$", retry_after=0.25)
    started = fake_clock.now()
    await resilient.add_message(thread_id, "hello")
    assert stored_texts(fake, thread_id) == ["hello"]
    assert fake.count("POST", MESSAGES) == 2
    assert fake_clock.now() - started == pytest.approx(0.25)


async def test_a_post_that_never_gets_through_gives_up_after_the_retries(
    fake, resilient, thread_id
) -> None:
    fake.inject("timeout", method="POST", path=r"/messages$", times=None)
    with pytest.raises(NetworkDown):
        await resilient.add_message(thread_id, "hello")
    assert fake.count("POST", MESSAGES) == 3  # the first send and two more
    assert stored_texts(fake, thread_id) == []


async def test_when_looking_fails_too_the_message_is_not_sent_again(fake, open_backend) -> None:
    backend = open_backend(max_retries=1)
    thread_id = (await backend.create_thread()).id
    fake.inject("fail_after_create", method="POST", path=r"/messages$")
    fake.inject("503", method="GET", path=r"/messages$", times=None, retry_after=0.01)
    with pytest.raises(ServerError):
        await backend.add_message(thread_id, "hello")
    assert stored_texts(fake, thread_id) == ["hello"]
    assert fake.count("POST", MESSAGES) == 1


async def test_every_message_carries_its_own_nonce(fake, resilient, thread_id) -> None:
    await resilient.add_message(thread_id, "one")
    await resilient.add_message(thread_id, "one")  # the same text twice on purpose is kept
    nonces = [m["metadata"][NONCE_KEY] for m in fake.store.threads[thread_id].messages]
    assert len(nonces) == 2 and len(set(nonces)) == 2


async def test_a_run_start_failing_after_creation_returns_that_run(
    fake, resilient, thread_id, assistant
) -> None:
    fake.inject("fail_after_create", method="POST", path=r"/runs$")
    run = await resilient.start_run(thread_id, assistant_id=assistant["id"])
    runs = fake.store.threads[thread_id].runs
    assert [r.id for r in runs] == [run.id]
    assert fake.count("POST", RUNS) == 1


async def test_a_resent_run_start_meeting_its_own_run_returns_it(
    fake, open_backend, assistant
) -> None:
    backend = open_backend(max_retries=1)
    thread_id = (await backend.create_thread()).id
    fake.inject("fail_after_create", method="POST", path=r"/runs$")
    fake.inject("503", method="GET", path=r"/runs$", times=2, retry_after=0.01)
    run = await backend.start_run(thread_id, assistant_id=assistant["id"])
    # Looking failed, so it was sent again; the server refused a second active run, and
    # that active run carries our nonce: it is ours.
    assert fake.count("POST", RUNS) == 2
    assert [r.id for r in fake.store.threads[thread_id].runs] == [run.id]
    assert run.status in ("queued", "in_progress")


async def test_tool_outputs_failing_after_acceptance_are_not_sent_twice(
    fake, fake_clock, resilient, thread_id, assistant
) -> None:
    fake.script_runs(outcomes=[RunPlan(outcome="requires_action")])
    await resilient.add_message(thread_id, "Weather in Paris?")
    run = await resilient.start_run(thread_id, assistant_id=assistant["id"])
    fake_clock.advance(3)
    run = await resilient.get_run(thread_id, run.id)
    fake.inject("fail_after_create", method="POST", path=r"/submit_tool_outputs$")
    after = await resilient.submit_tool_outputs(thread_id, run.id, {run.tool_calls[0].id: "18 C"})
    assert after.status == "queued"
    assert fake.count("POST", RUNS + "/{r}/submit_tool_outputs") == 1


async def test_the_sdk_honours_retry_after_on_reads(fake, resilient, thread_id) -> None:
    fake.inject("429", method="GET", path=r"^/threads/[^/]+$", times=2, retry_after=0.05)
    info = await resilient.retrieve_thread(thread_id)
    assert info.id == thread_id
    assert fake.count("GET", "/threads/{t}") == 3


async def test_rate_limited_after_the_sdks_retries(fake, resilient, thread_id) -> None:
    fake.inject("429", method="GET", path=r"^/threads/[^/]+$", times=None, retry_after=0.05)
    with pytest.raises(RateLimited) as caught:
        await resilient.retrieve_thread(thread_id)
    assert caught.value.retry_after == 0.05
    assert fake.count("GET", "/threads/{t}") == 3
