"""`threadtui import`, run in-process (and once killed mid-import in a real process)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.conftest import Cli

LOGS = Path(__file__).parent.parent / "data" / "logs"
EXPECTED = json.loads((LOGS / "expected.json").read_text(encoding="utf-8"))
LOG_FILES = [str(LOGS / name) for name in sorted(EXPECTED["files"])]


def test_import_prints_what_it_did(cli: Cli) -> None:
    result = cli("import", *LOG_FILES)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Tracked 18 new threads from 6 sources; 0 were tracked already."
    assert lines[1:5] == [
        "2 IDs were cut short and not imported (thread_6Yq…, thread_Ab3De…): find them in full.",
        "thread_f6MSpC9VRYOS1J… was cut short; it is thread_f6MSpC9VRYOS1JkVNROgM6SR, tracked "
        "in full.",
        "thread_PHBZE0OiFW876y… was cut short; it is thread_PHBZE0OiFW876ygBIcDguUQ5, tracked "
        "in full.",
        "thread_LxMw0k1V… was cut short; it is thread_LxMw0k1VSPj3SW5u4LL7tygS, tracked in full.",
    ]
    assert "Not imported: 8 run IDs. run_197Fyd… is a run ID" in result.out
    listed = json.loads(cli("list", "--json").out)
    assert {row["id"] for row in listed} == set(EXPECTED["all"]["ids"])


def test_import_json_summary_for_scripts(cli: Cli) -> None:
    cli("add", "thread_D1hdJFT5q1dv1cExdAO0NHl9")
    result = cli("import", "--json", "--tag", "logs", str(LOGS / "app.log"))
    summary = json.loads(result.out)
    assert (summary["added"], summary["already"]) == (3, 1)
    assert {o["kind"]: o["count"] for o in summary["other_kinds"]} == EXPECTED["files"]["app.log"][
        "others"
    ]
    assert summary["unreadable"] == [] and result.err == ""
    assert len(json.loads(cli("list", "--json", "--tag", "logs").out)) == 4


def test_unreadable_files_fail_with_a_sentence_and_the_rest_is_imported(
    cli: Cli, tmp_path: Path
) -> None:
    result = cli("import", "--json", str(tmp_path / "nope.log"), str(LOGS / "threads.csv"))
    assert result.code == 1
    assert result.err == (
        f"{tmp_path / 'nope.log'} cannot be read (No such file or directory): nothing was "
        "imported from it.\n"
    )
    assert json.loads(result.out)["added"] == 5


def test_standard_input_is_read_when_piped_and_asked_for_on_a_terminal(cli: Cli) -> None:
    piped = cli("import", stdin="see thread_abc123 and run_Xy12")
    assert (
        piped.out.splitlines()[0] == "Tracked 1 new thread from 1 source; 0 were tracked already."
    )
    assert cli("import", "-", stdin="thread_abc123").out.startswith("Tracked 0 new threads")
    asked = cli("import", tty=True)
    assert asked.code == 1
    assert asked.err.startswith("Give files to import (`threadtui import app.log`)")


def test_a_progress_bar_only_on_a_terminal(cli: Cli) -> None:
    on_terminal = cli("import", str(LOGS / "app.log"), tty=True)
    assert "\r" in on_terminal.err and "app.log" in on_terminal.err and "[" in on_terminal.err
    assert on_terminal.err.endswith("\r\x1b[2K")  # cleared before the summary
    assert cli("import", str(LOGS / "app.log")).err == ""


def test_dry_run_changes_nothing(cli: Cli) -> None:
    result = cli("import", "--dry-run", *LOG_FILES)
    assert result.out.startswith("Would track 18 new threads from 6 sources")
    assert json.loads(cli("list", "--json").out) == []


# -- SIGKILL mid-import ---------------------------------------------------------------------
def test_sigkill_mid_import_leaves_whole_batches_and_the_rerun_adds_the_rest(
    tmp_path: Path,
) -> None:
    """50,000 IDs arrive through a pipe; the importer is killed while waiting for more."""
    ids = [f"thread_k{n:06d}Z" for n in range(50_000)]
    lines = [
        f"2025-11-20T14:02:11Z INFO created {thread_id} for user {n}\n"
        for n, thread_id in enumerate(ids)
    ]
    half = 25_000
    env = {
        **os.environ,
        "THREADTUI_CONFIG_DIR": str(tmp_path / "config"),
        "THREADTUI_DATA_DIR": str(tmp_path / "data"),
        "OPENAI_API_KEY": "sk-test-key-not-real",
        "OPENAI_BASE_URL": "http://fake.local/v1",
    }
    command = [sys.executable, "-m", "threadtui", "import", "-"]
    importer = subprocess.Popen(command, stdin=subprocess.PIPE, env=env, stdout=subprocess.DEVNULL)
    assert importer.stdin is not None
    importer.stdin.write("".join(lines[:half]).encode())
    importer.stdin.flush()
    registry = tmp_path / "data" / "registry.sqlite3"

    def tracked() -> int:
        try:
            with sqlite3.connect(f"file:{registry}?mode=ro", uri=True) as db:
                return db.execute("SELECT count(*) FROM threads").fetchone()[0]
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 60
    while tracked() < half and time.monotonic() < deadline:
        time.sleep(0.02)  # polling a condition, not timing anything
    assert tracked() == half, "everything piped so far is committed while the pipe waits"
    importer.send_signal(signal.SIGKILL)
    importer.wait()
    importer.stdin.close()
    assert importer.returncode == -signal.SIGKILL

    with sqlite3.connect(registry) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = {r[0] for r in db.execute("SELECT id FROM threads")}
        sources = {r[0] for r in db.execute("SELECT DISTINCT source FROM threads")}
    assert rows == set(ids[:half]) and sources == {"import:stdin"}

    whole = tmp_path / "created.log"
    whole.write_text("".join(lines))
    rerun = subprocess.run(
        [sys.executable, "-m", "threadtui", "import", "--json", str(whole)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(rerun.stdout)
    assert (summary["added"], summary["already"]) == (len(ids) - half, half)
    assert tracked() == len(ids)
