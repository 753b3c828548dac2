"""Schema v3: the archive's full-text index follows its rows, and old files upgrade."""

from __future__ import annotations

import sqlite3

from threadtui.core.store.registry import MIGRATIONS, SCHEMA_VERSION, Registry


def test_archive_search_index_follows_inserts_updates_and_deletes(tmp_path):
    path = tmp_path / "registry.sqlite3"
    Registry(path).close()
    db = sqlite3.connect(path)
    db.execute(
        "INSERT INTO archived_messages(thread_id, id, position, text, raw) VALUES (?, ?, ?, ?, ?)",
        ("thread_A1", "msg_1", 0, "refund for an annual plan", "{}"),
    )
    search = "SELECT m.thread_id FROM archive_search s JOIN archived_messages m ON m.rowid = s.rowid WHERE archive_search MATCH ?"
    assert db.execute(search, ("refund",)).fetchall() == [("thread_A1",)]
    db.execute("UPDATE archived_messages SET text = 'password reset' WHERE id = 'msg_1'")
    assert db.execute(search, ("refund",)).fetchall() == []
    assert db.execute(search, ("password",)).fetchall() == [("thread_A1",)]
    db.execute("DELETE FROM archived_messages")
    assert db.execute(search, ("password",)).fetchall() == []
    db.commit()
    db.close()


def test_a_version_2_file_upgrades_and_keeps_its_threads(tmp_path):
    path = tmp_path / "registry.sqlite3"
    db = sqlite3.connect(path)
    for step in MIGRATIONS[:2]:
        step(db)
    db.execute("PRAGMA user_version = 2")
    db.execute(
        "INSERT INTO threads(id, kind, profile, added_at) VALUES ('thread_Old1', 'thread', 'default', 1.0)"
    )
    db.commit()
    db.close()
    with Registry(path) as registry:
        assert registry.get("thread_Old1") is not None
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {
        "archives",
        "archived_messages",
        "archived_runs",
        "deletion_log",
        "thread_links",
        "servers",
    } <= tables
    db.close()
