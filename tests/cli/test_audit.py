"""`threadtui runs`, `prune`, `deletions` and `meta`, in-process against the fake API."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from threadtui.clock import ManualClock
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import Registry, TrackedThread
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = 86400.0


def registry_of(cli: Cli) -> Registry:
    return Registry(Locations.resolve(cli.config_dir, cli.data_dir, cli.env).registry_file)


def old_threads(
    cli: Cli, count: int, *, messages: int = 3, known: bool = True, idle_days: float = 200
) -> list[str]:
    """Threads on the fake, tracked with their last activity `idle_days` ago."""
    now = time.time()
    ids = []
    for _ in range(count):
        thread = cli.fake.store.add_thread(created_at=int(now - 400 * DAY))
        for m in range(messages):
            cli.fake.store.add_message(
                thread, role="user", content=[text_part(f"m{m}")], created_at=int(now - 300 * DAY)
            )
        ids.append(thread.id)
    with registry_of(cli) as registry:
        registry.add_many(
            TrackedThread(
                i,
                "thread",
                "default",
                f"Old {n}",
                last_activity_at=now - idle_days * DAY,
                message_count=messages if known else None,
            )
            for n, i in enumerate(ids)
        )
    return ids


def tracked(cli: Cli) -> set[str]:
    return {row["id"] for row in json.loads(cli("list", "--json").out)}


# -- runs -------------------------------------------------------------------------------------
@pytest.fixture
def seeded_cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path, FakeAPI(clock=ManualClock(), seed=1))


def seeded_id(cli: Cli, title: str) -> str:
    return next(d["id"] for d in cli.fake.demo_threads() if d["title"] == title)


def test_runs_prints_each_run_its_error_steps_and_the_totals(seeded_cli: Cli) -> None:
    thread_id = seeded_id(seeded_cli, "Batch job failed")
    truth = [run.obj for run in seeded_cli.fake.store.threads[thread_id].runs]
    result = seeded_cli("runs", thread_id, "--steps")
    assert result.code == 0, result.err
    out = result.out
    assert out.index(truth[0]["id"]) < out.index(truth[1]["id"])  # oldest first
    assert f"{truth[1]['id']}  failed  Code Helper ({truth[1]['assistant_id']})" in out
    assert f"error: server_error: {truth[1]['last_error']['message']}" in out
    # The line under each run is the run history screen's: "created … · ended … · …".
    times = [line for line in out.splitlines() if line.startswith("  created ")]
    assert len(times) == 2 and all(" · ended " in line for line in times), times
    assert "step step_" in out and "message_creation" in out
    total = sum(r["usage"]["total_tokens"] for r in truth)
    messages = len(seeded_cli.fake.store.threads[thread_id].messages)
    assert f"Totals: {messages} messages, 2 runs, {total:,} tokens (" in out


def test_runs_json_has_every_run_and_the_totals(seeded_cli: Cli) -> None:
    thread_id = seeded_id(seeded_cli, "Chart of monthly sales")
    data = json.loads(seeded_cli("runs", thread_id, "--json", "--steps").out)
    (run,) = data["runs"]
    server = seeded_cli.fake.store.threads[thread_id].runs[0].obj
    assert (run["id"], run["status"], run["model"]) == (server["id"], "completed", server["model"])
    assert run["usage"] == server["usage"] == data["totals"]["tokens"]
    assert run["duration_seconds"] == server["completed_at"] - server["started_at"]
    assert any("code_interpreter:" in d for step in run["steps"] for d in step["details"])
    assert data["totals"]["runs"] == 1


def test_runs_of_a_conversation_says_there_is_no_run_list(seeded_cli: Cli) -> None:
    seeded_cli(
        "profile", "add", "convs", "--kind", "conversations", "--base-url", seeded_cli.fake.base_url
    )
    conv = next(d["id"] for d in seeded_cli.fake.demo_threads() if d["kind"] == "conversation")
    result = seeded_cli("--profile", "convs", "runs", conv)
    assert result.code == 0, result.err
    assert "keep no list of their responses" in result.out
    assert "0 runs" not in result.out and "runs not listed by this API" in result.out


def test_runs_of_a_gone_thread_is_one_sentence(cli: Cli) -> None:
    result = cli("runs", "thread_neverthere")
    assert result.code == 1
    assert result.err.count("\n") == 1 and "thread_neverthere was not found" in result.err


# -- meta -------------------------------------------------------------------------------------
def test_meta_shows_sets_and_unsets_remote_pairs(cli: Cli, fake: FakeAPI) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"team": "ops", "x": "1"})
    cli("add", thread.id, "--title", "Refunds", "--tag", "billing")
    shown = cli("meta", thread.id)
    assert shown.code == 0
    assert "Remote metadata (2 of 16 pairs):" in shown.out and "team  ops" in shown.out
    assert "title  Refunds" in shown.out and "tags   billing" in shown.out
    changed = cli("meta", thread.id, "--set", "team=billing", "--set", "url=a=b", "--unset", "x")
    assert changed.code == 0, changed.err
    assert thread.obj["metadata"] == {"team": "billing", "url": "a=b"}
    data = json.loads(cli("meta", thread.id, "--json").out)
    assert data["metadata"] == {"team": "billing", "url": "a=b"}
    assert data["local"] == {"title": "Refunds", "note": "", "tags": ["billing"]}


def test_meta_over_the_limits_is_refused_in_the_apis_words_before_sending(
    cli: Cli, fake: FakeAPI
) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000, metadata={"team": "ops"})
    too_many = [arg for n in range(16) for arg in ("--set", f"k{n}=v")]
    cases = [
        (
            too_many,
            "Invalid 'metadata': too many properties. Expected an object with at most "
            "16 properties, but got an object with 17 properties instead. Nothing was sent.\n",
        ),
        (
            ["--set", "k" * 65 + "=v"],
            "Invalid 'metadata': key too long. Expected a key with "
            "maximum length 64, but got a key with length 65 instead. Nothing was sent.\n",
        ),
        (
            ["--set", "team=" + "v" * 513],
            "Invalid 'metadata.team': string too long. Expected "
            "a string with maximum length 512, but got a string with length 513 instead. "
            "Nothing was sent.\n",
        ),
    ]
    for args, sentence in cases:
        fake.requests.clear()
        result = cli("meta", thread.id, *args)
        assert (result.code, result.err) == (1, sentence)
        assert fake.count("POST") == 0
    assert thread.obj["metadata"] == {"team": "ops"}
    assert cli("meta", thread.id, "--set", "novalue").code == 2


def test_meta_local_fields_change_without_any_request(cli: Cli, fake: FakeAPI) -> None:
    cli("add", "thread_local1", "--tag", "keep", "--tag", "drop")
    fake.requests.clear()
    result = cli(
        "meta",
        "thread_local1",
        "--title",
        "Audit me",
        "--note",
        "ask legal",
        "--tag",
        "new",
        "--untag",
        "drop",
    )
    assert result.code == 0, result.err
    assert fake.requests == []
    assert "title  Audit me" in result.out and "note   ask legal" in result.out
    (row,) = json.loads(cli("list", "--json").out)
    assert (row["title"], row["note"], row["tags"]) == ("Audit me", "ask legal", ["keep", "new"])
    untracked = cli("meta", "thread_other", "--title", "x")
    assert untracked.code == 1 and "is not tracked" in untracked.err


# -- prune ------------------------------------------------------------------------------------
def test_prune_dry_run_lists_and_counts_and_changes_nothing(cli: Cli) -> None:
    ids = old_threads(cli, 4)
    old_threads(cli, 2, known=False)
    old_threads(cli, 3, idle_days=10)  # too recent
    cli.fake.requests.clear()
    result = cli("prune", "--older-than", "90d", "--dry-run")
    assert result.code == 0, result.err
    assert all(i in result.out for i in ids)
    assert result.out.rstrip().endswith(
        "Dry run: would delete 6 threads holding at least 12 messages (2 with a count not "
        "known). Nothing was changed."
    )
    assert cli.fake.requests == [] and len(tracked(cli)) == 9
    assert json.loads(cli("deletions", "--json").out) == []


def test_prune_bad_age_is_one_sentence(cli: Cli) -> None:
    result = cli("prune", "--older-than", "ninety days")
    assert result.code == 2
    assert result.err == (
        "--older-than: 'ninety days' is not an age: write a whole number and a unit, like 90d "
        "(days), 12w (weeks), 6m (months) or 1y (years).\n"
    )


def test_prune_without_a_terminal_or_yes_deletes_nothing(cli: Cli) -> None:
    old_threads(cli, 3)
    result = cli("prune", "--older-than", "90d")
    assert result.code == 1 and "pass --yes" in result.err and "Nothing was deleted" in result.err
    assert cli.fake.count("DELETE") == 0 and len(tracked(cli)) == 3


def test_prune_of_a_few_asks_yes_naming_threads_and_messages(cli: Cli) -> None:
    ids = old_threads(cli, 3)
    declined = cli("prune", "--older-than", "90d", stdin="no\n", tty=True)
    assert declined.code == 1 and declined.err.rstrip().endswith("Nothing was deleted.")
    assert "Delete 3 threads holding 9 messages? Each is archived locally first." in declined.err
    assert "Type yes to confirm" in declined.err
    assert cli.fake.count("DELETE") == 0 and tracked(cli) == set(ids)
    done = cli("prune", "--older-than", "90d", "--no-archive", stdin="yes\n", tty=True)
    assert done.code == 0, done.err
    assert "They are NOT archived (--no-archive)" in done.err
    assert tracked(cli) == set() and cli.fake.store.threads == {}
    assert "Done: deleted 3." in done.out


def test_prune_of_more_than_ten_needs_the_count_typed(cli: Cli) -> None:
    ids = old_threads(cli, 11, known=False)
    for answer in ("yes\n", "y\n", "10\n", "\n"):
        refused = cli("prune", "--older-than", "90d", stdin=answer, tty=True)
        assert refused.code == 1 and refused.err.rstrip().endswith("Nothing was deleted.")
    assert cli.fake.count("DELETE") == 0 and tracked(cli) == set(ids)
    # Unknown counts were counted on the server for the confirmation, and remembered.
    assert "Delete 11 threads holding 33 messages?" in refused.err
    assert "Type 11 to confirm" in refused.err
    assert {row["message_count"] for row in json.loads(cli("list", "--json").out)} == {3}
    done = cli("prune", "--older-than", "90d", "--no-archive", stdin="11\n", tty=True)
    assert done.code == 0, done.err
    assert tracked(cli) == set() and cli.fake.store.threads == {}


def test_prune_read_only_refuses_in_one_sentence(cli: Cli) -> None:
    old_threads(cli, 2)
    for argv in (["--yes"], []):
        result = cli("--read-only", "prune", "--older-than", "90d", *argv)
        assert (result.code, result.err) == (
            1,
            "Read-only (the profile or --read-only): nothing was deleted.\n",
        )
    assert cli.fake.count("DELETE") == 0 and len(tracked(cli)) == 2


# -- deletions --------------------------------------------------------------------------------
def test_deletions_shows_the_log_newest_first(cli: Cli) -> None:
    assert cli("deletions").out == "Nothing has been deleted with threadtui yet.\n"
    ids = old_threads(cli, 3)
    cli.fake.inject("403", method="DELETE", path=f"^/threads/{ids[0]}$")
    result = cli("prune", "--older-than", "90d", "--yes", "--no-archive", "--concurrency", "1")
    assert result.code == 1
    assert f"{ids[0]} failed: {ids[0]} belongs to another organization" in result.out
    rows = json.loads(cli("deletions", "--json").out)
    assert sorted((r["thread_id"], r["outcome"]) for r in rows) == sorted(
        [(ids[0], "failed"), (ids[1], "deleted"), (ids[2], "deleted")]
    )
    assert [r["id"] for r in rows] == sorted((r["id"] for r in rows), reverse=True)
    assert {r["host"] for r in rows} == {"fake.local"}
    assert len(json.loads(cli("deletions", "--json", "--limit", "2").out)) == 2
    table = cli("deletions").out
    assert "OUTCOME" in table and "belongs to another organization" in table


# -- delete goes the same way ------------------------------------------------------------------
def test_cli_delete_archives_first_and_no_archive_does_not(cli: Cli, fake: FakeAPI) -> None:
    first = fake.store.add_thread(created_at=1_700_000_000)
    second = fake.store.add_thread(created_at=1_700_000_000)
    for thread in (first, second):
        fake.store.add_message(thread, role="user", content=[text_part("hi")], created_at=1)
    assert cli("delete", first.id, "--yes").code == 0
    assert cli("delete", second.id, "--yes", "--no-archive").code == 0
    assert fake.store.threads == {}
    log = {e["thread_id"]: e for e in json.loads(cli("deletions", "--json").out)}
    assert log[first.id]["archived_to"] and not log[second.id]["archived_to"]
    assert {e["outcome"] for e in log.values()} == {"deleted"}
