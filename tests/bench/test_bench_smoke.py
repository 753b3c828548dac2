"""The benchmarks of the TUI and the registry run (at smoke sizes): nothing here is timed.

`tests/core/test_importer_bench.py` does the same for `import` and `check`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NAMES = ("paint", "filter", "open", "send", "registry")


def test_bench_smoke_prints_one_row_per_figure_and_the_request_counts_hold() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", *NAMES],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
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


def test_full_and_smoke_together_are_refused() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--full", "registry"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "--smoke and --full do not go together" in result.stderr
