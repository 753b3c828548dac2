"""Fixtures for the hardening suite; the run order that lets the figures be checked last,
and, under pytest-xdist, the files through which the workers pass their figures to it."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Cli
from tests.hardening import figures
from tests.hardening.world import KEY
from threadtui.fakeapi import FakeAPI


class KeyedCli(Cli):
    """The in-process CLI harness (tests.cli.conftest.Cli) with the distinctive key."""

    def __init__(self, home: Path, fake: FakeAPI) -> None:
        super().__init__(home, fake)
        self.env["OPENAI_API_KEY"] = KEY


@pytest.fixture
def cli(tmp_path: Path, fake: FakeAPI) -> KeyedCli:
    return KeyedCli(tmp_path, fake)


# Hardening tests left out of this run (-k, --deselect): the figures check then knows the
# figures are partial and does not compare them with the doc.
DESELECTED: list[str] = []


def pytest_deselected(items: list[pytest.Item]) -> None:
    DESELECTED.extend(i.nodeid for i in items if "tests/hardening/" in i.nodeid)


# Tests of the figure-producing files that ran in this process (under pytest-xdist, a
# worker runs only its share).
RAN: set[str] = set()
# Under pytest-xdist: the folder shared by the workers of this run, where each worker
# keeps its figures (figures-<worker>.pickle, rewritten after each producer test).
SHARED: list[Path] = []
CONFIG: list[pytest.Config] = []


def _records_figures(item: pytest.Item) -> bool:
    return item.path.parent.name == "hardening" and item.path.name in figures.PRODUCERS


def _worker() -> str | None:
    return os.environ.get("PYTEST_XDIST_WORKER")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The figures check runs after everything else, so after every test that produces
    figures: under pytest-xdist, when a worker gets it, the producers have all been
    handed out (xdist hands tests out in this order), to this worker or to others."""
    last = [i for i in items if i.path.name == figures.CHECK]
    if last:
        items[:] = [i for i in items if i not in last] + last


def pytest_configure(config: pytest.Config) -> None:
    CONFIG.append(config)


def _shared() -> Path | None:
    """Under pytest-xdist, the folder for the figures files (None in a serial run)."""
    if not _worker() or not CONFIG:
        return None
    if not SHARED:
        # xdist gives each worker <basetemp of the run>/<worker>: the parent is this run's.
        basetemp = CONFIG[0]._tmp_path_factory.getbasetemp()  # type: ignore[attr-defined]
        SHARED.append(basetemp.parent / "figures")
        SHARED[0].mkdir(exist_ok=True)
    return SHARED[0]


def _save(done: bool = False) -> None:
    shared = _shared()
    if shared is None:
        return
    path = shared / f"figures-{_worker()}.pickle"
    data = {"ran": sorted(RAN), "done": done, "figures": figures.snapshot()}
    partial = path.with_suffix(".partial")
    partial.write_bytes(pickle.dumps(data))
    partial.replace(path)  # whole files only, for the worker that reads them


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    RAN.add(nodeid)


def pytest_runtest_logfinish(nodeid: str, location: tuple) -> None:
    """After each test (passed, failed or skipped): this worker's figures, for the check."""
    if Path(nodeid.split("::")[0]).name in figures.PRODUCERS:
        _save()


def pytest_sessionfinish(session: pytest.Session) -> None:
    _save(done=True)  # a worker that stops (-x, end of its share) says so


def producers_run_elsewhere(items: list[pytest.Item]) -> list[str]:
    """Figure-producing tests of this session that did not run in this process."""
    return [i.nodeid for i in items if _records_figures(i) and i.nodeid not in RAN]


def gather_figures(items: list[pytest.Item], timeout: float = 600.0) -> list[str]:
    """Under pytest-xdist: wait until every figure-producing test of the session has been
    run by some worker, then load the figures of all workers into `figures`.

    Returns the producers no worker ran (they stopped: -x, a crash, the timeout), or,
    when all ran, the figures two workers measured differently, prefixed "conflict: "."""
    wanted = {i.nodeid for i in items if _records_figures(i)}
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    deadline = time.monotonic() + timeout
    while True:
        _save()
        seen = []
        for path in SHARED[0].glob("figures-*.pickle"):  # _save() set SHARED
            seen.append(pickle.loads(path.read_bytes()))
        ran = set().union(*(s["ran"] for s in seen))
        missing = sorted(wanted - ran)
        others_done = sum(s["done"] for s in seen) >= workers - 1
        if not missing:
            conflicts = figures.load([s["figures"] for s in seen])
            return [f"conflict: {c}" for c in conflicts]
        if others_done or time.monotonic() > deadline:
            return missing
        time.sleep(0.2)
