"""Run timelines, advanced lazily from the clock at each request.

A run is created `queued`; its plan schedules the rest: `in_progress` after
`start_after` seconds, then the outcome after `finish_after` seconds. `requires_action`
waits for tool outputs until `expires_at`. Cancelling moves a run to `cancelling` and
then `cancelled` `CANCEL_DELAY` seconds later, unless its outcome was due first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from threadtui.fakeapi import brain
from threadtui.fakeapi.errors import bad_request
from threadtui.fakeapi.plans import RunPlan
from threadtui.fakeapi.store import Run, Store, Thread, message_text, text_part

CANCEL_DELAY = 0.5
LAST_ERRORS = {
    "server_error": "Sorry, something went wrong.",
    "rate_limit_exceeded": "You exceeded your current quota, please check your plan and billing "
    "details. For more information on this error, read the docs: "
    "https://platform.openai.com/docs/guides/error-codes/api-errors.",
    "invalid_prompt": "Your prompt was flagged as potentially violating our usage policy.",
}


@dataclass
class RunScripts:
    """Queued plans for the next runs: per thread, per assistant, or for any run."""

    by_thread: dict[str, list[RunPlan]] = field(default_factory=dict)
    by_assistant: dict[str, list[RunPlan]] = field(default_factory=dict)
    any_run: list[RunPlan] = field(default_factory=list)

    def add(self, plans: list[RunPlan], thread_id: str | None, assistant_id: str | None) -> None:
        if thread_id is not None:
            self.by_thread.setdefault(thread_id, []).extend(plans)
        elif assistant_id is not None:
            self.by_assistant.setdefault(assistant_id, []).extend(plans)
        else:
            self.any_run.extend(plans)

    def take(self, thread_id: str, assistant_id: str) -> RunPlan | None:
        for queue in (
            self.by_thread.get(thread_id),
            self.by_assistant.get(assistant_id),
            self.any_run,
        ):
            if queue:
                return queue.pop(0)
        return None


def _history(thread: Thread) -> list[tuple[str, str]]:
    return [(m["role"], message_text(m)) for m in thread.messages]


def default_plan(store: Store, thread: Thread, tools: list[dict]) -> RunPlan:
    """What the demo assistant does unprompted: call get_weather if it has it, else answer."""
    if any(t.get("type") == "function" and t["function"]["name"] == "get_weather" for t in tools):
        return RunPlan(outcome="requires_action")
    return RunPlan()


def schedule(run: Run, at: float) -> None:
    """(Re)start the plan's timeline from `at`."""
    plan = run.plan
    events = [(at + plan.start_after, "start")]
    if plan.outcome != "expired":
        events.append((at + max(plan.finish_after, plan.start_after), "finish"))
    run.events = events


class RunEngine:
    """Applies run timelines to the store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def create_run(
        self, thread: Thread, assistant: dict, now: float, plan: RunPlan, body: dict
    ) -> Run:
        """A new queued run following `plan`; `body` holds the create-run overrides."""
        instructions = body.get("instructions")
        if instructions is None:
            instructions = assistant["instructions"] or ""
        if body.get("additional_instructions"):
            instructions = f"{instructions}\n{body['additional_instructions']}".strip()
        tools = body.get("tools")
        obj: dict[str, Any] = {
            "id": self.store.ids.run(),
            "object": "thread.run",
            "created_at": int(now),
            "assistant_id": assistant["id"],
            "thread_id": thread.id,
            "status": "queued",
            "started_at": None,
            "expires_at": int(now + plan.expires_after),
            "cancelled_at": None,
            "failed_at": None,
            "completed_at": None,
            "required_action": None,
            "last_error": None,
            "model": body.get("model") or assistant["model"],
            "instructions": instructions,
            "tools": assistant["tools"] if tools is None else tools,
            "metadata": body.get("metadata") or {},
            "temperature": body.get("temperature", assistant.get("temperature", 1.0)),
            "top_p": body.get("top_p", assistant.get("top_p", 1.0)),
            "max_completion_tokens": body.get("max_completion_tokens"),
            "max_prompt_tokens": body.get("max_prompt_tokens"),
            "truncation_strategy": body.get("truncation_strategy")
            or {"type": "auto", "last_messages": None},
            "incomplete_details": None,
            "usage": None,
            "response_format": body.get(
                "response_format", assistant.get("response_format", "auto")
            ),
            "tool_choice": body.get("tool_choice", "auto"),
            "parallel_tool_calls": body.get("parallel_tool_calls", True),
        }
        run = Run(obj=obj, plan=plan, created=now)
        schedule(run, now)
        thread.runs.append(run)
        thread.run_index[run.id] = run
        self.store.active[run.id] = thread
        return run

    # -- advancing -------------------------------------------------------------------
    def advance_all(self, now: float) -> None:
        for run_id, thread in list(self.store.active.items()):
            run = thread.run_index[run_id]
            self.advance(thread, run, now)

    def advance(self, thread: Thread, run: Run, now: float) -> None:
        while run.active:
            candidates = list(run.events)
            expires_at = run.obj["expires_at"]
            if expires_at is not None and run.status != "cancelling":
                candidates.append((float(expires_at), "expire"))
            if not candidates:
                break
            at, kind = min(candidates)
            if at > now:
                break
            if kind != "expire":
                run.events.remove((at, kind))
            getattr(self, f"_on_{kind}")(thread, run, at)
        if not run.active:
            run.events.clear()
            self.store.active.pop(run.id, None)

    def _on_start(self, thread: Thread, run: Run, at: float) -> None:
        if run.status == "queued":
            run.obj["status"] = "in_progress"
            if run.obj["started_at"] is None:
                run.obj["started_at"] = int(at)

    def _on_finish(self, thread: Thread, run: Run, at: float) -> None:
        plan = run.plan
        self._on_start(thread, run, at)
        if run.obj["started_at"] is None:  # cancelled while queued, but finished first
            run.obj["started_at"] = int(at)
        if plan.outcome == "requires_action":
            self._require_action(thread, run, at)
            return
        t = int(at)
        if plan.tool_steps:
            self._add_tool_step(run, plan.tool_steps, t, status="completed")
        if plan.outcome == "completed":
            text = plan.reply if plan.reply is not None else self._reply(thread, run)
            message = self.store.add_message(
                thread,
                role="assistant",
                content=[text_part(text, plan.annotations)],
                created_at=t,
                assistant_id=run.obj["assistant_id"],
                run_id=run.id,
            )
            self._add_message_step(run, message, t)
            self._end(thread, run, "completed", t, reply=text)
            run.obj["completed_at"] = t
        elif plan.outcome == "incomplete":
            text = plan.reply if plan.reply is not None else self._reply(thread, run)
            partial = text[: max(1, len(text) // 2)]
            message = self.store.add_message(
                thread,
                role="assistant",
                content=[text_part(partial)],
                created_at=t,
                assistant_id=run.obj["assistant_id"],
                run_id=run.id,
                status="incomplete",
                incomplete_reason="max_tokens",
            )
            self._add_message_step(run, message, t)
            self._end(thread, run, "incomplete", t, reply=partial)
            run.obj["incomplete_details"] = {"reason": plan.incomplete_reason}
        elif plan.outcome == "failed":
            self._end(thread, run, "failed", t, reply="")
            run.obj["failed_at"] = t
            run.obj["last_error"] = {
                "code": plan.error_code,
                "message": plan.error_message
                or LAST_ERRORS.get(plan.error_code, "Sorry, something went wrong."),
            }
            for step in run.steps:
                if step["status"] == "in_progress":
                    step.update(status="failed", failed_at=t, last_error=run.obj["last_error"])

    def _on_cancelled(self, thread: Thread, run: Run, at: float) -> None:
        t = int(at)
        self._end(thread, run, "cancelled", t, reply="")
        run.obj["cancelled_at"] = t
        for step in run.steps:
            if step["status"] == "in_progress":
                step.update(status="cancelled", cancelled_at=t)

    def _on_expire(self, thread: Thread, run: Run, at: float) -> None:
        t = int(at)
        run.events.clear()
        self._end(thread, run, "expired", t, reply="", keep_expiry=True)
        for step in run.steps:
            if step["status"] == "in_progress":
                step.update(status="expired", expired_at=t)

    def _end(
        self,
        thread: Thread,
        run: Run,
        status: str,
        t: int,
        *,
        reply: str,
        keep_expiry: bool = False,
    ) -> None:
        run.obj["status"] = status
        run.obj["required_action"] = None
        if not keep_expiry:
            run.obj["expires_at"] = None
        run.obj["usage"] = run.plan.usage or self._usage(thread, run, reply)

    def _usage(self, thread: Thread, run: Run, reply: str) -> dict[str, int]:
        prompt_text = (
            (run.obj["instructions"] or "")
            + " "
            + " ".join(message_text(m) for m in thread.messages)
        )
        prompt = brain.tokens(prompt_text)
        completion = brain.tokens(reply) if reply else 0
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _reply(self, thread: Thread, run: Run) -> str:
        assistant = self.store.assistants.get(run.obj["assistant_id"])
        return brain.reply(_history(thread), assistant["name"] if assistant else None)

    # -- tool calls --------------------------------------------------------------------
    def _require_action(self, thread: Thread, run: Run, at: float) -> None:
        specs = run.plan.tool_calls
        if specs is None:
            name, arguments = brain.weather_call(_history(thread))
            specs = [{"name": name, "arguments": arguments}]
        calls: list[dict[str, Any]] = []
        for spec in specs:
            args = spec.get("arguments", "{}")
            calls.append(
                {
                    "id": self.store.ids.call(),
                    "type": "function",
                    "function": {
                        "name": spec["name"],
                        "arguments": args if isinstance(args, str) else json.dumps(args),
                    },
                }
            )
        run.obj["status"] = "requires_action"
        run.obj["required_action"] = {
            "type": "submit_tool_outputs",
            "submit_tool_outputs": {"tool_calls": calls},
        }
        step_calls = [{**c, "function": {**c["function"], "output": None}} for c in calls]
        self._add_tool_step(run, step_calls, int(at), status="in_progress", with_ids=False)

    def submit_tool_outputs(
        self, thread: Thread, run: Run, outputs: list[dict], now: float
    ) -> None:
        if run.status != "requires_action":
            raise bad_request(
                f'Runs in status "{run.status}" do not accept tool outputs.', param=None
            )
        calls = run.obj["required_action"]["submit_tool_outputs"]["tool_calls"]
        wanted = {c["id"] for c in calls}
        given: dict[str, str] = {}
        for n, item in enumerate(outputs):
            call_id = item.get("tool_call_id")
            if not isinstance(call_id, str) or call_id not in wanted:
                raise bad_request(
                    f"Invalid 'tool_outputs[{n}].tool_call_id': no tool call found with id '{call_id}'.",
                    param=f"tool_outputs[{n}].tool_call_id",
                )
            given[call_id] = item.get("output") or ""
        missing = sorted(wanted - set(given))
        if missing:
            raise bad_request(
                f"Expected tool outputs for call_ids {sorted(wanted)}, got {sorted(given)}",
                param="tool_outputs",
            )
        t = int(now)
        for step in run.steps:
            if step["status"] == "in_progress" and step["step_details"]["type"] == "tool_calls":
                for call in step["step_details"]["tool_calls"]:
                    call["function"]["output"] = given.get(call["id"])
                step.update(status="completed", completed_at=t)
        follow = run.plan.after_tool_outputs or RunPlan(reply=brain.after_tools(calls, given))
        follow = replace(follow, poll_after_ms=follow.poll_after_ms or run.plan.poll_after_ms)
        run.plan = follow
        run.obj["status"] = "queued"
        run.obj["required_action"] = None
        schedule(run, now)

    # -- cancelling --------------------------------------------------------------------
    def cancel(self, thread: Thread, run: Run, now: float) -> None:
        if not run.active or run.status == "cancelling":
            raise bad_request(f"Cannot cancel run with status '{run.status}'.")
        finish = next((t for t, kind in run.events if kind == "finish"), None)
        run.obj["status"] = "cancelling"
        if (
            finish is not None
            and run.status != "requires_action"
            and run.plan.outcome != "requires_action"
            and finish <= now + CANCEL_DELAY
        ):
            run.events = [(finish, "finish")]  # the run gets there first
        else:
            run.events = [(now + CANCEL_DELAY, "cancelled")]

    # -- steps -----------------------------------------------------------------------
    def _new_step(self, run: Run, kind: str, details: dict, t: int, status: str) -> dict:
        step = {
            "id": self.store.ids.step(),
            "object": "thread.run.step",
            "created_at": t,
            "run_id": run.id,
            "assistant_id": run.obj["assistant_id"],
            "thread_id": run.obj["thread_id"],
            "type": kind,
            "status": status,
            "cancelled_at": None,
            "completed_at": t if status == "completed" else None,
            "expired_at": None,
            "failed_at": None,
            "last_error": None,
            "step_details": details,
            "usage": None,
            "metadata": {},
        }
        if status == "completed":
            step["usage"] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
        run.steps.append(step)
        return step

    def _add_tool_step(
        self, run: Run, calls: list[dict], t: int, *, status: str, with_ids: bool = True
    ) -> None:
        if with_ids:
            calls = [{"id": self.store.ids.call(), **c} for c in calls]
        self._new_step(run, "tool_calls", {"type": "tool_calls", "tool_calls": calls}, t, status)

    def _add_message_step(self, run: Run, message: dict, t: int) -> None:
        step = self._new_step(
            run,
            "message_creation",
            {"type": "message_creation", "message_creation": {"message_id": message["id"]}},
            t,
            "completed",
        )
        completion = brain.tokens(message_text(message))
        step["usage"] = {
            "prompt_tokens": 0,
            "completion_tokens": completion,
            "total_tokens": completion,
        }
