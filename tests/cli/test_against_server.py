"""The installed `threadtui` command against `threadtui fake-api` on 127.0.0.1: two processes."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from threadtui.fakeapi import FakeAPI


def threadtui() -> list[str]:
    script = Path(sys.executable).with_name("threadtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "threadtui"]


@pytest.fixture
def server_url() -> Iterator[str]:
    server = subprocess.Popen(
        [*threadtui(), "fake-api", "--port", "0", "--seed", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/v1", line)
        assert found, line + (server.stderr.read() if server.poll() is not None else "")
        yield found.group(0)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for stream in (server.stdout, server.stderr):
            if stream:
                stream.close()


def test_add_show_delete_through_a_real_socket(server_url: str, tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "THREADTUI_CONFIG_DIR": str(tmp_path / "config"),
        "THREADTUI_DATA_DIR": str(tmp_path / "data"),
        "OPENAI_API_KEY": "sk-test-key-not-real",
        "OPENAI_BASE_URL": server_url,
    }

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*threadtui(), *argv], env=env, capture_output=True, text=True, timeout=60
        )

    demo = FakeAPI(seed=1).demo_threads()[0]  # the server holds the same seeded data
    thread_id = demo["id"]
    assert run("add", thread_id, "--title", demo["title"]).returncode == 0
    rows = json.loads(run("list", "--json").stdout)
    assert [r["id"] for r in rows] == [thread_id]

    shown = run("show", thread_id)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"# {demo['title']}\n")
    assert "## user · " in shown.stdout and "## assistant · " in shown.stdout

    deleted = run("delete", thread_id, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    assert f"Deleted {thread_id}." in deleted.stdout
    assert json.loads(run("list", "--json").stdout) == []

    gone = run("show", thread_id)
    assert gone.returncode == 1
    assert thread_id in gone.stderr and gone.stderr.count("\n") == 1
