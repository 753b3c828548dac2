"""Running the real `threadtui` command in its own process, under storage faults.

- `limit_file_size`: RLIMIT_FSIZE (with SIGXFSZ ignored), so writes past the limit fail
  the way a full disk does, in any unprivileged process.
- `small_disk()`: a real full filesystem, a tiny tmpfs mounted in a user and mount
  namespace (`unshare -rm`), where the machine allows it.
- `UNPRIVILEGED`: a prefix that runs a command without root's power to ignore file
  modes (a user namespace mapping us to uid 1000), so a read-only folder is read-only
  even when the tests run as root; empty when they don't.
"""

from __future__ import annotations

import functools
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from tests.hardening.world import KEY


@functools.cache
def unprivileged_prefix() -> tuple[str, ...] | None:
    """How to run a command without root's file-mode override; None when impossible."""
    if os.geteuid() != 0:
        return ()
    prefix = ("unshare", "-U", "--map-user=1000", "--map-group=1000", "--")
    try:
        probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if probe.returncode == 0 else None


@functools.cache
def can_mount_tmpfs() -> bool:
    """A tmpfs can be mounted in a new user and mount namespace here."""
    try:
        probe = subprocess.run(
            ["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt && true"],
            capture_output=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


class Home:
    """A config and data folder for the command, and a way to run it there."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config_dir = root / "config"
        self.data_dir = root / "data"
        self.env = {
            **os.environ,
            "THREADTUI_CONFIG_DIR": str(self.config_dir),
            "THREADTUI_DATA_DIR": str(self.data_dir),
            "OPENAI_API_KEY": KEY,
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # nothing listens: never used here
        }

    @property
    def registry(self) -> Path:
        return self.data_dir / "registry.sqlite3"

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "threadtui", *args]

    def run(
        self,
        *args: str,
        stdin: str | None = None,
        file_size_limit: int | None = None,
        prefix: Sequence[str] = (),
    ) -> subprocess.CompletedProcess[str]:
        def limit() -> None:
            if file_size_limit is not None:
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # fail the write, don't die
                resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

        return subprocess.run(
            [*prefix, *self.command(*args)],
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            preexec_fn=limit,
            timeout=120,
        )

    def rows(self, path: Path | None = None) -> set[str]:
        """Tracked IDs, read straight from the file (after checking its integrity).

        A read-only connection leaves empty -wal/-shm files behind; they are removed, so
        the folder looks as threadtui left it (with them, a read-only folder would still
        let a writer in).
        """
        path = path or self.registry
        extra = [Path(f"{path}{suffix}") for suffix in ("-wal", "-shm")]
        existed = {p for p in extra if p.exists()}
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            return {row[0] for row in db.execute("SELECT id FROM threads")}
        finally:
            db.close()
            wal = extra[0]
            if wal not in existed and (not wal.exists() or wal.stat().st_size == 0):
                for made in set(extra) - existed:
                    made.unlink(missing_ok=True)


def ids(prefix: str, count: int) -> list[str]:
    return [f"thread_{prefix}{n:07d}Zq" for n in range(count)]


def log_of(thread_ids: Sequence[str]) -> str:
    return "".join(f"2025-11-20T14:02:11Z INFO created {t}\n" for t in thread_ids)
