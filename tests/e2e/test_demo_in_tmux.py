"""The real `threadtui --demo` in a real terminal (tmux, 80x24), read with capture-pane."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .tmux import TmuxSession

pytestmark = pytest.mark.e2e

COMMAND = str(Path(sys.executable).with_name("threadtui"))


@pytest.fixture
def terminal(tmp_path):
    env = {
        "HOME": str(tmp_path),  # nothing of the real user's is touched
        "TERM": "xterm-256color",
        "TZ": "UTC",
        "PATH": os.environ.get("PATH", ""),
        "LANG": "C.UTF-8",
    }
    with TmuxSession([COMMAND, "--demo"], width=80, height=24, env=env) as session:
        session.wait_for("Refund policy", timeout=30)  # the sidebar has its rows
        yield session


def test_open_send_reply_delete_quit(terminal: TmuxSession) -> None:
    # open a thread by filtering the sidebar
    terminal.send("/")
    terminal.type("Refund policy")
    terminal.send("Enter")
    terminal.wait_for("Opened thread_")
    # write two lines (ctrl+n is the newline key that survives tmux) and send
    terminal.send("w")
    terminal.type("Hello from tmux")
    terminal.send("C-n")
    terminal.type("second line")
    terminal.send("Enter")
    terminal.wait_for("completed (", timeout=30)
    screen = terminal.wait_for("Support Bot here")  # the demo assistant's reply
    lines = screen.splitlines()
    first = next(n for n, line in enumerate(lines) if "▌ Hello from tmux" in line)
    assert "▌ second line" in lines[first + 1]  # one message, two lines
    # back to the list (Esc alone: a key right behind it would read as alt+key), then delete
    terminal.send("Escape")
    terminal.wait_for("⏎ Open")
    terminal.send("d")
    screen = terminal.wait_for("deleted for good")
    assert "Refund policy" in screen and "6 messages" in screen
    terminal.send("y")
    screen = terminal.wait_for("Deleted thread_")
    assert "· 6 messages" in screen
    # quit cleanly
    terminal.send("q")
    terminal.wait_for("[exited 0]", timeout=15)


def test_a_conversation_open_send_reply_delete(terminal: TmuxSession) -> None:
    terminal.send("/")
    terminal.type("Packing for")
    terminal.send("Enter")
    screen = terminal.wait_for("Opened conv_")
    assert "function_call" in screen  # its tool items are shown compactly
    terminal.send("w")
    terminal.type("Is it cold?")
    terminal.send("Enter")
    terminal.wait_for("Response resp_", timeout=30)
    screen = terminal.wait_for("completed (")
    assert "You wrote “Is it cold?”" in screen
    terminal.send("Escape")
    terminal.wait_for("⏎ Open")
    terminal.send("d")
    terminal.wait_for("deleted for good")
    terminal.send("y")
    terminal.wait_for("Deleted conv_")
    terminal.send("q")
    terminal.wait_for("[exited 0]", timeout=15)


def test_hostile_remote_text_reaches_the_terminal_as_text(terminal: TmuxSession) -> None:
    terminal.send("/")
    terminal.type("Markup in pasted logs")
    terminal.send("Enter")
    screen = terminal.wait_for("Opened thread_")
    assert "[bold]" in screen or "[@click" in screen or "␛" in screen
    # the app is still running and still answers keys: nothing the text held fired
    terminal.send("?")
    terminal.wait_for("binding id")
    terminal.send("Escape")
    terminal.wait_for("binding id", gone=True)
    terminal.send("q")
    terminal.wait_for("[exited 0]", timeout=15)
