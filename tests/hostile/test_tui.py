"""Items 7 and 9 in the TUI, with the app's profile on the hostile server over 127.0.0.1:
opening a thread whose server answers malformed or with a 404 that does not name it ends
in one sentence in the status bar, the app keeps running, and the thread is not gone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile import matrix
from tests.hostile.server import HostileServer
from tests.tui.conftest import IDENTITY, wait_until
from tests.tui.test_main_screen import main, status
from threadtui.core.services import Services
from threadtui.tui.app import ThreadtuiApp

CASES = {
    "badUtf8": "127.0.0.1 sent a malformed answer about thread_badUtf8 (text that is not UTF-8)",
    "noId": "127.0.0.1 sent a malformed answer about thread_noId (a message without an id)",
    "html404": "The server answered 404 about thread_html404 without naming it",
    "404other": "The server answered 404 about thread_404other without naming it",
}


@pytest.mark.parametrize("behaviour", list(CASES))
async def test_opening_a_thread_on_a_hostile_server_says_one_sentence(
    tmp_path: Path, hostile_server: HostileServer, behaviour: str
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.toml").write_text(matrix._config(hostile_server))
    services = Services.load(
        config_dir=tmp_path / "config",
        data_dir=tmp_path / "data",
        env=matrix.environment(tmp_path),
    )
    target = f"thread_{behaviour}"
    services.track(target)
    app = ThreadtuiApp(services, identity=IDENTITY)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: main(app).sidebar.index.total > 0)
        await pilot.press("slash")
        main(app).sidebar.query_one("#filter").value = target
        await pilot.press("enter")
        await wait_until(pilot, lambda: main(app).status.tone == "error", timeout=15)
        sentence = status(app)
        assert CASES[behaviour] in sentence
        assert "\n" not in sentence and "Traceback" not in sentence
        assert app.is_running
    assert services.registry.get(target).status != "gone"
