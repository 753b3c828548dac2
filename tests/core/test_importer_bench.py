"""The benchmark harness runs (at smoke sizes): nothing here is timed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def test_bench_smoke_prints_a_table_for_import_and_check() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "import", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("`python -m bench --smoke import check` on ")
    assert "| Benchmark | Measure | Figure | Baseline (same run) | Target | Met | Notes |" in lines
    rows = [line for line in lines if line.startswith("| import ") or line.startswith("| check ")]
    assert len(rows) == 8
    # Correctness figures hold even at smoke size: every ID found, one request per thread.
    assert all("| **no** |" not in row for row in rows if "tracked" in row or "requests" in row)


def test_bench_refuses_an_unknown_name() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "nope"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "unknown benchmark nope; known: " in result.stderr
