"""What one thread can add to the archive is bounded, with a sentence when the bound is hit:
a server handing out huge or endless threads cannot grow the registry file without end.
The bounds are set small here (the real ones are 64 MB per archiving and 100,000 messages
per thread) so a few hundred small messages reach them."""

from __future__ import annotations

import pytest

from tests.cli.conftest import Cli
from threadtui.core.archive import store
from threadtui.core.archive.store import archive_info
from threadtui.core.store.registry import Registry
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part


def big_thread(fake: FakeAPI, count: int, size: int) -> str:
    thread = fake.store.add_thread(created_at=1_700_000_000)
    for n in range(count):
        fake.store.add_message(
            thread, role="user", content=[text_part(f"{n:04d}" + "x" * size)], created_at=n
        )
    return thread.id


def archived(cli: Cli, thread_id: str) -> int:
    info = archive_info(Registry(cli.data_dir / "registry.sqlite3"), thread_id)
    return info.message_count if info else 0


def test_archiving_stops_at_the_byte_bound_and_the_next_run_continues(
    cli: Cli, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_ADDED_BYTES", 1024 * 1024)  # a page of 100 is ~0.8 MB
    thread_id = big_thread(fake, 250, 4000)
    counts, codes = [], []
    for _ in range(3):
        done = cli("archive", thread_id)
        codes.append(done.code)
        counts.append(archived(cli, thread_id))
        if done.code:
            assert done.err.count("\n") == 1
            assert "brought more than 1 MB of new messages at once" in done.err
            assert "archive it again to continue" in done.err
    assert (codes, counts) == ([1, 1, 0], [100, 200, 250])


def test_archiving_stops_at_the_message_bound(
    cli: Cli, fake: FakeAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "MAX_THREAD_MESSAGES", 150)
    thread_id = big_thread(fake, 250, 10)
    done = cli("archive", thread_id)
    assert done.code == 1 and done.err.count("\n") == 1
    assert "would pass 150 messages, the most threadtui keeps of one thread" in done.err
    assert archived(cli, thread_id) == 100
