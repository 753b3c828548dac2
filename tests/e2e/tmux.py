"""Drive a real terminal program in a private tmux server and read its screen.

Each session gets its own socket (-L), so tests never touch a user's tmux and can run in
parallel. `wait_for` polls capture-pane until the text appears or the time runs out.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from pathlib import Path


class TmuxSession:
    def __init__(
        self,
        command: list[str],
        *,
        width: int = 80,
        height: int = 24,
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        if shutil.which("tmux") is None:
            raise RuntimeError("tmux is not installed: apt-get install -y tmux")
        self.socket = f"threadtui-test-{uuid.uuid4().hex[:8]}"
        self.name = "t"
        environment = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        shell_command = f"env {environment} {shlex.join(command)}; echo '[exited '$?']'; sleep 600"
        self._tmux(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(width),
            "-y",
            str(height),
            *(["-c", cwd] if cwd else []),
            shell_command,
        )
        self._tmux("set-option", "-t", self.name, "status", "off")

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            timeout=30,
            env={**os.environ, "TMUX": ""},
        )
        if result.returncode != 0:
            raise RuntimeError(f"tmux {args[0]} failed: {result.stderr.strip()}")
        return result.stdout

    def send(self, *keys: str, literal: bool = False) -> None:
        self._tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def type(self, text: str) -> None:
        self.send(text, literal=True)

    def capture(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.name)

    def capture_escapes(self) -> str:
        """The screen with its SGR escapes (-e), to check what styling reached the terminal."""
        return self._tmux("capture-pane", "-p", "-e", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 20.0, gone: bool = False) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if (text in screen) != gone:
                return screen
            time.sleep(0.1)
        state = "still on" if gone else "not on"
        raise AssertionError(f"{text!r} {state} the screen after {timeout} s:\n{screen}")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True, timeout=30)

    def __enter__(self) -> TmuxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


COMMAND = str(Path(sys.executable).with_name("threadtui"))


def tracked_on_server(tmp_path: Path, base_url: str, thread_id: str, title: str) -> dict[str, str]:
    """The environment of a `threadtui` whose one profile is the server at `base_url`, with
    `thread_id` tracked under `title` (by the real `threadtui add`)."""
    config_dir, data_dir = tmp_path / "config", tmp_path / "data"
    config_dir.mkdir()
    (config_dir / "config.toml").write_text(
        f'default_profile = "hostile"\n\n[profiles.hostile]\nkind = "assistants"\n'
        f'base_url = "{base_url}"\napi_key_env = "HOSTILE_TEST_KEY"\n'
    )
    env = {
        "HOME": str(tmp_path),
        "PATH": os.environ.get("PATH", ""),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "THREADTUI_CONFIG_DIR": str(config_dir),
        "THREADTUI_DATA_DIR": str(data_dir),
        "HOSTILE_TEST_KEY": "sk-hostile-test-0000",
    }
    subprocess.run(
        [COMMAND, "add", thread_id, "--title", title],
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return env
