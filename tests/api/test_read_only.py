"""A read-only profile reads, and refuses every change without sending anything."""

from __future__ import annotations

import pytest

from threadtui.api.errors import ReadOnly


async def test_read_only_sends_no_post_or_delete(fake, fake_clock, open_backend) -> None:
    thread = fake.store.add_thread(created_at=int(fake_clock.now()))
    backend = open_backend(read_only=True)
    assert (await backend.retrieve_thread(thread.id)).id == thread.id  # reading works
    changes = [
        backend.create_thread([("user", "hi")]),
        backend.delete_thread(thread.id),
        backend.update_metadata(thread.id, {"title": "x"}),
        backend.add_message(thread.id, "hi"),
        backend.start_run(thread.id, assistant_id="asst_x"),
        backend.cancel_run(thread.id, "run_x"),
        backend.submit_tool_outputs(thread.id, "run_x", {"call_x": "out"}),
    ]
    for change in changes:
        with pytest.raises(ReadOnly) as caught:
            await change
        assert "read-only" in caught.value.user_message
    assert fake.count("POST") == 0 and fake.count("DELETE") == 0
    assert fake.store.threads[thread.id].messages == []
