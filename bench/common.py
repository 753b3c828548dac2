"""What every benchmark shares: result rows, the table, timing and peak memory of a child."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FULL_ENV = "THREADTUI_BENCH_FULL"  # set by --full: the sizes where the default is smaller


def full() -> bool:
    """True under `python -m bench --full`."""
    return bool(os.environ.get(FULL_ENV))


@dataclass(frozen=True)
class Row:
    """One figure. `figure` is a ratio against `baseline` (measured in the same run) or a
    count of requests against the fake; absolute times only ever appear as context."""

    benchmark: str
    measure: str
    figure: str
    baseline: str = ""
    target: str = ""
    met: bool | None = None  # None: no target
    note: str = ""


HEADER = ("Benchmark", "Measure", "Figure", "Baseline (same run)", "Target", "Met", "Notes")


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""

    def cells(row: Row) -> tuple[str, ...]:
        met = {True: "yes", False: "**no**", None: ""}[row.met]
        values = (row.benchmark, row.measure, row.figure, row.baseline, row.target, met, row.note)
        return tuple(v.replace("|", "\\|") for v in values)

    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def compile_bytecode() -> None:
    """Write the bytecode of threadtui and bench, as installing a package does.

    Fresh-process figures must not include compiling stale sources: with
    PYTHONDONTWRITEBYTECODE set (as in some CI and dev shells) nothing else would.
    """
    import compileall

    for package in ("threadtui", "bench"):
        compileall.compile_dir(ROOT / package, quiet=1)


def machine() -> str:
    """The CPU model and count, memory, OS and Python, in one line."""
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(
                line.split(":", 1)[1].strip() for line in info if line.startswith("model name")
            )
        with open("/proc/meminfo") as info:
            kib = int(next(line.split()[1] for line in info if line.startswith("MemTotal:")))
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    return (
        f"{os.cpu_count()} × {cpu}{memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    """(seconds, result) of one call."""
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


def in_child(
    code: str, env: dict[str, str] | None = None, timeout: float | None = None
) -> dict[str, Any]:
    """Run Python `code` in a fresh interpreter; it must print one JSON object last.

    `peak_mb` (the child's peak resident memory) is added, so memory figures never carry
    another benchmark's leftovers.
    """
    epilogue = textwrap.dedent(
        """
        import json as _json, resource as _resource, sys as _sys
        try:  # this process's own peak; ru_maxrss can carry the parent's from before exec
            with open("/proc/self/status") as _status:
                _line = next(l for l in _status if l.startswith("VmHWM:"))
            _peak = int(_line.split()[1]) / 1024
        except (OSError, StopIteration):
            _peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss
            _peak /= (1024 * 1024) if _sys.platform == "darwin" else 1024
        print(_json.dumps({**RESULT, "peak_mb": _peak}))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code) + epilogue],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def ratio(value: float, baseline: float) -> str:
    return f"{value / baseline:.2f}×" if baseline else "n/a"


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], share: float) -> float:
    """The value `share` (0..1) of the way up the sorted values (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds >= 0.01 else f"{seconds * 1000:.1f} ms"
