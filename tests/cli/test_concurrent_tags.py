"""Issue 13, item 5: local edits are one read-modify-write transaction, so tags added at
once by many processes are all kept."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.hardening.processes import Home
from threadtui.core.store.registry import Registry

THREAD = "thread_concurrentTagsAbCd"


def test_twenty_processes_tagging_at_once_keep_all_twenty_tags(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert home.run("add", THREAD, "--tag", "before").returncode == 0
    processes = [
        subprocess.Popen(
            home.command("meta", THREAD, "--tag", f"r{n}"),
            env=home.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(20)
    ]
    errors = [p.communicate(timeout=120)[1] for p in processes]
    assert [p.returncode for p in processes] == [0] * 20, errors
    with Registry(home.registry) as registry:
        tracked = registry.get(THREAD)
    assert tracked is not None
    assert set(tracked.tags) == {"before", *(f"r{n}" for n in range(20))}


def test_untag_and_tag_from_two_processes_both_apply(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert home.run("add", THREAD, "--tag", "old", "--tag", "keep").returncode == 0
    remove = subprocess.Popen(home.command("meta", THREAD, "--untag", "old"), env=home.env)
    add = subprocess.Popen(home.command("meta", THREAD, "--tag", "new"), env=home.env)
    assert (remove.wait(timeout=120), add.wait(timeout=120)) == (0, 0)
    with Registry(home.registry) as registry:
        tracked = registry.get(THREAD)
    assert tracked is not None and set(tracked.tags) == {"keep", "new"}
