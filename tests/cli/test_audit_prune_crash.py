"""SIGKILL in the middle of `threadtui prune`: the registry and the log stay consistent,
and a rerun finishes the job, logging threads deleted just before the kill as gone.

The prune runs as its own process against the fake served on loopback (the fake lives in
this process, so its state outlives the kill); the kill comes once the log has entries.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from threadtui.clock import SystemClock
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import Registry, TrackedThread
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.server import serve_in_thread
from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = 86400.0
THREADS = 200
CONCURRENCY = 4
KILL_AFTER = 30  # log entries written before the kill


def state(registry_file: Path) -> tuple[set[str], dict[str, list[str]]]:
    """(tracked IDs, thread ID -> logged outcomes), read straight from the SQLite file."""
    db = sqlite3.connect(f"file:{registry_file}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tracked = {row[0] for row in db.execute("SELECT id FROM threads")}
        logged: dict[str, list[str]] = {}
        for thread_id, outcome in db.execute("SELECT thread_id, outcome FROM deletion_log"):
            logged.setdefault(thread_id, []).append(outcome)
    finally:
        db.close()
    return tracked, logged


def test_a_killed_prune_leaves_a_consistent_state_and_the_rerun_completes_it(
    tmp_path: Path,
) -> None:
    fake = FakeAPI(clock=SystemClock(), latency=0.01)  # slow enough to be killed midway
    now = time.time()
    ids = []
    for _ in range(THREADS):
        thread = fake.store.add_thread(created_at=int(now - 400 * DAY))
        for m in range(2):
            fake.store.add_message(
                thread, role="user", content=[text_part(f"m{m}")], created_at=int(now - 300 * DAY)
            )
        ids.append(thread.id)
    cli = Cli(tmp_path, fake)
    registry_file = Locations.resolve(cli.config_dir, cli.data_dir, cli.env).registry_file
    with Registry(registry_file) as registry:
        registry.add_many(
            TrackedThread(i, "thread", "default", last_activity_at=now - 200 * DAY, message_count=2)
            for i in ids
        )

    handle, server = serve_in_thread(fake=fake)
    try:
        env = {**os.environ, **cli.env, "OPENAI_BASE_URL": handle.base_url}
        prune = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "threadtui",
                "prune",
                "--older-than",
                "90d",
                "--yes",
                "--concurrency",
                str(CONCURRENCY),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            while prune.poll() is None:
                if (
                    registry_file.exists()
                    and sum(map(len, state(registry_file)[1].values())) >= KILL_AFTER
                ):
                    prune.kill()  # SIGKILL: no cleanup of any kind
                    break
                time.sleep(0.005)  # polling the log for the condition above
            prune.wait()
            assert prune.returncode == -9, prune.stderr.read().decode() if prune.stderr else ""
        finally:
            if prune.poll() is None:
                prune.kill()
                prune.wait()
            if prune.stderr:
                prune.stderr.close()
    finally:
        handle.stop()
        server.join(timeout=10)

    # Right after the kill: every logged thread is untracked and vice versa, each logged
    # once; the server deleted at most the logged ones plus those in flight.
    tracked, logged = state(registry_file)
    assert len(logged) >= KILL_AFTER and len(tracked) > 0
    assert all(outcomes == ["deleted"] for outcomes in logged.values())
    assert tracked.isdisjoint(logged) and tracked | set(logged) == set(ids)
    deleted_on_server = set(ids) - set(fake.store.threads)
    assert set(logged) <= deleted_on_server
    unlogged = deleted_on_server - set(logged)
    assert len(unlogged) <= CONCURRENCY

    # The rerun finishes: each remaining thread is deleted, or found gone when the killed
    # run had deleted it without logging it. Archives written before the kill are kept.
    fake.latency = 0.0
    rerun = cli("prune", "--older-than", "90d", "--yes")
    assert rerun.code == 0, rerun.err
    tracked, logged = state(registry_file)
    assert tracked == set() and fake.store.threads == {}
    assert set(logged) == set(ids) and all(len(o) == 1 for o in logged.values())
    assert {i for i, o in logged.items() if o == ["gone"]} == unlogged
    assert Counter(o[0] for o in logged.values()) == {
        "deleted": THREADS - len(unlogged),
        **({"gone": len(unlogged)} if unlogged else {}),
    }
    entries = json.loads(cli("deletions", "--json").out)
    assert all(e["archived_to"] for e in entries if e["thread_id"] in unlogged)
