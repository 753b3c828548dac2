"""Conversations and Responses API routes (no OpenAI-Beta header, alive after retirement)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from threadtui.fakeapi import validate
from threadtui.fakeapi.conversations import (
    Conversation,
    conversation_not_found,
    item_not_found,
    locked,
    normalize_item,
    render_item,
    response_not_found,
)
from threadtui.fakeapi.errors import bad_request
from threadtui.fakeapi.paging import page
from threadtui.fakeapi.plans import RunPlan
from threadtui.fakeapi.router import Call, Router

if TYPE_CHECKING:
    from threadtui.fakeapi.parts import FakeParts

MAX_ITEMS_PER_REQUEST = 20


def register(router: Router, api: FakeParts) -> None:
    store, engine = api.store, api.responses

    def conversation_of(call: Call) -> Conversation:
        conv = engine.conversations.get(call.params["conversation_id"])
        if conv is None:
            raise conversation_not_found(call.params["conversation_id"])
        return conv

    def items_from(raw: Any, param: str) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise bad_request(
                f"Invalid type for '{param}': expected an array, but got {validate.type_name(raw)} instead.",
                param=param,
                code="invalid_type",
            )
        if len(raw) > MAX_ITEMS_PER_REQUEST:
            raise bad_request(
                f"Invalid '{param}': array too long. Expected an array with maximum length "
                f"{MAX_ITEMS_PER_REQUEST}, but got an array with length {len(raw)} instead.",
                param=param,
                code="array_above_max_length",
            )
        return [normalize_item(store, item, f"{param}[{n}]") for n, item in enumerate(raw)]

    def include_of(call: Call) -> list[str]:
        return call.query_all.get("include", [])

    # -- conversations ---------------------------------------------------------------------
    def create_conversation(call: Call) -> dict:
        body = call.json()
        metadata = validate.metadata(body.get("metadata"))
        items = items_from(body.get("items"), "items")
        conv = engine.add_conversation(int(call.now), metadata)
        for item in items:
            conv.append(item)
        return conv.obj

    def update_conversation(call: Call) -> dict:
        conv = conversation_of(call)
        body = call.json()
        if "metadata" not in body:
            raise bad_request(
                "Missing required parameter: 'metadata'.",
                param="metadata",
                code="missing_required_parameter",
            )
        conv.obj["metadata"] = validate.metadata(body["metadata"]) or {}
        return conv.obj

    def delete_conversation(call: Call) -> dict:
        conv = conversation_of(call)
        del engine.conversations[conv.id]
        return {"id": conv.id, "object": "conversation.deleted", "deleted": True}

    # -- items -------------------------------------------------------------------------------
    def list_items(call: Call) -> dict:
        conv = conversation_of(call)
        include = include_of(call)
        return page(
            conv.items,
            call.query,
            render=lambda it: render_item(it, include),
            cursor_key=conv.positions.get,
            allow_before=False,
        )

    def create_items(call: Call) -> dict:
        conv = conversation_of(call)
        if conv.active_response is not None:
            raise locked(None)
        body = call.json()
        if "items" not in body:
            raise bad_request(
                "Missing required parameter: 'items'.",
                param="items",
                code="missing_required_parameter",
            )
        items = items_from(body["items"], "items")
        for item in items:
            conv.append(item)
        include = include_of(call)
        data = [render_item(it, include) for it in items]
        return {
            "object": "list",
            "data": data,
            "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None,
            "has_more": False,
        }

    def item_of(call: Call) -> tuple[Conversation, dict]:
        conv = conversation_of(call)
        pos = conv.positions.get(call.params["item_id"])
        if pos is None:
            raise item_not_found(call.params["item_id"])
        return conv, conv.items[pos]

    def get_item(call: Call) -> dict:
        return render_item(item_of(call)[1], include_of(call))

    def delete_item(call: Call) -> dict:
        conv, item = item_of(call)
        conv.remove(item["id"])
        return conv.obj

    # -- responses ---------------------------------------------------------------------------
    def create_response(call: Call) -> dict:
        body = dict(call.json())  # a copy: the request log keeps what the client sent
        validate.required_string(body, "model")
        if body.get("stream"):
            raise bad_request(
                "The fake API does not stream responses; poll them instead.", param="stream"
            )
        ref = body.get("conversation")
        conv_id = ref.get("id") if isinstance(ref, dict) else ref
        conv = None
        if conv_id is not None:
            conv = engine.conversations.get(conv_id)
            if conv is None:
                error = conversation_not_found(conv_id)
                error.param = "conversation"
                raise error
            if conv.active_response is not None:
                raise locked("conversation")
        raw_input = body.get("input")
        if isinstance(raw_input, str):
            raw_input = [{"role": "user", "content": raw_input}]
        inputs = [
            normalize_item(store, item, f"input[{n}]") for n, item in enumerate(raw_input or [])
        ]
        body["metadata"] = validate.metadata(body.get("metadata"))
        plan = api.response_scripts.take(conv_id or "", "") or RunPlan()
        return engine.create_response(body, call.now, plan, conv, inputs).obj

    def record_of(call: Call):
        record = engine.responses.get(call.params["response_id"])
        if record is None:
            raise response_not_found(call.params["response_id"])
        return record

    def get_response(call: Call) -> dict:
        return record_of(call).obj

    def cancel_response(call: Call) -> dict:
        record = record_of(call)
        engine.cancel(record, call.now)
        return record.obj

    r = router.add
    r("POST", "/conversations", create_conversation, beta=False)
    r("GET", "/conversations/{conversation_id}", lambda c: conversation_of(c).obj, beta=False)
    r("POST", "/conversations/{conversation_id}", update_conversation, beta=False)
    r("DELETE", "/conversations/{conversation_id}", delete_conversation, beta=False)
    r("GET", "/conversations/{conversation_id}/items", list_items, beta=False)
    r("POST", "/conversations/{conversation_id}/items", create_items, beta=False)
    r("GET", "/conversations/{conversation_id}/items/{item_id}", get_item, beta=False)
    r("DELETE", "/conversations/{conversation_id}/items/{item_id}", delete_item, beta=False)
    r("POST", "/responses", create_response, beta=False)
    r("GET", "/responses/{response_id}", get_response, beta=False)
    r("POST", "/responses/{response_id}/cancel", cancel_response, beta=False)
