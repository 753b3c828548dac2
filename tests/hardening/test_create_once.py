"""Creating a thread or conversation cannot be reconciled (there is no list endpoint), so a
create whose answer was lost is not sent again: one copy on the server at most, and the
user is told it may exist. A 429 was refused before anything was made: that one is resent."""

from __future__ import annotations

import pytest

from tests.hardening.matrix import sdk_backoff
from tests.hardening.world import World
from threadtui.api.errors import NetworkDown

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
CREATES = {"assistants": "^/threads$", "conversations": "^/conversations$"}


@pytest.fixture(params=["assistants", "conversations"])
async def world(request):
    made = World(kind=request.param)
    with sdk_backoff():
        yield made
    await made.close()


@pytest.mark.parametrize("fault", ["fail_after_create", "timeout", "500"])
async def test_a_create_whose_answer_is_lost_is_not_repeated(world: World, fault: str) -> None:
    world.fake.inject(fault, method="POST", path=CREATES[world.kind], retry_after=0.001)
    backend = world.backend()  # SDK retries on, as the app uses it
    try:
        with pytest.raises(NetworkDown, match="may exist"):
            await backend.create_thread([("user", "seed")])
    finally:
        await backend.aclose()
    assert world.fake.count("POST", regex=CREATES[world.kind]) == 1
    landed = 1 if fault == "fail_after_create" else 0
    assert len(world.remote_threads()) == landed


async def test_a_rate_limited_create_is_sent_again_after_its_wait(world: World) -> None:
    world.fake.inject("429", method="POST", path=CREATES[world.kind], times=2, retry_after=0.001)
    backend = world.backend()
    try:
        info = await backend.create_thread([("user", "seed")])
    finally:
        await backend.aclose()
    assert world.remote_threads() == {info.id}


async def test_continue_leaves_no_silent_copy(world: World) -> None:
    from threadtui.core.chat.continuation import continue_thread

    old = world.add_thread()
    world.track_all()
    world.fake.inject("fail_after_create", method="POST", path=CREATES[world.kind])
    with pytest.raises(NetworkDown, match="may exist"):
        await continue_thread(world.services, old)
    assert len(world.remote_threads() - {old}) == 1  # the one it said may exist
    assert [t.id for t in world.services.registry.tracked()] == [old]
