"""Settings and profiles from `config.toml`.

A profile names one server and one key: `threadtui --profile work`. The key itself is never
stored: a profile names the environment variable that holds it (`api_key_env`).

Without a config file (or one without profiles) there is one implicit profile, "default",
built from OPENAI_API_KEY, OPENAI_BASE_URL, OPENAI_ORG_ID and OPENAI_PROJECT_ID, as the
openai SDK reads them.

The file may be edited by hand. `add_profile` never rewrites it: it appends a table written
by tomli-w to the existing text (comments and layout survive), checks that the result parses
to what was meant, then replaces the file atomically. Any problem with the file is a
`ConfigError` with one sentence naming the file, the key or line, and the problem; the file
is left as it was.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import tomli_w

from threadtui.core.finding.ids import kind_of
from threadtui.core.settings.paths import write_private_file
from threadtui.errors import UserError

ProfileKind = Literal["assistants", "conversations"]
PROFILE_KINDS: tuple[ProfileKind, ...] = ("assistants", "conversations")
API_OF_KIND: dict[str, ProfileKind] = {"thread": "assistants", "conversation": "conversations"}
OPENAI_HOST = "api.openai.com"
OPENAI_BASE_URL = f"https://{OPENAI_HOST}/v1"
DEFAULT_PROFILE = "default"
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
PROFILE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")

_HEADER = (
    "# threadtui settings and profiles.\n"
    "# API keys are never stored here: each profile names the environment variable that\n"
    "# holds its key (api_key_env).\n"
)


class ConfigError(UserError):
    """config.toml (or a profile in it) cannot be used; the message is one sentence."""


def default_kind(base_url: str | None) -> ProfileKind:
    """api.openai.com retired the Assistants API, so it gets Conversations; others Assistants."""
    return "conversations" if host_of(base_url) == OPENAI_HOST else "assistants"


def host_of(base_url: str | None) -> str:
    if not base_url:
        return OPENAI_HOST
    try:
        host = urlsplit(base_url).hostname
    except ValueError:  # "http://[bad": base_url_problem() says so where it matters
        host = None
    # Never the raw URL: it may carry credentials, or be 64 KB long.
    return host[:253] if host else shown_base_url(base_url)


MAX_BASE_URL_LENGTH = 2048  # far past any real one; HTTP libraries refuse 64 KB outright
_SHOWN_URL_LENGTH = 80
_URL_USERINFO = re.compile(r"^([^:/?#]*:?//)[^/?#]*@")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")
CREDENTIALS_IN_URL = (
    "has a user name or password in it: give the URL without them (a key belongs in an "
    "environment variable, named by the profile's api_key_env)"
)


def base_url_problem(base_url: str | None) -> str | None:
    """Why `base_url` cannot be used ("is not a URL", …), or None when it can.

    Credentials in it are refused: the HTTP library would send them as an Authorization:
    Basic header to the server, and the URL is shown and stored in places a key must not be.
    """
    if base_url is None:
        return None
    if len(base_url) > MAX_BASE_URL_LENGTH:
        return f"is longer than {MAX_BASE_URL_LENGTH:,} characters"
    if _SPACE_OR_CONTROL.search(base_url):
        return "has spaces or control characters in it"
    try:
        split = urlsplit(base_url)
        split.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "is not a URL"
    if "@" in split.netloc:
        return CREDENTIALS_IN_URL
    if split.scheme not in ("http", "https"):
        return "must start with https:// (or http://)"
    if not split.hostname:
        return "names no host"
    return None


def shown_base_url(base_url: str) -> str:
    """`base_url` fit for a message: any user name and password taken out, capped, quoted."""
    shown = _URL_USERINFO.sub(r"\1[credentials]@", base_url)
    if len(shown) > _SHOWN_URL_LENGTH:
        shown = shown[: _SHOWN_URL_LENGTH - 1] + "…"
    return repr(shown)


DEFAULT_TIMEOUT = 60.0  # seconds, as the SDK's own default
TIMEOUT_RANGE = (1.0, 600.0)


@dataclass(frozen=True)
class Profile:
    """One server and the key to use there."""

    name: str
    """The profile's name in config.toml (`[profiles.NAME]`) and on the command line."""
    kind: ProfileKind = "assistants"
    """Which API the server speaks: Assistants v2 threads or Responses conversations."""
    base_url: str | None = None
    """The server, e.g. `https://llm.example.com/v1`; None means api.openai.com."""
    organization: str | None = None
    """Sent as the OpenAI-Organization header; threads belong to one organization."""
    project: str | None = None
    """Sent as the OpenAI-Project header; a key from another project sees 404s."""
    api_key_env: str = DEFAULT_KEY_ENV
    """The name of the environment variable holding the key. The key is never on disk."""
    default_assistant: str | None = None
    """The asst_… ID new threads and runs use when nothing else says which."""
    default_model: str | None = None
    """The model for conversations (and to override an assistant's model), e.g. gpt-4o."""
    read_only: bool = False
    """Never send or delete with this profile: for auditors."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one request may take; a call ends after timeout × 3 (two retries) at most."""

    def api_key(self, env: Mapping[str, str] | None = None) -> str | None:
        """The key from the environment variable `api_key_env`, or None when unset or empty."""
        env = os.environ if env is None else env
        return env.get(self.api_key_env) or None

    @property
    def host(self) -> str:
        """The server's host name, for the header: api.openai.com when base_url is None."""
        return host_of(self.base_url)

    def to_table(self) -> dict[str, Any]:
        """The profile as its config.toml table: no name, no None values, no defaults."""
        defaults = Profile(self.name)
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "name"
            and getattr(self, f.name) is not None
            and (f.name == "kind" or getattr(self, f.name) != getattr(defaults, f.name))
        }


_PROFILE_TYPES: dict[str, type] = {
    "kind": str,
    "base_url": str,
    "organization": str,
    "project": str,
    "api_key_env": str,
    "default_assistant": str,
    "default_model": str,
    "read_only": bool,
    "timeout": float,
}


@dataclass(frozen=True)
class Config:
    """Everything config.toml says, or the implicit default when there is no file."""

    profiles: dict[str, Profile]
    """Profiles by name, in file order. Never empty."""
    default_profile: str
    """The profile used without --profile."""
    keys: dict[str, str] = field(default_factory=dict)
    """Key remapping: binding id -> key, e.g. {"delete": "ctrl+d"}."""
    theme: str | None = None
    """The Textual theme name, e.g. "textual-dark"."""
    settings: dict[str, Any] = field(default_factory=dict)
    """Every other top-level setting, as parsed, for features that add their own."""
    path: Path | None = None
    """The file this came from, or None when there is no file."""
    implicit_default: bool = False
    """True when profile "default" comes from OPENAI_* variables, not from the file."""

    def profile(self, name: str | None = None) -> Profile:
        """The named profile (the default one for None); ConfigError when there is none."""
        name = name or self.default_profile
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(self.profiles)
            where = f" in {self.path}" if self.path else ""
            raise ConfigError(
                f"There is no profile {name!r}{where} (known: {known}): add it with "
                f"`threadtui profile add {name}`."
            ) from None

    def profile_for_id(self, thread_id: str, preferred: str | None = None) -> Profile:
        """Where a newly seen ID belongs: `preferred` (else the default profile) when it
        speaks the ID's API (thread_ Assistants, conv_ Conversations); else the first
        profile that does; else `preferred`/the default anyway."""
        first = self.profile(preferred)
        wanted = API_OF_KIND[kind_of(thread_id)]
        if first.kind == wanted:
            return first
        return next((p for p in self.profiles.values() if p.kind == wanted), first)


def implicit_profile(env: Mapping[str, str]) -> Profile:
    """The "default" profile from OPENAI_* variables, as the SDK reads them."""
    base_url = env.get("OPENAI_BASE_URL") or None
    return Profile(
        name=DEFAULT_PROFILE,
        kind=default_kind(base_url),
        base_url=base_url,
        organization=env.get("OPENAI_ORG_ID") or None,
        project=env.get("OPENAI_PROJECT_ID") or None,
    )


def load_config(path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Read `path`; a missing file gives the implicit default profile."""
    env = os.environ if env is None else env
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM (Windows editors) is no statement
    except FileNotFoundError:
        return Config(
            {DEFAULT_PROFILE: implicit_profile(env)}, DEFAULT_PROFILE, implicit_default=True
        )
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read ({_reason(exc)}): check the file.") from None
    return parse_config(text, path, env)


def parse_config(text: str, path: Path, env: Mapping[str, str] | None = None) -> Config:
    """Parse config text; `path` is only used in messages."""
    env = os.environ if env is None else env
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path} is not valid TOML ({exc}): fix that line; threadtui did not change the file."
        ) from None

    settings = dict(data)
    raw_profiles = settings.pop("profiles", {})
    _expect(path, "profiles", raw_profiles, dict, "a table of [profiles.NAME] tables")
    profiles = {name: _parse_profile(path, name, table) for name, table in raw_profiles.items()}

    keys = settings.pop("keys", {})
    _expect(path, "keys", keys, dict, "a table of binding = key")
    keys = _flat_keys(path, keys)
    theme = settings.pop("theme", None)
    if theme is not None:
        _expect(path, "theme", theme, str, "a theme name in quotes")
    default = settings.pop("default_profile", None)
    if default is not None:
        _expect(path, "default_profile", default, str, "a profile name in quotes")

    # The environment's profile stays available unless the file defines its own "default".
    implicit = DEFAULT_PROFILE not in profiles
    if implicit:
        profiles = {DEFAULT_PROFILE: implicit_profile(env), **profiles}
    if default is None:
        default = DEFAULT_PROFILE
    elif default not in profiles:
        raise ConfigError(
            f"{path}: default_profile is {default!r}, but there is no [profiles.{default}] "
            f"table; add it or change default_profile."
        )
    return Config(profiles, default, dict(keys), theme, settings, path, implicit)


def _flat_keys(path: Path, table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Binding ids may be dotted: `threadtui.delete = "ctrl+d"` parses as nested tables."""
    flat: dict[str, str] = {}
    for name, value in table.items():
        binding = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flat_keys(path, value, f"{binding}."))
        else:
            _expect(path, f"keys.{binding}", value, str, 'a key name in quotes, like "ctrl+d"')
            flat[binding] = value
    return flat


def _parse_profile(path: Path, name: str, table: Any) -> Profile:
    where = f"profiles.{name}"
    _expect(path, where, table, dict, "a table")
    if not PROFILE_NAME.fullmatch(name):
        raise ConfigError(
            f"{path}: [{where}] is not a usable profile name: use letters, digits, - and _."
        )
    for key, value in table.items():
        expected = _PROFILE_TYPES.get(key)
        if expected is None:
            known = ", ".join(_PROFILE_TYPES)
            raise ConfigError(f"{path}: {where}.{key} is not a profile setting (known: {known}).")
        if expected is float:
            _expect_seconds(path, f"{where}.{key}", value)
            continue
        what = "true or false" if expected is bool else "text in quotes"
        _expect(path, f"{where}.{key}", value, expected, what)
    if "kind" in table and table["kind"] not in PROFILE_KINDS:
        raise ConfigError(
            f'{path}: {where}.kind is {table["kind"]!r}; it must be "assistants" or '
            '"conversations".'
        )
    values = dict(table)
    if (problem := base_url_problem(values.get("base_url"))) == CREDENTIALS_IN_URL:
        # Refused on reading, before the URL can reach a request, a message or a log.
        raise ConfigError(f"{path}: {where}.base_url {problem}.")
    values.setdefault("kind", default_kind(values.get("base_url")))
    return Profile(name=name, **values)


def _expect(path: Path, key: str, value: Any, expected: type, what: str) -> None:
    if not isinstance(value, expected):
        raise ConfigError(f"{path}: {key} must be {what}, not {value!r}.")


def _expect_seconds(path: Path, key: str, value: Any) -> None:
    low, high = TIMEOUT_RANGE
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ConfigError(f"{path}: {key} must be a number of seconds from {low:g} to {high:g}.")


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__


# -- changing the file ------------------------------------------------------------------
def add_profile(
    path: Path,
    profile: Profile,
    *,
    replace: bool = False,
    make_default: bool = False,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Add `profile` to the file at `path` (created if missing) and return the new Config.

    Refuses (ConfigError) to overwrite an existing profile unless `replace`; the existing
    text, comments included, is kept; nothing is written unless the result parses back to
    exactly the profile asked for.
    """
    if not PROFILE_NAME.fullmatch(profile.name):
        raise ConfigError(
            f"{profile.name!r} is not a usable profile name: use letters, digits, - and _."
        )
    if profile.kind not in PROFILE_KINDS:
        raise ConfigError(f'kind must be "assistants" or "conversations", not {profile.kind!r}.')
    if problem := base_url_problem(profile.base_url):
        shown = shown_base_url(profile.base_url or "")
        raise ConfigError(f"--base-url {shown} {problem}: nothing was written.")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        text = _HEADER
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read ({_reason(exc)}): check the file.") from None
    current = parse_config(text, path, env)
    in_file = profile.name in current.profiles and not (
        current.implicit_default and profile.name == DEFAULT_PROFILE
    )
    if in_file:
        if not replace:
            raise ConfigError(
                f"Profile {profile.name!r} already exists in {path}: use --replace to overwrite "
                "it, or edit the file by hand."
            )
        text = _remove_table(text, path, profile.name)

    table = tomli_w.dumps({"profiles": {profile.name: profile.to_table()}})
    text = text.rstrip("\n") + "\n\n" + table if text.strip() else table
    if make_default:
        text = _set_default(text, profile.name)

    try:
        result = parse_config(text, path, env)
    except ConfigError:
        result = None
    if (
        result is None
        or result.profiles.get(profile.name) != profile
        or (make_default and result.default_profile != profile.name)
    ):
        raise ConfigError(
            f"{path} is laid out in a way threadtui cannot safely add to (for example an "
            "inline profiles table): add the profile by hand; the file was not changed."
        )
    try:
        write_private_file(path, text.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"{path} cannot be written ({_reason(exc)}): nothing was changed."
        ) from None
    return result


_TABLE_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _remove_table(text: str, path: Path, name: str) -> str:
    """Drop the `[profiles.NAME]` table (header to the next header) from `text`."""
    lines = text.splitlines(keepends=True)
    start = None
    for index, line in enumerate(lines):
        match = _TABLE_HEADER.match(line)
        if match and _dotted(match.group(1)) == ["profiles", name]:
            start = index
            break
    if start is None:
        raise ConfigError(
            f"{path} defines profile {name!r} in a form threadtui cannot replace safely: "
            "edit it by hand."
        )
    end = next(
        (i for i in range(start + 1, len(lines)) if _TABLE_HEADER.match(lines[i])), len(lines)
    )
    # Comments just above the next table belong to it.
    while end > start + 1 and (
        not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")
    ):
        end -= 1
    return "".join(lines[:start] + lines[end:])


def _dotted(key: str) -> list[str]:
    try:
        parsed = tomllib.loads(f"[{key}]\n")
    except tomllib.TOMLDecodeError:
        return []
    parts = []
    while isinstance(parsed, dict) and len(parsed) == 1:
        part, parsed = next(iter(parsed.items()))
        parts.append(part)
    return parts


_DEFAULT_LINE = re.compile(r"^\s*default_profile\s*=.*$", re.MULTILINE)


def _set_default(text: str, name: str) -> str:
    """Set top-level `default_profile`, replacing its line or adding it before any table."""
    line = tomli_w.dumps({"default_profile": name}).rstrip("\n")
    first_table = next(
        (m.start() for m in re.finditer(r"^[ \t]*\[", text, re.MULTILINE)), len(text)
    )
    existing = _DEFAULT_LINE.search(text, 0, first_table)
    if existing:
        return text[: existing.start()] + line + text[existing.end() :]
    # After the leading comment block, before the first table.
    head = text[:first_table]
    comments = re.match(r"(?:[ \t]*#.*\n|[ \t]*\n)*", head)
    at = comments.end() if comments else 0
    return text[:at] + line + "\n" + ("\n" if at == first_table else "") + text[at:]


def profile_from_options(name: str, **options: Any) -> Profile:
    """A Profile from command-line options; unset options get the profile defaults."""
    values = {k: v for k, v in options.items() if v is not None}
    values.setdefault("kind", default_kind(values.get("base_url")))
    return Profile(name=name, **values)
