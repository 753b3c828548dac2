"""What every command shares: errors, output, the event loop, loading the services."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from threadtui.core.finding.ids import WrongIdKind, kind_of, require_trackable
from threadtui.core.services import Services
from threadtui.errors import UserError

if TYPE_CHECKING:
    from threadtui.api.models import ThreadKind

T = TypeVar("T")


class CommandError(UserError):
    """A command cannot go on; the message is one sentence for stderr."""


def fail(message: str, status: int = 1) -> int:
    print(message, file=sys.stderr)
    return status


def say(message: str) -> None:
    print(message)


def confirmed(question: str, wanted: str = "yes") -> bool:
    """Ask on the terminal, after listing what would be lost: True when the user types
    `wanted` (y for yes; thousands separators allowed in a count)."""
    print(
        f"{question} This cannot be undone. Type {wanted} to confirm: ",
        end="",
        file=sys.stderr,
        flush=True,
    )
    answer = sys.stdin.readline().strip().lower().replace(",", "")
    return answer == wanted or (wanted == "yes" and answer == "y")


def load_services(
    args: argparse.Namespace, env: Mapping[str, str], http_transport: Any
) -> Services:
    return Services.load(
        config_dir=args.config_dir,
        data_dir=args.data_dir,
        env=env,
        http_transport=http_transport,
        read_only=args.read_only,
        profile_name=args.profile,
    )


def demo_services(args: argparse.Namespace) -> Services:
    """Services on a seeded in-process fake API, in a throwaway directory removed at exit."""
    import atexit

    from threadtui.demo import start_demo

    demo = start_demo(read_only=args.read_only)
    atexit.register(demo.cleanup)
    return demo.services


def run_async(services: Services, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` on a fresh event loop and close the backends on that same loop."""
    import asyncio  # not at the top: `list` and `add` never need it

    async def go() -> T:
        try:
            return await work()
        finally:
            await services.aclose()

    return asyncio.run(go())


def trackable_ids(raw_ids: Sequence[str]) -> tuple[list[tuple[str, ThreadKind]], int]:
    """(id, kind) for every usable ID; each rejected one is explained on stderr."""
    good: list[tuple[str, ThreadKind]] = []
    rejected = 0
    for raw in raw_ids:
        try:
            thread_id, _ = require_trackable(raw)
        except WrongIdKind as problem:
            fail(f"{problem} Not added.")
            rejected += 1
            continue
        good.append((thread_id, kind_of(thread_id)))
    return good, rejected
