"""Remote threads: print a whole transcript, delete after asking."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from threadtui.api.errors import ApiError, NotFound
from threadtui.cli.common import PAGE, CommandError, confirmed, fail, run_async, say, trackable_ids
from threadtui.cli.parser import Commands
from threadtui.core.config import ConfigError
from threadtui.core.deletions import READ_ONLY_REFUSAL
from threadtui.core.ids import require_trackable
from threadtui.core.sanitize import clean, one_line
from threadtui.core.services import Services

if TYPE_CHECKING:
    import argparse

    from threadtui.api.backend import Backend
    from threadtui.api.models import Message, ThreadInfo


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


async def all_messages(backend: Backend, thread_id: str) -> list[Message]:
    """Every message of a thread, oldest first, one request per 100."""
    messages: list[Message] = []
    after = None
    while True:
        page = await backend.list_messages(thread_id, limit=PAGE, order="asc", after=after)
        messages += page.items
        if not page.has_more or not page.items:
            return messages
        after = page.last_id


def keep_in_archive(services: Services, info: ThreadInfo, messages: list[Message]) -> None:
    """A whole thread just read is kept in the transcript archive (`core.archive`)."""
    from threadtui.core.archive import ArchiveStore

    ArchiveStore(services.registry, now=services.clock.now).save(
        info.id,
        messages,
        oldest=True,
        newest=True,
        thread=info,
        profile=services.profile_for(info.id),
        source="show",
    )


def cmd_show(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core import transcript

    thread_id, _ = require_trackable(args.id)
    tracked = services.registry.get(thread_id)

    async def fetch() -> str:
        backend = services.backend_for(thread_id)
        try:
            info = await backend.retrieve_thread(thread_id)
            messages = await all_messages(backend, thread_id)
        except NotFound as gone:
            if tracked:
                services.mark_gone(thread_id, gone.user_message)
            raise
        keep_in_archive(services, info, messages)
        if tracked:
            times = [m.created_at for m in messages if m.created_at]
            services.registry.update(
                thread_id,
                message_count=len(messages),
                last_activity_at=max(times, default=tracked.last_activity_at),
                status="live",
                status_reason="",
                checked_at=services.clock.now(),
            )
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
            count = len(await all_messages(backend, thread_id))
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
