"""The SQLite registry: concurrency, crash safety, bad files, modes, TOML exchange, migrations."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from threadtui.core.store.registry import (
    BATCH,
    MIGRATIONS,
    SCHEMA_VERSION,
    Registry,
    StorageError,
    TrackedThread,
)
from threadtui.core.store.registry_toml import ExchangeFileError, export_text, import_file

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "registry.sqlite3"


@pytest.fixture
def registry(path: Path):
    clock = iter(range(1_700_000_000, 1_800_000_000))
    with Registry(path, now=lambda: float(next(clock))) as reg:
        yield reg


def a_thread(n: int, **fields) -> TrackedThread:
    return TrackedThread(f"thread_{n:06d}", **fields)


# -- reading and writing ---------------------------------------------------------------------
def test_add_reports_new_and_already_tracked_and_merges_tags(registry: Registry) -> None:
    result = registry.add_many([a_thread(1, title="One", tags=("a",)), a_thread(2)])
    assert (result.added, result.already) == (["thread_000001", "thread_000002"], [])
    again = registry.add_many([a_thread(1, title="Other", tags=("b",)), a_thread(3)])
    assert (again.added, again.already) == (["thread_000003"], ["thread_000001"])
    one = registry.get("thread_000001")
    assert one is not None
    assert (one.title, one.tags) == ("One", ("a", "b"))  # the title stays, tags merge
    assert registry.count() == 3


def test_unset_text_fields_are_stored_empty_not_dropped(registry: Registry) -> None:
    result = registry.add_many(
        [TrackedThread("conv_x", kind="conversation", title=None, source=None)]
    )
    assert result.added == ["conv_x"]
    stored = registry.get("conv_x")
    assert stored is not None and (stored.title, stored.source) == ("", "")


def test_filters_orders_and_pages(registry: Registry) -> None:
    registry.add_many(
        [
            a_thread(1, title="Refund policy", tags=("billing",), created_at=300.0, profile="work"),
            a_thread(2, title="Password reset", note="asked about refunds", created_at=100.0),
            a_thread(3, title="Quiz", tags=("billing", "fun"), created_at=200.0, status="gone"),
        ]
    )
    registry.add_many(
        [TrackedThread("conv_abc", kind="conversation", title="Chat", last_activity_at=5e9)]
    )
    assert [t.id for t in registry.tracked(tag="billing")] == ["thread_000001", "thread_000003"]
    assert [t.id for t in registry.tracked(text="REFUND")] == ["thread_000001", "thread_000002"]
    assert [t.id for t in registry.tracked(text="%")] == []  # LIKE wildcards are literal
    assert [t.id for t in registry.tracked(status="gone")] == ["thread_000003"]
    assert [t.id for t in registry.tracked(profile="work")] == ["thread_000001"]
    assert [t.id for t in registry.tracked(kind="conversation")] == ["conv_abc"]
    assert [t.id for t in registry.tracked(order="created")][:3] == [
        "thread_000001",
        "thread_000003",
        "thread_000002",
    ]
    assert registry.tracked(order="added")[0].id == "conv_abc"  # added last
    assert registry.tracked()[0].id == "conv_abc"  # most recent activity
    assert registry.count(tag="billing", status="gone") == 1
    pages = [registry.tracked(limit=2, offset=o) for o in (0, 2)]
    assert [t.id for page in pages for t in page] == [t.id for t in registry.tracked()]


def test_sidebar_orders_are_served_by_an_index(registry: Registry, path: Path) -> None:
    registry.add_many(a_thread(n) for n in range(50))
    db = sqlite3.connect(path)
    for order in (
        "coalesce(last_activity_at, created_at, added_at) DESC, id DESC",
        "added_at DESC, id DESC",
    ):
        plan = db.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM threads ORDER BY {order} LIMIT 100"
        ).fetchall()
        assert "INDEX threads_by_" in str(plan) and "TEMP B-TREE" not in str(plan)
    plan = db.execute("EXPLAIN QUERY PLAN SELECT thread_id FROM tags WHERE tag = 'x'").fetchall()
    assert "PRIMARY KEY" in str(plan) or "INDEX" in str(plan)
    db.close()


def test_update_status_and_untrack(registry: Registry) -> None:
    registry.add_many([a_thread(1, tags=("a", "b"))])
    assert registry.update(
        "thread_000001", title="New", tags=["c"], metadata={"k": "v"}, message_count=3
    )
    assert registry.set_status("thread_000001", "forbidden", "another project", checked_at=42.0)
    got = registry.get("thread_000001")
    assert got is not None
    assert (got.title, got.tags, got.metadata, got.message_count) == ("New", ("c",), {"k": "v"}, 3)
    assert (got.status, got.status_reason, got.checked_at) == ("forbidden", "another project", 42.0)
    assert not registry.update("thread_missing", title="x")
    with pytest.raises(ValueError, match="status"):
        registry.update("thread_000001", status="deleted")
    assert registry.untrack(["thread_000001", "thread_missing"]) == ["thread_000001"]
    assert registry.get("thread_000001") is None
    assert registry.tags() == []  # its tags went with it


# -- files -----------------------------------------------------------------------------------
def test_folder_is_0700_and_files_0600_even_with_a_loose_umask(path: Path) -> None:
    old = os.umask(0o022)
    try:
        with Registry(path) as registry:
            registry.add_many(a_thread(n) for n in range(10))
            files = [p for p in path.parent.iterdir() if p.name.startswith(path.name)]
            assert {p.name for p in files} >= {path.name, f"{path.name}-wal", f"{path.name}-shm"}
            for file in files:
                assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_a_file_that_is_not_a_database_is_named_and_left_alone(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_text("these are my notes, not a database\n" * 100)
    before = (path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent)))
    with pytest.raises(StorageError) as caught:
        Registry(path)
    message = str(caught.value)
    assert message.startswith(f"{path} is not a threadtui registry")
    assert "\n" not in message
    assert before == (path.read_bytes(), path.stat().st_mtime_ns, sorted(os.listdir(path.parent)))


def test_a_damaged_file_is_named_and_left_alone(path: Path) -> None:
    with Registry(path) as registry:
        registry.add_many(a_thread(n, title="x" * 200) for n in range(2000))
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 6] = b"\xff" * (4096 * 3)
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match=r"is damaged .*\.recover"), Registry(path) as registry:
        registry.tracked()
    assert path.read_bytes() == bytes(data)


def test_a_lock_held_too_long_is_one_sentence_and_loses_nothing(path: Path) -> None:
    with Registry(path, busy_timeout=0.05) as registry:
        registry.add_many([a_thread(1)])
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(StorageError, match=r"locked by another process for 0\.05 s"):
            registry.add_many([a_thread(2)])
        other.execute("ROLLBACK")
        other.close()
        assert registry.add_many([a_thread(2)]).added == ["thread_000002"]
        assert registry.count() == 2


def test_a_full_disk_is_one_sentence_and_the_batch_is_not_half_written(registry: Registry) -> None:
    registry.add_many(a_thread(n) for n in range(10))
    pages = registry._db.execute("PRAGMA page_count").fetchone()[0]
    registry._db.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own SQLITE_FULL
    with pytest.raises(StorageError, match="disk is full"):
        registry.add_many(a_thread(n, title="x" * 500) for n in range(100, 400))
    assert registry.count() == 10


@pytest.mark.skipif(ROOT, reason="root ignores file permissions")
def test_a_read_only_folder_still_allows_reading(path: Path) -> None:
    with Registry(path) as registry:
        registry.add_many([a_thread(1, title="kept")])
    path.parent.chmod(0o500)
    try:
        with Registry(path) as registry:
            assert registry.read_only
            assert registry.get("thread_000001").title == "kept"
            with pytest.raises(StorageError, match="read-only"):
                registry.add_many([a_thread(2)])
    finally:
        path.parent.chmod(0o700)


# -- schema ----------------------------------------------------------------------------------
def test_an_older_schema_is_migrated_keeping_its_rows(path: Path) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    MIGRATIONS[0](db)
    db.execute(
        "INSERT INTO threads (id, kind, profile, title, added_at) VALUES "
        "('thread_old', 'thread', 'default', 'From version 1', 1.0)"
    )
    db.execute("INSERT INTO tags (tag, thread_id) VALUES ('legacy', 'thread_old')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Registry(path) as registry:
        old = registry.get("thread_old")
        assert old is not None and (old.title, old.tags) == ("From version 1", ("legacy",))
        assert registry.tracked(order="created")[0].id == "thread_old"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"threads_by_activity", "threads_by_added", "threads_by_created"} <= indexes
    db.close()


def test_a_newer_schema_is_refused_untouched(path: Path) -> None:
    Registry(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match="written by a newer threadtui"):
        Registry(path)
    assert path.read_bytes() == before


# -- TOML export and import ------------------------------------------------------------------
FULL = TrackedThread(
    "thread_full",
    kind="thread",
    profile="work",
    title="Refund “policy” question\twith a tab",
    note="Customer asked twice.\nFollow up.",
    tags=("billing", "vip"),
    last_assistant_id="asst_123",
    created_at=1_700_000_000.0,
    added_at=1_763_900_000.123456,
    last_opened_at=1_763_900_100.5,
    last_activity_at=1_763_900_050.25,
    message_count=14,
    status="live",
    status_reason="",
    checked_at=1_763_900_100.000001,
    source="cli",
    metadata={"customer": "42", "title": "Refund"},
)


def test_export_then_import_round_trips_every_field(registry: Registry, tmp_path: Path) -> None:
    conversation = TrackedThread(
        "conv_9",
        kind="conversation",
        status="gone",
        status_reason="404",
        added_at=5.0,
        source="tui",
    )
    registry.add_many([FULL, conversation])
    exported = tmp_path / "registry.toml"
    exported.write_text(export_text(registry.tracked()))
    assert 'id = "thread_full"' in exported.read_text()  # greppable
    with Registry(tmp_path / "other" / "registry.sqlite3") as fresh:
        result = import_file(fresh, exported)
        assert (result.added, result.merged) == (2, 0)
        assert fresh.get("thread_full") == FULL
        assert fresh.get("conv_9") == conversation


def test_import_merges_without_losing_local_notes(registry: Registry, tmp_path: Path) -> None:
    registry.add_many([FULL._replace(note="my local note", tags=("mine",), last_opened_at=None)])
    theirs = FULL._replace(note="their note", tags=("theirs",), title="Their title")
    exported = tmp_path / "theirs.toml"
    exported.write_text(export_text([theirs, a_thread(7)]))
    result = import_file(registry, exported)
    assert (result.added, result.merged) == (1, 1)
    merged = registry.get("thread_full")
    assert merged is not None
    assert merged.note == "my local note" and merged.title == FULL.title
    assert merged.tags == ("mine", "theirs")
    assert merged.last_opened_at == FULL.last_opened_at  # newer knowledge is taken
    assert registry.get("thread_000007").source == "import:theirs.toml"


def test_an_import_file_with_a_wrong_id_imports_nothing(registry: Registry, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[thread]]\nid = "thread_ok"\n\n[[thread]]\nid = "run_abc"\n')
    with pytest.raises(ExchangeFileError, match=r"number 2: run_abc is a run ID"):
        import_file(registry, bad)
    assert registry.count() == 0


# -- two processes, and a crash --------------------------------------------------------------
def _add_five_thousand(path: str, worker: int, barrier) -> None:
    registry = Registry(Path(path))
    barrier.wait()
    for start in range(0, 5000, 250):
        registry.add_many(
            TrackedThread(f"thread_w{worker}n{n:05d}", source=f"worker {worker}")
            for n in range(start, start + 250)
        )
    registry.close()


def test_two_processes_adding_at_once_lose_nothing(path: Path) -> None:
    Registry(path).close()  # both workers find the schema ready
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(2)
    workers = [
        spawn.Process(target=_add_five_thousand, args=(str(path), w, barrier)) for w in (1, 2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    with Registry(path) as registry:
        assert registry.count() == 10_000
        assert registry.count(text="thread_w1") == registry.count(text="thread_w2") == 5000


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from threadtui.core.store.registry import BATCH, Registry, TrackedThread
    registry = Registry(Path(sys.argv[1]))
    n = 0
    while True:
        registry.add_many(TrackedThread(f"thread_{n + i:08d}", title="x" * 300) for i in range(BATCH))
        n += BATCH
        print(n, flush=True)
    """
)


def test_a_writer_killed_mid_batch_leaves_a_sound_registry(path: Path) -> None:
    Registry(path).close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        for _ in range(5):  # a few batches committed; it is inside the next one now
            assert writer.stdout is not None and writer.stdout.readline()
        writer.send_signal(signal.SIGKILL)
    finally:
        writer.wait()
        assert writer.stdout is not None
        writer.stdout.close()
    with Registry(path) as registry:
        assert registry._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = registry.count()
    assert rows >= 5 * BATCH
    assert rows % BATCH == 0  # every batch is all or nothing
