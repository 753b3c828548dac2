"""Metadata limits with the API's wording: 16 pairs, keys <= 64, values <= 512."""

from __future__ import annotations

import openai
import pytest

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize(
    ("metadata", "fragment"),
    [
        ({f"k{n}": "v" for n in range(17)}, "at most 16 properties, but got an object with 17"),
        ({"k" * 65: "v"}, "maximum length 64, but got a key with length 65"),
        ({"k": "v" * 513}, "maximum length 512, but got a string with length 513"),
        ({"k": 3}, "expected a string, but got an integer instead"),
    ],
)
async def test_metadata_over_the_limits_is_a_400_on_every_object(fake_client, metadata, fragment):
    thread = await fake_client.beta.threads.create()
    attempts = [
        lambda: fake_client.beta.threads.create(metadata=metadata),
        lambda: fake_client.beta.threads.update(thread.id, metadata=metadata),
        lambda: fake_client.beta.threads.messages.create(
            thread.id, role="user", content="x", metadata=metadata
        ),
    ]
    for attempt in attempts:
        with pytest.raises(openai.BadRequestError) as caught:
            await attempt()
        assert caught.value.body["param"] == "metadata"
        assert caught.value.body["type"] == "invalid_request_error"
        assert fragment in caught.value.body["message"]


async def test_metadata_at_the_limits_is_kept(fake_client):
    metadata = {f"{n:02d}" + "k" * 62: "v" * 512 for n in range(16)}
    thread = await fake_client.beta.threads.create(metadata=metadata)
    assert thread.metadata == metadata
    msg = await fake_client.beta.threads.messages.create(
        thread.id, role="user", content="x", metadata=metadata
    )
    assert (
        await fake_client.beta.threads.messages.retrieve(msg.id, thread_id=thread.id)
    ).metadata == metadata


async def test_failed_create_adds_nothing(fake, fake_client):
    with pytest.raises(openai.BadRequestError):
        await fake_client.beta.threads.create(
            messages=[
                {"role": "user", "content": "ok"},
                {"role": "user", "content": "x", "metadata": {"k": 1}},
            ]
        )
    assert fake.store.threads == {}
