"""Auditing: run history, bulk prune, the deletion log, metadata."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from threadtui.cli.common import CommandError, confirmed, fail, run_async, say
from threadtui.cli.parser import Commands
from threadtui.core.finding.ids import require_trackable
from threadtui.core.store.registry import STATUSES
from threadtui.core.text.sanitize import clean, id_text, one_line
from threadtui.core.text.timefmt import age, stamp
from threadtui.errors import with_request_id

if TYPE_CHECKING:
    import argparse

    from threadtui.core.auditing.deletions import DeletionEntry
    from threadtui.core.auditing.prune import PruneReport, Selection
    from threadtui.core.auditing.run_history import RunHistory, RunSummary
    from threadtui.core.services import Services

LISTED_IN_CONFIRMATION = 20  # threads named before "… and N more"


def register(commands: Commands) -> None:
    runs = commands.add("runs", cmd_runs, "a thread's runs: status, assistant, times, tokens")
    runs.add_argument("id", metavar="ID")
    runs.add_argument("--json", action="store_true", help="print JSON instead of text")
    runs.add_argument("--steps", action="store_true", help="also each run's steps and tool calls")

    prune = commands.add(
        "prune", cmd_prune, "delete tracked threads with no activity for a while, after asking"
    )
    prune.add_argument("--older-than", required=True, metavar="AGE", help="like 90d, 12w, 6m or 1y")
    prune.add_argument("--tag", help="only threads with this tag")
    prune.add_argument("--status", choices=STATUSES, help="only threads with this status")
    prune.add_argument("--profile", dest="profile_filter", help="only threads of this profile")
    prune.add_argument("--dry-run", action="store_true", help="list them, change nothing")
    prune.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    prune.add_argument(
        "--no-archive", action="store_true", help="do not keep a local copy before deleting"
    )
    prune.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="threads at once (default 4)"
    )

    deletions = commands.add("deletions", cmd_deletions, "the log of deleted threads")
    deletions.add_argument("--json", action="store_true", help="print JSON instead of a table")
    deletions.add_argument("--limit", type=int, metavar="N", help="only the newest N")

    meta = commands.add(
        "meta", cmd_meta, "show or change a thread's remote metadata and local title, note, tags"
    )
    meta.add_argument("id", metavar="ID")
    meta.add_argument(
        "--set", action="append", default=[], metavar="KEY=VALUE", help="remote (repeatable)"
    )
    meta.add_argument("--unset", action="append", default=[], metavar="KEY", help="remote")
    meta.add_argument("--title", help="local title")
    meta.add_argument("--note", help="local note")
    meta.add_argument("--tag", action="append", default=[], help="add a local tag")
    meta.add_argument("--untag", action="append", default=[], metavar="TAG", help="remove one")
    meta.add_argument("--json", action="store_true", help="print JSON instead of text")


# -- runs -------------------------------------------------------------------------------------
def cmd_runs(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.auditing.run_history import run_history

    thread_id, _ = require_trackable(args.id)
    history = run_async(services, lambda: run_history(services, thread_id, steps=args.steps))
    if args.json:
        say(json.dumps(history.to_json(), indent=2, ensure_ascii=sys.stdout.isatty()))
        return 0
    say(clean(render_history(history, services)))
    return 0


def render_history(history: RunHistory, services: Services) -> str:
    """The run history as text for a terminal (remote text is cleaned by the caller)."""
    now = services.clock.now()
    tracked = services.registry.get(history.thread_id)
    title = tracked.title if tracked and tracked.title else "untitled"
    lines = [f"{one_line(title, 60)} · {history.thread_id}", ""]
    if history.no_runs_sentence:
        lines += [history.no_runs_sentence, ""]
    elif not history.runs:
        lines += ["No runs on this thread.", ""]
    for summary in history.runs:
        lines += _run_lines(summary, now)
    lines.append("Totals: " + ", ".join(_totals(history)) + ".")
    return "\n".join(lines)


def _run_lines(summary: RunSummary, now: float) -> list[str]:
    run = summary.run
    who = run.assistant_id or "no assistant"
    if summary.assistant_name:
        who = f"{summary.assistant_name} ({run.assistant_id})"
    head = [run.id, run.status, who] + ([run.model] if run.model else [])
    lines = ["  ".join(head), "  " + summary.times_line(now)]
    if run.last_error:
        lines.append(f"  error: {run.last_error}")
    if run.incomplete_reason:
        lines.append(f"  incomplete: {run.incomplete_reason}")
    for step in summary.steps or ():
        lines.append(f"  step {step.id} · {step.type} · {step.status}")
        lines += [f"      {line}" for detail in step.details for line in detail.splitlines()]
    return [*lines, ""]


def _totals(history: RunHistory) -> list[str]:
    from threadtui.core.auditing.run_history import usage_text

    out = []
    if history.message_count is not None:
        out.append(_plural(history.message_count, "message"))
    if history.run_count is None:
        out.append("runs not listed by this API")
    else:
        out.append(_plural(history.run_count, "run"))
    if history.usage is not None:
        out.append(usage_text(history.usage))
    return out


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


# -- prune ------------------------------------------------------------------------------------
def cmd_prune(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.auditing import prune

    try:
        older_than = prune.parse_age(args.older_than)
    except ValueError as bad:
        return fail(f"--older-than: {bad}", status=2)
    if args.concurrency < 1:
        return fail("--concurrency must be 1 or more.", status=2)
    selection = prune.select(
        services.registry,
        older_than=older_than,
        now=services.clock.now(),
        tag=args.tag,
        status=args.status,
        profile=args.profile_filter,
    )
    if not selection:
        say(f"No tracked thread matches (no activity for {args.older_than}): nothing to prune.")
        return 0
    if args.dry_run:
        _list_selection(selection, services, limit=None, stream=sys.stdout)
        say(f"Dry run: would delete {selection.summary}. Nothing was changed.")
        return 0
    prune.check_local(services, selection.ids)
    if not args.yes and not sys.stdin.isatty():
        return fail(
            "prune asks for confirmation on a terminal: run it in one, or pass --yes to "
            "delete without asking. Nothing was deleted."
        )

    async def work() -> int:
        await prune.check(services, selection.ids)
        chosen = selection
        if not args.yes:
            chosen = await prune.fill_counts(services, selection, concurrency=args.concurrency)
            _confirm(chosen, services, archive=not args.no_archive)
        report = await prune.prune(
            services,
            chosen.ids,
            archive=not args.no_archive,
            concurrency=args.concurrency,
            progress=_progress_printer(sys.stderr.isatty()),
            checked=True,
        )
        return _report(report)

    return run_async(services, work)


def _list_selection(selection: Selection, services: Services, *, limit: int | None, stream) -> None:
    now = services.clock.now()
    shown = selection.threads if limit is None else selection.threads[:limit]
    width = max((len(t.id) for t in shown), default=0)
    for t in shown:
        count = "?" if t.message_count is None else f"{t.message_count:,}"
        print(
            f"  {t.id:<{width}}  {age(t.activity, now):>4} idle  {count:>6} msgs  "
            f"{one_line(t.profile, 12):<12}  {one_line(t.title or 'untitled', 50)}",
            file=stream,
        )
    if len(selection) > len(shown):
        print(f"  … and {len(selection) - len(shown):,} more", file=stream)


def _confirm(selection: Selection, services: Services, *, archive: bool) -> None:
    """Name what will be lost and ask; above 10 threads the user types the count."""
    from threadtui.core.auditing.prune import expected_answer

    print("About to delete, for good:", file=sys.stderr)
    _list_selection(selection, services, limit=LISTED_IN_CONFIRMATION, stream=sys.stderr)
    kept = (
        "Each is archived locally first."
        if archive
        else "They are NOT archived (--no-archive): no copy is kept."
    )
    if not confirmed(f"Delete {selection.summary}? {kept}", expected_answer(len(selection))):
        raise CommandError("Nothing was deleted.")


def _progress_printer(terminal: bool):
    def progress(done: int, total: int, entry: DeletionEntry) -> None:
        if terminal:  # the outcome goes where the progress line was
            print("\r\x1b[K", end="", file=sys.stderr, flush=True)
        say(_outcome_line(entry))
        if terminal:
            print(f"\r{done:,}/{total:,} done", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

    return progress


def _outcome_line(entry: DeletionEntry) -> str:
    if entry.outcome == "deleted":
        kept = f" (archived, {entry.message_count:,} messages)" if entry.archived_to else ""
        if entry.archived_to and entry.message_count is None:
            kept = " (archived)"
        return f"Deleted {entry.thread_id}{kept}."
    if entry.outcome == "gone":
        return f"{entry.thread_id} was already gone from the server: untracked it."
    return f"{entry.thread_id} failed: {entry.detail}"


def _report(report: PruneReport) -> int:
    parts = [f"deleted {report.deleted:,}"]
    if report.gone:
        parts.append(f"{report.gone:,} already gone (untracked)")
    if report.failed:
        parts.append(f"{report.failed:,} failed (still tracked)")
    say("Done: " + ", ".join(parts) + ". Every outcome is in `threadtui deletions`.")
    if report.stopped:
        fail(
            f"Stopped early: {report.stopped} {len(report.not_attempted):,} threads were left "
            "alone."
        )
    return 1 if report.failed or report.stopped else 0


# -- deletions --------------------------------------------------------------------------------
def cmd_deletions(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.auditing.deletions import DeletionLog

    entries = DeletionLog(services.registry).entries(limit=args.limit)
    if args.json:
        rows = [e.to_json() for e in entries]
        say(json.dumps(rows, indent=2, ensure_ascii=sys.stdout.isatty()))
        return 0
    if not entries:
        say("Nothing has been deleted with threadtui yet.")
        return 0
    now = services.clock.now()
    # Shown cleaned: a log may hold rows written before IDs were checked.
    ids = [id_text(e.thread_id) for e in entries]
    width = max(len(i) for i in ids)
    say(f"{'WHEN':<17} {'OUTCOME':<8} {'ID':<{width}}  {'MSGS':>5}  ARCHIVED  {'WHERE':<24} TITLE")
    for e, shown_id in zip(entries, ids, strict=True):
        count = "" if e.message_count is None else f"{e.message_count:,}"
        where = one_line(f"{e.profile}@{e.host}", 24)
        title = one_line(e.title or "untitled", 40)
        archived = "yes" if e.archived_to else "no"
        say(
            f"{stamp(e.deleted_at, now):<17} {one_line(e.outcome, 8):<8} {shown_id:<{width}}  "
            f"{count:>5}  {archived:<8}  {where:<24} {title}"
        )
        if e.outcome == "failed":
            say(f"{'':<17} {one_line(with_request_id(e.detail, e.request_id), 400)}")
    for place in dict.fromkeys(e.archived_to for e in entries if e.archived_to):
        say(f"Archived: {one_line(place, 200)}.")
    return 0


# -- meta -------------------------------------------------------------------------------------
def cmd_meta(args: argparse.Namespace, services: Services) -> int:
    """View both sides; --set/--unset change the remote side (checked before sending),
    --title/--note/--tag/--untag the local side only (no request at all)."""
    from threadtui.core.auditing import metadata

    thread_id, _ = require_trackable(args.id)
    try:
        pairs = [metadata.parse_pair(p) for p in args.set]
    except ValueError as bad:
        return fail(f"--set: {bad}", status=2)
    remote_change = bool(pairs or args.unset)
    local_change = args.title is not None or args.note is not None or args.tag or args.untag
    if remote_change and services.is_read_only(services.profile_for(thread_id)):
        return fail(metadata.READ_ONLY_REFUSAL)
    if local_change and thread_id not in services.registry:
        return fail(
            f"{thread_id} is not tracked: `threadtui add {thread_id}` first. Nothing changed."
        )
    if local_change:
        metadata.set_local(
            services,
            thread_id,
            title=args.title,
            note=args.note,
            add_tags=args.tag,
            remove_tags=args.untag,
        )
    remote: dict[str, str] | None = None
    if remote_change or not local_change:

        async def work() -> dict[str, str]:
            info = await metadata.remote_metadata(services, thread_id)
            if not remote_change:
                return info.metadata
            wanted = metadata.edited(info.metadata, pairs, args.unset)
            try:
                metadata.check_metadata(wanted)
            except metadata.MetadataError as refused:
                raise CommandError(f"{refused} Nothing was sent.") from None
            return (await metadata.update_metadata(services, thread_id, wanted)).metadata

        remote = run_async(services, work)
    tracked = services.registry.get(thread_id)
    if args.json:
        local = (
            {"title": tracked.title, "note": tracked.note, "tags": list(tracked.tags)}
            if tracked
            else None
        )
        say(
            json.dumps(
                {"id": thread_id, "metadata": remote, "local": local},
                indent=2,
                ensure_ascii=sys.stdout.isatty(),
            )
        )
        return 0
    lines = [thread_id, ""]
    if remote is not None:
        width = max((len(k) for k in remote), default=0)
        lines.append(f"Remote metadata ({len(remote)} of {metadata.MAX_PAIRS} pairs):")
        lines += [f"  {k:<{width}}  {v}" for k, v in sorted(remote.items())] or ["  (none)"]
        lines.append("")
    if tracked is None:
        lines.append("Not tracked locally: `threadtui add ID` to give it a title, note and tags.")
    else:
        lines += [
            "Local (this registry only):",
            f"  title  {tracked.title or '(none)'}",
            f"  note   {tracked.note or '(none)'}",
            f"  tags   {' '.join(tracked.tags) or '(none)'}",
        ]
    say(clean("\n".join(lines)))
    return 0
