"""The `threadtui` command: the TUI without a subcommand, scripting commands with one.

Every command runs on `threadtui.core.services.Services`, the same core as the TUI. Expected
failures (every `threadtui.errors.UserError`: bad IDs, config and registry problems, API
errors) end as one sentence on stderr, with the server's request ID when there is one, and
exit status 1; usage errors exit 2. `openai` and `textual` are imported only by the
commands that need them, so `add` and `list` start fast.

Each module of this package registers its own commands (`register(commands)`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from threadtui import __version__
from threadtui.cli import archive_cmds, audit, finding, migrate_cmds, settings, threads, tracking
from threadtui.cli.common import demo_services, fail, load_services
from threadtui.cli.parser import Commands
from threadtui.core.services import Services
from threadtui.core.settings.paths import privacy_warning
from threadtui.demo import DEMO_SEED
from threadtui.errors import UserError

COMMAND_MODULES = (tracking, threads, settings, audit, finding, archive_cmds, migrate_cmds)


def main(
    argv: Sequence[str] | None = None,
    *,
    http_transport: Any = None,
    env: Mapping[str, str] | None = None,
) -> int:
    """Run threadtui; returns the exit status.

    `http_transport` (an httpx2 transport) and `env` let tests run the real CLI in-process
    against the fake API in a temporary environment.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, usage errors
        return exit_.code if isinstance(exit_.code, int) else 2
    env = os.environ if env is None else env
    try:
        if args.command == "fake-api":
            return run_fake_api(args)
        services = demo_services(args) if args.demo else load_services(args, env, http_transport)
        try:
            if args.command is None:
                return run_tui(services, demo=args.demo)
            if not args.demo and (warning := privacy_warning(services.locations)):
                print(warning, file=sys.stderr)
            return args.handler(args, services)
        finally:
            services.close()
    except UserError as problem:
        return fail(problem.with_request_id())
    except KeyboardInterrupt:
        return fail("Interrupted.", status=130)
    except BrokenPipeError:  # `threadtui list | head`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so Python's exit flush stays quiet
        return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="threadtui",
        description="Browse, audit, chat in and delete OpenAI threads and conversations. "
        "Without a command, opens the terminal UI.",
    )
    parser.add_argument("--version", action="version", version=f"threadtui {__version__}")
    parser.add_argument("--config-dir", help="where config.toml lives (or THREADTUI_CONFIG_DIR)")
    parser.add_argument("--data-dir", help="where the registry lives (or THREADTUI_DATA_DIR)")
    parser.add_argument("--profile", help="the profile to use (default: the config's default)")
    parser.add_argument("--read-only", action="store_true", help="never send or delete anything")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="use a built-in fake API with demo threads, in a throwaway directory",
    )
    parser.set_defaults(command=None)
    commands = Commands(parser)
    for module in COMMAND_MODULES:
        module.register(commands)
    fake = commands.add("fake-api", lambda *_: 0, "serve the fake API for tests and demos")
    fake.add_argument(
        "--port", type=int, default=0, help="default: a free port (the URL is printed)"
    )
    fake.add_argument("--host", default="127.0.0.1", help="a loopback address")
    fake.add_argument("--seed", type=int, default=DEMO_SEED, help="which demo data to serve")
    return parser


def run_tui(services: Services, *, demo: bool) -> int:
    from threadtui.tui.app import run_tui as run_app

    return run_app(services, demo=demo)


def run_fake_api(args: argparse.Namespace) -> int:
    """Serve the fake API on loopback until Ctrl+C; it prints its URL."""
    from threadtui.demo import serve_fake_api

    try:
        serve_fake_api(host=args.host, port=args.port, seed=args.seed)
    except ValueError as refused:  # a non-loopback host
        return fail(f"{refused}.")
    except OSError as problem:
        return fail(
            f"Cannot listen on {args.host}:{args.port} ({problem.strerror}): pick another --port."
        )
    return 0
