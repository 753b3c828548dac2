"""Issue 13, item 6: a `migrate` interrupted between item batches (SIGKILL, Ctrl-C) leaves
its half-made conversation recorded, never unknown; the rerun deletes it, says so, and
makes one complete copy.

The migration runs as its own process against the fake served on loopback (the fake lives
in this process, so its state outlives the kill); the signal comes once the conversation
holds two batches of the 100 messages.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.core.archive_world import seed_thread
from threadtui.clock import SystemClock
from threadtui.core.settings.paths import Locations
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.server import serve_in_thread

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MESSAGES = 100
KILL_AT_ITEMS = 40  # two of the five batches


def links_of(registry_file: Path) -> set[tuple[str, str, str]]:
    db = sqlite3.connect(f"file:{registry_file}?mode=ro", uri=True)
    try:
        return set(db.execute("SELECT from_id, to_id, relation FROM thread_links"))
    finally:
        db.close()


def items_in(fake: FakeAPI, conversation_id: str) -> int:
    return len(fake.responses.conversations[conversation_id].items)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "Ctrl-C"])
def test_an_interrupted_migration_is_recorded_and_the_rerun_starts_over(
    tmp_path: Path, sig: signal.Signals
) -> None:
    fake = FakeAPI(clock=SystemClock(), latency=0.05)  # slow enough to stop between batches
    thread = seed_thread(fake, MESSAGES, words="invoice")
    cli = Cli(tmp_path, fake)
    handle, server = serve_in_thread(fake=fake)
    try:
        added = cli(
            "profile", "add", "convs", "--kind", "conversations", "--base-url", handle.base_url
        )
        assert added.code == 0, added.err
        assert cli("add", thread.id, "--title", "Invoices").code == 0
        env = {**os.environ, **cli.env, "OPENAI_BASE_URL": handle.base_url}
        migrate = subprocess.Popen(
            [sys.executable, "-m", "threadtui", "migrate", thread.id, "--to-profile", "convs"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while migrate.poll() is None and time.monotonic() < deadline:
                made = list(fake.responses.conversations)
                if made and items_in(fake, made[0]) >= KILL_AT_ITEMS:
                    migrate.send_signal(sig)
                    break
                time.sleep(0.005)  # polling the fake for the condition above
            _, err = migrate.communicate(timeout=60)
        finally:
            if migrate.poll() is None:
                migrate.kill()
                migrate.wait()
    finally:
        handle.stop()
        server.join(timeout=10)

    assert migrate.returncode == (-9 if sig == signal.SIGKILL else 130), err
    assert "Traceback" not in err
    (half,) = fake.responses.conversations
    assert KILL_AT_ITEMS <= items_in(fake, half) < MESSAGES  # a half-made copy on the server...
    registry_file = Locations.resolve(cli.config_dir, cli.data_dir, cli.env).registry_file
    assert (thread.id, half, "migrating_to") in links_of(registry_file)  # ...that is recorded
    listed = {row["id"]: row for row in json.loads(cli("list", "--json").out)}
    assert listed[half]["title"] == "Invoices (migration in progress)"

    rerun = cli("migrate", thread.id, "--to-profile", "convs")
    assert rerun.code == 0, rerun.err
    (done,) = fake.responses.conversations  # the half-made copy is deleted, one whole one made
    assert done != half and items_in(fake, done) == MESSAGES
    assert rerun.out.splitlines()[1] == (
        f"  An earlier migration was interrupted half-way: deleted its incomplete copy {half} "
        "and started over."
    )
    assert links_of(registry_file) == {
        (thread.id, done, "migrated_to"),
        (done, thread.id, "migrated_from"),
    }
    listed = {row["id"]: row for row in json.loads(cli("list", "--json").out)}
    assert half not in listed and listed[done]["title"] == "Invoices (migrated)"
    assert listed[done]["message_count"] == MESSAGES
