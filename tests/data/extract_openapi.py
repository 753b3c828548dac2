"""Extract the part of OpenAI's OpenAPI spec the fake API serves into openapi_subset.json.

CI sees only the repo, so the tests validate against this extract, not the 3 MB spec.
Run from the repo root when the spec changes:

    python tests/data/extract_openapi.py /work/shared/openapi/openapi.yaml

It keeps the operations below (parameters, request body, 200 response), every component
schema they reference (transitively), and rewrites OpenAPI's `nullable: true` into JSON
Schema (`{"anyOf": [..., {"type": "null"}]}`) so `jsonschema` can validate with it.
Two deliberate patches, where the real API sends null although the spec says otherwise:
list responses' `first_id`/`last_id` (null on an empty page) and a Response's `usage`
(null until the response is done).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

OPERATIONS = [
    ("/assistants", "get"),
    ("/assistants", "post"),
    ("/assistants/{assistant_id}", "get"),
    ("/assistants/{assistant_id}", "post"),
    ("/assistants/{assistant_id}", "delete"),
    ("/threads", "post"),
    ("/threads/runs", "post"),
    ("/threads/{thread_id}", "get"),
    ("/threads/{thread_id}", "post"),
    ("/threads/{thread_id}", "delete"),
    ("/threads/{thread_id}/messages", "get"),
    ("/threads/{thread_id}/messages", "post"),
    ("/threads/{thread_id}/messages/{message_id}", "get"),
    ("/threads/{thread_id}/messages/{message_id}", "post"),
    ("/threads/{thread_id}/messages/{message_id}", "delete"),
    ("/threads/{thread_id}/runs", "get"),
    ("/threads/{thread_id}/runs", "post"),
    ("/threads/{thread_id}/runs/{run_id}", "get"),
    ("/threads/{thread_id}/runs/{run_id}", "post"),
    ("/threads/{thread_id}/runs/{run_id}/cancel", "post"),
    ("/threads/{thread_id}/runs/{run_id}/steps", "get"),
    ("/threads/{thread_id}/runs/{run_id}/steps/{step_id}", "get"),
    ("/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", "post"),
    ("/conversations", "post"),
    ("/conversations/{conversation_id}", "get"),
    ("/conversations/{conversation_id}", "post"),
    ("/conversations/{conversation_id}", "delete"),
    ("/conversations/{conversation_id}/items", "get"),
    ("/conversations/{conversation_id}/items", "post"),
    ("/conversations/{conversation_id}/items/{item_id}", "get"),
    ("/conversations/{conversation_id}/items/{item_id}", "delete"),
    ("/responses", "post"),
    ("/responses/{response_id}", "get"),
    ("/responses/{response_id}/cancel", "post"),
]
EXTRA_SCHEMAS = ["ErrorResponse"]
NULLABLE_IDS_IN = [
    "ListAssistantsResponse",
    "ListMessagesResponse",
    "ListRunsResponse",
    "ListRunStepsResponse",
    "ConversationItemList",
]
DROP_KEYS = {"description", "example", "examples", "x-oaiMeta", "title", "deprecated"}
REF_PREFIX = "#/components/schemas/"


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(REF_PREFIX):
            found.add(ref[len(REF_PREFIX) :])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _null_ok(schema: dict) -> dict:
    if isinstance(schema.get("type"), str) and "$ref" not in schema:
        out = dict(schema, type=[schema["type"], "null"])
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        return out
    return {"anyOf": [schema, {"type": "null"}]}


def to_json_schema(node: Any, *, keep_names: bool = False) -> Any:
    """Drop documentation keys and turn `nullable: true` into a null alternative."""
    if isinstance(node, list):
        return [to_json_schema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in DROP_KEYS and not keep_names and not isinstance(value, dict | list):
            continue
        if key in ("properties", "patternProperties", "$defs"):
            out[key] = {k: to_json_schema(v) for k, v in value.items()}
        else:
            out[key] = to_json_schema(value)
    nullable = out.pop("nullable", False)
    parts = out.get("allOf")
    if isinstance(parts, list) and any(p == {"nullable": True} or p == {} for p in parts):
        rest = [p for p in parts if p not in ({"nullable": True}, {})]
        nullable = nullable or len(rest) < len(parts)
        out["allOf"] = rest
    return _null_ok(out) if nullable else out


def extract(spec: dict) -> dict:
    schemas_in = spec["components"]["schemas"]
    paths: dict[str, dict] = {}
    wanted: set[str] = set(EXTRA_SCHEMAS)
    for path, method in OPERATIONS:
        op = spec["paths"][path][method]
        entry: dict[str, Any] = {"parameters": []}
        for param in op.get("parameters", []):
            entry["parameters"].append(
                {
                    "name": param["name"],
                    "in": param["in"],
                    "required": param.get("required", False),
                    "schema": to_json_schema(param.get("schema", {})),
                }
            )
        body = (
            op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        )
        if body is not None:
            entry["requestBody"] = to_json_schema(body)
        ok = op["responses"].get("200", {}).get("content", {}).get("application/json", {})
        if "schema" in ok:
            entry["response"] = to_json_schema(ok["schema"])
        paths.setdefault(path, {})[method] = entry
        _refs(entry, wanted)
    done: dict[str, Any] = {}
    todo = sorted(wanted)
    while todo:
        name = todo.pop()
        if name in done:
            continue
        done[name] = to_json_schema(schemas_in[name])
        more: set[str] = set()
        _refs(done[name], more)
        todo.extend(sorted(more - set(done)))
    for name in NULLABLE_IDS_IN:
        props = done[name]["properties"]
        for key in ("first_id", "last_id"):
            props[key] = {"anyOf": [props[key], {"type": "null"}]}
    for part in done["Response"]["allOf"]:
        props = part.get("properties", {})
        if "usage" in props:
            props["usage"] = {"anyOf": [props["usage"], {"type": "null"}]}
    return {
        "source": "openai/openai-openapi openapi.yaml (see tests/data/extract_openapi.py)",
        "paths": paths,
        "components": {"schemas": dict(sorted(done.items()))},
    }


def main(argv: list[str]) -> int:
    source = Path(argv[1] if len(argv) > 1 else "/work/shared/openapi/openapi.yaml")
    target = Path(__file__).with_name("openapi_subset.json")
    spec = yaml.load(source.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    target.write_text(json.dumps(extract(spec), indent=1, sort_keys=False) + "\n")
    print(f"wrote {target} ({target.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
