"""Assistants API routes: runs, run steps, tool outputs, cancel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from threadtui.fakeapi import validate
from threadtui.fakeapi.errors import bad_request, not_found_as
from threadtui.fakeapi.paging import page
from threadtui.fakeapi.router import Call, Reply, Router
from threadtui.fakeapi.runs import default_plan
from threadtui.fakeapi.store import Run, Thread

if TYPE_CHECKING:
    from threadtui.fakeapi.parts import FakeParts


def register(router: Router, api: FakeParts) -> None:
    store, engine = api.store, api.engine

    def thread_of(call: Call) -> Thread:
        thread = store.threads.get(call.params["thread_id"])
        if thread is None:
            raise not_found_as("thread", call.params["thread_id"])
        return thread

    def run_of(call: Call) -> tuple[Thread, Run]:
        thread = thread_of(call)
        run = thread.run_index.get(call.params["run_id"])
        if run is None:
            raise not_found_as("run", call.params["run_id"])
        return thread, run

    def run_reply(run: Run) -> Reply:
        """A run with the `openai-poll-after-ms` hint while it is still going."""
        headers = {}
        hint = run.plan.poll_after(run.status, api.poll_after_ms) if run.active else None
        if hint is not None:
            headers["openai-poll-after-ms"] = str(hint)
        return Reply(run.obj, headers=headers)

    def start_run(thread: Thread, body: dict, now: float) -> Run:
        assistant_id = validate.required_string(body, "assistant_id")
        assistant = store.assistants.get(assistant_id)
        if assistant is None:
            raise not_found_as("assistant", assistant_id)
        active = thread.active_run()
        if active is not None:
            raise bad_request(f"Thread {thread.id} already has an active run {active.id}.")
        if body.get("stream"):
            raise bad_request(
                "The fake API does not stream runs; poll them instead.", param="stream"
            )
        metadata = validate.metadata(body.get("metadata"))
        extra = body.get("additional_messages") or []
        for n, item in enumerate(extra):  # validate all before adding any
            validate.one_of(item, "role", ("user", "assistant"))
            validate.metadata(item.get("metadata"), param=f"additional_messages[{n}].metadata")
        for item in extra:
            store.add_message(
                thread,
                role=item["role"],
                content=validate.content_parts(item.get("content", "")),
                created_at=int(now),
                attachments=item.get("attachments") or [],
                metadata=item.get("metadata"),
            )
        tools = body.get("tools")
        if tools is None:
            tools = assistant["tools"]
        plan = api.scripts.take(thread.id, assistant_id) or default_plan(store, thread, tools)
        return engine.create_run(thread, assistant, now, plan, {**body, "metadata": metadata})

    def create_run(call: Call) -> Reply:
        return run_reply(start_run(thread_of(call), call.json(), call.now))

    def create_thread_and_run(call: Call) -> Reply:
        body = call.json()
        spec = body.get("thread") or {}
        assistant_id = validate.required_string(body, "assistant_id")
        if assistant_id not in store.assistants:
            raise not_found_as("assistant", assistant_id)
        thread = store.add_thread(
            created_at=int(call.now),
            metadata=validate.metadata(spec.get("metadata"), param="thread.metadata"),
            tool_resources=spec.get("tool_resources"),
        )
        run_body = {k: v for k, v in body.items() if k != "thread"}
        run_body["additional_messages"] = spec.get("messages") or []
        try:
            run = start_run(thread, run_body, call.now)
        except Exception:
            store.delete_thread(thread.id)
            raise
        return run_reply(run)

    def list_runs(call: Call) -> dict:
        thread = thread_of(call)
        index = {r.id: n for n, r in enumerate(thread.runs)}
        return page(thread.runs, call.query, render=lambda r: r.obj, cursor_key=index.get)

    def get_run(call: Call) -> Reply:
        return run_reply(run_of(call)[1])

    def modify_run(call: Call) -> Reply:
        _, run = run_of(call)
        body = call.json()
        if "metadata" in body:
            run.obj["metadata"] = validate.metadata(body["metadata"]) or {}
        return run_reply(run)

    def cancel_run(call: Call) -> Reply:
        thread, run = run_of(call)
        engine.cancel(thread, run, call.now)
        return run_reply(run)

    def submit_tool_outputs(call: Call) -> Reply:
        thread, run = run_of(call)
        if call.json().get("stream"):
            raise bad_request(
                "The fake API does not stream runs; poll them instead.", param="stream"
            )
        outputs = call.json().get("tool_outputs")
        if not isinstance(outputs, list):
            raise bad_request(
                "Missing required parameter: 'tool_outputs'.",
                param="tool_outputs",
                code="missing_required_parameter",
            )
        engine.submit_tool_outputs(thread, run, outputs, call.now)
        return run_reply(run)

    def list_steps(call: Call) -> dict:
        _, run = run_of(call)
        index = {s["id"]: n for n, s in enumerate(run.steps)}
        return page(run.steps, call.query, cursor_key=index.get)

    def get_step(call: Call) -> dict:
        _, run = run_of(call)
        step = next((s for s in run.steps if s["id"] == call.params["step_id"]), None)
        if step is None:
            raise not_found_as("run step", call.params["step_id"])
        return step

    r = router.add
    base = "/threads/{thread_id}/runs"
    r("POST", "/threads/runs", create_thread_and_run, beta=True)
    r("GET", base, list_runs, beta=True)
    r("POST", base, create_run, beta=True)
    r("GET", base + "/{run_id}", get_run, beta=True)
    r("POST", base + "/{run_id}", modify_run, beta=True)
    r("POST", base + "/{run_id}/cancel", cancel_run, beta=True)
    r("POST", base + "/{run_id}/submit_tool_outputs", submit_tool_outputs, beta=True)
    r("GET", base + "/{run_id}/steps", list_steps, beta=True)
    r("GET", base + "/{run_id}/steps/{step_id}", get_step, beta=True)
