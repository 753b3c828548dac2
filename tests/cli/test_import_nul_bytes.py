"""Issue 13, item 11: NUL bytes piped to `import` (valid UTF-8, but no text) draw one
"not text" sentence, and reading them takes the same memory whatever their amount."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.hardening.processes import Home

# Runs the command as its own child and prints that child's peak memory (KiB).
PEAK = """
import resource, subprocess, sys
with open(sys.argv[1], "rb") as stdin:
    done = subprocess.run(sys.argv[2:], stdin=stdin, capture_output=True, text=True, timeout=120)
sys.stderr.write(done.stderr)
print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stdout.write(done.stdout)
"""


def import_nuls(home: Home, tmp_path: Path, megabytes: int) -> tuple[int, int, str, str]:
    """(exit code, peak KiB, stdout, stderr) of `threadtui import -` fed NUL bytes."""
    source = tmp_path / f"nul-{megabytes}.bin"
    with source.open("wb") as file:
        file.truncate(megabytes << 20)  # sparse: NUL bytes without writing them
    done = subprocess.run(
        [sys.executable, "-c", PEAK, str(source), *home.command("import", "-")],
        env=home.env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    source.unlink()
    first, _, out = done.stdout.partition("\n")
    code, peak = map(int, first.split())
    return code, peak, out, done.stderr


def test_nul_bytes_on_stdin_are_reported_as_not_text_in_bounded_memory(tmp_path: Path) -> None:
    home = Home(tmp_path)
    code, small_peak, out, err = import_nuls(home, tmp_path, 4)
    assert code == 0 and err == ""
    assert out == (
        "Tracked 0 new threads from 1 source; 0 were tracked already.\n"
        "standard input: 4,194,304 NUL bytes: this is not text (a binary file?); IDs were "
        "looked for in the rest.\n"
    )
    code, big_peak, out, _ = import_nuls(home, tmp_path, 40)
    assert code == 0 and out.count("not text") == 1 and "41,943,040 NUL bytes" in out
    assert big_peak - small_peak < 8 * 1024  # ten times the input, not 36 MB more memory
