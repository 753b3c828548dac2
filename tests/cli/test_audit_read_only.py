"""Read-only mode: a scripted auditing session sends no POST and no DELETE at all.

Checked on the fake's own request log, through the real CLI and SDK: everything that
reads works, everything that would change the server is refused up front in one sentence.
Commands other helpers add (archive, export, search) join the session when they exist.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from threadtui.cli import build_parser
from threadtui.clock import ManualClock
from threadtui.core.settings.paths import Locations
from threadtui.core.store.registry import Registry
from threadtui.fakeapi import FakeAPI

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAY = 86400.0


def commands() -> set[str]:
    """The subcommands `threadtui --help` lists."""
    return set(re.findall(r"^    ([a-z][\w-]*)", build_parser().format_help(), re.MULTILINE))


def age_everything(cli: Cli) -> None:
    """Make every tracked thread look idle for a year, so prune would pick them all."""
    registry_file = Locations.resolve(cli.config_dir, cli.data_dir, cli.env).registry_file
    with Registry(registry_file) as registry:
        for row in registry.tracked():
            registry.update(row.id, last_activity_at=time.time() - 365 * DAY)


@pytest.mark.parametrize("how", ["--read-only", "profile"])
def test_a_read_only_session_sends_no_post_and_no_delete(tmp_path: Path, how: str) -> None:
    cli = Cli(tmp_path, FakeAPI(clock=ManualClock(), seed=1))
    fake = cli.fake
    demo = fake.demo_threads()
    thread_ids = [d["id"] for d in demo if d["kind"] == "thread"][:3]
    failed_run = next(d["id"] for d in demo if d["title"] == "Batch job failed")
    assert cli("add", *thread_ids, failed_run).code == 0
    age_everything(cli)
    if how == "profile":
        added = cli(
            "profile", "add", "auditor", "--base-url", fake.base_url, "--read-only", "--default"
        )
        assert added.code == 0, added.err
        # Tracked under "default" already: move them to the read-only profile.
        registry_file = Locations.resolve(cli.config_dir, cli.data_dir, cli.env).registry_file
        with Registry(registry_file) as registry:
            for thread_id in [*thread_ids, failed_run]:
                registry.update(thread_id, profile="auditor")
        flag: list[str] = []
    else:
        flag = ["--read-only"]
    target = thread_ids[0]
    fake.requests.clear()

    def run(*argv: str, stdin: str = "", tty: bool = False):
        return cli(*flag, *argv, stdin=stdin, tty=tty)

    # Reading works.
    assert run("list").code == 0
    assert run("show", target).code == 0
    assert run("show", target, "--format", "json").code == 0
    assert run("runs", failed_run, "--steps").code == 0
    assert run("meta", target).code == 0
    assert run("deletions").code == 0
    assert run("prune", "--older-than", "90d", "--dry-run").code == 0
    available = commands()
    if "archive" in available:
        assert run("archive", target).code == 0
    if "export" in available:
        out = tmp_path / "export"
        assert run("export", target, "--format", "json", "-o", str(out)).code == 0
    if "search" in available:
        assert run("search", "weather").code in (0, 1)
    # Changing is refused, each in one sentence, whatever the user answers.
    refusals = [
        run("delete", target, "--yes"),
        run("delete", target, stdin="yes\n", tty=True),
        run("prune", "--older-than", "90d", "--yes"),
        run("prune", "--older-than", "90d", stdin="4\n", tty=True),
        run("meta", target, "--set", "team=audit"),
        run("meta", target, "--unset", "title"),
    ]
    for refused in refusals:
        assert refused.code == 1
        assert refused.err.count("\n") == 1 and "Read-only" in refused.err

    assert fake.count("POST") == 0
    assert fake.count("DELETE") == 0
    assert fake.count("GET") > 0  # the session did talk to the server
    assert all(thread_id in fake.store.threads for thread_id in [*thread_ids, failed_run])
    rows = json.loads(cli("list", "--json").out)
    assert {r["id"] for r in rows} == {*thread_ids, failed_run}
