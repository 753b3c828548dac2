"""Storage faults on the registry, with the real command in its own process: a full disk,
a read-only data folder, a database locked by another process for 10 s, a damaged
database. Each time: one clear sentence, nothing that was there is lost, and reading
works where it can.

Decision (documented in docs/RELIABILITY.md): a registry locked by another process is
waited for up to the busy timeout (5 s, `registry.BUSY_TIMEOUT`), then the command fails
with one sentence and changes nothing. Waiting longer would hang scripts behind a
forgotten session; 5 s covers every write threadtui itself makes (one batch of 500).
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening import figures
from tests.hardening.processes import (
    Home,
    can_mount_tmpfs,
    ids,
    log_of,
    unprivileged_prefix,
)
from tests.hardening.world import sentence_problems
from threadtui.core.store.registry import BATCH, BUSY_TIMEOUT, Registry, TrackedThread


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    problems = sentence_problems(result.stderr.strip())
    assert not problems, (result.stderr, problems)
    return result.stderr.strip()


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A home whose registry tracks 1,000 threads (written in-process: quicker)."""
    made = Home(tmp_path)
    with Registry(made.registry) as registry:
        registry.add_many(
            TrackedThread(i, "thread", "default", source="cli") for i in ids("a", 1000)
        )
    return made


# -- a full disk ---------------------------------------------------------------------------
def test_a_disk_that_fills_during_an_import_keeps_every_row_and_whole_batches(home: Home) -> None:
    def run() -> dict:
        before = home.rows()
        more = ids("b", 20_000)
        log = home.root / "more.log"
        log.write_text(log_of(more))
        limit = home.registry.stat().st_size + 300_000  # the WAL fills up first
        failed = home.run("import", str(log), file_size_limit=limit)
        sentence = one_sentence(failed)
        assert "full" in sentence or "space" in sentence, sentence
        after = home.rows()
        assert before <= after and (len(after) - len(before)) % BATCH == 0
        assert home.run("list", "--limit", "1", file_size_limit=limit).returncode == 0
        rerun = home.run("import", "--json", str(log))
        summary = json.loads(rerun.stdout)
        assert (summary["added"], summary["already"]) == (
            len(before) + len(more) - len(after),
            len(after) - len(before),
        )
        return {"rows_before": len(before), "rows_after": len(home.rows() & before)}

    figures.storage_case("disk full (file size limit)", run)


@pytest.mark.skipif(not can_mount_tmpfs(), reason="cannot mount a tmpfs in a namespace here")
def test_a_really_full_disk(tmp_path: Path) -> None:
    """A 512 KiB tmpfs: SQLite sees ENOSPC. The files are copied out before it goes away."""

    def run() -> dict:
        disk, kept = tmp_path / "disk", tmp_path / "kept"
        disk.mkdir()
        kept.mkdir()
        home = Home(disk)
        first, more = tmp_path / "first.log", tmp_path / "more.log"
        first.write_text(log_of(ids("a", 500)))
        more.write_text(log_of(ids("b", 20_000)))
        q = shlex.quote
        steps = [
            f"mount -t tmpfs -o size=512k tmpfs {q(str(disk))}",
            f"{shlex.join(home.command('import', str(first)))} >/dev/null",
            f"{shlex.join(home.command('import', str(more)))} 2>{q(str(kept / 'err'))}",
            f"echo $? >{q(str(kept / 'code'))}",
            f"{shlex.join(home.command('list', '--json'))} >{q(str(kept / 'list'))}",
            f"cp -a {q(str(home.data_dir))}/. {q(str(kept))}/",
        ]
        subprocess.run(
            ["unshare", "-rm", "sh", "-c", " && ".join(steps[:2]) + "; " + "; ".join(steps[2:])],
            env=home.env,
            check=True,
            timeout=120,
        )
        assert (kept / "code").read_text().strip() == "1"
        sentence = (kept / "err").read_text().strip()
        assert "disk is full" in sentence and not sentence_problems(sentence), sentence
        listed = {row["id"] for row in json.loads((kept / "list").read_text())}
        rows = home.rows(kept / "registry.sqlite3")
        assert set(ids("a", 500)) <= rows == listed and len(rows) % BATCH == 0
        return {"rows_before": 500, "rows_after": len(rows & set(ids("a", 500)))}

    figures.storage_case("disk full (real, tmpfs)", run)


# -- a read-only data folder ------------------------------------------------------------------
@pytest.mark.skipif(unprivileged_prefix() is None, reason="cannot drop root's file access here")
@pytest.mark.parametrize("file_mode", [0o600, 0o400], ids=["folder", "folder-and-file"])
def test_a_read_only_data_folder_reads_and_refuses_changes(home: Home, file_mode: int) -> None:
    def run() -> dict:
        before, data = home.rows(), home.registry.read_bytes()
        os.chmod(home.data_dir, 0o500)
        os.chmod(home.registry, file_mode)
        try:
            prefix = unprivileged_prefix() or ()
            listed = home.run("list", "--json", prefix=prefix)
            assert listed.returncode == 0, listed.stderr
            assert {row["id"] for row in json.loads(listed.stdout)} == before
            assert home.run("registry", "export", prefix=prefix).returncode == 0
            for change in (("add", "thread_readonlyAbCdEf"), ("untrack", ids("a", 1)[0])):
                sentence = one_sentence(home.run(*change, prefix=prefix))
                assert "read-only" in sentence and str(home.registry) in sentence
            imported = home.run("import", "-", stdin=log_of(ids("c", 10)), prefix=prefix)
            assert "read-only" in one_sentence(imported)
        finally:
            os.chmod(home.data_dir, 0o700)
            os.chmod(home.registry, 0o600)
        assert home.registry.read_bytes() == data
        return {"rows_before": len(before), "rows_after": len(home.rows() & before)}

    figures.storage_case(f"read-only data folder ({oct(file_mode)} file)", run)


# -- locked by another process -----------------------------------------------------------------
LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=0)
db.execute("BEGIN EXCLUSIVE")
db.execute("UPDATE threads SET note = 'locker was here' WHERE rowid = 1")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("ROLLBACK")
"""


def test_a_registry_locked_for_10_s_fails_after_the_busy_timeout_and_changes_nothing(
    home: Home,
) -> None:
    def run() -> dict:
        before = home.rows()
        locker = subprocess.Popen(
            [sys.executable, "-c", LOCKER, str(home.registry), "10"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
            writer = subprocess.Popen(
                home.command("add", "thread_waitedAbCdEfGh"),
                env=home.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            reader = home.run("list", "--json")  # while the writer waits: WAL readers go on
            assert reader.returncode == 0 and len(json.loads(reader.stdout)) == len(before)
            out, err = writer.communicate(timeout=60)
            still_locked = locker.poll() is None  # it gave up on its own, not when freed
        finally:
            locker.kill()
            locker.wait()
        assert still_locked, "the lock was held for the whole wait"
        result = subprocess.CompletedProcess(writer.args, writer.returncode, out, err)
        sentence = one_sentence(result)
        assert "locked by another process" in sentence and f"{BUSY_TIMEOUT:g} s" in sentence
        after = home.rows()
        assert after == before
        assert home.run("add", "thread_waitedAbCdEfGh").returncode == 0
        return {"rows_before": len(before), "rows_after": len(after & before)}

    figures.storage_case("locked by another process for 10 s", run)


# -- a damaged database ------------------------------------------------------------------------
def _garble(data: bytes, start_page: int, pages: int, fill: bytes | None = None) -> bytes:
    size = 4096
    damaged = bytearray(data)
    chunk = fill * (size * pages) if fill else os.urandom(size * pages)
    damaged[size * start_page : size * (start_page + pages)] = chunk
    return bytes(damaged)


DAMAGE = {
    "truncated to half": lambda data: data[: len(data) // 2],
    "pages garbled": lambda data: _garble(data, 5, 3),
    "a page zeroed": lambda data: _garble(data, 1, 1, b"\x00"),
    "header garbled": lambda data: os.urandom(100) + data[100:],
}


def _undamaged(left: bytes, original: bytes, damaged: bytes) -> bytes:
    """`left` with the test's own damage undone: the original bytes wherever the test
    changed them, and the original tail it cut off. Whatever else changed in `left` stays,
    so rows the command itself lost are missing from the result."""
    repaired = bytearray(left)
    for at in range(min(len(left), len(damaged), len(original))):
        if damaged[at] != original[at]:
            repaired[at] = original[at]
    if len(left) == len(damaged) < len(original):
        repaired += original[len(damaged) :]
    return bytes(repaired)


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_registry_is_named_and_left_byte_identical(home: Home, damage: str) -> None:
    def run() -> dict:
        before = home.rows()
        original = home.registry.read_bytes()
        damaged = DAMAGE[damage](original)
        home.registry.write_bytes(damaged)
        for args in (("list",), ("import", "-")):  # reading, and writing
            result = home.run(*args, stdin=log_of(ids("d", 5)))
            sentence = one_sentence(result)
            assert str(home.registry) in sentence
            assert "damaged" in sentence or "not a threadtui registry" in sentence
            assert "untouched" in sentence
        left = home.registry.read_bytes()
        assert left == damaged
        # The rows a user gets back from the file they were asked to keep, once the damage
        # (the test's, not threadtui's) is repaired.
        repaired = home.root / "repaired.sqlite3"
        repaired.write_bytes(_undamaged(left, original, damaged))
        return {"rows_before": len(before), "rows_after": len(home.rows(repaired) & before)}

    figures.storage_case(f"damaged database: {damage}", run)
