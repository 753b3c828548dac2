"""`threadtui prune` over 500 threads: dry run, then for real, with a complete deletion log.

In-process against the fake through the real SDK, archive first (the default): among the
500, some are already gone on the server, some refuse the delete, some refuse the archive
(and are therefore not deleted).
"""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from tests.cli.conftest import Cli
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import Registry, TrackedThread
from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = 86400.0
OLD, RECENT = 500, 25
GONE, DELETE_REFUSED, ARCHIVE_REFUSED = 20, 10, 5


def test_prune_500_threads_dry_run_then_real(cli: Cli) -> None:
    fake, now = cli.fake, time.time()
    old, recent, counts = [], [], {}
    for n in range(OLD + RECENT):
        thread = fake.store.add_thread(created_at=int(now - 400 * DAY))
        for m in range(n % 4 + 1):
            fake.store.add_message(
                thread, role="user", content=[text_part(f"m{m}")], created_at=int(now - 300 * DAY)
            )
        (old if n < OLD else recent).append(thread.id)
        counts[thread.id] = n % 4 + 1
    registry_file = Locations.resolve(cli.config_dir, cli.data_dir, cli.env).registry_file
    with Registry(registry_file) as registry:
        registry.add_many(
            TrackedThread(
                thread_id,
                "thread",
                "default",
                f"Thread {n}",
                last_activity_at=now - (200 if thread_id in old else 30) * DAY,
                # Every fifth count is unknown: the dry run says so.
                message_count=None if n % 5 == 0 else counts[thread_id],
            )
            for n, thread_id in enumerate(old + recent)
        )
    known = sum(counts[i] for n, i in enumerate(old) if n % 5 != 0)

    dry = cli("prune", "--older-than", "90d", "--dry-run")
    assert dry.code == 0, dry.err
    assert sum(1 for line in dry.out.splitlines() if line.startswith("  thread_")) == OLD
    assert dry.out.rstrip().splitlines()[-1] == (
        f"Dry run: would delete 500 threads holding at least {known:,} messages "
        "(100 with a count not known). Nothing was changed."
    )
    assert fake.count("DELETE") == 0 and len(fake.store.threads) == OLD + RECENT

    gone = old[:GONE]
    refuse_delete = old[GONE : GONE + DELETE_REFUSED]
    refuse_archive = old[GONE + DELETE_REFUSED : GONE + DELETE_REFUSED + ARCHIVE_REFUSED]
    for thread_id in gone:
        fake.store.delete_thread(thread_id)
    for thread_id in refuse_delete:
        fake.inject("403", method="DELETE", path=f"^/threads/{thread_id}$")
    for thread_id in refuse_archive:
        fake.inject("403", method="GET", path=f"^/threads/{thread_id}/messages$", times=None)
    real = cli("prune", "--older-than", "90d", "--yes", "--concurrency", "8")
    assert real.code == 1  # some failed
    deleted = OLD - GONE - DELETE_REFUSED - ARCHIVE_REFUSED
    assert f"Done: deleted {deleted}, {GONE} already gone (untracked), 15 failed" in real.out

    # The server: exactly the deletable ones are gone; the recent ones were not touched.
    failed = set(refuse_delete) | set(refuse_archive)
    assert set(fake.store.threads) == failed | set(recent)
    # The registry: the failed ones and the recent ones are still tracked.
    rows = json.loads(cli("list", "--json").out)
    assert {r["id"] for r in rows} == failed | set(recent)
    # The log: one entry per thread, with the right outcome and the archive named.
    log = json.loads(cli("deletions", "--json").out)
    assert len(log) == OLD and len({e["thread_id"] for e in log}) == OLD
    outcome = {e["thread_id"]: e for e in log}
    assert Counter(e["outcome"] for e in log) == {"deleted": deleted, "gone": GONE, "failed": 15}
    assert {i for i, e in outcome.items() if e["outcome"] == "gone"} == set(gone)
    assert {i for i, e in outcome.items() if e["outcome"] == "failed"} == failed
    for thread_id in set(old) - set(gone) - failed:
        entry = outcome[thread_id]
        assert entry["archived_to"] and entry["message_count"] == counts[thread_id]
        assert (entry["profile"], entry["host"], entry["kind"]) == (
            "default",
            "fake.local",
            "thread",
        )
    for thread_id in refuse_archive:
        assert outcome[thread_id]["detail"].startswith("Not deleted, archiving failed: ")
    for thread_id in refuse_delete:
        assert "belongs to another organization or project" in outcome[thread_id]["detail"]
        assert outcome[thread_id]["archived_to"]  # archived, then the delete was refused
