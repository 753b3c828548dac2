"""Issue 13, item 11: when the archive cannot be written (here a read-only data folder),
`show` and `export` still give the user the transcript, with one warning on stderr and
exit 0, instead of failing entirely.

The commands run as their own processes without root's power to ignore file modes,
against the fake served on loopback.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.core.archive_world import seed_thread
from tests.hardening.processes import Home, unprivileged_prefix
from threadtui.clock import SystemClock
from threadtui.fakeapi import FakeAPI
from threadtui.fakeapi.server import serve_in_thread

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.skipif(unprivileged_prefix() is None, reason="cannot drop root's file access"),
]


@pytest.fixture
def read_only_home(tmp_path: Path) -> Iterator[tuple[Home, FakeAPI]]:
    fake = FakeAPI(clock=SystemClock())
    handle, server = serve_in_thread(fake=fake)
    home = Home(tmp_path)
    home.env["OPENAI_BASE_URL"] = handle.base_url
    try:
        yield home, fake
    finally:
        os.chmod(home.data_dir, 0o700)
        handle.stop()
        server.join(timeout=10)


def make_read_only(home: Home) -> bytes:
    os.chmod(home.data_dir, 0o500)
    return home.registry.read_bytes()


def test_show_prints_the_thread_and_warns_once(read_only_home: tuple[Home, FakeAPI]) -> None:
    home, fake = read_only_home
    thread = seed_thread(fake, 5, words="invoice")
    assert home.run("add", thread.id).returncode == 0
    before = make_read_only(home)
    shown = home.run("show", thread.id, prefix=unprivileged_prefix() or ())
    assert shown.returncode == 0, shown.stderr
    assert all(f"invoice number {n}" in shown.stdout for n in range(5))
    (warning,) = shown.stderr.splitlines()
    assert warning.startswith("Warning: the transcript was not archived: ")
    assert "read-only" in warning and str(home.registry) in warning
    assert home.registry.read_bytes() == before


def test_export_writes_the_file_from_the_server_and_warns(
    read_only_home: tuple[Home, FakeAPI], tmp_path: Path
) -> None:
    home, fake = read_only_home
    thread = seed_thread(fake, 5, words="invoice")
    assert home.run("add", thread.id).returncode == 0
    make_read_only(home)
    out = tmp_path / "exports"
    exported = home.run("export", thread.id, "-o", str(out), prefix=unprivileged_prefix() or ())
    assert exported.returncode == 0, exported.stderr
    written = out / f"{thread.id}.md"
    assert all(f"invoice number {n}" in written.read_text() for n in range(5))
    assert exported.stdout == f"Wrote {written} (5 messages, from the server).\n"
    (warning,) = exported.stderr.splitlines()
    assert warning.startswith("Exported what the server gave, but did not archive it: ")
    assert "read-only" in warning
