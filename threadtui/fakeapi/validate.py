"""Request-body checks with the API's wording."""

from __future__ import annotations

from typing import Any

from threadtui.fakeapi.errors import bad_request
from threadtui.fakeapi.store import text_part

_TYPE_NAMES = {
    bool: "a boolean",
    int: "an integer",
    float: "a decimal",
    list: "an array",
    dict: "an object",
}


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    return _TYPE_NAMES.get(type(value), "a string" if isinstance(value, str) else "an object")


def metadata(value: Any, *, param: str = "metadata") -> dict[str, str] | None:
    """At most 16 pairs, keys up to 64 characters, string values up to 512 characters."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(
            f"Invalid type for '{param}': expected an object, but got {type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if len(value) > 16:
        raise bad_request(
            f"Invalid '{param}': too many properties. Expected an object with at most 16 "
            f"properties, but got an object with {len(value)} properties instead.",
            param=param,
            code="object_above_max_properties",
        )
    for key, item in value.items():
        if len(key) > 64:
            raise bad_request(
                f"Invalid '{param}': key too long. Expected a key with maximum length 64, "
                f"but got a key with length {len(key)} instead.",
                param=param,
                code="string_above_max_length",
            )
        if not isinstance(item, str):
            raise bad_request(
                f"Invalid type for '{param}.{key}': expected a string, "
                f"but got {type_name(item)} instead.",
                param=param,
                code="invalid_type",
            )
        if len(item) > 512:
            raise bad_request(
                f"Invalid '{param}.{key}': string too long. Expected a string with maximum "
                f"length 512, but got a string with length {len(item)} instead.",
                param=param,
                code="string_above_max_length",
            )
    return dict(value)


def required_string(body: dict, name: str) -> str:
    value = body.get(name)
    if value is None:
        raise bad_request(
            f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter"
        )
    if not isinstance(value, str):
        raise bad_request(
            f"Invalid type for '{name}': expected a string, but got {type_name(value)} instead.",
            param=name,
            code="invalid_type",
        )
    return value


def one_of(body: dict, name: str, allowed: tuple[str, ...], default: str | None = None) -> str:
    value = body.get(name, default)
    if value not in allowed:
        listed = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" and '{allowed[-1]}'"
        raise bad_request(
            f"Invalid value: '{value}'. Supported values are: {listed}.",
            param=name,
            code="invalid_value",
        )
    return value


def content_parts(content: Any, param: str = "content") -> list[dict[str, Any]]:
    """A create-message `content` (a string or parts) as stored message content."""
    if isinstance(content, str):
        return [text_part(content)]
    if not isinstance(content, list):
        raise bad_request(
            f"Invalid type for '{param}': expected one of a string or an array of objects, "
            f"but got {type_name(content)} instead.",
            param=param,
            code="invalid_type",
        )
    if not content:
        raise bad_request(
            f"Invalid '{param}': empty array. Expected an array with minimum length 1, "
            "but got an empty array instead.",
            param=param,
            code="empty_array",
        )
    parts = []
    for n, part in enumerate(content):
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text":
            parts.append(text_part(str(part.get("text", ""))))
        elif kind == "image_file":
            parts.append(
                {"type": "image_file", "image_file": {"detail": "auto", **part["image_file"]}}
            )
        elif kind == "image_url":
            parts.append(
                {"type": "image_url", "image_url": {"detail": "auto", **part["image_url"]}}
            )
        else:
            raise bad_request(
                f"Invalid value: '{kind}'. Supported values are: 'image_file', 'image_url', and 'text'.",
                param=f"{param}[{n}].type",
                code="invalid_value",
            )
    return parts
