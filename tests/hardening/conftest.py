"""Fixtures for the hardening suite; the run order that lets the figures be checked last,
in the process that produced them."""

from __future__ import annotations

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


def _records_figures(item: pytest.Item) -> bool:
    return item.path.parent.name == "hardening" and item.path.name in figures.PRODUCERS


@pytest.hookimpl(tryfirst=True)  # before xdist names the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The figures check runs after everything that produces figures, in the same xdist
    group (one worker under --dist loadgroup), since the figures live in one process."""
    for item in items:
        if _records_figures(item) or item.path.name == figures.CHECK:
            item.add_marker(pytest.mark.xdist_group("reliability-figures"))
    last = [i for i in items if i.path.name == figures.CHECK]
    if last:
        items[:] = [i for i in items if i not in last] + last


def pytest_runtest_logstart(nodeid: str, location: tuple) -> None:
    RAN.add(nodeid)


def producers_run_elsewhere(items: list[pytest.Item]) -> list[str]:
    """Figure-producing tests of this session that did not run in this process."""
    return [i.nodeid for i in items if _records_figures(i) and i.nodeid not in RAN]
