"""Tracking: add IDs, list what is tracked, untrack (local only)."""

from __future__ import annotations

import argparse
import json
import sys

from threadtui.cli.common import fail, say, trackable_ids
from threadtui.cli.parser import Commands
from threadtui.core.services import Services
from threadtui.core.store.registry import ORDERS, STATUSES, TrackedThread
from threadtui.core.text.sanitize import one_line
from threadtui.core.text.timefmt import age


def register(commands: Commands) -> None:
    add = commands.add("add", cmd_add, "track thread_… or conv_… IDs")
    add.add_argument("ids", nargs="+", metavar="ID")
    add.add_argument("--title", help="a title to show for them")
    add.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    # --profile is global too; here it reads naturally after the IDs.
    add.add_argument("--profile", dest="profile", default=argparse.SUPPRESS)

    lst = commands.add("list", cmd_list, "list tracked threads")
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lst.add_argument("--tag", help="only threads with this tag")
    lst.add_argument("--status", choices=STATUSES)
    lst.add_argument("--profile", dest="profile_filter", help="only threads of this profile")
    lst.add_argument("--search", help="text in the title, note or ID")
    lst.add_argument("--sort", choices=ORDERS, default="activity")
    lst.add_argument("--limit", type=int)

    untrack = commands.add(
        "untrack", cmd_untrack, "forget IDs locally (nothing is deleted remotely)"
    )
    untrack.add_argument("ids", nargs="+", metavar="ID")


def cmd_add(args: argparse.Namespace, services: Services) -> int:
    good, rejected = trackable_ids(args.ids)
    # --profile for all; else each ID goes to a profile that speaks its API.
    profiles = {
        thread_id: services.profile_for_new(thread_id, args.profile) for thread_id, _ in good
    }
    entries = [
        TrackedThread(
            thread_id,
            kind,
            profiles[thread_id],
            args.title or "",
            tags=tuple(args.tag),
            source="cli",
        )
        for thread_id, kind in good
    ]
    result = services.registry.add_many(entries)
    for thread_id in result.added:
        say(f"Tracking {thread_id} ({profiles[thread_id]}).")
    for thread_id in result.already:
        say(f"{thread_id} was tracked already" + (": added the tags." if args.tag else "."))
    return 1 if rejected else 0


def cmd_list(args: argparse.Namespace, services: Services) -> int:
    threads = services.registry.tracked(
        tag=args.tag,
        status=args.status,
        profile=args.profile_filter,
        text=args.search,
        order=args.sort,
        limit=args.limit,
    )
    if args.json:
        rows = [t._asdict() for t in threads]
        say(json.dumps(rows, indent=2, ensure_ascii=sys.stdout.isatty()))
        return 0
    if not threads:
        say("No threads tracked" + (" match." if _filtered(args) else " yet: `threadtui add ID`."))
        return 0
    now = services.clock.now()
    width = max(len(t.id) for t in threads)
    say(f"{'ID':<{width}}  {'STATUS':<9} {'MSGS':>5} {'ACTIVE':>6}  {'PROFILE':<10} TITLE")
    for t in threads:
        count = "" if t.message_count is None else str(t.message_count)
        tags = " ".join(f"#{tag}" for tag in t.tags)
        title = one_line(" ".join(p for p in (t.title, tags) if p), 60)
        say(
            f"{t.id:<{width}}  {t.status:<9} {count:>5} {age(t.activity, now):>6}  "
            f"{one_line(t.profile, 10):<10} {title}"
        )
    return 0


def _filtered(args: argparse.Namespace) -> bool:
    return any((args.tag, args.status, args.profile_filter, args.search))


def cmd_untrack(args: argparse.Namespace, services: Services) -> int:
    good, rejected = trackable_ids(args.ids)
    removed = set(services.untrack(thread_id for thread_id, _ in good))
    for thread_id, _ in good:
        if thread_id in removed:
            say(f"Untracked {thread_id} (still on the server).")
        else:
            fail(f"{thread_id} was not tracked.")
            rejected += 1
    return 1 if rejected else 0
