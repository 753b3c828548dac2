"""The Textual application: one main screen over the shared core (`Services`).

The app itself only wires things: the screens' styles (each screen's .tcss beside it; the
widgets keep theirs in DEFAULT_CSS), the keymap from config.toml, and the command palette,
which offers every action the screen binds.
"""

from __future__ import annotations

import getpass
import logging
import socket
import sys
import traceback
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from threadtui.api.sdk_errors import redact
from threadtui.tui.main_screen import MainScreen
from threadtui.tui.messages import OpenThread, ThreadsChanged

if TYPE_CHECKING:
    from threadtui.core.services import Services

HERE = Path(__file__).parent
log = logging.getLogger("threadtui.tui")


class ThreadtuiApp(App[None]):
    TITLE = "threadtui"
    CSS_PATH = sorted(str(p) for p in HERE.rglob("*.tcss"))
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="threadtui.quit")]
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self, services: Services, *, demo: bool = False, identity: str | None = None
    ) -> None:
        super().__init__()
        self.services = services
        self.demo = demo
        self.identity = identity or f"{getpass.getuser()}@{socket.gethostname()}"

    def on_mount(self) -> None:
        keys = getattr(self.services.config, "keys", None) or {}
        if keys:
            self.set_keymap(dict(keys))
        self.push_screen(MainScreen(self.services, demo=self.demo, identity=self.identity))

    @property
    def main_screen(self) -> MainScreen | None:
        return next((s for s in self.screen_stack if isinstance(s, MainScreen)), None)

    def on_open_thread(self, message: OpenThread) -> None:
        """Feature screens (search…) ask for a thread: close them and open it."""
        main = self.main_screen
        if main is not None:
            while self.screen is not main:
                self.pop_screen()
            main.post_message(OpenThread(message.thread_id, message.message_id))

    def on_threads_changed(self, message: ThreadsChanged) -> None:
        main = self.main_screen
        if main is not None:
            main.post_message(ThreadsChanged(*message.thread_ids))

    def crash_report(self, error: BaseException | None) -> str:
        """What a crash prints: the traceback without local variables (Textual's shows them,
        and a frame can hold the API key), keys redacted. Logged as well."""
        lines = traceback.format_exception(error) if error else ["unknown error\n"]
        text = redact("".join(lines), self.services.api_keys())
        log.critical("threadtui stopped after an unexpected error:\n%s", text)
        return text + "\nthreadtui stopped after an unexpected error; the log has these details."

    def _fatal_error(self) -> None:
        # Textual (8.2) has no public hook for an unhandled exception (textual#2818): this is
        # where its own report, with local variables, would be made. Ours goes through the
        # public panic(), which shows it on exit.
        self.bell()
        self.panic(Text(self.crash_report(sys.exc_info()[1] or self._exception)))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every binding that works on this screen, plus Textual's own (theme, screenshot)."""
        seen: set[str] = set()
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            yield SystemCommand(
                binding.description,
                f"{self.get_key_display(binding)} · {binding.tooltip or binding.id or key}",
                partial(self.run_action, binding.action, active.node),
            )
        yield from super().get_system_commands(screen)


def run_tui(services: Services, *, demo: bool = False) -> int:
    from threadtui.core.settings.logs import start_log

    start_log(services.locations.log_dir, secrets=services.api_keys())
    ThreadtuiApp(services, demo=demo).run()
    return 0
