"""The fault matrix (see `tests.hardening.matrix`): one test per cell."""

from __future__ import annotations

import pytest

from tests.hardening import figures
from tests.hardening.matrix import cells

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize(
    ("row", "column"),
    [pytest.param(r, c, id=f"{r.kind}-{r.layer}-{r.name}-{c.name}") for r, c in cells()],
)
async def test_cell(row, column) -> None:
    result = await figures.cell(row, column)
    assert result.survived, "\n".join(result.problems)
