"""Issue 13, item 2: threadtui tightens only the folders it creates; folders that already
exist (/tmp, a shared folder, a symlinked data folder's target) keep their modes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.cli.conftest import Cli
from tests.hardening.processes import Home


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sticky_shared_folder(path: Path) -> Path:
    """A folder like /tmp: everyone may write, the sticky bit set."""
    path.mkdir()
    os.chmod(path, 0o1777)
    return path


def test_registry_export_into_a_tmp_like_folder_leaves_its_mode(cli: Cli, tmp_path: Path) -> None:
    shared = sticky_shared_folder(tmp_path / "tmp")
    assert cli("add", "thread_folderModeAbCd").code == 0
    result = cli("registry", "export", "-o", str(shared / "threads.toml"))
    assert result.code == 0, result.err
    assert mode(shared) == 0o1777
    assert mode(shared / "threads.toml") == 0o600


def test_export_folders_it_makes_are_private_and_existing_ones_untouched(
    cli: Cli, tmp_path: Path
) -> None:
    shared = sticky_shared_folder(tmp_path / "shared")
    old = os.umask(0)  # the loosest umask: what threadtui makes is 0700 all the same
    try:
        result = cli("registry", "export", "-o", str(shared / "a" / "b" / "threads.toml"))
    finally:
        os.umask(old)
    assert result.code == 0, result.err
    assert (mode(shared), mode(shared / "a"), mode(shared / "a" / "b")) == (0o1777, 0o700, 0o700)


def test_an_existing_data_folder_keeps_its_mode_and_the_user_is_told(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.data_dir.mkdir()
    os.chmod(home.data_dir, 0o755)
    result = home.run("add", "thread_privateAbCdEfGh")
    assert result.returncode == 0, result.stderr
    assert mode(home.data_dir) == 0o755
    assert mode(home.registry) == 0o600  # the files threadtui writes stay private
    assert result.stderr == (
        f"Warning: other users of this machine can read {home.data_dir}: run "
        f"`chmod go-rwx {home.data_dir}` to make it private, or use another --data-dir.\n"
    )


def test_a_symlinked_data_folders_target_keeps_its_mode(tmp_path: Path) -> None:
    target = sticky_shared_folder(tmp_path / "elsewhere")
    home = Home(tmp_path)
    home.data_dir.symlink_to(target)
    result = home.run("add", "thread_privateAbCdEfGh")
    assert result.returncode == 0, result.stderr
    assert mode(target) == 0o1777
    assert mode(target / "registry.sqlite3") == 0o600
    assert str(home.data_dir) in result.stderr and "chmod go-rwx" in result.stderr


def test_a_data_folder_threadtui_makes_is_private(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.env["THREADTUI_DATA_DIR"] = str(tmp_path / "new" / "data")
    result = home.run("add", "thread_privateAbCdEfGh")
    assert result.returncode == 0 and result.stderr == ""
    assert mode(tmp_path / "new") == 0o700 and mode(tmp_path / "new" / "data") == 0o700
