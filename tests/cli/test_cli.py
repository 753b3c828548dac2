"""The `threadtui` command, run in-process against the fake API (real SDK, real files)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from threadtui import __version__
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

HOSTILE = "Pay now\x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J"


def seed_thread(fake: FakeAPI, messages: int, title: str = "Refund policy question") -> str:
    """A thread on the fake with an assistant, a run, a citation, an image and an attachment."""
    store = fake.store
    bot = store.add_assistant(created_at=1_700_000_000, model="gpt-4o", name="Support Bot")
    thread = store.add_thread(created_at=1_700_000_000, metadata={"title": title})
    for n in range(messages):
        if n % 2 == 0:
            store.add_message(
                thread,
                role="user",
                content=[text_part(f"question {n}")],
                created_at=1_700_000_000 + n,
            )
            continue
        citation = {
            "type": "file_citation",
            "text": "【4:0†source】",
            "start_index": 0,
            "end_index": 12,
            "file_citation": {"file_id": "file-policy"},
        }
        store.add_message(
            thread,
            role="assistant",
            content=[
                text_part(f"answer {n} 【4:0†source】", [citation]),
                {"type": "image_file", "image_file": {"file_id": "file-chart", "detail": "auto"}},
            ],
            created_at=1_700_000_000 + n,
            assistant_id=bot["id"],
            run_id=f"run_r{n}",
            attachments=[{"file_id": "file-attached", "tools": []}],
        )
    return thread.id


# -- add, list, untrack ----------------------------------------------------------------------
def test_add_explains_a_run_id_and_adds_nothing(cli: Cli) -> None:
    result = cli("add", "run_abc123")
    assert result.code == 1
    assert (
        "run_abc123 is a run ID, not a thread ID: look for the thread_ ID next to it" in result.err
    )
    assert result.err.count("\n") == 1
    assert json.loads(cli("list", "--json").out) == []


def test_add_keeps_the_good_ids_and_fails_for_the_bad_one(cli: Cli) -> None:
    result = cli(
        "add", "thread_good1", "msg_oops", "conv_good2", "--tag", "audit", "--title", "Batch"
    )
    assert result.code == 1
    assert "msg_oops is a message ID" in result.err
    rows = json.loads(cli("list", "--json").out)
    assert {(r["id"], r["kind"], r["title"], tuple(r["tags"]), r["source"]) for r in rows} == {
        ("thread_good1", "thread", "Batch", ("audit",), "cli"),
        ("conv_good2", "conversation", "Batch", ("audit",), "cli"),
    }


def test_list_json_is_valid_and_filters(cli: Cli) -> None:
    assert cli("add", "thread_a1", "--tag", "billing").code == 0
    assert cli("add", "thread_b2").code == 0
    result = cli("list", "--json", "--tag", "billing")
    assert result.code == 0
    rows = json.loads(result.out)
    assert [r["id"] for r in rows] == ["thread_a1"]
    assert rows[0]["status"] == "unknown" and rows[0]["profile"] == "default"
    assert json.loads(cli("list", "--json", "--status", "gone").out) == []


def test_list_table_shows_ids_and_makes_hostile_titles_inert(cli: Cli) -> None:
    cli("add", "thread_a1", "--title", HOSTILE)
    result = cli("list")
    assert result.code == 0
    assert "thread_a1" in result.out
    assert "\x1b" not in result.out and "␛]52" in result.out


def test_untrack_forgets_locally_and_reports_unknown_ids(cli: Cli) -> None:
    cli("add", "thread_a1", "thread_b2")
    result = cli("untrack", "thread_a1", "thread_zz")
    assert result.code == 1
    assert "Untracked thread_a1" in result.out and "thread_zz was not tracked" in result.err
    assert [r["id"] for r in json.loads(cli("list", "--json").out)] == ["thread_b2"]


# -- exit codes and one-sentence errors ------------------------------------------------------
def test_version_help_and_usage_errors(cli: Cli) -> None:
    version = cli("--version")
    assert (version.code, version.out.strip()) == (0, f"threadtui {__version__}")
    assert cli("--help").code == 0
    for argv in (["add"], ["list", "--bogus"], ["list", "--status", "deleted"], ["show"], ["nope"]):
        assert cli(*argv).code == 2, argv


def test_a_malformed_config_is_one_sentence_and_the_file_is_untouched(cli: Cli) -> None:
    cli.config_dir.mkdir()
    config = cli.config_dir / "config.toml"
    config.write_text('# mine\n[profiles.work]\nbase_url = "http://x/v1\n')
    before = config.read_bytes()
    result = cli("list")
    assert result.code == 1
    assert result.err.count("\n") == 1 and str(config) in result.err and "line 3" in result.err
    assert "Traceback" not in result.err
    assert config.read_bytes() == before
    assert cli("profile", "add", "other", "--base-url", "http://y/v1").code == 1
    assert config.read_bytes() == before


def test_a_registry_that_is_not_a_database_is_one_sentence_and_untouched(cli: Cli) -> None:
    cli.data_dir.mkdir(mode=0o700)  # private, as threadtui makes it
    registry = cli.data_dir / "registry.sqlite3"
    registry.write_bytes(b"my precious notes\n" * 50)
    result = cli("add", "thread_a1")
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert result.err.startswith(f"{registry} is not a threadtui registry")
    assert registry.read_bytes() == b"my precious notes\n" * 50


def test_no_key_names_the_variable_to_set(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 2)
    del cli.env["OPENAI_API_KEY"]
    result = cli("show", thread_id)
    assert result.code == 1
    assert "set OPENAI_API_KEY" in result.err and result.err.count("\n") == 1


# -- show ------------------------------------------------------------------------------------
def test_show_prints_the_whole_thread_oldest_first_as_markdown(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 250)
    cli("add", thread_id, "--title", "Refunds, audited")
    result = cli("show", thread_id)
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("# Refunds, audited\n")
    positions = [out.index(f"question {n}\n") for n in range(0, 250, 2)]
    assert positions == sorted(positions)  # oldest first, every page
    assert "answer 249" in out
    assert "## assistant · 2023-11-14T22:13:21Z · Support Bot (asst_" in out
    assert "· run_r1\n" in out
    assert "- 【4:0†source】 → file-policy" in out
    assert "[image: file-chart]" in out and "[attachment: file-attached]" in out
    assert fake.count("GET", "/threads/{x}/messages") == 3  # 100 per page
    tracked = json.loads(cli("list", "--json").out)[0]
    assert (tracked["message_count"], tracked["status"]) == (250, "live")


def test_show_json_is_the_raw_api_objects(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 120)
    result = cli("show", thread_id, "--format", "json")
    assert result.code == 0
    document = json.loads(result.out)
    assert document["thread"]["id"] == thread_id
    assert [m["object"] for m in document["messages"]] == ["thread.message"] * 120
    assert document["messages"][0]["content"][0]["text"]["value"] == "question 0"


def test_show_on_a_terminal_makes_remote_escapes_inert(cli: Cli, fake: FakeAPI) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000)
    fake.store.add_message(
        thread, role="user", content=[text_part(HOSTILE)], created_at=1_700_000_001
    )
    on_terminal = cli("show", thread.id, tty=True)
    assert on_terminal.code == 0
    assert "\x1b" not in on_terminal.out and "␛]52;c;" in on_terminal.out
    piped = cli("show", thread.id)  # e.g. into less or head, still on a terminal
    assert piped.out == on_terminal.out
    raw = cli("show", thread.id, "--format", "json")  # the lossless form, escaped
    assert "\x1b" not in raw.out
    assert json.loads(raw.out)["messages"][0]["content"][0]["text"]["value"] == HOSTILE


def test_show_of_a_gone_thread_says_so_and_marks_it(cli: Cli) -> None:
    cli("add", "thread_vanished")
    result = cli("show", "thread_vanished")
    assert result.code == 1
    assert "thread_vanished" in result.err and result.err.count("\n") == 1
    assert json.loads(cli("list", "--json").out)[0]["status"] == "gone"


def test_show_refuses_other_id_kinds(cli: Cli, fake: FakeAPI) -> None:
    result = cli("show", "asst_abc")
    assert result.code == 1 and "assistant ID" in result.err
    assert fake.count() == 0


# -- delete ----------------------------------------------------------------------------------
def test_delete_with_yes_deletes_and_forgets(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 4)
    cli("add", thread_id, "thread_alreadygone")
    result = cli("delete", thread_id, "thread_alreadygone", "--yes")
    assert result.code == 0, result.err
    assert f"Deleted {thread_id}." in result.out
    assert "thread_alreadygone was already gone from the server: untracked it." in result.out
    assert thread_id not in fake.store.threads
    assert json.loads(cli("list", "--json").out) == []
    assert cli("show", thread_id).code == 1  # the server now answers 404


def test_delete_without_a_terminal_needs_yes(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 2)
    result = cli("delete", thread_id)
    assert result.code == 1 and "--yes" in result.err
    assert thread_id in fake.store.threads
    assert fake.count("DELETE") == 0


def test_delete_asks_naming_thread_title_and_count(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 7, title="Old refund thread")
    declined = cli("delete", thread_id, stdin="no\n", tty=True)
    assert declined.code == 1
    assert thread_id in declined.err and "Old refund thread" in declined.err
    assert "7 messages" in declined.err and "cannot be undone" in declined.err
    assert "Nothing was deleted." in declined.err
    assert thread_id in fake.store.threads
    confirmed = cli("delete", thread_id, stdin="yes\n", tty=True)
    assert confirmed.code == 0
    assert thread_id not in fake.store.threads


def test_read_only_deletes_nothing(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 2)
    result = cli("--read-only", "delete", thread_id, "--yes")
    assert result.code == 1 and "Read-only" in result.err
    assert fake.count("DELETE") == 0 and thread_id in fake.store.threads


def test_delete_rejects_every_id_when_one_is_of_the_wrong_kind(cli: Cli, fake: FakeAPI) -> None:
    thread_id = seed_thread(fake, 2)
    result = cli("delete", thread_id, "run_abc", "--yes")
    assert result.code == 1 and "Nothing was deleted" in result.err
    assert thread_id in fake.store.threads


# -- profiles and the registry file ----------------------------------------------------------
def test_profiles_never_show_a_key(cli: Cli) -> None:
    cli.env["WORK_KEY"] = "sk-very-secret-work-key"
    added = cli(
        "profile", "add", "work", "--base-url", "http://llm.example/v1", "--api-key-env", "WORK_KEY"
    )
    assert added.code == 0
    listed = cli("profile", "list")
    assert "work: assistants on llm.example, key from WORK_KEY (set)" in listed.out
    assert "default (default, from OPENAI_* variables)" in listed.out
    text = (cli.config_dir / "config.toml").read_text()
    for output in (added.out, added.err, listed.out, text):
        assert "sk-very-secret" not in output and "sk-test-key" not in output
    again = cli("profile", "add", "work", "--base-url", "http://other/v1")
    assert again.code == 1 and "--replace" in again.err


def test_registry_export_then_import_elsewhere(cli: Cli, tmp_path: Path) -> None:
    cli("add", "thread_a1", "conv_b2", "--tag", "keep", "--title", "Kept")
    exported = tmp_path / "export.toml"
    assert cli("registry", "export", "-o", str(exported)).code == 0
    assert exported.stat().st_mode & 0o077 == 0
    cli.env["THREADTUI_DATA_DIR"] = str(tmp_path / "elsewhere")
    result = cli("registry", "import", str(exported))
    assert result.code == 0 and "Imported 2 new threads" in result.out
    rows = json.loads(cli("list", "--json").out)
    assert {(r["id"], r["title"], tuple(r["tags"])) for r in rows} == {
        ("thread_a1", "Kept", ("keep",)),
        ("conv_b2", "Kept", ("keep",)),
    }
    broken = tmp_path / "broken.toml"
    broken.write_text("[[thread]\n")
    bad = cli("registry", "import", str(broken))
    assert bad.code == 1 and str(broken) in bad.err and bad.err.count("\n") == 1


def test_list_and_add_do_not_import_openai_or_textual(tmp_path: Path) -> None:
    probe = (
        "import sys\n"
        "from threadtui.cli import main\n"
        "assert main(['add', 'thread_x']) == 0 and main(['list']) == 0\n"
        "print(sorted(m for m in ('openai', 'textual', 'httpx2') if m in sys.modules))\n"
    )
    env = {"THREADTUI_CONFIG_DIR": str(tmp_path / "c"), "THREADTUI_DATA_DIR": str(tmp_path / "d")}
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_registry_rows_survive_in_sqlite(cli: Cli) -> None:
    cli("add", "thread_a1", "--tag", "x")
    db = sqlite3.connect(cli.data_dir / "registry.sqlite3")
    assert db.execute("SELECT id, source FROM threads").fetchall() == [("thread_a1", "cli")]
    db.close()


@pytest.mark.parametrize("command", [["profile"], ["registry"]])
def test_a_command_group_without_a_command_is_a_usage_error(cli: Cli, command: list[str]) -> None:
    assert cli(*command).code == 2


def test_demo_lists_seeded_threads_and_touches_no_real_files(cli: Cli) -> None:
    result = cli("--demo", "list", "--json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert len(rows) >= 10
    # threads live on the Assistants demo profile, conversations on the Conversations one
    assert {(r["kind"], r["profile"]) for r in rows} == {
        ("thread", "demo"),
        ("conversation", "demo-conversations"),
    }
    assert not cli.data_dir.exists() and not cli.config_dir.exists()


def test_output_piped_into_head_ends_quietly(tmp_path) -> None:
    import subprocess
    import sys

    env = {
        "THREADTUI_DATA_DIR": str(tmp_path / "d"),
        "THREADTUI_CONFIG_DIR": str(tmp_path / "c"),
        "PATH": "/usr/bin:/bin",
    }
    ids = " ".join(f"thread_Pipe{n:06d}" for n in range(3000))
    subprocess.run(
        [sys.executable, "-m", "threadtui", "add", *ids.split()],
        env=env,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        f"{sys.executable} -m threadtui list | head -n 2",
        shell=True,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.count("\n") == 2
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
