"""Figures the hardening tests produce, kept for docs/RELIABILITY.md (see test_reliability_doc)."""

from __future__ import annotations

from tests.hardening import matrix

CELLS: dict[str, matrix.CellResult] = {}


async def cell(row: matrix.Row, column: matrix.Column) -> matrix.CellResult:
    """The cell's result, run once per session."""
    key = matrix.cell_key(row.kind, row.layer, row.name, column.name)
    if key not in CELLS:
        with matrix.sdk_backoff():
            CELLS[key] = await matrix.run_cell(row, column)
    return CELLS[key]


HOSTILE: dict[str, object] = {}


def hostile(channel: str):
    """The tally of one hostile-content check, run once per session."""
    from tests.hardening.hostile_checks import CHECKS

    if channel not in HOSTILE:
        HOSTILE[channel] = CHECKS[channel]()
    return HOSTILE[channel]


STORAGE: dict[str, dict] = {}


def storage_case(name: str, run) -> dict:
    """A storage or config fault: `run()` returns rows before and after; run once."""
    if name not in STORAGE:
        STORAGE[name] = run()
    return STORAGE[name]


SECRETS: list = []


def secrets():
    """The scan of the scripted session (tests.hardening.secrets_session), run once."""
    from tests.hardening.secrets_session import run_session

    if not SECRETS:
        SECRETS.append(run_session())
    return SECRETS[0]


EXAMPLES: dict[str, int] = {}


def example(prop: str) -> None:
    """Count one example of a property (hypothesis runs them; examples are derandomized)."""
    EXAMPLES[prop] = EXAMPLES.get(prop, 0) + 1


CRASHES: dict[str, dict] = {}


def crash_case(name: str, run) -> dict:
    """A SIGKILL scenario: `run()` returns kills and rows before/after; run once."""
    if name not in CRASHES:
        CRASHES[name] = run()
    return CRASHES[name]
