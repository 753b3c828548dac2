"""Assistants API routes: threads, messages and assistants."""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadtui.fakeapi import validate
from threadtui.fakeapi.errors import bad_request, not_found_as
from threadtui.fakeapi.paging import page
from threadtui.fakeapi.router import Call, Router
from threadtui.fakeapi.store import Thread

if TYPE_CHECKING:
    from threadtui.fakeapi.parts import FakeParts


def register(router: Router, api: FakeParts) -> None:
    store = api.store

    def thread_of(call: Call) -> Thread:
        thread = store.threads.get(call.params["thread_id"])
        if thread is None:
            raise not_found_as("thread", call.params["thread_id"])
        return thread

    def new_message(thread: Thread, body: dict, now: float, param: str = "") -> dict:
        role = validate.one_of(body, "role", ("user", "assistant"))
        if "content" not in body:
            raise bad_request(
                f"Missing required parameter: '{param}content'.",
                param=f"{param}content",
                code="missing_required_parameter",
            )
        return store.add_message(
            thread,
            role=role,
            content=validate.content_parts(body["content"], f"{param}content"),
            created_at=int(now),
            attachments=body.get("attachments") or [],
            metadata=validate.metadata(body.get("metadata"), param=f"{param}metadata"),
        )

    # -- threads -----------------------------------------------------------------------
    def create_thread(call: Call) -> dict:
        body = call.json()
        metadata = validate.metadata(body.get("metadata"))
        messages = body.get("messages") or []
        thread = store.add_thread(
            created_at=int(call.now), metadata=metadata, tool_resources=body.get("tool_resources")
        )
        try:
            for n, item in enumerate(messages):
                new_message(thread, item, call.now, f"messages[{n}].")
        except Exception:
            store.delete_thread(thread.id)
            raise
        return thread.obj

    def get_thread(call: Call) -> dict:
        return thread_of(call).obj

    def modify_thread(call: Call) -> dict:
        thread = thread_of(call)
        body = call.json()
        if "metadata" in body:
            thread.obj["metadata"] = validate.metadata(body["metadata"]) or {}
        if body.get("tool_resources") is not None:
            thread.obj["tool_resources"] = body["tool_resources"]
        return thread.obj

    def delete_thread(call: Call) -> dict:
        thread = thread_of(call)
        store.delete_thread(thread.id)
        return {"id": thread.id, "object": "thread.deleted", "deleted": True}

    # -- messages ----------------------------------------------------------------------
    def list_messages(call: Call) -> dict:
        thread = thread_of(call)
        run_id = call.query.get("run_id")
        if not run_id:
            return page(thread.messages, call.query, cursor_key=thread.positions.get)
        keys = [n for n, m in enumerate(thread.messages) if m["run_id"] == run_id]
        items = [thread.messages[n] for n in keys]
        return page(items, call.query, cursor_key=thread.positions.get, keys=keys)

    def create_message(call: Call) -> dict:
        thread = thread_of(call)
        active = thread.active_run()
        if active is not None:
            raise bad_request(
                f"Can't add messages to {thread.id} while a run {active.id} is active."
            )
        return new_message(thread, call.json(), call.now)

    def message_of(call: Call) -> tuple[Thread, dict]:
        thread = thread_of(call)
        pos = thread.positions.get(call.params["message_id"])
        if pos is None:
            raise not_found_as("message", call.params["message_id"])
        return thread, thread.messages[pos]

    def get_message(call: Call) -> dict:
        return message_of(call)[1]

    def modify_message(call: Call) -> dict:
        _, message = message_of(call)
        body = call.json()
        if "metadata" in body:
            message["metadata"] = validate.metadata(body["metadata"]) or {}
        return message

    def delete_message(call: Call) -> dict:
        thread, message = message_of(call)
        thread.remove(message["id"])
        return {"id": message["id"], "object": "thread.message.deleted", "deleted": True}

    # -- assistants --------------------------------------------------------------------
    def assistant_of(call: Call) -> dict:
        assistant = store.assistants.get(call.params["assistant_id"])
        if assistant is None:
            raise not_found_as("assistant", call.params["assistant_id"])
        return assistant

    def list_assistants(call: Call) -> dict:
        items = list(store.assistants.values())
        index = {a["id"]: n for n, a in enumerate(items)}
        return page(items, call.query, cursor_key=index.get)

    def create_assistant(call: Call) -> dict:
        body = call.json()
        model = validate.required_string(body, "model")
        return store.add_assistant(
            created_at=int(call.now),
            model=model,
            name=body.get("name"),
            description=body.get("description"),
            instructions=body.get("instructions"),
            tools=body.get("tools"),
            metadata=validate.metadata(body.get("metadata")),
            tool_resources=body.get("tool_resources"),
            temperature=body.get("temperature", 1.0),
            top_p=body.get("top_p", 1.0),
            response_format=body.get("response_format", "auto"),
        )

    def modify_assistant(call: Call) -> dict:
        assistant = assistant_of(call)
        body = call.json()
        if "metadata" in body:
            body["metadata"] = validate.metadata(body["metadata"]) or {}
        for key in (
            "name",
            "description",
            "model",
            "instructions",
            "tools",
            "metadata",
            "tool_resources",
            "temperature",
            "top_p",
            "response_format",
        ):
            if key in body:
                assistant[key] = body[key]
        return assistant

    def delete_assistant(call: Call) -> dict:
        assistant = assistant_of(call)
        del store.assistants[assistant["id"]]
        return {"id": assistant["id"], "object": "assistant.deleted", "deleted": True}

    r = router.add
    r("POST", "/threads", create_thread, beta=True)
    r("GET", "/threads/{thread_id}", get_thread, beta=True)
    r("POST", "/threads/{thread_id}", modify_thread, beta=True)
    r("DELETE", "/threads/{thread_id}", delete_thread, beta=True)
    r("GET", "/threads/{thread_id}/messages", list_messages, beta=True)
    r("POST", "/threads/{thread_id}/messages", create_message, beta=True)
    r("GET", "/threads/{thread_id}/messages/{message_id}", get_message, beta=True)
    r("POST", "/threads/{thread_id}/messages/{message_id}", modify_message, beta=True)
    r("DELETE", "/threads/{thread_id}/messages/{message_id}", delete_message, beta=True)
    r("GET", "/assistants", list_assistants, beta=True)
    r("POST", "/assistants", create_assistant, beta=True)
    r("GET", "/assistants/{assistant_id}", lambda c: assistant_of(c), beta=True)
    r("POST", "/assistants/{assistant_id}", modify_assistant, beta=True)
    r("DELETE", "/assistants/{assistant_id}", delete_assistant, beta=True)
