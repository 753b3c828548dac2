"""Remote threads: print a whole transcript, delete after asking."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from threadtui.api.errors import ApiError, NotFound
from threadtui.cli.common import CommandError, confirmed, fail, run_async, say, trackable_ids
from threadtui.cli.parser import Commands
from threadtui.core.auditing.deletions import READ_ONLY_REFUSAL
from threadtui.core.auditing.run_history import count_messages
from threadtui.core.chat.opening import read_thread
from threadtui.core.finding.ids import require_trackable
from threadtui.core.services import Services
from threadtui.core.settings.config import ConfigError
from threadtui.core.text.sanitize import clean, one_line
from threadtui.errors import UserError

if TYPE_CHECKING:
    import argparse


def register(commands: Commands) -> None:
    show = commands.add("show", cmd_show, "print a whole thread, oldest message first")
    show.add_argument("id", metavar="ID")
    show.add_argument("--format", choices=("md", "json"), default="md")

    delete = commands.add("delete", cmd_delete, "delete threads on the server, after asking")
    delete.add_argument("ids", nargs="+", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    delete.add_argument(
        "--no-archive", action="store_true", help="do not keep a local copy before deleting"
    )


def cmd_show(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.archive import transcript

    thread_id, _ = require_trackable(args.id)
    tracked = services.registry.get(thread_id)

    unsaved: list[UserError] = []  # the archive could not be written: print all the same

    async def fetch() -> str:
        info, messages = await read_thread(services, thread_id, unsaved=unsaved.append)
        if args.format == "json":
            # \uXXXX escapes: lossless for programs, inert wherever it is printed
            return transcript.render_json(info, messages, ascii_only=True)
        try:
            names = await services.assistant_names(services.profile_for(thread_id))
        except ApiError:
            names = {}  # names are a nicety; the IDs are shown either way
        text = transcript.render_markdown(
            info, messages, title=tracked.title if tracked else "", assistant_names=names
        )
        # For people, so inert even when piped into `less` or `head` on a terminal;
        # --format json is the lossless form.
        return clean(text)

    sys.stdout.write(run_async(services, fetch))
    for problem in unsaved:
        fail(f"Warning: the transcript was not archived: {problem.user_message}")
    return 0


def cmd_delete(args: argparse.Namespace, services: Services) -> int:
    good, rejected = trackable_ids(args.ids)
    if rejected:
        return fail("Nothing was deleted: give only thread_… or conv_… IDs.")
    ids = list(dict.fromkeys(thread_id for thread_id, _ in good))
    if any(services.is_read_only(services.profile_for(i)) for i in ids):
        return fail(READ_ONLY_REFUSAL)
    if not args.yes and not sys.stdin.isatty():
        return fail(
            "delete asks for confirmation on a terminal: run it in one, or pass --yes to "
            "delete without asking. Nothing was deleted."
        )

    async def work() -> int:
        targets = ids if args.yes else await confirm_targets(services, ids)
        failures = 0
        for thread_id in targets:
            try:
                outcome = await services.delete_thread(thread_id, archive=not args.no_archive)
            except (ApiError, ConfigError) as problem:
                fail(f"{thread_id}: {problem.with_request_id()}")
                failures += 1
                continue
            if outcome == "gone":
                say(f"{thread_id} was already gone from the server: untracked it.")
            else:
                say(f"Deleted {thread_id}.")
        return 1 if failures else 0

    return run_async(services, work)


async def confirm_targets(services: Services, ids: list[str]) -> list[str]:
    """Show what will be lost and ask; returns the IDs to delete (gone ones are untracked)."""
    listed: list[str] = []
    lines: list[str] = []
    for thread_id in ids:
        backend = services.backend_for(thread_id)
        try:
            info = await backend.retrieve_thread(thread_id)
            count = await count_messages(backend, thread_id)
        except NotFound:
            services.untrack([thread_id])
            say(f"{thread_id} is already gone from the server: untracked it.")
            continue
        tracked = services.registry.get(thread_id)
        title = (tracked.title if tracked else "") or info.metadata.get("title", "") or "untitled"
        host = services.profile(services.profile_for(thread_id)).host
        lines.append(f"  {thread_id}  “{one_line(title, 50)}”  {count} messages  on {host}")
        listed.append(thread_id)
    if not listed:
        return []
    noun = "thread" if len(listed) == 1 else f"{len(listed)} threads"
    print("About to delete, for good:\n" + "\n".join(lines), file=sys.stderr)
    if not confirmed(f"Delete this {noun}?"):
        raise CommandError("Nothing was deleted.")
    return listed
