"""SIGKILL in the middle of writing: the registry stays whole, and the next run resumes and
says exactly what was done.

Extends tests/cli/test_finding_import.py (a kill while an import waits on a pipe, between
batches) and tests/cli/test_audit_prune_crash.py (a prune of threads killed after 30
deletions): here the import is killed while it is busy writing, three times in a row at
different points, each rerun resuming; and a prune of conversations is killed the moment
its first delete reaches the server.
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

from tests.hardening import figures
from tests.hardening.processes import Home, ids, log_of
from threadtui.core.store.registry import BATCH

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
IMPORT_IDS = 50_000
KILL_AT = (8_000, 21_000, 37_000)  # rows committed before each kill


def _count(registry: Path) -> int:
    try:
        db = sqlite3.connect(f"file:{registry}?mode=ro", uri=True, timeout=0)
        try:
            return db.execute("SELECT count(*) FROM threads").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def test_an_import_of_50000_ids_killed_three_times_while_writing_resumes_each_time(
    tmp_path: Path,
) -> None:
    def run() -> dict:
        home = Home(tmp_path)
        wanted = ids("k", IMPORT_IDS)
        log = tmp_path / "created.log"
        log.write_text(log_of(wanted))
        committed: set[str] = set()
        for threshold in KILL_AT:
            importer = subprocess.Popen(
                home.command("import", str(log)), env=home.env, stdout=subprocess.DEVNULL
            )
            while importer.poll() is None and _count(home.registry) < threshold:
                time.sleep(0.002)  # polling the row count: the kill must land mid-import
            importer.send_signal(signal.SIGKILL)
            importer.wait()
            assert importer.returncode == -signal.SIGKILL, "it finished before the kill"
            rows = home.rows()  # integrity_check inside
            # Batches are transactions in file order: what got in is a prefix of the file,
            # without holes; a first run's batches hold BATCH new IDs each.
            assert committed <= rows == set(wanted[: len(rows)])
            assert committed or len(rows) % BATCH == 0, "only whole batches"
            committed = rows
        rerun = home.run("import", "--json", str(log))
        summary = json.loads(rerun.stdout)
        assert (summary["added"], summary["already"]) == (
            IMPORT_IDS - len(committed),
            len(committed),
        )
        assert home.rows() == set(wanted)
        # Every ID of the file is tracked in the end, none twice, nothing committed lost.
        return {"kills": len(KILL_AT), "rows_before": IMPORT_IDS, "rows_after": len(home.rows())}

    figures.crash_case("import of 50,000 IDs, killed 3 times while writing", run)


def test_a_conversations_prune_killed_at_its_first_delete_is_consistent_and_the_rerun_reports_it(
    tmp_path: Path,
) -> None:
    from tests.cli.conftest import Cli
    from threadtui.clock import SystemClock
    from threadtui.core.store.registry import Registry, TrackedThread
    from threadtui.fakeapi import FakeAPI
    from threadtui.fakeapi.conversations import normalize_item
    from threadtui.fakeapi.server import serve_in_thread

    def run() -> dict:
        fake = FakeAPI(clock=SystemClock(), latency=0.005)
        now = time.time()
        convs = []
        for n in range(40):
            conv = fake.responses.add_conversation(int(now - 400 * 86400))
            conv.append(normalize_item(fake.store, {"role": "user", "content": f"c{n}"}, "items"))
            convs.append(conv.id)
        cli = Cli(tmp_path, fake)
        cli.config_dir.mkdir(parents=True)
        (cli.config_dir / "config.toml").write_text(
            f'default_profile = "c"\n[profiles.c]\nkind = "conversations"\n'
            f'base_url = "{fake.base_url}"\n'
        )
        registry_file = cli.data_dir / "registry.sqlite3"
        with Registry(registry_file) as registry:
            registry.add_many(
                TrackedThread(c, "conversation", "c", last_activity_at=now - 300 * 86400)
                for c in convs
            )
        handle, server = serve_in_thread(fake=fake)
        try:
            (cli.config_dir / "config.toml").write_text(
                f'default_profile = "c"\n[profiles.c]\nkind = "conversations"\n'
                f'base_url = "{handle.base_url}"\n'
            )
            env = {**os.environ, **cli.env}
            prune = subprocess.Popen(
                [sys.executable, "-m", "threadtui", "prune", "--older-than", "90d", "--yes"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            while prune.poll() is None and fake.count("DELETE") == 0:
                time.sleep(0.001)  # polling the fake's request log for the first delete
            prune.kill()
            prune.wait()
            assert prune.returncode == -9
        finally:
            handle.stop()
            server.join(timeout=10)
        db = sqlite3.connect(f"file:{registry_file}?mode=ro", uri=True)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            tracked = {r[0] for r in db.execute("SELECT id FROM threads")}
            logged = {r[0] for r in db.execute("SELECT thread_id FROM deletion_log")}
        finally:
            db.close()
        deleted = set(convs) - set(fake.responses.conversations)
        assert tracked | logged == set(convs) and not tracked & logged
        assert logged <= deleted and len(deleted - logged) <= 4  # in flight, not yet logged
        in_flight = deleted - logged
        rerun = cli("prune", "--older-than", "90d", "--yes")
        assert rerun.code == 0, rerun.err
        for thread_id in in_flight:
            assert f"{thread_id} was already gone from the server: untracked it." in rerun.out
        entries = json.loads(cli("deletions", "--json").out)
        assert sorted(e["thread_id"] for e in entries) == sorted(convs)
        assert all(e["archived_to"] for e in entries)  # each was archived before its delete
        return {"kills": 1, "rows_before": len(convs), "rows_after": len(entries)}

    figures.crash_case("prune of 40 conversations, killed at its first delete", run)
