"""conv_ IDs on the command line, exactly like thread_ IDs: add, import, check, show,
archive, export, search, prune, delete. The config has the usual Assistants profile
"default" and a Conversations profile "convs"; no command below names a profile."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.core.archive_world import seed_conversation, seed_thread
from threadtui.fakeapi import FakeAPI


@pytest.fixture
def convs(cli: Cli, fake: FakeAPI) -> Cli:
    added = cli("profile", "add", "convs", "--kind", "conversations", "--base-url", fake.base_url)
    assert added.code == 0, added.err
    return cli


def rows(cli: Cli) -> dict[str, dict]:
    return {row["id"]: row for row in json.loads(cli("list", "--json").out)}


def test_add_tracks_a_conversation_under_the_profile_that_speaks_its_api(
    convs: Cli, fake: FakeAPI
) -> None:
    conv, thread = seed_conversation(fake, 3), seed_thread(fake, 3)
    result = convs("add", conv.id, thread.id, "--tag", "audit")
    assert result.code == 0, result.err
    assert result.out == f"Tracking {conv.id} (convs).\nTracking {thread.id} (default).\n"
    tracked = rows(convs)
    assert (tracked[conv.id]["kind"], tracked[conv.id]["profile"]) == ("conversation", "convs")
    assert (tracked[thread.id]["kind"], tracked[thread.id]["profile"]) == ("thread", "default")
    assert convs("show", conv.id).code == 0  # and it can be reached without --profile


def test_an_untracked_conversation_is_reached_through_the_conversations_profile(
    convs: Cli, fake: FakeAPI
) -> None:
    conv = seed_conversation(fake, 2, words="tundra")
    shown = convs("show", conv.id)
    assert shown.code == 0, shown.err
    assert "tundra item 1" in shown.out


def test_import_from_a_log_tracks_both_kinds_where_they_belong(
    convs: Cli, fake: FakeAPI, tmp_path: Path
) -> None:
    conv, thread = seed_conversation(fake, 3), seed_thread(fake, 3)
    log = tmp_path / "app.log"
    log.write_text(f"INFO created {conv.id} for user 7\nINFO legacy {thread.id}\n")
    result = convs("import", str(log))
    assert result.code == 0, result.err
    tracked = rows(convs)
    assert (tracked[conv.id]["kind"], tracked[conv.id]["profile"]) == ("conversation", "convs")
    assert tracked[thread.id]["profile"] == "default"


def test_check_says_live_then_gone(convs: Cli, fake: FakeAPI) -> None:
    conv = seed_conversation(fake, 3)
    convs("add", conv.id)
    live = convs("check", "--all")
    assert live.code == 0, live.err
    assert live.out.startswith("Checked 1 thread: 1 live, 0 gone")
    assert rows(convs)[conv.id]["status"] == "live"
    del fake.responses.conversations[conv.id]
    gone = convs("check", conv.id)
    assert gone.code == 0, gone.err
    assert gone.out.startswith("Checked 1 thread: 0 live, 1 gone")
    assert rows(convs)[conv.id]["status"] == "gone"


def test_show_prints_every_item_in_order_and_records_the_count(convs: Cli, fake: FakeAPI) -> None:
    conv = seed_conversation(fake, 130, words="glacier")  # two pages of items
    convs("add", conv.id)
    shown = convs("show", conv.id)
    assert shown.code == 0, shown.err
    positions = [shown.out.index(f"glacier item {n}\n") for n in range(130)]
    assert positions == sorted(positions)
    assert rows(convs)[conv.id]["message_count"] == 130
    as_json = json.loads(convs("show", conv.id, "--format", "json").out)
    assert len(as_json["messages"]) == 130


def test_archive_export_and_search_read_the_conversation_offline_after_it_is_gone(
    convs: Cli, fake: FakeAPI, tmp_path: Path
) -> None:
    conv = seed_conversation(fake, 30, words="fjord")
    convs("add", conv.id)
    archived = convs("archive", conv.id)
    assert archived.code == 0, archived.err
    assert archived.out.startswith(f"{conv.id}: 30 messages archived (30 new).")
    del fake.responses.conversations[conv.id]
    out = tmp_path / "out"
    for fmt in ("md", "json"):
        exported = convs("export", conv.id, "--format", fmt, "-o", str(out))
        assert exported.code == 0, exported.err
    document = json.loads((out / f"{conv.id}.json").read_text())
    assert document["threadtui_export"]["kind"] == "conversation"
    assert [m["content"][0]["text"] for m in document["messages"]] == [
        f"fjord item {n}" for n in range(30)
    ]
    assert "fjord item 29" in (out / f"{conv.id}.md").read_text()
    found = convs("search", "fjord", "--json")
    assert found.code == 0, found.err
    assert {hit["thread_id"] for hit in json.loads(found.out)["hits"]} == {conv.id}


def test_prune_deletes_an_old_conversation_archived_and_logged(convs: Cli, fake: FakeAPI) -> None:
    conv = seed_conversation(fake, 4)
    convs("add", conv.id)
    year_ago = time.time() - 365 * 86400
    with sqlite3.connect(convs.data_dir / "registry.sqlite3") as db:
        db.execute("UPDATE threads SET last_activity_at = ? WHERE id = ?", (year_ago, conv.id))
    result = convs("prune", "--older-than", "90d", "--yes")
    assert result.code == 0, result.err
    assert conv.id not in fake.responses.conversations
    assert conv.id not in rows(convs)
    (entry,) = json.loads(convs("deletions", "--json").out)
    assert (entry["thread_id"], entry["kind"], entry["outcome"], entry["profile"]) == (
        conv.id,
        "conversation",
        "deleted",
        "convs",
    )
    assert entry["archived_to"] and entry["message_count"] == 4


def test_delete_archives_deletes_logs_and_untracks(convs: Cli, fake: FakeAPI) -> None:
    conv = seed_conversation(fake, 4, words="moraine")
    convs("add", conv.id)
    result = convs("delete", conv.id, "--yes")
    assert result.code == 0, result.err
    assert result.out == f"Deleted {conv.id}.\n"
    assert conv.id not in fake.responses.conversations and conv.id not in rows(convs)
    (entry,) = json.loads(convs("deletions", "--json").out)
    assert (entry["kind"], entry["outcome"]) == ("conversation", "deleted")
    assert convs("search", "moraine").code == 0  # the archived copy stays searchable
