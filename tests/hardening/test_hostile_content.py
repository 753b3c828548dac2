"""Hostile remote text (tests.hardening.hostile.CORPUS) everywhere it reaches a person:
shown literally, no escape reaching the terminal, one-line outputs bounded."""

from __future__ import annotations

import pytest

from tests.hardening import figures
from tests.hardening.hostile_checks import CHECKS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("channel", list(CHECKS))
def test_hostile_content(channel: str) -> None:
    tally = figures.hostile(channel)
    assert tally.tried > 0
    assert not tally.problems, "\n".join(tally.problems[:20])
    assert tally.leaked == 0
