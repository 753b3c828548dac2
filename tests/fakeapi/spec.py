"""Check the fake's traffic against the OpenAPI extract in tests/data/openapi_subset.json."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SUBSET = Path(__file__).parents[1] / "data" / "openapi_subset.json"


@functools.cache
def spec() -> dict[str, Any]:
    return json.loads(SUBSET.read_text())


def _validator(schema: dict) -> jsonschema.Draft202012Validator:
    root = {**schema, "components": spec()["components"]}
    return jsonschema.Draft202012Validator(root)


def check_schema(name: str, instance: Any) -> None:
    """Raise if `instance` does not match the component schema `name`."""
    _validator({"$ref": f"#/components/schemas/{name}"}).validate(instance)


def _operation(route: str, method: str) -> dict:
    return spec()["paths"][route][method.lower()]


def check_response(route: str, method: str, body: Any) -> None:
    op = _operation(route, method)
    if "response" in op:
        _validator(op["response"]).validate(body)


def check_request(route: str, method: str, query: dict[str, str], body: Any) -> None:
    """Query parameters must be ones the spec lists, with valid values; bodies must match."""
    op = _operation(route, method)
    params = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    for name, raw in query.items():
        assert name in params, f"{method} {route}: query parameter {name!r} is not in the spec"
        schema = params[name]["schema"]
        value: Any = raw
        if schema.get("type") == "integer":
            value = int(raw)
        elif schema.get("type") == "array":
            value = [raw]
        _validator(schema).validate(value)
    if body is not None and "requestBody" in op:
        _validator(op["requestBody"]).validate(body)


def check_traffic(log) -> int:
    """Validate every logged request and successful response; returns how many were checked."""
    checked = 0
    for entry in log:
        if entry.route is None:
            continue
        check_request(entry.route, entry.method, entry.query, entry.json)
        if entry.status == 200:
            check_response(entry.route, entry.method, entry.response)
        elif entry.status is not None:
            check_schema("ErrorResponse", entry.response)
        checked += 1
    return checked
