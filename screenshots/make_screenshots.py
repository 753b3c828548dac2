"""Regenerate the SVG screenshots in this folder from the demo (run from the repo root):

    python screenshots/make_screenshots.py

Each picture is a named scenario of tests/tui/scenarios.py (the same ones the snapshot
tests check), driven on the seeded fake API with a virtual clock, so the pictures are the
same on every machine.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
os.environ["TZ"] = "UTC"
time.tzset()

from tests.tui.scenarios import SCENARIOS  # noqa: E402

SIZE = (110, 32)
PICTURES = ["main", "thread", "live_run", "delete", "requires_action", "conversation", "help"]


async def shoot(name: str, folder: Path) -> Path:
    scenario = SCENARIOS[name]
    app, demo = scenario.build(folder / name)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await scenario.drive(pilot, demo)
            await pilot.pause()
            path = app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
    finally:
        demo.cleanup()
    return Path(path)


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        for name in PICTURES:
            print(await shoot(name, Path(scratch)))


if __name__ == "__main__":
    asyncio.run(main())
