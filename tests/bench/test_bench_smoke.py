"""Every benchmark runs (at smoke sizes) and the harness refuses bad names: nothing here is
timed; what is counted (requests, IDs found) must hold at any size."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NAMES = ("paint", "filter", "open", "send", "registry")


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bench ARGS…` from the project root."""
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bench_smoke_prints_one_row_per_figure_and_the_request_counts_hold() -> None:
    result = bench("--smoke", *NAMES)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"`python -m bench --smoke {' '.join(NAMES)}` on ")
    assert lines[1].startswith("Machine: ") and "load average" in lines[1]
    rows = [line for line in lines if line.startswith("| ") and "---" not in line][1:]
    benchmarks = [row.split(" | ")[0].removeprefix("| ") for row in rows]
    for prefix in ("first paint", "filter keystroke", "open a ", "send + a ", "registry, "):
        assert any(b.startswith(prefix) for b in benchmarks), prefix
    # What is counted, not timed, holds even at smoke sizes.
    counted = [
        row
        for row in rows
        if "openai imported" in row
        or "requests before the first screen" in row
        or "page requests" in row
        or "requests from Enter" in row
    ]
    assert len(counted) == 4
    assert all("| yes |" in row for row in counted), counted


def test_bench_smoke_prints_a_table_for_import_and_check() -> None:
    result = bench("--smoke", "import", "check")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("`python -m bench --smoke import check` on ")
    assert "| Benchmark | Measure | Figure | Baseline (same run) | Target | Met | Notes |" in lines
    rows = [line for line in lines if line.startswith("| import ") or line.startswith("| check ")]
    assert len(rows) == 8
    # Correctness figures hold even at smoke size: every ID found, one request per thread.
    assert all("| **no** |" not in row for row in rows if "tracked" in row or "requests" in row)


def test_bench_refuses_an_unknown_name() -> None:
    result = bench("--smoke", "nope")
    assert result.returncode == 2 and "unknown benchmark nope; known: " in result.stderr


def test_full_and_smoke_together_are_refused() -> None:
    result = bench("--smoke", "--full", "registry")
    assert result.returncode == 2 and "--smoke and --full do not go together" in result.stderr
