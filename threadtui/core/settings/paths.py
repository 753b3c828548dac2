"""Where threadtui keeps its files.

Locations come from platformdirs and can be moved with THREADTUI_CONFIG_DIR /
THREADTUI_DATA_DIR (or --config-dir / --data-dir), so tests, scripts and the demo never
touch a user's real files. Folders are created 0700 and files 0600.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "threadtui"
ENV_CONFIG_DIR = "THREADTUI_CONFIG_DIR"
ENV_DATA_DIR = "THREADTUI_DATA_DIR"

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


@dataclass(frozen=True)
class Locations:
    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def registry_file(self) -> Path:
        return self.data_dir / "registry.sqlite3"

    @classmethod
    def resolve(
        cls,
        config_dir: str | os.PathLike[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Locations:
        """Explicit arguments win over the environment, which wins over platformdirs."""
        env = os.environ if env is None else env
        config = config_dir or env.get(ENV_CONFIG_DIR) or platformdirs.user_config_dir(APP_NAME)
        data = data_dir or env.get(ENV_DATA_DIR)
        if data:
            logs = Path(data).expanduser() / "logs"
        else:
            data = platformdirs.user_data_dir(APP_NAME)
            logs = Path(platformdirs.user_log_dir(APP_NAME))
        return cls(Path(config).expanduser(), Path(data).expanduser(), logs)


def ensure_private_dir(path: Path) -> Path:
    """Create `path` and any missing parents as 0700; a folder that already exists keeps
    its mode (it may be /tmp, a shared folder or a symlink's target: not ours to tighten).
    """
    missing: list[Path] = []
    level = path
    while not level.exists() and level != level.parent:
        missing.append(level)
        level = level.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # another process made it meanwhile: then it is that one's
        folder.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is cut by the umask; be exact
    if not path.is_dir():
        path.mkdir()  # raises the error that says why (a file in the way, a dangling link)
    return path


def readable_by_others(path: Path) -> bool:
    """True when group or others can read or enter `path`."""
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except FileNotFoundError:
        return False


def privacy_warning(locations: Locations) -> str | None:
    """One sentence when other users of this machine can read threadtui's data and
    threadtui cannot change that; None otherwise.

    Looks at the data folder, the registry files in it and the log folder. Folders that
    already exist keep their modes (threadtui only tightens folders it creates), so a
    readable one is reported with the command that fixes it; the registry makes its own
    files private when it opens them. The CLI prints the sentence on stderr before a
    command; the TUI can show it as a notification at start.
    """
    registry = locations.registry_file
    paths = [
        locations.data_dir,
        registry,
        *(Path(f"{registry}{suffix}") for suffix in ("-wal", "-shm")),
        locations.log_dir,
    ]
    for path in paths:
        if not readable_by_others(path):
            continue
        try:
            ours = path.stat().st_uid == os.geteuid()
            if ours and not path.is_dir():
                path.chmod(PRIVATE_FILE_MODE)  # a file of threadtui's own
        except OSError:
            ours = False  # it cannot be changed: as good as someone else's
        if ours and not readable_by_others(path):
            continue
        if ours:
            return (
                f"Warning: other users of this machine can read {path}: run "
                f"`chmod go-rwx {path}` to make it private, or use another --data-dir."
            )
        return (
            f"Warning: other users of this machine can read {path}, and threadtui "
            "cannot make it private (it belongs to another user, or its disk is "
            f"read-only): ask its owner to run `chmod go-rwx {path}`, or use another "
            "--data-dir."
        )
    return None


def write_private_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` atomically (temp file + rename), mode 0600."""
    ensure_private_dir(path.parent)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
