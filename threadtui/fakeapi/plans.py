"""How a scripted run (or background response) goes: the plan both the store's runs and
the run engine refer to, kept below both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Outcome = Literal["completed", "failed", "incomplete", "expired", "requires_action"]

DEFAULT_POLL_AFTER_MS = {
    "queued": 1000,
    "in_progress": 500,
    "requires_action": 1000,
    "cancelling": 500,
}


@dataclass
class RunPlan:
    """How the next run goes. Times are seconds after the run is created.

    - completed: `reply` (or the demo assistant's answer) becomes the assistant message.
    - failed: `last_error` = {code: error_code, message: error_message or the API's text}.
    - incomplete: `incomplete_details.reason` = incomplete_reason; a partial message with
      status "incomplete" is left behind.
    - expired: stays in_progress until `expires_at`, then expired.
    - requires_action: stops at `required_action.submit_tool_outputs` with `tool_calls`
      (dicts {"name", "arguments"}; default: a `get_weather` call built from the message);
      after outputs it follows `after_tool_outputs` (default: completed, answering from
      the outputs), counting its times from the submission.
    `tool_steps` adds a completed tool_calls run step (wire-format tool calls without
    ids), e.g. code_interpreter or file_search calls. `poll_after_ms` overrides the
    `openai-poll-after-ms` header: one number, or a dict by status.
    """

    outcome: Outcome = "completed"
    reply: str | None = None
    error_code: str = "server_error"
    error_message: str | None = None
    incomplete_reason: str = "max_completion_tokens"
    tool_calls: list[dict[str, Any]] | None = None
    after_tool_outputs: RunPlan | None = None
    tool_steps: list[dict[str, Any]] | None = None
    start_after: float = 0.5
    finish_after: float = 2.0
    expires_after: float = 600.0
    poll_after_ms: int | dict[str, int] | None = None
    usage: dict[str, int] | None = None
    annotations: list[dict[str, Any]] | None = None

    def poll_after(
        self, status: str, defaults: dict[str, int] = DEFAULT_POLL_AFTER_MS
    ) -> int | None:
        if isinstance(self.poll_after_ms, int):
            return self.poll_after_ms
        return {**defaults, **(self.poll_after_ms or {})}.get(status)
