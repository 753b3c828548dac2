"""The `threadtui` command: the TUI without a subcommand, scripting commands with one.

Every command runs on `threadtui.core.services.Services`, the same core as the TUI. Expected
failures (bad IDs, config and registry problems, API errors) end as one sentence on stderr
and exit status 1; usage errors exit 2. `openai` and `textual` are imported only by the
commands that need them, so `add` and `list` start fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from threadtui import __version__
from threadtui.api.errors import ApiError, NotFound
from threadtui.core.config import (
    PROFILE_KINDS,
    ConfigError,
    add_profile,
    profile_from_options,
)
from threadtui.core.ids import WrongIdKind, require_trackable
from threadtui.core.paths import write_private_file
from threadtui.core.registry import ORDERS, STATUSES, StorageError, TrackedThread
from threadtui.core.sanitize import clean, one_line
from threadtui.core.services import Services
from threadtui.core.timefmt import age

if TYPE_CHECKING:
    from threadtui.api.backend import Backend
    from threadtui.api.models import Message

T = TypeVar("T")

DEMO_SEED = 1
DEMO_KEY_ENV = "THREADTUI_DEMO_API_KEY"
PAGE = 100  # messages per request when reading a whole thread: the API's maximum


class CommandError(Exception):
    """A command cannot go on; the message is one sentence for stderr."""


# -- entry point -------------------------------------------------------------------------
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
            return args.handler(args, services)
        finally:
            services.close()
    except (ConfigError, StorageError, WrongIdKind, CommandError) as problem:
        return fail(str(problem))
    except ApiError as problem:
        return fail(problem.user_message)
    except KeyboardInterrupt:
        return fail("Interrupted.", status=130)


def fail(message: str, status: int = 1) -> int:
    print(message, file=sys.stderr)
    return status


def say(message: str) -> None:
    print(message)


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

    from threadtui.core.demo import start_demo

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


# -- the TUI and the fake server ---------------------------------------------------------
def run_tui(services: Services, *, demo: bool) -> int:
    try:
        from threadtui.tui.app import run_tui as run_app
    except ImportError as missing:
        return fail(
            f"The terminal UI cannot start ({missing}); the subcommands still work: see "
            "`threadtui --help`."
        )
    return run_app(services, demo=demo)


def run_fake_api(args: argparse.Namespace) -> int:
    """Serve the fake API on loopback until Ctrl+C; it prints its URL."""
    try:
        from threadtui.fakeapi.server import serve
    except ImportError as missing:
        return fail(f"The fake API server is not available ({missing}).")
    try:
        serve(host=args.host, port=args.port, seed=args.seed)
    except ValueError as refused:  # a non-loopback host
        return fail(f"{refused}.")
    except OSError as problem:
        return fail(
            f"Cannot listen on {args.host}:{args.port} ({problem.strerror}): pick another --port."
        )
    return 0


# -- add, list, untrack ------------------------------------------------------------------
def trackable_ids(raw_ids: Sequence[str]) -> tuple[list[tuple[str, str]], int]:
    """(id, kind) for every usable ID; each rejected one is explained on stderr."""
    good: list[tuple[str, str]] = []
    rejected = 0
    for raw in raw_ids:
        try:
            thread_id, kind = require_trackable(raw)
        except WrongIdKind as problem:
            fail(f"{problem} Not added.")
            rejected += 1
            continue
        good.append((thread_id, kind.value))
    return good, rejected


def cmd_add(args: argparse.Namespace, services: Services) -> int:
    profile = services.profile(args.profile).name
    good, rejected = trackable_ids(args.ids)
    entries = [
        TrackedThread(
            thread_id, kind, profile, args.title or "", tags=tuple(args.tag), source="cli"
        )
        for thread_id, kind in good
    ]
    result = services.registry.add_many(entries)
    for thread_id in result.added:
        say(f"Tracking {thread_id} ({profile}).")
    for thread_id in result.already:
        say(f"{thread_id} was tracked already" + (": added the tags." if args.tag else "."))
    return 1 if rejected else 0


def cmd_list(args: argparse.Namespace, services: Services) -> int:
    threads = services.registry.list(
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


# -- show --------------------------------------------------------------------------------
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


def cmd_show(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core import transcript

    thread_id, _ = require_trackable(args.id)
    tracked = services.registry.get(thread_id)
    terminal = sys.stdout.isatty()

    async def fetch() -> str:
        backend = services.backend_for(thread_id)
        try:
            info = await backend.retrieve_thread(thread_id)
            messages = await all_messages(backend, thread_id)
        except NotFound as gone:
            if tracked:
                services.mark_gone(thread_id, gone.user_message)
            raise
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
            return transcript.render_json(info, messages, ascii_only=terminal)
        try:
            names = await services.assistant_names(services.profile_for(thread_id))
        except ApiError:
            names = {}  # names are a nicety; the IDs are shown either way
        text = transcript.render_markdown(
            info, messages, title=tracked.title if tracked else "", assistant_names=names
        )
        return clean(text) if terminal else text

    sys.stdout.write(run_async(services, fetch))
    return 0


# -- delete ------------------------------------------------------------------------------
def cmd_delete(args: argparse.Namespace, services: Services) -> int:
    good, rejected = trackable_ids(args.ids)
    if rejected:
        return fail("Nothing was deleted: give only thread_… or conv_… IDs.")
    ids = list(dict.fromkeys(thread_id for thread_id, _ in good))
    if any(services.is_read_only(services.profile_for(i)) for i in ids):
        return fail("Read-only (the profile or --read-only): nothing was deleted.")
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
                outcome = await services.delete_thread(thread_id)
            except (ApiError, ConfigError) as problem:
                fail(f"{thread_id}: {getattr(problem, 'user_message', problem)}")
                failures += 1
                continue
            if outcome == "gone":
                say(f"{thread_id} was already gone from the server: untracked it.")
            else:
                say(f"Deleted {thread_id}.")
        return 1 if failures else 0

    try:
        return run_async(services, work)
    except CommandError as declined:
        return fail(str(declined))


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
    print(
        f"Delete this {noun}? This cannot be undone. Type yes to confirm: ",
        end="",
        file=sys.stderr,
        flush=True,
    )
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CommandError("Nothing was deleted.")
    return listed


# -- profiles ----------------------------------------------------------------------------
def cmd_profile_add(args: argparse.Namespace, services: Services) -> int:
    profile = profile_from_options(
        args.name,
        kind=args.kind,
        base_url=args.base_url,
        organization=args.organization,
        project=args.project,
        api_key_env=args.api_key_env,
        default_assistant=args.default_assistant,
        default_model=args.default_model,
        read_only=args.read_only_profile or None,
    )
    path = services.locations.config_file
    add_profile(path, profile, replace=args.replace, make_default=args.default, env=services.env)
    say(f"Added profile {profile.name!r} ({profile.kind} on {profile.host}) to {path}.")
    if profile.api_key(services.env) is None:
        say(
            f"Set {profile.api_key_env} to its API key before using it; threadtui never stores keys."
        )
    return 0


def cmd_profile_list(args: argparse.Namespace, services: Services) -> int:
    config = services.config
    for profile in config.profiles.values():
        marks = []
        if profile.name == config.default_profile:
            marks.append("default")
        if profile.read_only:
            marks.append("read-only")
        if config.implicit_default and profile.name == "default":
            marks.append("from OPENAI_* variables")
        key = "set" if profile.api_key(services.env) else "NOT SET"
        say(
            f"{profile.name}{' (' + ', '.join(marks) + ')' if marks else ''}: {profile.kind} on "
            f"{profile.host}, key from {profile.api_key_env} ({key})"
        )
    return 0


# -- registry export / import ------------------------------------------------------------
def cmd_registry_export(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.registry_toml import export_text

    threads = services.registry.list(order="added")
    text = export_text(reversed(threads))  # oldest first reads like a log
    if args.output:
        try:
            write_private_file(Path(args.output), text.encode("utf-8"))
        except OSError as problem:
            return fail(
                f"{args.output} cannot be written ({problem.strerror}): nothing was exported."
            )
        say(f"Exported {len(threads)} threads to {args.output}.")
    else:
        sys.stdout.write(clean(text) if sys.stdout.isatty() else text)
    return 0


def cmd_registry_import(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.registry_toml import ExchangeFileError, import_file

    try:
        result = import_file(services.registry, Path(args.file))
    except ExchangeFileError as problem:
        return fail(str(problem))
    say(f"Imported {result.added} new threads; merged {result.merged} tracked already.")
    return 0


# -- the parser --------------------------------------------------------------------------
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
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler: Callable[..., int], help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(command=name, handler=handler)
        return sub

    add = command("add", cmd_add, "track thread_… or conv_… IDs")
    add.add_argument("ids", nargs="+", metavar="ID")
    add.add_argument("--title", help="a title to show for them")
    add.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    # --profile is global too; here it reads naturally after the IDs.
    add.add_argument("--profile", dest="profile", default=argparse.SUPPRESS)

    lst = command("list", cmd_list, "list tracked threads")
    lst.add_argument("--json", action="store_true", help="print JSON instead of a table")
    lst.add_argument("--tag", help="only threads with this tag")
    lst.add_argument("--status", choices=STATUSES)
    lst.add_argument("--profile", dest="profile_filter", help="only threads of this profile")
    lst.add_argument("--search", help="text in the title, note or ID")
    lst.add_argument("--sort", choices=ORDERS, default="activity")
    lst.add_argument("--limit", type=int)

    untrack = command("untrack", cmd_untrack, "forget IDs locally (nothing is deleted remotely)")
    untrack.add_argument("ids", nargs="+", metavar="ID")

    show = command("show", cmd_show, "print a whole thread, oldest message first")
    show.add_argument("id", metavar="ID")
    show.add_argument("--format", choices=("md", "json"), default="md")

    delete = command("delete", cmd_delete, "delete threads on the server, after asking")
    delete.add_argument("ids", nargs="+", metavar="ID")
    delete.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")

    profile = command("profile", _usage(parser, "profile"), "add or list profiles")
    profiles = profile.add_subparsers(title="profile commands", metavar="COMMAND")
    padd = profiles.add_parser("add", help="add a profile to config.toml")
    padd.set_defaults(handler=cmd_profile_add)
    padd.add_argument("name", metavar="NAME")
    padd.add_argument(
        "--kind",
        choices=PROFILE_KINDS,
        help="default: conversations on api.openai.com, else assistants",
    )
    padd.add_argument("--base-url")
    padd.add_argument("--organization")
    padd.add_argument("--project")
    padd.add_argument("--api-key-env", help="the variable holding the key (default OPENAI_API_KEY)")
    padd.add_argument("--default-assistant")
    padd.add_argument("--default-model")
    padd.add_argument("--read-only", dest="read_only_profile", action="store_true")
    padd.add_argument("--default", action="store_true", help="make it the default profile")
    padd.add_argument("--replace", action="store_true", help="overwrite a profile of that name")
    plist = profiles.add_parser("list", help="list profiles (keys are never shown)")
    plist.set_defaults(handler=cmd_profile_list)

    registry = command(
        "registry", _usage(parser, "registry"), "export or import the registry as TOML"
    )
    registries = registry.add_subparsers(title="registry commands", metavar="COMMAND")
    export = registries.add_parser("export", help="write every tracked thread as TOML")
    export.set_defaults(handler=cmd_registry_export)
    export.add_argument("-o", "--output", help="a file (default: standard output)")
    imp = registries.add_parser("import", help="merge a TOML export into the registry")
    imp.set_defaults(handler=cmd_registry_import)
    imp.add_argument("file", metavar="FILE")

    fake = command("fake-api", lambda *_: 0, "serve the fake API for tests and demos")
    fake.add_argument(
        "--port", type=int, default=0, help="default: a free port (the URL is printed)"
    )
    fake.add_argument("--host", default="127.0.0.1", help="a loopback address")
    fake.add_argument("--seed", type=int, default=DEMO_SEED, help="which demo data to serve")
    return parser


def _usage(parser: argparse.ArgumentParser, name: str) -> Callable[..., int]:
    def missing(args: argparse.Namespace, services: Services) -> int:
        return fail(
            f"threadtui {name}: say which command (see `threadtui {name} --help`).", status=2
        )

    return missing
