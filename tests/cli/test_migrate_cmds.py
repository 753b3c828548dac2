"""`threadtui migrate`, in-process against the fake API with a conversations profile."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import Cli
from tests.core.archive_world import seed_thread
from threadtui.fakeapi import FakeAPI


@pytest.fixture
def convs(cli: Cli, fake: FakeAPI) -> Cli:
    """The CLI with the default (Assistants) profile and a conversations profile "convs"."""
    added = cli("profile", "add", "convs", "--kind", "conversations", "--base-url", fake.base_url)
    assert added.code == 0, added.err
    return cli


def conversation_texts(fake: FakeAPI, conversation_id: str) -> list[str]:
    return [
        item["content"][0]["text"] for item in fake.responses.conversations[conversation_id].items
    ]


def test_migrate_copies_links_tracks_and_keeps_the_source(convs: Cli, fake: FakeAPI) -> None:
    thread = seed_thread(fake, 45, words="invoice")
    convs("add", thread.id, "--title", "Invoices", "--tag", "billing")

    result = convs("migrate", thread.id)

    assert result.code == 0, result.err
    conv_id = next(iter(fake.responses.conversations))
    assert result.out == (
        f"Migrated {thread.id} (45 messages, read from the server) to {conv_id} on profile "
        "'convs' in 3 batches; tracking it as 'Invoices (migrated)'.\n"
    )
    assert conversation_texts(fake, conv_id) == [f"invoice number {n}" for n in range(45)]
    listed = json.loads(convs("list", "--json").out)
    rows = {row["id"]: row for row in listed}
    assert (rows[conv_id]["kind"], rows[conv_id]["profile"], rows[conv_id]["tags"]) == (
        "conversation",
        "convs",
        ["billing"],
    )
    assert thread.id in rows and thread.id in fake.store.threads  # kept: not asked to delete

    again = convs("migrate", thread.id)
    assert again.code == 0
    assert again.out == (
        f"{thread.id} was already migrated to {conv_id}: open that, or pass --again to make "
        "another copy.\n"
    )
    assert len(fake.responses.conversations) == 1
    assert convs("migrate", thread.id, "--again").code == 0
    assert len(fake.responses.conversations) == 2


def test_delete_source_with_yes_deletes_through_the_delete_path(convs: Cli, fake: FakeAPI) -> None:
    thread = seed_thread(fake, 5)
    convs("add", thread.id)

    result = convs("migrate", thread.id, "--delete-source", "--yes", "--json")

    assert result.code == 0, result.err
    (report,) = json.loads(result.out)
    assert (report["outcome"], report["items"], report["batches"], report["deleted"]) == (
        "migrated",
        5,
        1,
        "deleted",
    )
    assert thread.id not in fake.store.threads
    deletions = convs("deletions", "--json")
    assert deletions.code == 0, deletions.err
    assert [(e["thread_id"], e["outcome"]) for e in json.loads(deletions.out)] == [
        (thread.id, "deleted")
    ]


def test_delete_source_asks_on_a_terminal_and_a_no_keeps_the_thread(
    convs: Cli, fake: FakeAPI
) -> None:
    thread = seed_thread(fake, 5, title="Old chat")
    convs("add", thread.id, "--title", "Old chat")

    declined = convs("migrate", thread.id, "--delete-source", stdin="no\n", tty=True)

    assert declined.code == 0, declined.err
    assert f"  {thread.id}  “Old chat”  5 messages  on fake.local" in declined.err
    assert "Nothing was deleted" in declined.err
    assert thread.id in fake.store.threads and len(fake.responses.conversations) == 1
    other = seed_thread(fake, 3)
    confirmed = convs("migrate", other.id, "--delete-source", stdin="yes\n", tty=True)
    assert confirmed.code == 0, confirmed.err
    assert f"Deleted {other.id}" in confirmed.out
    assert other.id not in fake.store.threads


def test_refusals_come_before_any_request(convs: Cli, cli: Cli, fake: FakeAPI) -> None:
    thread = seed_thread(fake, 3)
    fake.requests.clear()
    no_terminal = convs("migrate", thread.id, "--delete-source")
    assert no_terminal.code == 1 and "pass --yes" in no_terminal.err
    read_only = convs("--read-only", "migrate", thread.id)
    assert read_only.code == 1 and read_only.err.startswith("Read-only")
    wrong_target = convs("migrate", thread.id, "--to-profile", "default")
    assert wrong_target.code == 1 and "speaks the assistants API" in wrong_target.err
    wrong_kind = convs("migrate", "run_abc123")
    assert wrong_kind.code == 1 and "Nothing was migrated" in wrong_kind.err
    assert len(fake.requests) == 0


def test_without_a_conversations_profile_it_says_how_to_add_one(cli: Cli, fake: FakeAPI) -> None:
    thread = seed_thread(fake, 3)
    result = cli("migrate", thread.id)
    assert result.code == 1
    assert result.err == (
        "No profile speaks the Conversations API, so there is nowhere to migrate to: add one "
        "with `threadtui profile add NAME --kind conversations` (api.openai.com gets that kind "
        "by default), then migrate again.\n"
    )
    assert len(fake.requests) == 0


def test_a_gone_thread_without_an_archive_fails_in_one_sentence_others_go_on(
    convs: Cli, fake: FakeAPI
) -> None:
    thread = seed_thread(fake, 2)
    result = convs("migrate", "thread_NeverThere", thread.id)
    assert result.code == 1
    assert result.err == (
        "thread_NeverThere is gone from the server and was never archived, so there is "
        "nothing to migrate.\n"
    )
    assert result.out.startswith(f"Migrated {thread.id} (2 messages")
