"""IDs a server makes, through the whole stack: the fake API served over HTTP on loopback
hands out assistant and run IDs carrying OSC 52 (clipboard, ended by ESC \\ which Rich lets
through), OSC 0 (window title) and a screen clear; the real `threadtui` runs in tmux, and
`capture-pane -e` shows what reached the terminal."""

from __future__ import annotations

import re

import pytest

from tests.hardening.hostile import leaks
from threadtui.fakeapi import FakeAPI, RunPlan
from threadtui.fakeapi.server import serve_in_thread
from threadtui.fakeapi.store import text_part

from .tmux import COMMAND, TmuxSession, tracked_on_server

pytestmark = pytest.mark.e2e

SGR = re.compile(r"\x1b\[[0-9;:]*m")
OSC = "\x1b]52;c;cm0gLXJmIH4vCg==\x1b\\\x1b]0;owned\x07\x1b[2J"


@pytest.fixture
def server_making_hostile_ids():
    fake = FakeAPI(seed=None)
    fake.store.ids.next["asst_"] = [f"asst_{OSC}One", f"asst_{OSC}Two"]
    fake.store.ids.next["run_"] = [f"run_{OSC}\u202eRun"]
    for name in ("First", "Second"):  # two, so threadtui asks which one answers
        fake.store.add_assistant(created_at=1_700_000_000, model="gpt-4o", name=name)
    thread = fake.store.add_thread(created_at=1_700_000_000)
    fake.store.add_message(
        thread, role="user", content=[text_part("hello there")], created_at=1_700_000_000
    )
    fake.script_runs(thread_id=thread.id, outcomes=[RunPlan(start_after=1, finish_after=600)])
    handle, server = serve_in_thread(fake=fake)
    yield handle, thread.id
    handle.stop()
    server.join(timeout=10)


def test_hostile_assistant_and_run_ids_never_reach_the_terminal(
    tmp_path, server_making_hostile_ids
):
    handle, thread_id = server_making_hostile_ids
    env = tracked_on_server(tmp_path, handle.base_url, thread_id, "Hostile IDs")
    with TmuxSession([COMMAND], width=120, height=40, env=env) as terminal:
        terminal._tmux("set-option", "-g", "set-clipboard", "on")  # OSC 52 would land in a buffer
        title = "#{pane_title}"
        title_before = terminal._tmux("display-message", "-p", "-t", terminal.name, title)
        terminal.wait_for("Hostile IDs", timeout=30)
        terminal.send("Enter")
        terminal.wait_for("hello there", timeout=30)
        terminal.send("w")
        terminal.type("are you there?")
        terminal.send("Enter")
        picker = terminal.wait_for("Which assistant", timeout=30)
        picker_escapes = terminal.capture_escapes()
        terminal.send("Enter")
        waiting = terminal.wait_for("Waiting for run_", timeout=30)
        waiting_escapes = terminal.capture_escapes()
        terminal.send("Escape")  # cancel still works: the raw ID names the run to the server
        cancelled = terminal.wait_for("was cancelled", timeout=60)
        title_after = terminal._tmux("display-message", "-p", "-t", terminal.name, title)
        buffers = terminal._tmux("list-buffers")
        terminal.send("C-q")  # the composer has the focus: q would be typed
        terminal.wait_for("[exited 0]", timeout=15)

    assert "asst_␛]52;c;" in picker and "First" in picker  # shown as visible stand-ins
    assert "Waiting for run_␛]52;c;" in waiting
    for screen in (picker, waiting, cancelled):
        assert leaks(screen) == []
    for styled in (picker_escapes, waiting_escapes):
        assert SGR.sub("", styled).count("\x1b") == 0  # only colours reached the terminal
    assert title_after == title_before and "owned" not in title_after
    assert buffers == ""  # no clipboard write
