"""Run history of one thread: every run with its assistant, times, usage and errors.

The auditor's question is "what happened here, by whom, and what did it cost". Runs come
from runs.list (every page, oldest first); with `steps=True` each run's steps come too,
their tool calls already rendered by the API layer (code interpreter input and outputs,
function arguments and outputs, file search results). Conversations keep no list of their
responses, so their history says that plainly (`runs_listed` is False) instead of "0 runs".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from threadtui.api import paging
from threadtui.api.errors import ApiError
from threadtui.api.models import Run, RunStep, Usage
from threadtui.core.finding.ids import kind_of
from threadtui.core.text.timefmt import duration, stamp

if TYPE_CHECKING:
    from threadtui.api.backend import Backend
    from threadtui.core.services import Services

STEP_CONCURRENCY = 8  # step lists fetched at once, when asked for
NO_RUN_LIST = (
    "Conversations keep no list of their responses, so there is no run history for {id}: "
    "its items (`threadtui show`) are all there is."
)

#: progress(what, done, total): "runs" as pages arrive (total None), "steps" per run.
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class RunSummary:
    """One run as the auditor sees it."""

    run: Run
    assistant_name: str | None
    steps: tuple[RunStep, ...] | None = None  # None when steps were not asked for

    @property
    def ended_at(self) -> int | None:
        """When the run reached its end: completed, failed, cancelled or expired."""
        if self.run.ended_at:
            return self.run.ended_at
        if self.run.status == "expired":
            return self.run.expires_at
        return None

    @property
    def duration(self) -> float | None:
        """Seconds from start (or creation, if it never started) to the end; None if unknown."""
        start = self.run.started_at or self.run.created_at
        end = self.ended_at
        return float(end - start) if start and end and end >= start else None

    def times_line(self, now: float) -> str:
        """When it was created and ended, how long it took, what it used: the one line
        `threadtui runs` and the TUI's run history show under a run."""
        parts = [f"created {stamp(self.run.created_at, now)}"]
        if self.ended_at:
            parts.append(f"ended {stamp(self.ended_at, now)}")
        if self.duration is not None:
            parts.append(duration(self.duration))
        if self.run.usage:
            parts.append(usage_text(self.run.usage))
        return " · ".join(parts)

    def to_json(self) -> dict[str, Any]:
        run = self.run
        out: dict[str, Any] = {
            "id": run.id,
            "status": run.status,
            "assistant_id": run.assistant_id,
            "assistant_name": self.assistant_name,
            "model": run.model,
            "created_at": run.created_at,
            "started_at": run.started_at,
            "completed_at": run.completed_at,
            "failed_at": run.failed_at,
            "cancelled_at": run.cancelled_at,
            "expires_at": run.expires_at,
            "duration_seconds": self.duration,
            "usage": _usage_json(run.usage),
            "last_error": run.last_error,
            "incomplete_reason": run.incomplete_reason,
        }
        if self.steps is not None:
            out["steps"] = [_step_json(step) for step in self.steps]
        return out


def usage_text(usage: Usage) -> str:
    """ "125 tokens (104 prompt, 21 completion)"."""
    return (
        f"{usage.total_tokens:,} tokens ({usage.prompt_tokens:,} prompt, "
        f"{usage.completion_tokens:,} completion)"
    )


@dataclass(frozen=True)
class RunHistory:
    """Every run of a thread, and the thread's totals."""

    thread_id: str
    kind: str  # "thread" | "conversation"
    runs: tuple[RunSummary, ...]  # oldest first
    runs_listed: bool  # False: the API keeps no list (conversations)
    message_count: int | None
    message_count_counted: bool  # True: counted just now; False: the registry's known count

    @property
    def run_count(self) -> int | None:
        return len(self.runs) if self.runs_listed else None

    @property
    def usage(self) -> Usage | None:
        """Tokens over every run that reports usage; None when there is no run list."""
        if not self.runs_listed:
            return None
        used = [r.run.usage for r in self.runs if r.run.usage is not None]
        return Usage(
            prompt_tokens=sum(u.prompt_tokens for u in used),
            completion_tokens=sum(u.completion_tokens for u in used),
            total_tokens=sum(u.total_tokens for u in used),
        )

    @property
    def no_runs_sentence(self) -> str | None:
        """What to say instead of a run table when the API keeps no list of runs."""
        return None if self.runs_listed else NO_RUN_LIST.format(id=self.thread_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "thread_id": self.thread_id,
            "kind": self.kind,
            "runs_listed": self.runs_listed,
            "runs": [r.to_json() for r in self.runs] if self.runs_listed else None,
            "totals": {
                "messages": self.message_count,
                "messages_counted": self.message_count_counted,
                "runs": self.run_count,
                "tokens": _usage_json(self.usage),
            },
        }


async def run_history(
    services: Services,
    thread_id: str,
    *,
    steps: bool = False,
    progress: Progress | None = None,
) -> RunHistory:
    """The run history of a thread (ApiError when the server cannot give it).

    The message total is the registry's known count when there is one, else counted now
    (one request per 100 messages) and remembered in the registry.
    """
    backend = services.backend_for(thread_id)
    kind = kind_of(thread_id)
    runs_listed = backend.kind == "assistants"
    runs: list[Run] = await _all_runs(backend, thread_id, progress) if runs_listed else []
    names: dict[str, str] = {}
    if any(r.assistant_id for r in runs):
        try:
            names = await services.assistant_names(services.profile_for(thread_id))
        except ApiError:
            names = {}  # names are a nicety; the IDs are shown either way
    all_steps: list[tuple[RunStep, ...] | None] = [None] * len(runs)
    if steps and runs:
        all_steps = list(await _steps_of(backend, thread_id, runs, progress))
    summaries = tuple(
        RunSummary(run, names.get(run.assistant_id or ""), run_steps)
        for run, run_steps in zip(runs, all_steps, strict=True)
    )
    known = services.message_count(thread_id)
    count, counted = known, False
    if known is None:
        count, counted = await count_messages(backend, thread_id), True
        services.registry.update(thread_id, message_count=count)  # False when not tracked
    return RunHistory(thread_id, kind, summaries, runs_listed, count, counted)


async def _all_runs(backend: Backend, thread_id: str, progress: Progress | None) -> list[Run]:
    found: list[Run] = []
    async for page in paging.runs(backend, thread_id):
        found += page.items
        if progress:
            progress("runs", len(found), None)
    return found


async def _steps_of(
    backend: Backend, thread_id: str, runs: list[Run], progress: Progress | None
) -> list[tuple[RunStep, ...]]:
    gate = asyncio.Semaphore(STEP_CONCURRENCY)
    done = 0

    async def one(run: Run) -> tuple[RunStep, ...]:
        nonlocal done
        async with gate:
            found = await run_steps(backend, thread_id, run.id)
        done += 1
        if progress:
            progress("steps", done, len(runs))
        return found

    return list(await asyncio.gather(*(one(run) for run in runs)))


async def run_steps(backend: Backend, thread_id: str, run_id: str) -> tuple[RunStep, ...]:
    """Every step of one run, a request per 100."""
    return tuple(await paging.run_steps(backend, thread_id, run_id).items())


async def count_messages(backend: Backend, thread_id: str) -> int:
    """How many messages (items, for a conversation) a thread has: one request per 100."""
    count = 0
    async for page in paging.messages(backend, thread_id):
        count += len(page.items)
    return count


def _usage_json(usage: Usage | None) -> dict[str, int] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }


def _step_json(step: RunStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "type": step.type,
        "status": step.status,
        "created_at": step.created_at,
        "completed_at": step.completed_at,
        "usage": _usage_json(step.usage),
        "details": list(step.details),
    }
