"""The local transcript archive: `archive`, `export` and `search`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from threadtui.api.errors import ApiError, ApiRetired, NotFound
from threadtui.cli.common import fail, run_async, say, trackable_ids
from threadtui.cli.finding import ProgressBar
from threadtui.cli.parser import Commands
from threadtui.core.finding.ids import short
from threadtui.core.settings.config import ConfigError
from threadtui.core.text.sanitize import one_line
from threadtui.core.text.timefmt import iso

if TYPE_CHECKING:
    import argparse

    from threadtui.core.archive.export import Exported
    from threadtui.core.archive.search import Hit
    from threadtui.core.archive.store import ArchiveResult
    from threadtui.core.services import Services

CONCURRENCY = 4  # threads archived at once


def register(commands: Commands) -> None:
    archive = commands.add(
        "archive", cmd_archive, "keep whole transcripts locally (fetching only what is missing)"
    )
    archive.add_argument("ids", nargs="*", metavar="ID")
    archive.add_argument(
        "--all", action="store_true", help="every tracked thread not known to be gone"
    )

    export = commands.add(
        "export", cmd_export, "write transcripts to files: Markdown, JSON or JSON Lines"
    )
    export.add_argument("ids", nargs="+", metavar="ID")
    export.add_argument("--format", choices=("md", "json", "jsonl"), default="md")
    export.add_argument(
        "-o", "--output", required=True, metavar="DIR", help="the folder to write to"
    )
    export.add_argument(
        "--redact", action="store_true", help="replace e-mail addresses, phone numbers and keys"
    )
    export.add_argument(
        "--offline", action="store_true", help="export the archived copy; ask the server nothing"
    )

    search = commands.add(
        "search",
        cmd_search,
        "search every archived transcript (exit status 1 when nothing matches)",
    )
    search.add_argument(
        "query",
        nargs="+",
        metavar="WORD",
        help='all words must appear in a message; "two words" together; refund* for prefixes',
    )
    search.add_argument("--limit", type=int, default=50, metavar="N", help="at most N messages")
    search.add_argument("--json", action="store_true", help="print JSON for scripts")


# -- archive ---------------------------------------------------------------------------------
def cmd_archive(args: argparse.Namespace, services: Services) -> int:
    if args.all and args.ids:
        return fail("Give thread IDs or --all, not both.", status=2)
    if not args.all and not args.ids:
        return fail("Say which threads to archive: give their IDs, or --all.", status=2)
    skipped_gone = 0
    if args.all:
        tracked = services.registry.tracked(order="added")
        ids = [t.id for t in tracked if t.status != "gone"]
        skipped_gone = len(tracked) - len(ids)
        rejected = 0
    else:
        good, rejected = trackable_ids(args.ids)
        ids = list(dict.fromkeys(thread_id for thread_id, _ in good))
    bar = ProgressBar()
    done: list[str] = []
    fetching: dict[str, int] = {}

    def progress(thread_id: str, fetched: int) -> None:
        fetching[thread_id] = fetched
        total = sum(fetching.values())
        bar.show(len(done) / len(ids), f"{len(done):,}/{len(ids):,} threads · {total:,} messages")

    async def work() -> list[ArchiveResult | str]:
        import asyncio  # not at the top: `list` and `add` never need it

        from threadtui.core.archive.store import archive_thread

        gate = asyncio.Semaphore(CONCURRENCY)
        retired: dict[str, str] = {}  # profile -> why: its other threads are not tried

        async def one(thread_id: str) -> ArchiveResult | str:
            profile = services.profile_for(thread_id)
            async with gate:
                try:
                    if profile in retired:
                        return ""  # reported once, for the first thread
                    return await archive_thread(services, thread_id, progress)
                except ApiRetired as problem:
                    retired.setdefault(profile, problem.user_message)
                    return problem.user_message
                except NotFound:
                    return _gone(services, thread_id)
                except (ApiError, ConfigError) as problem:
                    return f"{thread_id}: {problem.with_request_id()}"
                finally:
                    done.append(thread_id)

        return await asyncio.gather(*(one(thread_id) for thread_id in ids))

    try:
        results = run_async(services, work) if ids else []
    finally:
        bar.done()
    failed = [r for r in results if isinstance(r, str)]
    archived = [r for r in results if not isinstance(r, str)]
    for problem in dict.fromkeys(p for p in failed if p):
        fail(problem)
    if not args.all:
        for result in archived:
            say(_archive_line(result))
    say(_archive_summary(archived, len(failed), skipped_gone))
    return 1 if failed or rejected else 0


def _gone(services: Services, thread_id: str) -> str:
    from threadtui.core.archive.store import archive_info

    kept = archive_info(services.registry, thread_id)
    if kept is None or not kept.message_count:
        return f"{thread_id} is gone from the server and was never archived."
    return (
        f"{thread_id} is gone from the server; its archived copy "
        f"({kept.message_count:,} messages) is kept."
    )


def _archive_line(result: ArchiveResult) -> str:
    whole = "" if result.complete else ", not yet back to the first message"
    return (
        f"{result.thread_id}: {result.message_count:,} messages archived "
        f"({result.new_messages:,} new{whole})."
    )


def _archive_summary(archived: list[ArchiveResult], failed: int, skipped_gone: int) -> str:
    new = sum(r.new_messages for r in archived)
    noun = "thread" if len(archived) == 1 else "threads"
    line = f"Archived {len(archived):,} {noun}: {new:,} new messages"
    if failed:
        line += f"; {failed:,} failed"
    if skipped_gone:
        line += f"; {skipped_gone:,} known to be gone were skipped (their archives are kept)"
    return line + "."


# -- export ----------------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.archive.export import NothingToExport, export_thread

    good, rejected = trackable_ids(args.ids)
    ids = list(dict.fromkeys(thread_id for thread_id, _ in good))
    folder = Path(args.output).expanduser()
    if folder.exists() and not folder.is_dir():
        return fail(f"{folder} is a file, not a folder: give -o a folder to write into.")
    bar = ProgressBar()

    async def work() -> int:
        failures = 0
        for number, thread_id in enumerate(ids, 1):

            def progress(thread_id: str, fetched: int, number: int = number) -> None:
                bar.show(None, f"{number}/{len(ids)} {short(thread_id, 16)} · {fetched:,} messages")

            try:
                done = await export_thread(
                    services,
                    thread_id,
                    args.format,
                    folder,
                    redact=args.redact,
                    offline=args.offline,
                    progress=progress,
                )
            except (NothingToExport, ConfigError) as problem:
                bar.done()
                fail(problem.user_message)
                failures += 1
                continue
            except ApiError as problem:
                bar.done()
                fail(_export_problem(services, thread_id, problem))
                failures += 1
                continue
            except OSError as problem:
                bar.done()
                fail(
                    f"Cannot write to {folder} ({problem.strerror or problem}): nothing was written."
                )
                return failures + 1
            bar.done()
            if done.note:
                fail(done.note)
            say(_export_line(done, folder))
        return failures

    failures = run_async(services, work) if ids else 0
    return 1 if failures or rejected else 0


def _export_problem(services: Services, thread_id: str, problem: ApiError) -> str:
    from threadtui.core.archive.store import archive_info

    if archive_info(services.registry, thread_id) is not None:
        return f"{problem.user_message.rstrip('.')} (--offline exports the archived copy)."
    return problem.user_message


def _export_line(done: Exported, folder: Path) -> str:
    where = "the server" if done.origin == "the server" else "the archive"
    detail = f"{done.message_count:,} messages, from {where}"
    if done.redacted:
        detail += f"; redacted {done.redacted}"
    if done.renamed:
        taken = folder / f"{done.thread_id}{''.join(done.path.suffixes[-1:])}"
        return f"{taken} exists: wrote {done.path} instead ({detail})."
    return f"Wrote {done.path} ({detail})."


# -- search ----------------------------------------------------------------------------------
def cmd_search(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.archive.search import count_matches, group_by_thread, search

    query = " ".join(args.query)
    if args.limit < 1:
        return fail("--limit must be at least 1.", status=2)
    hits = search(services.registry, query, args.limit)
    total, threads = count_matches(services.registry, query) if hits else (0, 0)
    terminal = sys.stdout.isatty()
    if args.json:
        document = {
            "query": query,
            "matches": total,
            "threads": threads,
            "hits": [_hit_json(hit) for hit in hits],
        }
        say(json.dumps(document, indent=2, ensure_ascii=terminal))
        return 0 if hits else 1
    if not hits:
        return fail(_nothing_found(services, query))
    bold = terminal and "NO_COLOR" not in os.environ
    for thread_id, title, found in group_by_thread(hits):
        label = f" “{one_line(title, 60)}”" if title else ""
        say(f"{thread_id}{label}")
        for hit in found:
            when = iso(hit.created_at) or "time unknown"
            say(f"  {one_line(hit.message_id, 80)} · {one_line(hit.role, 20)} · {when}")
            say(f"    {_marked(hit, bold)}")
    shown = len(hits)
    summary = f"{_count(total, 'matching message')} in {_count(threads, 'thread')}"
    if shown < total:
        summary = f"Showing {shown:,} of {summary}: --limit N shows more."
    else:
        summary += "."
    say(summary)
    return 0


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _nothing_found(services: Services, query: str) -> str:
    from threadtui.core.archive.store import ArchiveStore

    if not ArchiveStore(services.registry).has_messages():
        return (
            "The archive is empty: open threads in the TUI or run `threadtui archive --all` "
            "first, then search."
        )
    return f"No archived message matches “{one_line(query, 60)}”."


def _marked(hit: Hit, bold: bool) -> str:
    if not bold:
        return hit.snippet
    text, end = [], 0
    for start, stop in hit.highlights:
        text += [hit.snippet[end:start], "\x1b[1m", hit.snippet[start:stop], "\x1b[22m"]
        end = stop
    return "".join([*text, hit.snippet[end:]])


def _hit_json(hit: Hit) -> dict[str, object]:
    return {
        "thread_id": hit.thread_id,
        "title": hit.title,
        "message_id": hit.message_id,
        "role": hit.role,
        "created_at": hit.created_at,
        "snippet": hit.snippet,
        "rank": hit.rank,
    }
