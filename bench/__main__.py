"""`python -m bench [--smoke] [NAME…]`: run benchmarks, print one Markdown table."""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import platform
import sys
import time

import bench
from bench.common import FULL_ENV, compile_bytecode, machine, table


def available() -> dict[str, str]:
    """Benchmark name -> module: every bench/bench_<name>.py."""
    return {
        info.name.removeprefix("bench_"): f"bench.{info.name}"
        for info in pkgutil.iter_modules(bench.__path__)
        if info.name.startswith("bench_")
    }


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    found = available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: proves it runs, times nothing"
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="the issue's sizes where the default is smaller: a 1 GB log for import, every "
        "thread one at a time for check (sets THREADTUI_BENCH_FULL=1)",
    )
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"default: all ({', '.join(sorted(found))})"
    )
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(found)
    if unknown:
        parser.error(
            f"unknown benchmark {', '.join(sorted(unknown))}; known: {', '.join(sorted(found))}"
        )
    if args.smoke and args.full:
        parser.error("--smoke and --full do not go together")
    if args.full:
        os.environ[FULL_ENV] = "1"
    compile_bytecode()
    rows = []
    load_before = _load()
    started = time.perf_counter()
    for name in args.names or sorted(found):
        print(f"running {name}…", file=sys.stderr, flush=True)
        rows += importlib.import_module(found[name]).run(smoke=args.smoke)
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    print(
        f"`{command.strip()}` on {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {time.perf_counter() - started:.0f} s in all"
        + (" (smoke sizes: the figures mean nothing)" if args.smoke else "")
        + "."
    )
    print(f"Machine: {machine()}; load average {load_before} before, {_load()} after.\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
