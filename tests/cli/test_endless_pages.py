"""A server whose list pages never end (its cursor repeats, or two pages point at each
other) ends `show`, `archive`, `delete` and `export` with one sentence and exit status 1,
after a couple of requests, on both backends; nothing is deleted."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cli.conftest import Cli
from tests.core.archive_world import seed_conversation, seed_thread
from threadtui.fakeapi import FakeAPI

KINDS = ("thread", "conversation")
MISBEHAVIOURS = ("repeat", "cycle")
WHAT_WAS_SAID = {
    "repeat": "the server answered with a cursor that did not move",
    "cycle": "the server came back to a page it had already sent",
}


@pytest.fixture(params=KINDS)
def endless(request: pytest.FixtureRequest, cli: Cli, fake: FakeAPI) -> Callable[[str], str]:
    """`endless(how)` seeds a thread (or a conversation) of 6 messages whose lists page for
    ever in that way, and returns its ID."""
    if request.param == "conversation":
        added = cli(
            "profile", "add", "convs", "--kind", "conversations", "--base-url", fake.base_url
        )
        assert added.code == 0, added.err

    def make(how: str) -> str:
        seeded = seed_thread(fake, 6) if request.param == "thread" else seed_conversation(fake, 6)
        fake.endless_pages(seeded.id, how)  # type: ignore[arg-type]
        return seeded.id

    return make


def one_sentence_about(err: str, thread_id: str, how: str) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert WHAT_WAS_SAID[how] in lines[0] and thread_id in lines[0] and "fake.local" in lines[0]
    assert lines[0].endswith(".")


REQUESTS = {"repeat": 2, "cycle": 3}  # the first page, then until the walk is caught


def list_requests(fake: FakeAPI) -> int:
    return fake.count("GET", regex=r"/(messages|items)$")


@pytest.mark.parametrize("how", MISBEHAVIOURS)
def test_show_stops_with_one_sentence(cli: Cli, fake: FakeAPI, endless, how: str) -> None:
    thread_id = endless(how)
    shown = cli("show", thread_id)
    assert (shown.code, shown.out) == (1, "")
    one_sentence_about(shown.err, thread_id, how)
    assert list_requests(fake) == REQUESTS[how]


@pytest.mark.parametrize("how", MISBEHAVIOURS)
def test_archive_stops_with_one_sentence_and_keeps_nothing_twice(
    cli: Cli, fake: FakeAPI, endless, how: str
) -> None:
    thread_id = endless(how)
    archived = cli("archive", thread_id)
    assert archived.code == 1
    one_sentence_about(archived.err.removeprefix(f"{thread_id}: "), thread_id, how)
    assert list_requests(fake) == REQUESTS[how]
    fake.clear_faults()  # the server mends: the archive holds each message once
    assert cli("archive", thread_id).code == 0
    assert f"{thread_id}: 6 messages archived" in cli("archive", thread_id).out


@pytest.mark.parametrize("how", MISBEHAVIOURS)
def test_export_stops_with_one_sentence(
    cli: Cli, fake: FakeAPI, endless, how: str, tmp_path
) -> None:
    thread_id = endless(how)
    folder = tmp_path / "exported"
    exported = cli("export", thread_id, "-o", str(folder))
    assert (exported.code, exported.out) == (1, "")
    one_sentence_about(exported.err.removeprefix(f"{thread_id}: "), thread_id, how)
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize("how", MISBEHAVIOURS)
def test_delete_confirmation_stops_counting_and_deletes_nothing(
    cli: Cli, fake: FakeAPI, endless, how: str
) -> None:
    thread_id = endless(how)
    asked = cli("delete", thread_id, stdin="yes\n", tty=True)
    assert asked.code == 1
    one_sentence_about(asked.err, thread_id, how)
    assert list_requests(fake) == REQUESTS[how]
    assert fake.count("DELETE") == 0


@pytest.mark.parametrize("how", MISBEHAVIOURS)
def test_delete_yes_stops_archiving_and_deletes_nothing(
    cli: Cli, fake: FakeAPI, endless, how: str
) -> None:
    thread_id = endless(how)
    deleted = cli("delete", thread_id, "--yes")
    assert deleted.code == 1
    one_sentence_about(deleted.err.removeprefix(f"{thread_id}: "), thread_id, how)
    assert fake.count("DELETE") == 0
