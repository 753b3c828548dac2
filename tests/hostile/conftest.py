"""The hostile server for the session, and a folder its matrix shares across xdist workers."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hostile.server import HostileServer, serve


@pytest.fixture(scope="session")
def hostile_server() -> Iterator[HostileServer]:
    with serve() as server:  # shut down and its thread joined at the end of the session
        yield server


@pytest.fixture(scope="session")
def matrix_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per session, the same for every xdist worker (their base temp folders
    share a parent), so each cell of the matrix runs once."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:
        return tmp_path_factory.mktemp("hostile-matrix")
    folder = tmp_path_factory.getbasetemp().parent / f"hostile-matrix-{run}"
    folder.mkdir(exist_ok=True)
    return folder
