"""The hostile-server matrix: every behaviour of tests.hostile.server × every command.

A cell runs the real `threadtui` command in a subprocess against the hostile server, in
its own config and data folders (a copy of one where every behaviour's thread is tracked),
with a fake key and a wall-clock limit, and records what a user would suffer: a traceback,
a hang, a thread wrongly marked gone, an escape sequence reaching the terminal, the key
leaked into any output or file, and the peak memory of the process.

Results are kept in files under a folder shared by the pytest-xdist workers of one session
(one lock per cell), so every cell runs once per session however the tests are spread, and
the doc check (test_matrix.py) sees all of them.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from tests.hostile.server import BEHAVIOURS, HostileServer

KEY = "sk-hostile-FAKEKEY-0123456789abcdef"
KEY_ENV = "HOSTILE_MATRIX_KEY"
TIMEOUT = 15.0  # seconds per command: a hang is anything longer
PROFILE_TIMEOUT = 2.0  # the profile's request timeout, so a call's deadline is 6 s
COMMANDS: dict[str, tuple[str, ...]] = {
    "show": ("show", "{id}"),
    "check": ("check", "{id}"),
    "archive": ("archive", "{id}"),
    "export": ("export", "{id}", "-o", "{out}"),
    "delete --yes": ("delete", "{id}", "--yes"),
    "runs --steps": ("runs", "--steps", "{id}"),
    "continue": ("continue", "{id}"),
}
# What the server says about a thread: only "gone" says it is gone (a 404 naming it).
SAYS_GONE = frozenset({"gone"})
# Terminal controls other than newline, tab and carriage return; C1 included.
_ESCAPES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LEAKS = (
    KEY.encode(),
    base64.b64encode(KEY.encode()),
    base64.b64encode(f":{KEY}".encode()),
    base64.b64encode(f"user:{KEY}".encode()),
)


def thread_id(behaviour: str) -> str:
    return f"thread_{behaviour}"


@dataclass(frozen=True)
class Cell:
    behaviour: str
    command: str
    exit_code: int | None  # None: killed after TIMEOUT
    traceback: bool
    escapes: bool
    key_leaked: bool
    wrongly_gone: bool
    peak_mb: float
    last_line: str  # the last line of stderr, for the failure message

    @property
    def hang(self) -> bool:
        return self.exit_code is None

    @property
    def clean(self) -> bool:
        return self.exit_code in (0, 1) and not (
            self.traceback or self.escapes or self.key_leaked or self.wrongly_gone
        )

    @property
    def outcome(self) -> str:
        problems = [
            name
            for name, bad in (
                ("hang", self.hang),
                ("traceback", self.traceback),
                ("escapes", self.escapes),
                ("key leaked", self.key_leaked),
                ("wrongly gone", self.wrongly_gone),
            )
            if bad
        ]
        if not problems and self.exit_code not in (0, 1):
            problems.append(f"exit {self.exit_code}")
        return ", ".join(problems) or f"ok (exit {self.exit_code})"


def threadtui() -> list[str]:
    script = Path(sys.executable).with_name("threadtui")
    return [str(script)] if script.exists() else [sys.executable, "-m", "threadtui"]


def environment(home: Path) -> dict[str, str]:
    return {
        "HOME": str(home),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "NO_COLOR": "1",
        KEY_ENV: KEY,
    }


def _config(server: HostileServer) -> str:
    return (
        'default_profile = "hostile"\n\n[profiles.hostile]\nkind = "assistants"\n'
        f'base_url = "{server.base_url}"\napi_key_env = "{KEY_ENV}"\n'
        # Each call ends within timeout × 3 (the SDK's two retries): a drip meets that bound.
        f"timeout = {PROFILE_TIMEOUT:g}\n"
    )


def template(folder: Path, server: HostileServer) -> Path:
    """Config and data folders where every behaviour's thread is tracked (made once)."""
    home = folder / "template"
    if not home.exists():
        building = folder / f"template.{os.getpid()}"
        (building / "config").mkdir(parents=True)
        (building / "config" / "config.toml").write_text(_config(server))
        ids = [thread_id(name) for name in BEHAVIOURS]
        subprocess.run(
            [
                *threadtui(),
                "--config-dir",
                str(building / "config"),
                "--data-dir",
                str(building / "data"),
                "add",
                *ids,
            ],
            env=environment(building),
            check=True,
            capture_output=True,
            timeout=60,
        )
        building.rename(home)
    return home


# A small parent for each command: it reports its child's peak memory from wait4. Asked
# of the test process itself, the figure would include the test process's own size (Linux
# keeps the high-water mark of memory across fork and exec).
_SPAWNER = """
import json, os, sys
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    json.dump({"code": os.waitstatus_to_exitcode(status), "peak_kb": usage.ru_maxrss}, out)
"""


def run_command(
    argv: list[str], env: dict[str, str], cwd: Path
) -> tuple[int | None, bytes, bytes, float]:
    """Run `argv` for at most TIMEOUT seconds: exit code (None if killed), stdout, stderr and
    the peak memory of the process in MB."""
    out_path, err_path, result = cwd / "stdout", cwd / "stderr", cwd / "result.json"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        spawner = subprocess.Popen(
            [sys.executable, "-S", "-c", _SPAWNER, str(result), *argv],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            spawner.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(spawner.pid, signal.SIGKILL)  # the command and its spawner
            spawner.wait()
            return None, out_path.read_bytes(), err_path.read_bytes(), 0.0
    figures = json.loads(result.read_text())
    return figures["code"], out_path.read_bytes(), err_path.read_bytes(), figures["peak_kb"] / 1024


def _wrongly_gone(database: Path, behaviour: str, server: HostileServer) -> bool:
    if behaviour in SAYS_GONE:
        return False
    tid = thread_id(behaviour)
    with sqlite3.connect(database) as db:
        row = db.execute("SELECT status FROM threads WHERE id = ?", (tid,)).fetchone()
    if row is None:  # untracked: right only if the server really deleted it
        return tid not in server.deleted
    return row[0] == "gone"


def _leaked(outputs: list[bytes], folders: list[Path]) -> bool:
    blobs = list(outputs)
    for folder in folders:
        blobs += [p.read_bytes() for p in folder.rglob("*") if p.is_file()]
    return any(leak in blob for blob in blobs for leak in _LEAKS)


def run_cell(folder: Path, server: HostileServer, behaviour: str, command: str) -> Cell:
    home = folder / f"{behaviour}-{command.replace(' ', '')}"
    shutil.copytree(template(folder, server), home)
    config, data, out = home / "config", home / "data", home / "out"
    (config / "config.toml").write_text(_config(server))  # this worker's server
    argv = [a.format(id=thread_id(behaviour), out=out) for a in COMMANDS[command]]
    code, stdout, stderr, peak_mb = run_command(
        [*threadtui(), "--config-dir", str(config), "--data-dir", str(data), *argv],
        environment(home),
        home,
    )
    text = (stdout + stderr).decode("utf-8", "replace")
    last = stderr.decode("utf-8", "replace").strip().splitlines()
    return Cell(
        behaviour=behaviour,
        command=command,
        exit_code=code,
        traceback="Traceback (most recent call last)" in text,
        escapes=bool(_ESCAPES.search(text)),
        key_leaked=_leaked([stdout, stderr], [config, data, out]),
        wrongly_gone=_wrongly_gone(data / "registry.sqlite3", behaviour, server),
        peak_mb=round(peak_mb, 1),
        last_line=ascii(last[-1][:300]) if last else "",
    )


def cell(folder: Path, server: HostileServer, behaviour: str, command: str) -> Cell:
    """The cell's result, run once per session across xdist workers (a lock per cell)."""
    name = f"{behaviour}-{command.replace(' ', '')}"
    result = folder / f"{name}.json"
    with (folder / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not result.exists():
            with (folder / "template.lock").open("w") as template_lock:
                fcntl.flock(template_lock, fcntl.LOCK_EX)
                template(folder, server)
            found = run_cell(folder, server, behaviour, command)
            result.write_text(json.dumps(asdict(found)))
            return found
    return Cell(**json.loads(result.read_text()))
