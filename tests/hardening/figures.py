"""The figures the hardening tests produce, and their rendering for docs/RELIABILITY.md.

Each test records what it measured here (once per session: a second ask returns the
first result). `test_reliability_doc` runs last (see conftest.py), renders everything with
`render()` and compares it with the generated part of docs/RELIABILITY.md, so the doc
says what the suite measured in this very run. The figures live in this process; under
pytest-xdist the producers run on any worker, each worker writes its stores to a file
shared by the workers of the run (`snapshot()`, see conftest.py), and the check merges
the files of all workers (`load()`) before rendering.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from tests.hardening import matrix

CELLS: dict[str, matrix.CellResult] = {}
HOSTILE: dict[str, Any] = {}
SECRETS: list[Any] = []
STORAGE: dict[str, dict] = {}
CONFIG: dict[str, dict] = {}
CRASHES: dict[str, dict] = {}
PROPERTY_LIMITS: dict[str, int] = {}  # max_examples, per property (the same on every machine)
# Scenarios that need what not every machine allows (a tmpfs in a namespace, dropping
# root's file access): the doc marks them ‡ and the check accepts their absence.
OPTIONAL = ("disk full (real, tmpfs)", "read-only data folder")
# The test files that record figures, and the check that renders them.
PRODUCERS = (
    "test_fault_matrix.py",
    "test_hostile_content.py",
    "test_secrets.py",
    "test_storage_faults.py",
    "test_config_faults.py",
    "test_crash_safety.py",
    "test_properties.py",
)
CHECK = "test_reliability_doc.py"


@dataclass(frozen=True)
class Failed:
    """A scenario that raised: recorded, so the figures cannot claim it."""

    error: str


async def cell(row: matrix.Row, column: matrix.Column) -> matrix.CellResult:
    """The cell's result, run once per session."""
    key = matrix.cell_key(row.kind, row.layer, row.name, column.name)
    if key not in CELLS:
        with matrix.sdk_backoff():
            CELLS[key] = await matrix.run_cell(row, column)
    return CELLS[key]


def hostile(channel: str):
    """The tally of one hostile-content check, run once per session."""
    from tests.hardening.hostile_checks import CHECKS

    if channel not in HOSTILE:
        try:
            HOSTILE[channel] = CHECKS[channel]()
        except Exception as error:
            HOSTILE[channel] = Failed(repr(error))
            raise
    return HOSTILE[channel]


def secrets():
    """The scan of the scripted session (tests.hardening.secrets_session), run once."""
    from tests.hardening.secrets_session import run_session

    if not SECRETS:
        try:
            SECRETS.append(run_session())
        except Exception as error:
            SECRETS.append(Failed(repr(error)))
            raise
    return SECRETS[0]


def _once(store: dict[str, dict], name: str, run: Callable[[], dict]) -> dict:
    if name not in store:
        try:
            store[name] = run()
        except BaseException as error:
            store[name] = {"failed": repr(error)}
            raise
    return store[name]


def storage_case(name: str, run: Callable[[], dict]) -> dict:
    """A storage or config fault; `run()` returns rows_before and rows_after (of those)."""
    return _once(STORAGE, name, run)


def config_case(name: str, run: Callable[[], dict]) -> dict:
    """A broken config.toml; `run()` returns file_kept (byte-identical afterwards)."""
    return _once(CONFIG, name, run)


def crash_case(name: str, run: Callable[[], dict]) -> dict:
    """A SIGKILL scenario; `run()` returns kills, rows_before and rows_after."""
    return _once(CRASHES, name, run)


def example(prop: str, limit: int) -> None:
    """Record that a property ran, up to `limit` examples (the figure the doc shows)."""
    PROPERTY_LIMITS[prop] = limit


# -- sharing between pytest-xdist workers ------------------------------------------------------
STORES: dict[str, dict[str, Any]] = {
    "CELLS": CELLS,
    "HOSTILE": HOSTILE,
    "STORAGE": STORAGE,
    "CONFIG": CONFIG,
    "CRASHES": CRASHES,
    "PROPERTY_LIMITS": PROPERTY_LIMITS,
}


def snapshot() -> dict[str, dict[str, Any]]:
    """This process's figures, as plain data for pickle (SECRETS as a one-key store)."""
    stores = {name: dict(store) for name, store in STORES.items()}
    stores["SECRETS"] = {"scan": SECRETS[0]} if SECRETS else {}
    return stores


def load(snapshots: list[dict[str, dict[str, Any]]]) -> list[str]:
    """Replace this process's figures with the union of the workers' `snapshots`.

    Returns the keys two workers measured differently (they are then not merged: the
    check fails on them, as the doc could only say one of the two)."""
    merged: dict[str, dict[str, Any]] = {name: {} for name in [*STORES, "SECRETS"]}
    conflicts = []
    for snap in snapshots:
        for name, store in snap.items():
            for key, value in store.items():
                if key in merged[name] and merged[name][key] != value:
                    conflicts.append(f"{name}[{key!r}]")
                merged[name].setdefault(key, value)
    for name, store in STORES.items():
        store.clear()
        store.update(merged[name])
    SECRETS.clear()
    SECRETS.extend(cast(dict[str, Any], merged["SECRETS"]).values())
    return conflicts


# -- rendering ---------------------------------------------------------------------------------
def _cell_text(result: matrix.CellResult) -> str:
    if not result.survived:
        return f"**FAILED** ({result.outcome})"
    return result.outcome + (" ↻" if result.recovered else "")


def matrix_table() -> list[str]:
    names = [c.name for c in matrix.COLUMNS]
    lines = [
        "| operation | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for row in matrix.ROWS:
        cells = []
        for column in matrix.COLUMNS:
            result = CELLS.get(matrix.cell_key(row.kind, row.layer, row.name, column.name))
            cells.append("not run" if result is None else _cell_text(result))
        label = f"{row.kind[:4]}. {row.layer}: {row.name}"
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def matrix_totals() -> list[str]:
    results = list(CELLS.values())
    passing = [r for r in results if r.recovered is not None]
    return [
        f"- cells tried: {len(results)} ({len(matrix.ROWS)} operations × "
        f"{len(matrix.COLUMNS)} faults)",
        f"- cells survived: {sum(r.survived for r in results)}",
        f"- cells whose fault passes, tried again with the fault once: {len(passing)}; "
        f"recovered by a safe retry: {sum(bool(r.recovered) for r in passing)}; "
        'the rest said so in one sentence (creates: "may exist")',
        f"- duplicate messages or threads on the server: {sum(r.duplicates for r in results)}",
        f"- threads wrongly marked gone: {sum(r.wrongly_gone for r in results)}",
    ]


def hostile_lines() -> list[str]:
    from tests.hardening.hostile import CORPUS
    from tests.hardening.hostile_checks import CHECKS

    lines = ["| where | tried | escapes leaked |", "|---|---|---|"]
    tried = leaked = 0
    order = list(CHECKS)  # the tests' order, whichever worker ran which
    for channel, tally in sorted(HOSTILE.items(), key=lambda item: order.index(item[0])):
        if isinstance(tally, Failed):
            lines.append(f"| {channel} | **FAILED** | |")
            continue
        lines.append(f"| {channel} | {tally.tried} | {tally.leaked} |")
        tried, leaked = tried + tally.tried, leaked + tally.leaked
    lines += [
        "",
        f"- hostile inputs in the corpus: {len(CORPUS)}",
        f"- hostile inputs tried (output × input): {tried}",
        f"- escapes leaked: {leaked}",
    ]
    return lines


def secrets_lines() -> list[str]:
    if not SECRETS:
        return ["- not run"]
    scan = SECRETS[0]
    if isinstance(scan, Failed):
        return ["- **FAILED**"]
    return [
        f"- written files scanned: {scan.files}",
        f"- command outputs and error texts scanned: {scan.outputs}",
        f"- secrets found: {len(scan.found)}",
        f"- files not 0600 or folders not 0700: {len(scan.loose_modes)}",
        f"- commands that did not do their job: {len(scan.failures)}",
    ]


def _optional(name: str) -> bool:
    return name.startswith(OPTIONAL)


def rows_lines(store: dict[str, dict], *, kills: bool = False) -> list[str]:
    head = "| scenario | " + ("kills | " if kills else "") + "rows before | rows kept | rows lost |"
    lines = [head, "|---|" + ("---|" if kills else "") + "---|---|---|"]
    lost = 0  # of the scenarios every machine runs (‡: where the machine allows; none lost)
    for name in sorted(store):
        figures_ = store[name]
        mark = " ‡" if _optional(name) else ""
        if "failed" in figures_:
            lines.append(f"| {name}{mark} | **FAILED** |" + (" |" if kills else "") + " | |")
            continue
        before, after = figures_["rows_before"], figures_["rows_after"]
        lost += 0 if mark else max(0, before - after)
        extra = f"{figures_['kills']} | " if kills else ""
        lines.append(f"| {name}{mark} | {extra}{before} | {after} | {before - after} |")
    lines += ["", f"- rows lost: {lost}"]
    return lines


def config_lines() -> list[str]:
    failed = [name for name, f in CONFIG.items() if "failed" in f]
    kept = sum(1 for f in CONFIG.values() if f.get("file_kept"))
    return [
        f"- broken config.toml files tried: {len(CONFIG)} ({', '.join(sorted(CONFIG))})",
        f"- answered with one sentence naming the file and the key, exit 1: "
        f"{len(CONFIG) - len(failed)}",
        f"- files left byte-identical: {kept}",
    ]


def property_lines() -> list[str]:
    lines = ["| property | examples (derandomized) | counterexamples |", "|---|---|---|"]
    lines += [f"| {name} | up to {limit} | 0 |" for name, limit in sorted(PROPERTY_LIMITS.items())]
    return lines


def render() -> str:
    """The generated part of docs/RELIABILITY.md."""
    sections = [
        ("### Fault matrix", [*matrix_totals(), "", *matrix_table()]),
        ("### Hostile content", hostile_lines()),
        ("### Secrets", secrets_lines()),
        ("### Storage faults", rows_lines(STORAGE)),
        ("### Config values of the wrong type", config_lines()),
        ("### Crash safety (SIGKILL)", rows_lines(CRASHES, kills=True)),
        ("### Property-based tests", property_lines()),
    ]
    out = []
    for title, lines in sections:
        out += [title, "", *lines, ""]
    return "\n".join(out).rstrip("\n") + "\n"
