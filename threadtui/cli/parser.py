"""A small layer over argparse so each command module registers its own commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Handler = Callable[..., int]


class Commands:
    """Subcommands of one parser: `add()` a command, or a `group()` of commands."""

    def __init__(self, parser: argparse.ArgumentParser, prefix: str = "threadtui") -> None:
        self._prefix = prefix
        self._subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(self, name: str, handler: Handler, help: str, **kwargs: Any) -> argparse.ArgumentParser:
        sub = self._subparsers.add_parser(name, help=help, description=help, **kwargs)
        sub.set_defaults(command=sub.prog.removeprefix("threadtui ").split()[0], handler=handler)
        return sub

    def group(self, name: str, help: str) -> Commands:
        """`threadtui NAME SUBCOMMAND …`; NAME alone says which subcommands exist."""
        full = f"{self._prefix} {name}"

        def missing(args: argparse.Namespace, services: Any) -> int:
            from threadtui.cli.common import fail

            return fail(f"{full}: say which command (see `{full} --help`).", status=2)

        sub = self.add(name, missing, help)
        return Commands(sub, full)
