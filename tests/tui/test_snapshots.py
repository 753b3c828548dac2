"""What the screen shows, at 80x24 and 120x40, for each named scenario of the demo.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs in __snapshots__/ before committing them.
"""

from __future__ import annotations

import pytest

from .scenarios import SCENARIOS

SIZES = [(80, 24), (120, 40)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_screen(snap_compare, tmp_path, name, size):
    scenario = SCENARIOS[name]
    app, demo = scenario.build(tmp_path / "demo")
    try:
        assert snap_compare(app, terminal_size=size, run_before=scenario.run_before(demo))
    finally:
        demo.cleanup()
