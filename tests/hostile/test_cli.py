"""Items 7, 9 and 11 of issue 13 on the CLI, against the hostile server over 127.0.0.1:
malformed answers are one sentence naming the server and the thread, `--all` commands
carry on past them, a 404 that does not name the thread never marks it gone, a redirect
loop says so, and a page repeating a message does not repeat it in `show`."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from tests.hostile import matrix
from tests.hostile.server import HostileServer
from threadtui.cli import main


class HostileCli:
    """`cli("show", "thread_x")`: the real CLI in-process, its profile on the hostile server."""

    def __init__(self, home: Path, server: HostileServer) -> None:
        (home / "config").mkdir(parents=True)
        (home / "config" / "config.toml").write_text(matrix._config(server))
        self.env = {
            **matrix.environment(home),
            "THREADTUI_CONFIG_DIR": str(home / "config"),
            "THREADTUI_DATA_DIR": str(home / "data"),
        }

    def __call__(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "stdin", io.StringIO())
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            code = main(list(argv), env=self.env)
        return code, out.getvalue(), err.getvalue()

    def row(self, thread_id: str) -> dict | None:
        rows = json.loads(self("list", "--json")[1])
        return next((r for r in rows if r["id"] == thread_id), None)


@pytest.fixture
def cli(tmp_path: Path, hostile_server: HostileServer) -> HostileCli:
    return HostileCli(tmp_path, hostile_server)


@pytest.mark.parametrize(
    ("behaviour", "detail"),
    [
        ("badUtf8", "text that is not UTF-8"),
        ("html200", "not a JSON object"),
        ("error200", "a thread without an id"),
        ("noId", "a thread without an id"),
        ("wrongTypes", "a thread without an id"),
    ],
)
def test_a_malformed_answer_is_one_sentence_naming_server_and_thread(
    cli: HostileCli, behaviour: str, detail: str
) -> None:
    thread_id = f"thread_{behaviour}"
    cli("add", thread_id)
    code, out, err = cli("show", thread_id)
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"127.0.0.1 sent a malformed answer about {thread_id} ({detail}), so nothing was "
        "changed: check the profile's base_url, or try again later."
    ]


def test_check_and_archive_all_carry_on_past_bad_threads(cli: HostileCli) -> None:
    bad = ["thread_badUtf8", "thread_html200", "thread_noId"]
    cli("add", *bad, "thread_normal", "thread_gone")
    code, out, err = cli("check", "--all")
    assert code == 1
    assert "Checked 5 threads: 1 live, 1 gone, 0 forbidden, 3 errors." in out
    assert all(f"about {thread_id} (" in out + err for thread_id in bad)
    assert cli.row("thread_normal")["status"] == "live"  # type: ignore[index]

    code, out, err = cli("archive", "--all")
    assert code == 1
    assert "Archived 1 thread: 3 new messages; 3 failed" in out
    assert all(f"{thread_id}: 127.0.0.1 sent a malformed answer" in out + err for thread_id in bad)


@pytest.mark.parametrize("behaviour", ["html404", "404other"])
def test_a_404_not_naming_the_thread_does_not_make_it_gone(
    cli: HostileCli, hostile_server: HostileServer, behaviour: str
) -> None:
    thread_id = f"thread_{behaviour}"
    cli("add", thread_id)
    code, out, err = cli("check", thread_id)
    assert code == 1
    assert (
        f"The server answered 404 about {thread_id} without naming it, so it is not marked gone"
        in out + err
    )
    assert cli.row(thread_id)["status"] == "unknown"  # type: ignore[index]

    code, out, err = cli("delete", thread_id, "--yes")
    assert code == 1 and "already gone" not in out + err
    assert cli.row(thread_id) is not None  # still tracked
    assert thread_id not in hostile_server.deleted


def test_a_404_naming_the_thread_still_makes_it_gone(cli: HostileCli) -> None:
    cli("add", "thread_gone")
    assert cli("check", "thread_gone")[0] == 0
    assert cli.row("thread_gone")["status"] == "gone"  # type: ignore[index]
    code, out, err = cli("delete", "thread_gone", "--yes")
    assert code == 0
    assert "thread_gone was already gone from the server: untracked it." in out + err
    assert cli.row("thread_gone") is None


def test_a_redirect_loop_is_called_one(cli: HostileCli) -> None:
    cli("add", "thread_redirectLoop")
    code, _, err = cli("show", "thread_redirectLoop")
    assert code == 1
    assert "127.0.0.1 kept redirecting the request (a redirect loop)" in err
    assert "Could not reach" not in err


def test_a_page_repeating_a_message_shows_it_once_and_counts_it_once(cli: HostileCli) -> None:
    cli("add", "thread_repeatMessage")
    code, out, _ = cli("show", "thread_repeatMessage")
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("`msg_")] == [
        "`msg_0001`",
        "`msg_0002`",
        "`msg_0003`",
    ]
    assert "- Messages: 3" in out
    assert cli.row("thread_repeatMessage")["message_count"] == 3  # type: ignore[index]
