"""Every expected failure ends the same way: its sentence on stderr, one line, exit status 1;
a server's failure also names the request ID the server gave, for its support to look up."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.store import text_part


def _thread(cli: Cli, messages: int = 1) -> str:
    thread = cli.fake.store.add_thread(created_at=1_700_000_000)
    for n in range(messages):
        cli.fake.store.add_message(
            thread, role="user", content=[text_part(f"m{n}")], created_at=1_700_000_000 + n
        )
    return thread.id


def _broken_registry(cli: Cli) -> list[str]:
    cli.data_dir.mkdir(mode=0o700)  # private, as threadtui makes it
    (cli.data_dir / "registry.sqlite3").write_bytes(b"not a database\n" * 50)
    return ["list"]


# kind of error: (arrange the failure and return the argv, a part of the sentence expected)
CASES: dict[str, tuple[Callable[[Cli, Path], list[str]], str]] = {
    "WrongIdKind": (lambda cli, _: ["show", "run_abc123"], "run_abc123 is a run ID"),
    "ConfigError": (lambda cli, _: ["--profile", "nosuch", "list"], "There is no profile 'nosuch'"),
    "StorageError": (lambda cli, _: _broken_registry(cli), "is not a threadtui registry"),
    "NotFound": (lambda cli, _: ["show", "thread_vanished"], "thread_vanished was not found"),
    "CommandError": (lambda cli, _: ["check"], "Give thread IDs to check"),
    "SearchError": (lambda cli, _: ["search", "***"], "Nothing to search for"),
    "ExchangeFileError": (
        lambda cli, home: ["registry", "import", str(home / "missing.toml")],
        "missing.toml cannot be read",
    ),
    "MigrationError": (
        lambda cli, _: ["migrate", _thread(cli)],
        "No profile speaks the Conversations API",
    ),
    "NothingToContinue": (
        lambda cli, _: ["continue", _thread(cli, messages=0)],
        "has no messages to carry over",
    ),
    "ReadOnly": (
        lambda cli, _: ["--read-only", "delete", "--yes", _thread(cli)],
        "Read-only (the profile or --read-only): nothing was deleted.",
    ),
}


@pytest.mark.parametrize("kind", CASES)
def test_each_kind_of_failure_is_one_line_and_status_1(kind: str, cli: Cli, tmp_path: Path) -> None:
    arrange, sentence = CASES[kind]
    result = cli(*arrange(cli, tmp_path))
    assert result.code == 1, result.err
    assert result.err.count("\n") == 1 and result.err.endswith(".\n"), result.err
    assert "Traceback" not in result.err and "Error" not in result.err
    assert sentence in result.err


def test_a_server_failure_names_the_servers_request_id(cli: Cli, fake: FakeAPI) -> None:
    thread_id = _thread(cli, messages=2)
    fake.inject("500", path=thread_id, times=None, retry_after=0)  # the SDK retries at once
    result = cli("show", thread_id)
    failed = [r for r in fake.requests if r.status == 500]
    assert len(failed) == 3  # the first try and the SDK's two retries
    request_id = failed[-1].headers["x-request-id"]
    assert request_id.startswith("req_")
    assert (result.code, result.err) == (
        1,
        "The server failed (HTTP 500) and did not recover after retries: try again in a "
        f"moment. Request ID: {request_id}.\n",
    )


def test_a_refused_delete_names_its_request_id_on_stderr_and_in_the_log(
    cli: Cli, fake: FakeAPI
) -> None:
    thread_id = _thread(cli, messages=2)
    cli("add", thread_id)
    fake.inject("403", method="DELETE")
    result = cli("delete", "--yes", "--no-archive", thread_id)
    (refused,) = fake.requests.matching("DELETE")
    request_id = refused.headers["x-request-id"]
    assert result.code == 1
    assert result.err == (
        f"{thread_id}: {thread_id} belongs to another organization or project, or this key may "
        "not use it: check the profile's key, organization and project. "
        f"Request ID: {request_id}.\n"
    )
    assert f"Request ID: {request_id}." in cli("deletions").out
    (logged,) = json.loads(cli("deletions", "--json").out)
    assert (logged["outcome"], logged["request_id"]) == ("failed", request_id)
