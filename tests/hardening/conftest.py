"""Fixtures for the hardening suite; the run order that lets the figures be checked last."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import Cli
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The figures check runs after everything that produces figures."""
    last = [i for i in items if "test_reliability_doc" in i.nodeid]
    if last:
        items[:] = [i for i in items if i not in last] + last
