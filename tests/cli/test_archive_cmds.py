"""`threadtui archive`, `export` and `search`, in-process against the fake API."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from tests.cli.conftest import Cli
from tests.core.archive_world import CONTACT, seed_audit_thread, seed_conversation, seed_thread
from threadtui.fakeapi import FakeAPI


def test_archive_ids_says_what_it_kept_and_a_second_run_fetches_nothing_new(
    cli: Cli, fake: FakeAPI
) -> None:
    thread = seed_thread(fake, 250)
    first = cli("archive", thread.id)
    assert first.code == 0, first.err
    assert first.out == (
        f"{thread.id}: 250 messages archived (250 new).\nArchived 1 thread: 250 new messages.\n"
    )
    fake.requests.clear()
    again = cli("archive", thread.id)
    assert again.out.startswith(f"{thread.id}: 250 messages archived (0 new).\n")
    assert len(fake.requests) == 1


def test_archive_all_reports_each_failure_in_one_sentence_and_exits_1(
    cli: Cli, fake: FakeAPI
) -> None:
    live, kept = seed_thread(fake, 5), seed_thread(fake, 7)
    cli("add", live.id, kept.id, "thread_NeverThere")
    assert cli("archive", kept.id).code == 0
    fake.store.delete_thread(kept.id)
    result = cli("archive", "--all", tty=True)
    assert result.code == 1
    errors = [line.split("\x1b[2K")[-1] for line in result.err.splitlines()]  # as shown
    assert sorted(line for line in errors if "gone" in line) == sorted(
        [
            f"{kept.id} is gone from the server; its archived copy (7 messages) is kept.",
            "thread_NeverThere is gone from the server and was never archived.",
        ]
    )
    assert result.out == "Archived 1 thread: 5 new messages; 2 failed.\n"
    # Gone now, so the next --all leaves them alone.
    again = cli("archive", "--all")
    assert again.code == 0, again.err
    assert again.out == (
        "Archived 1 thread: 0 new messages; 2 known to be gone were skipped (their archives "
        "are kept).\n"
    )


def test_archive_needs_ids_or_all_and_refuses_other_id_kinds(cli: Cli, fake: FakeAPI) -> None:
    assert cli("archive").code == 2
    result = cli("archive", "run_abc123")
    assert result.code == 1 and "run ID" in result.err
    assert len(fake.requests) == 0


def test_a_conversation_is_archived_exported_and_searched_like_a_thread(
    cli: Cli, fake: FakeAPI, tmp_path: Path
) -> None:
    cli("profile", "add", "convs", "--kind", "conversations", "--base-url", fake.base_url)
    conv = seed_conversation(fake, 30, words="glacier")
    assert cli("--profile", "convs", "add", conv.id).code == 0
    assert cli("archive", conv.id).out.startswith(f"{conv.id}: 30 messages archived (30 new).")
    exported = cli("export", conv.id, "--format", "json", "-o", str(tmp_path / "out"))
    assert exported.code == 0, exported.err
    document = json.loads((tmp_path / "out" / f"{conv.id}.json").read_text())
    assert (
        len(document["messages"]) == 30 and document["threadtui_export"]["kind"] == "conversation"
    )
    found = cli("search", "glacier", "item", "7")
    assert found.code == 0 and f"{conv.id} “A conversation”\n" in found.out


def test_export_writes_private_files_and_never_overwrites(
    cli: Cli, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    out = tmp_path / "exports"
    result = cli("export", thread.id, "-o", str(out))
    assert result.code == 0, result.err
    path = out / f"{thread.id}.md"
    assert result.out == f"Wrote {path} (5 messages, from the server).\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert "# Retention audit" in path.read_text() and "\x1b" not in path.read_text()
    again = cli("export", thread.id, "-o", str(out), "--redact")
    assert again.out == (
        f"{path} exists: wrote {out / f'{thread.id}-1.md'} instead (5 messages, from the server; "
        "redacted 1 email, 1 key, 1 phone).\n"
    )
    assert CONTACT not in (out / f"{thread.id}-1.md").read_text()
    for fmt in ("json", "jsonl"):
        assert cli("export", thread.id, "--format", fmt, "-o", str(out)).code == 0
        assert (out / f"{thread.id}.{fmt}").exists()


def test_export_of_a_gone_thread_uses_the_archive_and_says_so(
    cli: Cli, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    cli("archive", thread.id)
    fake.store.delete_thread(thread.id)
    result = cli("export", thread.id, "thread_NeverThere", "-o", str(tmp_path))
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{thread.id} was not found: exported the archived copy.",
        "thread_NeverThere is gone from the server and was never archived: there is nothing "
        "to export.",
    ]
    assert result.out == f"Wrote {tmp_path / f'{thread.id}.md'} (5 messages, from the archive).\n"
    fake.requests.clear()
    offline = cli("export", thread.id, "--offline", "--format", "json", "-o", str(tmp_path))
    assert offline.code == 0 and len(fake.requests) == 0


def test_export_to_a_file_instead_of_a_folder_is_refused(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me")
    result = cli("export", "thread_abc", "-o", str(target))
    assert result.code == 1 and "is a file, not a folder" in result.err
    assert target.read_text() == "keep me"


def test_search_groups_hits_by_thread(cli: Cli, fake: FakeAPI) -> None:
    assert cli("search", "walrus").err == (
        "The archive is empty: open threads in the TUI or run `threadtui archive --all` first, "
        "then search.\n"
    )
    walrus, other = seed_thread(fake, 20, words="walrus"), seed_thread(fake, 20, words="otter")
    cli("add", walrus.id, "--title", "Arctic notes")
    cli("archive", walrus.id, other.id)
    result = cli("search", "walrus", "1*", "--limit", "3")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == f"{walrus.id} “Arctic notes”"
    assert re.fullmatch(r"  msg_\w+ · (user|assistant) · 2023-11-14T22:13:2\dZ", lines[1])
    assert re.fullmatch(r"    walrus number 1\d?", lines[2])
    assert len(lines) == 1 + 3 * 2 + 1
    assert lines[-1] == "Showing 3 of 11 matching messages in 1 thread: --limit N shows more."
    data = json.loads(cli("search", "otter", "--json").out)
    assert (data["matches"], data["threads"]) == (20, 1)
    assert {hit["thread_id"] for hit in data["hits"]} == {other.id}
    missing = cli("search", "narwhal")
    assert (missing.code, missing.err) == (1, "No archived message matches “narwhal”.\n")
    nothing = cli("search", "!!!")
    assert nothing.code == 1 and nothing.err.startswith("Nothing to search for in “!!!”")


def test_search_on_a_terminal_marks_the_match_in_bold(cli: Cli, fake: FakeAPI) -> None:
    thread = seed_thread(fake, 2, words="walrus")
    cli("archive", thread.id)
    shown = cli("search", "walrus", tty=True).out
    assert "\x1b[1mwalrus\x1b[22m number" in shown


def test_what_show_read_is_kept_for_offline_export(cli: Cli, fake: FakeAPI, tmp_path: Path) -> None:
    thread = seed_thread(fake, 120)
    assert cli("show", thread.id).code == 0
    fake.store.delete_thread(thread.id)
    result = cli("export", thread.id, "--offline", "--format", "jsonl", "-o", str(tmp_path))
    assert result.code == 0, result.err
    assert len((tmp_path / f"{thread.id}.jsonl").read_text().splitlines()) == 120


def test_archive_export_and_search_change_nothing_on_the_server(
    cli: Cli, fake: FakeAPI, tmp_path: Path
) -> None:
    thread = seed_audit_thread(fake)
    assert cli("--read-only", "archive", thread.id).code == 0
    assert cli("--read-only", "export", thread.id, "--redact", "-o", str(tmp_path)).code == 0
    assert cli("--read-only", "search", "essay").code == 0
    assert {r.method for r in fake.requests} == {"GET"}
