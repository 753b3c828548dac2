"""Hostile remote text through the whole stack — a fake API served over HTTP on loopback,
the real `threadtui` command, a real terminal (tmux) — with tmux watching for what a
leaked escape would do: retitle the window (OSC 0/2) or write the clipboard (OSC 52)."""

from __future__ import annotations

import re

import pytest

from tests.hardening.hostile import leaks, seed_thread
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.server import serve_in_thread

from .tmux import COMMAND, TmuxSession, tracked_on_server

pytestmark = pytest.mark.e2e

SGR = re.compile(r"\x1b\[[0-9;:]*m")


@pytest.fixture
def hostile_server():
    fake = FakeAPI(seed=None)
    thread_id = seed_thread(fake, title="Hostile corpus")
    handle, thread = serve_in_thread(fake=fake)
    yield handle, thread_id
    handle.stop()
    thread.join(timeout=10)


def test_hostile_thread_over_http_in_a_real_terminal(tmp_path, hostile_server):
    handle, thread_id = hostile_server
    env = tracked_on_server(tmp_path, handle.base_url, thread_id, "Hostile corpus")
    with TmuxSession([COMMAND], width=120, height=40, env=env) as terminal:
        terminal._tmux("set-option", "-g", "set-clipboard", "on")  # OSC 52 would land in a buffer
        title_before = terminal._tmux("display-message", "-p", "-t", terminal.name, "#{pane_title}")
        terminal.wait_for("Hostile corpus", timeout=30)
        terminal.send("Enter")
        terminal.wait_for("Opened thread_", timeout=30)
        terminal.send("Tab")  # to the messages, then to the oldest one
        terminal.wait_for("⏎ Open", gone=True)
        terminal.send("Home")
        screen = terminal.wait_for("[bold]not bold[/bold]", timeout=20)  # the oldest message
        styled = terminal.capture_escapes()
        title_after = terminal._tmux("display-message", "-p", "-t", terminal.name, "#{pane_title}")
        buffers = terminal._tmux("list-buffers")
        terminal.send("q")
        terminal.wait_for("[exited 0]", timeout=15)

    assert "[@click=app.quit]" in screen  # markup shown, not obeyed
    assert "␛" in screen  # escapes shown as visible stand-ins
    assert leaks(screen) == []
    assert SGR.sub("", styled).count("\x1b") == 0  # only colours reached the terminal
    assert title_after == title_before and "owned" not in title_after
    assert buffers == ""  # no clipboard write
