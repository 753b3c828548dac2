"""Every failure DESIGN.md lists reaches the caller as its domain error, with a useful sentence."""

from __future__ import annotations

import pytest

from threadtui.api.errors import (
    ApiRetired,
    AuthFailed,
    BadRequest,
    NetworkDown,
    NotFound,
    RateLimited,
    RunActive,
    ServerError,
    WrongProject,
)
from threadtui.api.sdk_errors import request_id
from threadtui.fakeapi import RunPlan

from .conftest import API_KEY


@pytest.fixture
async def thread_id(backend) -> str:
    return (await backend.create_thread([("user", "hello")])).id


async def test_unknown_thread_is_not_found_and_named(backend) -> None:
    with pytest.raises(NotFound) as caught:
        await backend.list_messages("thread_doesnotexist")
    error = caught.value
    assert error.object_id == "thread_doesnotexist"
    assert error.user_message.startswith("thread_doesnotexist was not found:")
    assert "check the profile's key/project" in error.user_message


@pytest.mark.parametrize(
    ("kind", "error_type", "says"),
    [
        ("403", WrongProject, "another organization or project"),
        ("401", AuthFailed, "api_key_env"),
        ("500", ServerError, "HTTP 500"),
        ("503", ServerError, "HTTP 503"),
        ("timeout", NetworkDown, "did not answer in time"),
        ("drop", NetworkDown, "Could not reach fake.local"),
        ("404", NotFound, "was not found"),
    ],
)
async def test_injected_failures_become_domain_errors(
    fake, backend, thread_id, kind, error_type, says
) -> None:
    fake.inject(kind, method="GET", path=r"^/threads/[^/]+$")
    with pytest.raises(error_type) as caught:
        await backend.retrieve_thread(thread_id)
    assert says in caught.value.user_message
    assert API_KEY not in caught.value.user_message
    assert API_KEY[:12] not in str(caught.value)


async def test_rate_limit_carries_retry_after(fake, backend, thread_id) -> None:
    fake.inject("429", method="GET", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        await backend.retrieve_thread(thread_id)
    assert caught.value.retry_after == 7
    assert "try again in 7.0 s" in caught.value.user_message


async def test_adding_to_a_locked_thread_is_run_active(fake, backend, thread_id, assistant) -> None:
    fake.script_runs(outcomes=[RunPlan(finish_after=30)])
    run = await backend.start_run(thread_id, assistant_id=assistant["id"])
    with pytest.raises(RunActive) as caught:
        await backend.add_message(thread_id, "are you there?")
    assert caught.value.run_id == run.id
    assert f"{thread_id} is busy with run {run.id}" in caught.value.user_message
    with pytest.raises(RunActive) as caught:
        await backend.start_run(thread_id, assistant_id=assistant["id"])
    assert caught.value.run_id == run.id


async def test_other_bad_requests_pass_the_servers_sentence_on(backend, thread_id) -> None:
    too_many = {f"k{n}": "v" for n in range(17)}
    with pytest.raises(BadRequest) as caught:
        await backend.update_metadata(thread_id, too_many)
    assert "at most 16 properties" in caught.value.user_message


async def test_retired_api_is_reported_by_probe_and_by_any_call(fake, backend, thread_id) -> None:
    fake.retired = True
    with pytest.raises(ApiRetired) as caught:
        await backend.probe()
    assert "no longer offers the Assistants API" in caught.value.user_message
    # Not "thread not found": a retired server must not make threads look deleted.
    with pytest.raises(ApiRetired):
        await backend.retrieve_thread(thread_id)


async def test_missing_key_is_auth_failed_before_anything_is_sent(
    fake, open_backend, monkeypatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    backend = open_backend(api_key=None)
    with pytest.raises(AuthFailed):
        await backend.retrieve_thread("thread_abc")
    assert fake.count() == 0


async def test_a_locked_conversation_is_run_active_too(fake_client) -> None:
    """sdk_errors is shared with the Conversations backend: its lock is the same error."""
    import openai

    from threadtui.api.sdk_errors import domain_error

    conv = await fake_client.conversations.create(items=[{"role": "user", "content": "hi"}])
    await fake_client.responses.create(
        model="gpt-4o-mini", conversation=conv.id, input="12 * 12?", background=True
    )
    with pytest.raises(openai.BadRequestError) as caught:
        await fake_client.conversations.items.create(
            conv.id, items=[{"role": "user", "content": "more"}]
        )
    error = domain_error(caught.value, object_id=conv.id)
    assert isinstance(error, RunActive)
    assert error.user_message.startswith(f"{conv.id} is busy with a response:")


def test_a_request_id_is_passed_on_only_when_it_looks_like_one() -> None:
    assert request_id("req_0123456789abcdef0123456789abcdef") == (
        "req_0123456789abcdef0123456789abcdef"
    )
    for not_an_id in ("req_1\x1b]52;c;cm0=\x07", "req 1", "r" * 101, "", None):
        assert request_id(not_an_id) is None
