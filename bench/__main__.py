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
from bench.common import table


def available() -> dict[str, str]:
    """Benchmark name -> module: every bench/bench_<name>.py."""
    return {
        info.name.removeprefix("bench_"): f"bench.{info.name}"
        for info in pkgutil.iter_modules(bench.__path__)
        if info.name.startswith("bench_")
    }


def main(argv: list[str] | None = None) -> int:
    found = available()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--smoke", action="store_true", help="tiny sizes: proves it runs, times nothing"
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
    rows = []
    started = time.perf_counter()
    for name in args.names or sorted(found):
        print(f"running {name}…", file=sys.stderr, flush=True)
        rows += importlib.import_module(found[name]).run(smoke=args.smoke)
    command = "python -m bench " + " ".join(argv if argv is not None else sys.argv[1:])
    print(
        f"`{command.strip()}` on {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; {time.perf_counter() - started:.0f} s in all"
        + (" (smoke sizes: the figures mean nothing)" if args.smoke else "")
        + ".\n"
    )
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
