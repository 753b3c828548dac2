"""serve() on 127.0.0.1 with a real SDK client over real sockets."""

from __future__ import annotations

import openai
import pytest

from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.server import serve, serve_in_thread

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def served():
    fake = FakeAPI(seed=1)
    handle, thread = serve_in_thread(fake=fake)
    yield handle
    handle.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()


async def test_sdk_over_loopback(served):
    assert served.base_url.startswith("http://127.0.0.1:") and served.port > 0
    client = openai.AsyncOpenAI(api_key="sk-fake", base_url=served.base_url, max_retries=0)
    try:
        assistants = (await client.beta.assistants.list()).data
        assert "Support Bot" in {a.name for a in assistants}
        thread = await client.beta.threads.create(messages=[{"role": "user", "content": "hello"}])
        page = await client.beta.threads.messages.list(thread.id)
        assert page.data[0].content[0].text.value == "hello"
        with pytest.raises(openai.NotFoundError) as caught:
            await client.beta.threads.retrieve("thread_gone")
        assert caught.value.body["message"] == "No thread found with id 'thread_gone'."
        served.fake.inject("drop")
        with pytest.raises(openai.APIConnectionError):
            await client.beta.threads.retrieve(thread.id)
        assert (await client.beta.threads.retrieve(thread.id)).id == thread.id  # new connection
        assert served.fake.count("POST", "/threads") == 1
    finally:
        await client.close()


def test_sync_client_and_keep_alive(served):
    with openai.OpenAI(api_key="sk-fake", base_url=served.base_url, max_retries=0) as client:
        thread = client.beta.threads.create()
        for n in range(5):
            client.beta.threads.messages.create(thread.id, role="user", content=f"m{n}")
        assert [
            m.content[0].text.value
            for m in client.beta.threads.messages.list(thread.id, order="asc")
        ] == [f"m{n}" for n in range(5)]


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "example.com", "::"])
def test_refuses_hosts_that_are_not_loopback(host):
    with pytest.raises(ValueError, match="loopback"):
        serve(host=host, port=0)
