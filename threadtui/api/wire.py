"""Wire JSON (SDK objects turned into the dicts the server sent) made safe to keep and read.

Pure functions with no SDK import: the backends use them, and so does the core when it
rebuilds records from archived JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from threadtui.api.errors import MalformedAnswer
from threadtui.text import without_lone_surrogates


def as_dict(obj: Any) -> dict[str, Any]:
    """An SDK object as the JSON the server sent (fields the SDK doesn't know included),
    made well-formed (`well_formed`)."""
    if not isinstance(obj, dict):
        if not hasattr(obj, "to_dict"):  # the SDK keeps a body that is not JSON as text
            raise MalformedAnswer("not a JSON object")
        obj = obj.to_dict(mode="json", warnings=False)
    return well_formed(obj)


def identifier(raw: Mapping[str, Any], what: str) -> str:
    """raw["id"]; a `what` without a string ID is a malformed answer, not a KeyError."""
    value = raw.get("id")
    if not isinstance(value, str) or not value:
        raise MalformedAnswer(f"a {what} without an id")
    return value


def timestamp(raw: Mapping[str, Any], name: str, what: str) -> int | None:
    """raw[name] in whole seconds, or None when missing; anything but a finite number is a
    malformed answer (it would end in a traceback wherever a time is computed)."""
    value = raw.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise MalformedAnswer(f"a {what} whose {name} is not a number")
    return int(value)


def well_formed(value: Any) -> Any:
    """`value` (parsed JSON) with lone surrogates replaced by U+FFFD.

    JSON can carry half a UTF-16 pair ("\\ud800"), which Python keeps as a lone surrogate
    that no UTF-8 file, terminal or SQLite column accepts; replacing it is what a
    conforming Unicode decoder does. Returns `value` itself when there are none.
    """
    if isinstance(value, str):
        return without_lone_surrogates(value)
    if isinstance(value, dict):
        items = [(well_formed(k), well_formed(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(items, value.items(), strict=True)):
            return value
        return dict(items)
    if isinstance(value, list):
        fixed = [well_formed(v) for v in value]
        return value if all(a is b for a, b in zip(fixed, value, strict=True)) else fixed
    return value


def dig(raw: Mapping[str, Any], *keys: str) -> Any:
    """raw[k1][k2]… or None where anything along the way is missing or not a dict."""
    value: Any = raw
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def metadata_of(raw: Mapping[str, Any]) -> dict[str, str]:
    metadata = raw.get("metadata") or {}
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, Mapping) else {}
