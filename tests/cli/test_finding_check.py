"""`threadtui check` and `threadtui continue`, in-process against the fake API."""

from __future__ import annotations

import json

from tests.cli.conftest import Cli
from threadtui.fakeapi.store import text_part


def live(cli: Cli, count: int) -> list[str]:
    return [cli.fake.store.add_thread(created_at=1_700_000_000).id for _ in range(count)]


def test_check_all_prints_one_line_and_records_statuses(cli: Cli) -> None:
    alive = live(cli, 3)
    cli("add", *alive, "thread_gone1X", "thread_gone2X")
    result = cli("check", "--all")
    assert result.code == 0, result.err
    assert result.out == "Checked 5 threads: 3 live, 2 gone, 0 forbidden, 0 errors.\n"
    rows = {row["id"]: row for row in json.loads(cli("list", "--json").out)}
    assert {i: rows[i]["status"] for i in rows} == {
        **dict.fromkeys(alive, "live"),
        "thread_gone1X": "gone",
        "thread_gone2X": "gone",
    }
    assert rows[alive[0]]["created_at"] == 1_700_000_000 and rows[alive[0]]["checked_at"]
    assert rows["thread_gone1X"]["status_reason"] == (
        "not found on fake.local: deleted, expired, or another project's"
    )


def test_check_some_ids_and_only_the_gone_ones(cli: Cli) -> None:
    alive = live(cli, 2)
    cli("add", *alive, "thread_gone1X")
    assert (
        cli("check", alive[0]).out == "Checked 1 thread: 1 live, 0 gone, 0 forbidden, 0 errors.\n"
    )
    assert cli("check", "thread_other1X").out.splitlines() == [
        "Checked 1 thread: 0 live, 1 gone, 0 forbidden, 0 errors.",
        "thread_other1X is not tracked, so nothing was recorded: `threadtui add` it to keep "
        "the result.",
    ]
    cli("check", "--all")
    cli.fake.requests.clear()
    again = cli("check", "--all", "--status", "gone", "--json")
    assert json.loads(again.out)["gone"] == ["thread_gone1X"]
    assert cli.fake.count("GET", "/threads/{id}") == 1


def test_check_usage_mistakes_get_one_sentence(cli: Cli) -> None:
    assert cli("check").err == "Give thread IDs to check, or --all for every tracked thread.\n"
    assert cli("check", "--status", "gone", "thread_x1").err == "--status goes with --all.\n"
    wrong = cli("check", "run_197FydHLaBK7OX61jFXoI4GC")
    assert wrong.code == 1
    assert wrong.err.startswith("run_197Fyd… is a run ID, not a thread ID")
    unknown = cli("check", "--all", "--profile", "nope")
    assert unknown.code == 1 and unknown.err.startswith("There is no profile 'nope'")


def test_check_on_a_retired_server_says_so_once_and_marks_nothing(cli: Cli) -> None:
    alive = live(cli, 3)
    cli("add", *alive, "thread_gone1X")
    cli.fake.retired = True
    result = cli("check", "--all")
    assert result.code == 1
    assert result.out.splitlines() == [
        "Checked 4 threads: 0 live, 0 gone, 0 forbidden, 0 errors, 4 not checked.",
        "The server of profile 'default' (fake.local) no longer offers the Assistants API: its "
        "threads are kept as they were, none was marked gone; their archived transcripts still "
        "open, and a conversations profile can continue them. (4 threads)",
    ]
    statuses = {row["status"] for row in json.loads(cli("list", "--json").out)}
    assert statuses == {"unknown"}


def test_check_shows_live_progress_on_a_terminal(cli: Cli) -> None:
    cli("add", *live(cli, 2))
    result = cli("check", "--all", tty=True)
    assert "2/2 · 2 live · 0 gone · 0 forbidden · 0 errors" in result.err
    assert cli("check", "--all").err == ""


def test_continue_a_gone_thread_from_its_archive(cli: Cli, tmp_path) -> None:
    old = cli.fake.store.add_thread(created_at=1_700_000_000)
    for n in range(4):
        cli.fake.store.add_message(
            old,
            role="user" if n % 2 == 0 else "assistant",
            content=[text_part(f"turn {n}")],
            created_at=1_700_000_000 + n,
        )
    cli("add", old.id, "--title", "Refunds", "--tag", "billing")
    cli("archive", old.id)  # keep a transcript, then the server forgets the thread
    cli.fake.store.delete_thread(old.id)
    cli("check", old.id)
    result = cli("continue", old.id, "--last", "3")
    assert result.code == 0, result.err
    new_id = result.out.split(" in ")[1].split(" ")[0]
    assert result.out == (
        f"Continued {old.id} in {new_id} (3 messages carried over); tracking it as "
        "'Refunds (continued)'.\n"
    )
    texts = [m["content"][0]["text"]["value"] for m in cli.fake.store.threads[new_id].messages]
    assert texts == ["turn 1", "turn 2", "turn 3"]
    nothing = cli("continue", "thread_never1X")
    assert nothing.code == 1 and "has no messages to carry over" in nothing.err
