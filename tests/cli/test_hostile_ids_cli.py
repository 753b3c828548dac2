"""Hostile and look-alike IDs through the CLI: a create answered with a malformed ID
tracks nothing, a registry file's bad rows are refused one by one, look-alike IDs are cut
short, and nothing a server or a file put in an ID reaches the terminal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.core.archive_world import seed_thread
from tests.hardening.hostile import leaks
from threadtui.fakeapi import FakeAPI

# OSC 52 ended by ST (which Rich lets through), a window title, a clear, bidi and markup.
ESCAPES = "\x1b]52;c;cm0gLXJmIH4vCg==\x1b\\\x1b]0;owned\x07\x1b[2J\u202e\u061c[@click=app.quit]"


def tracked_ids(cli: Cli) -> set[str]:
    return {row["id"] for row in json.loads(cli("list", "--json").out)}


def test_continue_refuses_a_thread_id_with_escapes_and_tracks_nothing(
    cli: Cli, fake: FakeAPI
) -> None:
    old = seed_thread(fake, 3)
    assert cli("add", old.id).code == 0
    fake.store.ids.next["thread_"] = [f"thread_{ESCAPES}abc"]

    result = cli("continue", old.id, tty=True)

    assert result.code == 1
    assert "made a thread but named it “thread_␛]52;c;" in result.err
    assert "so it was not tracked" in result.err
    assert leaks(result.out + result.err) == []
    assert tracked_ids(cli) == {old.id}  # the old thread is kept, nothing unshowable added
    listing = cli("list", tty=True)
    assert listing.code == 0 and leaks(listing.out + listing.err) == []
    assert cli("untrack", old.id).code == 0  # every row stays one untrack can name


def test_continue_refuses_an_id_of_the_wrong_kind_or_with_spaces(cli: Cli, fake: FakeAPI) -> None:
    old = seed_thread(fake, 2)
    cli("add", old.id)
    for made in ("conv_0123abcd", " thread_Abc123", "thread_Abc123\n", "thread_", "x" * 100_000):
        fake.store.ids.next["thread_"] = [made]
        result = cli("continue", old.id)
        assert result.code == 1 and "was not tracked" in result.err, repr(made)
        assert len(result.err) < 400  # a long ID is shown bounded
    assert tracked_ids(cli) == {old.id}


def test_migrate_refuses_a_conversation_id_with_escapes(cli: Cli, fake: FakeAPI) -> None:
    assert (
        cli("profile", "add", "convs", "--kind", "conversations", "--base-url", fake.base_url).code
        == 0
    )
    thread = seed_thread(fake, 5)
    cli("add", thread.id)
    fake.store.ids.next["conv_"] = [f"conv_{ESCAPES}"]

    result = cli("migrate", thread.id, tty=True)

    assert result.code == 1
    assert "made a conversation but named it “conv_␛]52;c;" in result.err
    assert leaks(result.out + result.err, own_styling=True) == []  # but its progress line
    assert tracked_ids(cli) == {thread.id}


def test_import_cuts_short_ids_followed_by_look_alike_characters(cli: Cli, tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    good = "thread_Good1234567890abcdefGHI"
    log.write_text(
        "\n".join(
            [
                "opened thread_AbcДef1 (Cyrillic De inside)",
                "opened thread_Abc1\u200d23 (a zero-width joiner inside)",
                "opened thread_Xy9\u0301z (a combining accent)",
                "opened thread_Qw8Ｅrt (a fullwidth letter)",
                "opened thread_Pq7\u061cr (the Arabic letter mark)",
                f"opened {good}. done",
            ]
        ),
        encoding="utf-8",
    )

    result = cli("import", str(log))

    assert result.code == 0, result.err
    assert tracked_ids(cli) == {good}
    assert "5 IDs were cut short and not imported (thread_Abc…, thread_Abc1…" in result.out


def registry_file(path: Path, ids: list[str]) -> Path:
    rows = "".join(f"[[thread]]\nid = {json.dumps(i)}\n\n" for i in ids)
    path.write_text(f"version = 1\n\n{rows}", encoding="utf-8")
    return path


def test_import_of_a_registry_file_refuses_hostile_rows_one_sentence_each(
    cli: Cli, tmp_path: Path
) -> None:
    good = "thread_Good1234567890abcdefGHI"
    bad = [f"thread_{n}{ESCAPES}" for n in range(7)]
    exported = registry_file(tmp_path / "threads.toml", [bad[0], good, *bad[1:]])

    result = cli("import", str(exported), tty=True)

    assert result.code == 1
    assert tracked_ids(cli) == {good}  # the good row, and not a cut-short thread_0
    refused = [line for line in result.out.splitlines() if "is not a complete ID" in line]
    assert len(refused) == 5 and "[[thread]] number 1: thread_0␛]52;c;" in refused[0]
    assert "threads.toml: and 2 more rows refused for their IDs." in result.out
    assert leaks(result.out + result.err) == []


def test_registry_import_of_a_hostile_row_imports_nothing_and_says_so_cleanly(
    cli: Cli, tmp_path: Path
) -> None:
    exported = registry_file(
        tmp_path / "threads.toml", ["thread_Good1234567890abcdefGHI", f"thread_x{ESCAPES}"]
    )

    result = cli("registry", "import", str(exported), tty=True)

    assert result.code != 0
    assert "[[thread]] number 2: thread_x␛]52;c;" in result.err
    assert "Nothing was imported." in result.err
    assert leaks(result.out + result.err) == []
    assert tracked_ids(cli) == set()


@pytest.mark.parametrize("command", ["add", "show", "runs", "meta", "untrack"])
def test_an_id_typed_or_pasted_with_escapes_is_explained_inert(cli: Cli, command: str) -> None:
    result = cli(command, f"thread_abc{ESCAPES}", tty=True)
    assert result.code != 0
    assert "thread_abc␛]52;c;" in result.out + result.err
    assert leaks(result.out + result.err) == []


def test_deletions_shows_a_hostile_logged_id_and_outcome_inert(cli: Cli) -> None:
    from threadtui.core.auditing.deletions import DeletionEntry, DeletionLog
    from threadtui.core.settings.paths import Locations
    from threadtui.core.store.registry import Registry

    assert cli("list").code == 0  # makes the registry
    path = Locations.resolve(cli.config_dir, cli.data_dir, cli.env).registry_file
    with Registry(path) as registry:  # a row written by an older threadtui, unchecked
        DeletionLog(registry).record(
            DeletionEntry(
                thread_id=f"thread_x{ESCAPES}",
                kind="thread",
                profile="default",
                host="api.example",
                title="t",
                message_count=1,
                deleted_at=1_700_000_000,
                outcome="failed\x1b[2J",
                detail=f"boom {ESCAPES}",
            )
        )

    result = cli("deletions", tty=True)

    assert result.code == 0
    assert "thread_x␛]52;c;" in result.out
    assert leaks(result.out + result.err) == []
