"""A thread's remote metadata (the API's key-value pairs) and its local title, note and tags.

Remote metadata is checked here before anything is sent, against the API's limits (at most
16 pairs, keys up to 64 characters, values up to 512) and in the API's own words, so the
user sees the sentence the server would have answered with, without a request. The local
fields live only in the registry and never touch the server.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from threadtui.api.errors import ReadOnly
from threadtui.errors import UserError, read_only_refusal

if TYPE_CHECKING:
    from threadtui.api.models import ThreadInfo
    from threadtui.core.services import Services

MAX_PAIRS = 16
MAX_KEY_LENGTH = 64
MAX_VALUE_LENGTH = 512
READ_ONLY_REFUSAL = read_only_refusal("the metadata was not changed.")


class LocalChanges(TypedDict, total=False):
    """The keyword arguments of `set_local`, for a caller that gathers them first."""

    title: str
    note: str
    add_tags: list[str]
    remove_tags: list[str]


class MetadataError(UserError, ValueError):
    """Metadata the API would refuse; the message is the API's sentence."""


def metadata_problems(metadata: Mapping[str, Any], param: str = "metadata") -> list[str]:
    """Every way `metadata` breaks the API's limits, worded as the API words them.

    Empty when the API would accept it. Pure: the TUI's editor calls it on each change.
    """
    problems = []
    if len(metadata) > MAX_PAIRS:
        problems.append(
            f"Invalid '{param}': too many properties. Expected an object with at most "
            f"{MAX_PAIRS} properties, but got an object with {len(metadata)} properties instead."
        )
    for key, value in metadata.items():
        if len(key) > MAX_KEY_LENGTH:
            problems.append(
                f"Invalid '{param}': key too long. Expected a key with maximum length "
                f"{MAX_KEY_LENGTH}, but got a key with length {len(key)} instead."
            )
        if not isinstance(value, str):
            problems.append(
                f"Invalid type for '{param}.{key}': expected a string, but got "
                f"{_type_name(value)} instead."
            )
        elif len(value) > MAX_VALUE_LENGTH:
            problems.append(
                f"Invalid '{param}.{key}': string too long. Expected a string with maximum "
                f"length {MAX_VALUE_LENGTH}, but got a string with length {len(value)} instead."
            )
    return problems


def check_metadata(metadata: Mapping[str, Any]) -> None:
    """MetadataError with the API's first complaint, if it would have one."""
    problems = metadata_problems(metadata)
    if problems:
        raise MetadataError(problems[0])


def parse_pair(text: str) -> tuple[str, str]:
    """`key=value` (the value may hold further `=`); ValueError saying how to write it."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise ValueError(f"{text!r} is not a pair: write it as key=value, like team=billing.")
    return key, value


def edited(
    current: Mapping[str, str], set_pairs: Iterable[tuple[str, str]], unset: Iterable[str] = ()
) -> dict[str, str]:
    """`current` with the keys in `unset` removed and `set_pairs` set (in that order)."""
    out = {k: v for k, v in current.items() if k not in set(unset)}
    out.update(set_pairs)
    return out


async def remote_metadata(services: Services, thread_id: str) -> ThreadInfo:
    """The thread as the server has it; its metadata is remembered in the registry."""
    info = await services.backend_for(thread_id).retrieve_thread(thread_id)
    services.registry.update(thread_id, metadata=info.metadata)  # False when not tracked
    return info


async def update_metadata(
    services: Services, thread_id: str, metadata: Mapping[str, str]
) -> ThreadInfo:
    """Replace the thread's remote metadata with `metadata`.

    Checked first: ReadOnly or MetadataError without a request.
    """
    if services.is_read_only(services.profile_for(thread_id)):
        raise ReadOnly(READ_ONLY_REFUSAL)
    check_metadata(metadata)
    info = await services.backend_for(thread_id).update_metadata(thread_id, dict(metadata))
    services.registry.update(thread_id, metadata=info.metadata)
    return info


def set_local(
    services: Services,
    thread_id: str,
    *,
    title: str | None = None,
    note: str | None = None,
    add_tags: Iterable[str] = (),
    remove_tags: Iterable[str] = (),
) -> bool:
    """Change the local title, note and tags (None: leave as is); False when not tracked.

    One transaction: tags added or removed meanwhile by another process are kept.
    """
    changes: dict[str, Any] = {}
    if title is not None:
        changes["title"] = title
    if note is not None:
        changes["note"] = note
    return services.registry.update(
        thread_id, add_tags=add_tags, remove_tags=remove_tags, **changes
    )


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, list):
        return "an array"
    return "an object"
