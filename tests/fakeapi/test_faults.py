"""Injected faults as the real openai SDK sees them (its retries included)."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MESSAGES = "/threads/{id}/messages"


@pytest.fixture
async def thread(fake_client):
    return await fake_client.beta.threads.create()


@pytest.fixture
def no_retry(fake_client):
    return fake_client.with_options(max_retries=0)


async def _messages(fake):
    return [m for t in fake.store.threads.values() for m in t.messages]


async def test_429_with_retry_after_is_retried_then_succeeds(fake, fake_client, thread):
    fake.inject("429", method="POST", path=r"/messages$", retry_after=0.01)
    msg = await fake_client.beta.threads.messages.create(thread.id, role="user", content="hi")
    assert msg.content[0].text.value == "hi"
    posts = fake.requests.matching("POST", MESSAGES)
    assert [p.status for p in posts] == [429, 200]
    limited = posts[0]
    assert limited.headers["retry-after"] == "0.01"
    assert limited.headers["x-ratelimit-remaining-requests"] == "0"
    assert {
        "x-ratelimit-limit-requests",
        "x-ratelimit-reset-requests",
        "x-ratelimit-reset-tokens",
    } <= set(limited.headers)
    assert posts[1].request_headers["x-stainless-retry-count"] == "1"
    assert len(await _messages(fake)) == 1


async def test_429_body_when_retries_run_out(fake, no_retry, thread):
    fake.inject("429", retry_after=3)
    with pytest.raises(openai.RateLimitError) as caught:
        await no_retry.beta.threads.retrieve(thread.id)
    body = caught.value.body
    assert (body["type"], body["code"]) == ("rate_limit_error", "rate_limit_exceeded")
    assert "Please try again in 3s" in body["message"]
    assert caught.value.response.headers["retry-after"] == "3"


@pytest.mark.parametrize(
    ("kind", "error", "message"),
    [
        (
            "500",
            openai.InternalServerError,
            "The server had an error while processing your request. Sorry about that!",
        ),
        (
            "503",
            openai.InternalServerError,
            "The engine is currently overloaded, please try again later.",
        ),
    ],
)
async def test_server_errors(fake, fake_client, no_retry, thread, kind, error, message):
    fake.inject(kind, path="^/threads/[^/]+$")
    with pytest.raises(error) as caught:
        await no_retry.beta.threads.retrieve(thread.id)
    assert caught.value.status_code == int(kind)
    assert caught.value.body == {
        "message": message,
        "type": "server_error",
        "param": None,
        "code": None,
    }
    # With retries the SDK gets through: two failures, then the thread.
    fake.inject(kind, path="^/threads/[^/]+$", times=2, retry_after=0.01)
    fake.requests.clear()
    assert (await fake_client.beta.threads.retrieve(thread.id)).id == thread.id
    assert [r.status for r in fake.requests] == [int(kind), int(kind), 200]


async def test_401_masks_the_key(fake, no_retry, thread):
    fake.inject("401")
    with pytest.raises(openai.AuthenticationError) as caught:
        await no_retry.beta.threads.retrieve(thread.id)
    body = caught.value.body
    assert (body["type"], body["code"]) == ("authentication_error", "invalid_api_key")
    assert body["message"].startswith("Incorrect API key provided: ")
    assert "sk-fake-test-key-0000" not in body["message"]
    assert "platform.openai.com/account/api-keys" in body["message"]


async def test_403_and_injected_404(fake, no_retry, thread):
    fake.inject("403")
    with pytest.raises(openai.PermissionDeniedError) as caught:
        await no_retry.beta.threads.retrieve(thread.id)
    assert "insufficient permissions" in caught.value.body["message"]
    fake.inject("404")
    with pytest.raises(openai.NotFoundError) as caught:
        await no_retry.beta.threads.messages.list(thread.id)
    assert caught.value.body["message"] == f"No thread found with id '{thread.id}'."
    assert (await no_retry.beta.threads.retrieve(thread.id)).id == thread.id  # faults used up


async def test_timeout_and_drop_reach_the_sdk_as_network_errors(fake, no_retry, thread):
    fake.inject("timeout")
    with pytest.raises(openai.APITimeoutError):
        await no_retry.beta.threads.messages.create(thread.id, role="user", content="lost")
    fake.inject("drop")
    with pytest.raises(openai.APIConnectionError):
        await no_retry.beta.threads.messages.create(thread.id, role="user", content="lost")
    assert await _messages(fake) == []  # neither request took effect
    assert [(r.status, r.fault) for r in fake.requests[-2:]] == [(None, "timeout"), (None, "drop")]


async def test_fail_after_create_leaves_the_message_created(fake, no_retry, thread):
    fake.inject("fail_after_create", method="POST", path=r"/messages$")
    with pytest.raises(openai.APITimeoutError):
        await no_retry.beta.threads.messages.create(
            thread.id, role="user", content="once", metadata={"nonce": "n1"}
        )
    (created,) = await _messages(fake)
    assert created["metadata"] == {"nonce": "n1"}


async def test_fail_after_create_with_sdk_retries_duplicates_the_message(fake, fake_client, thread):
    # The very bug the API layer must guard against: a retried POST lands twice.
    fake.inject("fail_after_create", method="POST", path=r"/messages$")
    await fake_client.beta.threads.messages.create(thread.id, role="user", content="twice")
    assert [m["content"][0]["text"]["value"] for m in await _messages(fake)] == ["twice", "twice"]
    assert fake.count("POST", MESSAGES) == 2


async def test_faults_match_method_and_path_and_can_persist(fake, no_retry, thread):
    fault = fake.inject("500", method="POST", path=r"/messages$", times=None)
    assert (await no_retry.beta.threads.retrieve(thread.id)).id == thread.id
    for _ in range(3):
        with pytest.raises(openai.InternalServerError):
            await no_retry.beta.threads.messages.create(thread.id, role="user", content="x")
    assert fault.remaining is None
    fake.clear_faults()
    await no_retry.beta.threads.messages.create(thread.id, role="user", content="x")


async def test_unknown_fault_kind_is_refused(fake):
    with pytest.raises(ValueError, match="unknown fault kind"):
        fake.inject("418")


async def test_latency_is_settable(fake, fake_client, thread):
    fake.latency = 0.001
    assert (await fake_client.beta.threads.retrieve(thread.id)).id == thread.id


async def test_request_log_counts_and_clears(fake, fake_client, thread):
    await fake_client.beta.threads.messages.list(thread.id, limit=5, order="asc")
    (entry,) = fake.requests.matching("GET", MESSAGES)
    assert entry.query == {"limit": "5", "order": "asc"}
    assert entry.route == "/threads/{thread_id}/messages" and entry.status == 200
    assert fake.count(regex=r"^/threads") == 2
    assert "authorization" not in entry.request_headers
    fake.requests.clear()
    assert fake.count() == 0


async def test_retired_api_answers_invalid_url(fake, no_retry, thread):
    fake.retired = True
    with pytest.raises(openai.NotFoundError) as caught:
        await no_retry.beta.assistants.list(limit=1)
    assert caught.value.body == {
        "message": "Invalid URL (GET /v1/assistants)",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
    with pytest.raises(openai.NotFoundError) as caught:
        await no_retry.beta.threads.delete(thread.id)
    assert caught.value.body["message"] == f"Invalid URL (DELETE /v1/threads/{thread.id})"
    fake.retired = False
    assert (await no_retry.beta.threads.retrieve(thread.id)).id == thread.id  # data kept
