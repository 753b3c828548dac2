"""The API key never lands in a file, an output or an error; files 0600, folders 0700; a
warning when threadtui's data can be read by others and threadtui cannot change that."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.hardening import figures
from tests.hardening.processes import Home, unprivileged_prefix
from tests.hardening.world import KEY, key_leaks

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_a_session_using_every_feature_writes_and_shows_the_key_nowhere() -> None:
    scan = figures.secrets()
    assert not scan.failures, "\n".join(scan.failures)
    assert scan.files >= 10 and scan.outputs >= 30
    assert scan.found == []
    assert scan.loose_modes == []


def test_the_scan_finds_a_key_and_a_loose_mode_when_there_is_one(tmp_path: Path) -> None:
    from tests.hardening.secrets_session import Scan

    (tmp_path / "notes.txt").write_text(f"the key was {KEY[5:30]} once")
    os.chmod(tmp_path / "notes.txt", 0o644)
    os.chmod(tmp_path, 0o700)
    scan = Scan()
    scan.scan_tree(tmp_path)
    scan.scan_text("output", f"Bearer {KEY}")  # the key and both of its marks
    assert len(scan.found) == 4 and scan.loose_modes == [f"{tmp_path / 'notes.txt'} is 0o644"]


def test_error_text_redacts_the_connections_own_key_even_without_a_prefix() -> None:
    from threadtui.api.sdk_errors import redact, server_text

    bare = "HARDEN1NGk3yZQX7c1f0e2d9b8a4f3e6d5c4b3a2"  # a key with no sk- to go by
    assert key_leaks(server_text(f"key {bare} refused", (bare,))) == []
    assert key_leaks(redact(f"Authorization: Bearer {KEY}")) == []


# -- others reading the data -------------------------------------------------------------------
def test_a_data_folder_of_ours_that_others_could_read_is_reported_not_changed(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path)
    home.data_dir.mkdir(mode=0o755)
    os.chmod(home.data_dir, 0o755)
    result = home.run("add", "thread_privateAbCdEfGh")
    assert result.returncode == 0
    assert "chmod go-rwx" in result.stderr  # an existing folder keeps its mode (issue 13)
    assert stat.S_IMODE(home.data_dir.stat().st_mode) == 0o755
    assert stat.S_IMODE(home.registry.stat().st_mode) == 0o600


@pytest.mark.skipif(unprivileged_prefix() is None, reason="cannot drop root's file access here")
def test_a_data_folder_others_can_read_and_we_cannot_change_gets_one_warning(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path)
    prefix = unprivileged_prefix() or ()
    if prefix:  # running as root: a folder of another user, seen from a user namespace
        home.data_dir.mkdir(mode=0o755)
        os.chmod(home.data_dir, 0o755)
        os.chown(home.data_dir, 65534, 65534)
    else:  # a folder that is not ours and that everyone can read
        home.env["THREADTUI_DATA_DIR"] = "/usr/share"
        home.data_dir = Path("/usr/share")
    result = home.run("profile", "list", prefix=prefix)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Warning: other users of this machine can")
    assert str(home.data_dir) in lines[0] and "chmod go-rwx" in lines[0]


def test_the_check_is_one_core_function_the_tui_can_call(tmp_path: Path) -> None:
    from threadtui.core.settings.paths import Locations, privacy_warning

    locations = Locations(tmp_path / "c", tmp_path / "d", tmp_path / "d" / "logs")
    assert privacy_warning(locations) is None  # nothing there yet
    locations.data_dir.mkdir(mode=0o755)
    os.chmod(locations.data_dir, 0o755)
    assert "chmod go-rwx" in (privacy_warning(locations) or "")
    assert stat.S_IMODE(locations.data_dir.stat().st_mode) == 0o755  # not ours to change
