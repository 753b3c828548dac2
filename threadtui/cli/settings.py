"""Settings: profiles in config.toml, and the registry as TOML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from threadtui.cli.common import fail, say
from threadtui.cli.parser import Commands
from threadtui.core.services import Services
from threadtui.core.settings.config import PROFILE_KINDS, add_profile, profile_from_options
from threadtui.core.settings.paths import write_private_file
from threadtui.core.text.sanitize import clean


def register(commands: Commands) -> None:
    profiles = commands.group("profile", "add or list profiles")
    padd = profiles.add("add", cmd_profile_add, "add a profile to config.toml")
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
    profiles.add("list", cmd_profile_list, "list profiles (keys are never shown)")

    registry = commands.group("registry", "export or import the registry as TOML")
    export = registry.add("export", cmd_registry_export, "write every tracked thread as TOML")
    export.add_argument("-o", "--output", help="a file (default: standard output)")
    imp = registry.add("import", cmd_registry_import, "merge a TOML export into the registry")
    imp.add_argument("file", metavar="FILE")


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


def cmd_registry_export(args: argparse.Namespace, services: Services) -> int:
    from threadtui.core.store.registry_toml import export_text

    threads = services.registry.tracked(order="added")
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
    from threadtui.core.store.registry_toml import import_file

    result = import_file(services.registry, Path(args.file))
    say(f"Imported {result.added} new threads; merged {result.merged} tracked already.")
    return 0
