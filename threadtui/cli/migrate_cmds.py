"""`threadtui migrate`: move threads to new conversations (`threadtui.core.auditing.migrate`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from threadtui.api.errors import ApiError
from threadtui.cli.common import confirmed, fail, run_async, say, trackable_ids
from threadtui.cli.finding import ProgressBar
from threadtui.cli.parser import Commands
from threadtui.core.settings.config import ConfigError
from threadtui.core.text.sanitize import one_line

if TYPE_CHECKING:
    import argparse

    from threadtui.core.auditing.migrate import MigrationProgress, MigrationResult
    from threadtui.core.services import Services

CONFIRM_NEEDS_TERMINAL = (
    "migrate --delete-source asks before deleting, on a terminal: run it in one, or pass "
    "--yes to delete without asking. Nothing was migrated."
)


def register(commands: Commands) -> None:
    migrate = commands.add(
        "migrate",
        cmd_migrate,
        "copy threads into new conversations (messages in order, linked both ways)",
    )
    migrate.add_argument("ids", nargs="+", metavar="THREAD_ID")
    migrate.add_argument(
        "--to-profile",
        metavar="P",
        help="the conversations profile to create them on (default: the first one)",
    )
    migrate.add_argument(
        "--delete-source",
        action="store_true",
        help="then delete each thread on its server (archived and logged first)",
    )
    migrate.add_argument("--yes", action="store_true", help="delete without asking")
    migrate.add_argument(
        "--again", action="store_true", help="migrate even a thread that was migrated before"
    )
    migrate.add_argument("--json", action="store_true", help="print a JSON report for scripts")


def cmd_migrate(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.auditing.migrate import delete_migrated_source, target_profile
    from threadtui.core.services import READ_ONLY_MESSAGE

    good, rejected = trackable_ids(args.ids)
    if rejected:
        return fail("Nothing was migrated: give only thread_… IDs.")
    ids = list(dict.fromkeys(thread_id for thread_id, _ in good))
    target = target_profile(services, args.to_profile)
    sources = [services.profile_for(thread_id) for thread_id in ids] if args.delete_source else []
    if any(services.is_read_only(name) for name in [target.name, *sources]):
        return fail(READ_ONLY_MESSAGE)
    asking = args.delete_source and not args.yes
    if asking and not sys.stdin.isatty():
        return fail(CONFIRM_NEEDS_TERMINAL)
    bar = ProgressBar()

    def progress(p: MigrationProgress) -> None:
        if p.stage == "reading":
            bar.show(None, f"{p.thread_id}: reading · {p.done:,} messages")
        elif p.stage == "writing" and p.total:
            bar.show(p.done / p.total, f"{p.thread_id}: writing {p.done:,}/{p.total:,} items")
        elif p.stage == "deleting":
            bar.show(None, f"{p.thread_id}: deleting the source")

    def tell(lines: list[str], *, problem: bool = False) -> None:
        """Print (unless --json) after clearing the progress line; problems to stderr."""
        bar.done()
        if not args.json:
            for line in lines:
                (fail if problem else say)(line)

    async def work() -> list[dict[str, Any]]:
        reports: list[dict[str, Any]] = []
        migrated: list[tuple[dict[str, Any], MigrationResult]] = []
        for thread_id in ids:
            report, result = await _migrate_one(services, args, thread_id, progress, tell)
            reports.append(report)
            if result is not None and asking:
                migrated.append((report, result))
        if migrated and _confirm_deletes(services, [result for _, result in migrated]):
            for report, result in migrated:
                result = await delete_migrated_source(services, result, progress=progress)
                report.update(deleted=result.deleted, delete_detail=result.delete_detail)
                tell([result.deletion_line() or ""], problem=result.deleted == "failed")
        return reports

    try:
        reports = run_async(services, work)
    finally:
        bar.done()
    if args.json:
        say(json.dumps(reports, indent=2))
    failed = any(r["outcome"] == "failed" or r.get("deleted") == "failed" for r in reports)
    return 1 if failed else 0


async def _migrate_one(
    services: Services,
    args: argparse.Namespace,
    thread_id: str,
    progress: Callable[[MigrationProgress], None],
    tell: Callable[..., None],
) -> tuple[dict[str, Any], MigrationResult | None]:
    """Migrate one thread and say how it went: (its JSON report, the result or None)."""
    from threadtui.core.auditing.migrate import AlreadyMigrated, MigrationError, migrate_thread

    try:
        result = await migrate_thread(
            services,
            thread_id,
            to_profile=args.to_profile,
            delete_source=args.delete_source and args.yes,
            again=args.again,
            progress=progress,
        )
    except AlreadyMigrated as already:
        report = {
            "thread_id": thread_id,
            "outcome": "already_migrated",
            "conversation_ids": list(already.conversation_ids),
        }
        tell([str(already)])
        return report, None
    except (ApiError, ConfigError, MigrationError) as problem:
        why = problem.with_request_id()
        report = {"thread_id": thread_id, "outcome": "failed", "error": why}
        tell([why if why.startswith(thread_id) else f"{thread_id}: {why}"], problem=True)
        return report, None
    report = result.as_dict()
    tell(result.migration_lines())
    deletion = result.deletion_line()
    if deletion:
        tell([deletion], problem=result.deleted == "failed")
    return report, result


def _confirm_deletes(services: Services, migrated: list[MigrationResult]) -> bool:
    """Name every source that would be lost and ask once, on the terminal."""
    lines = []
    for result in migrated:
        host = services.profile(services.profile_for(result.thread_id)).host
        title = one_line(result.title.removesuffix(" (migrated)"), 50)
        lines.append(
            f"  {result.thread_id}  “{title}”  {result.items} messages  on {host}"
            f"  (now {result.conversation_id})"
        )
    noun = "this thread" if len(migrated) == 1 else f"these {len(migrated)} threads"
    print("Migrated, and about to delete for good:\n" + "\n".join(lines), file=sys.stderr)
    if confirmed(f"Delete {noun} on the server?"):
        return True
    print("Nothing was deleted; the conversations were made and are tracked.", file=sys.stderr)
    return False
