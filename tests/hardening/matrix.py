"""The fault matrix: every API call threadtui makes, under every kind of fault.

A cell is one operation (a row) under one fault (a column). It runs in a fresh `World`:

1. the fault is armed on the request the row names (or, for "retired", the whole server
   lacks the API) and stays until cleared: the operation must end with one domain error
   whose sentence a user can act on, or succeed while recording what it learned;
2. for faults that pass (429, 5xx, timeouts, drops, a lost answer), the fault is cleared
   and armed again for one request only: the operation must now succeed by retrying
   where that is safe;
3. after each phase the world is audited: no message or thread on the server twice, no
   thread marked gone unless a 404 named that very thread, registry, archive and
   deletion log consistent.

Waiting is virtual where threadtui waits (the World's ManualClock); the SDK's own retry
sleeps are real, so injected faults carry retry-after 0.01 s and the SDK's backoff
without one is shortened (see `sdk_backoff`): the same retries, without the wait.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tests.hardening.world import World, sentence_problems
from threadtui.api.errors import (
    ApiError,
    ApiRetired,
    AuthFailed,
    NetworkDown,
    NotFound,
    RateLimited,
    ServerError,
    WrongProject,
)
from threadtui.fakeapi import RunPlan

RETRY_AFTER = 0.001  # seconds: the SDK honours it with a real sleep


@dataclass(frozen=True)
class Column:
    """A fault: the fake's kind, and whether it passes (so a retry can succeed)."""

    name: str
    kind: str | None  # None: the whole server lacks the API
    passing: bool
    expected: tuple[type[Exception], ...]  # what an operation may fail with


COLUMNS: tuple[Column, ...] = (
    Column("429", "429", True, (RateLimited,)),
    Column("500", "500", True, (ServerError,)),
    Column("503", "503", True, (ServerError,)),
    Column("timeout", "timeout", True, (NetworkDown,)),
    Column("drop", "drop", True, (NetworkDown,)),
    Column("lost answer", "fail_after_create", True, (NetworkDown,)),
    Column("401", "401", False, (AuthFailed,)),
    Column("403", "403", False, (WrongProject,)),
    Column("404", "404", False, (NotFound, ApiRetired)),
    Column("retired", None, False, (ApiRetired,)),
)
BY_COLUMN = {c.name: c for c in COLUMNS}

# One-sentence failures that are not API errors but say what happened just as clearly.
from threadtui.core.archive.export import NothingToExport  # noqa: E402
from threadtui.core.auditing.prune import PruneRefused  # noqa: E402
from threadtui.core.chat.continuation import NothingToContinue  # noqa: E402

OTHER_SENTENCES = (NothingToExport, PruneRefused, NothingToContinue)


# -- rows ------------------------------------------------------------------------------------
Op = Callable[[World, dict[str, Any]], Awaitable[str]]


@dataclass(frozen=True)
class Row:
    """One operation. `setup` prepares the world (unfaulted) and returns what the op needs;
    `target` gives (method, path) of the request the fault is armed on; `op` runs it and
    returns a short success label."""

    name: str
    kind: str  # "assistants" | "conversations"
    layer: str  # "backend" | "core"
    target: Callable[[World, dict[str, Any]], tuple[str | None, str | None]]
    op: Op
    setup: Callable[[World], Awaitable[dict[str, Any]]] | None = None
    # What a 404 on the target names: the thread (so marking it gone is right) or not.
    gone_on_404: bool = False
    retry_after: float = RETRY_AFTER  # of the injected 429/5xx
    # False for creates: nothing can look for what a lost attempt made (no list
    # endpoint), so after an unclear failure they say it may exist instead of resending.
    resends: bool = True


ROWS: list[Row] = []


def row(name: str, kind: str, layer: str, target, **options: Any):
    def register(op: Op) -> Op:
        ROWS.append(Row(name, kind, layer, target, op, **options))
        return op

    return register


def path(*parts: str) -> str:
    return "/" + "/".join(parts)


def on(method: str, *parts: str):
    """A target: `method` on the path made of `parts` (names looked up in the context)."""

    def target(world: World, ctx: dict[str, Any]) -> tuple[str, str]:
        return method, path(*(str(ctx.get(p, p)) for p in parts))

    return target


def anything(world: World, ctx: dict[str, Any]) -> tuple[None, None]:
    return None, None


# -- setups ----------------------------------------------------------------------------------
async def with_thread(world: World) -> dict[str, Any]:
    return {"T": world.add_thread()}


async def with_run(world: World) -> dict[str, Any]:
    """A thread with a run in progress (assistants) or a background response."""
    thread_id = world.add_thread()
    plan = RunPlan(start_after=0.0, finish_after=3.0)
    if world.kind == "conversations":
        world.fake.script_responses(thread_id, [plan, plan])
    else:
        world.fake.script_runs(thread_id, [plan, plan])
    backend = world.backend()
    run = await backend.start_run(thread_id, assistant_id=world.assistant, model="gpt-4o-mini")
    await backend.aclose()
    return {"T": thread_id, "R": run.id, "run": run}


async def with_waiting_run(world: World) -> dict[str, Any]:
    """A run stopped at requires_action (assistants), or a finished response whose
    function call gets an output (conversations)."""
    thread_id = world.add_thread()
    backend = world.backend()
    if world.kind == "conversations":
        world.fake.script_responses(thread_id, [RunPlan(start_after=0.0, finish_after=0.0)])
        run = await backend.start_run(thread_id, model="gpt-4o-mini")
        calls = {"call_hardening": "sunny"}
    else:
        world.fake.script_runs(
            thread_id,
            [RunPlan("requires_action", start_after=0.0, finish_after=0.0)],
        )
        run = await backend.start_run(thread_id, assistant_id=world.assistant)
        world.clock.advance(1)
        run = await backend.get_run(thread_id, run.id)
        calls = {call.id: "sunny" for call in run.tool_calls}
    await backend.aclose()
    return {"T": thread_id, "R": run.id, "calls": calls}


async def with_threads(world: World) -> dict[str, Any]:
    ids = [world.add_thread() for _ in range(3)]
    return {"T": ids[0], "T2": ids[1], "T3": ids[2]}


# -- backend rows: every method of both backends ----------------------------------------------
A, C = "assistants", "conversations"


def _thread_path(world: World) -> str:
    return "conversations" if world.kind == C else "threads"


def on_thread(method: str, *rest: str):
    def target(world: World, ctx: dict[str, Any]) -> tuple[str, str]:
        return method, path(_thread_path(world), ctx["T"], *(str(ctx.get(p, p)) for p in rest))

    return target


def on_run(method: str, suffix: str = ""):
    def target(world: World, ctx: dict[str, Any]) -> tuple[str, str]:
        if world.kind == C:
            return method, path("responses", ctx["R"]) + suffix
        return method, path("threads", ctx["T"], "runs", ctx["R"]) + suffix

    return target


for _kind in (A, C):
    items = "items" if _kind == C else "messages"

    @row(
        "probe",
        _kind,
        "backend",
        on("GET", "assistants") if _kind == A else on("GET", "conversations", "conv_" + "0" * 48),
    )
    async def _probe(world: World, ctx: dict[str, Any]) -> str:
        await ctx["backend"].probe()
        return "ok"

    @row("retrieve thread", _kind, "backend", on_thread("GET"), setup=with_thread, gone_on_404=True)
    async def _retrieve(world: World, ctx: dict[str, Any]) -> str:
        await ctx["backend"].retrieve_thread(ctx["T"])
        return "ok"

    @row(
        "list messages",
        _kind,
        "backend",
        on_thread("GET", items),
        setup=with_thread,
        gone_on_404=True,
    )
    async def _list_messages(world: World, ctx: dict[str, Any]) -> str:
        page = await ctx["backend"].list_messages(ctx["T"], limit=100)
        assert len(page.items) == 3
        return "ok"

    @row(
        "add message",
        _kind,
        "backend",
        on_thread("POST", items),
        setup=with_thread,
        gone_on_404=True,
    )
    async def _add_message(world: World, ctx: dict[str, Any]) -> str:
        await ctx["backend"].add_message(ctx["T"], f"hello {ctx['phase']}")
        assert world.texts(ctx["T"]).count(f"hello {ctx['phase']}") == 1
        return "ok"

    @row(
        "start run",
        _kind,
        "backend",
        on("POST", "responses") if _kind == C else on_thread("POST", "runs"),
        setup=with_thread,
        gone_on_404=_kind == A,
    )
    async def _start_run(world: World, ctx: dict[str, Any]) -> str:
        world.fake.script_runs(ctx["T"], [RunPlan(start_after=0, finish_after=0)])
        world.fake.script_responses(ctx["T"], [RunPlan(start_after=0, finish_after=0)])
        await ctx["backend"].start_run(ctx["T"], assistant_id=world.assistant, model="m")
        return "ok"

    @row("get run", _kind, "backend", on_run("GET"), setup=with_run)
    async def _get_run(world: World, ctx: dict[str, Any]) -> str:
        await ctx["backend"].get_run(ctx["T"], ctx["R"])
        return "ok"

    @row("cancel run", _kind, "backend", on_run("POST", "/cancel"), setup=with_run)
    async def _cancel(world: World, ctx: dict[str, Any]) -> str:
        run = await ctx["backend"].cancel_run(ctx["T"], ctx["R"])
        assert run.status in ("cancelling", "cancelled"), run.status
        return "ok"

    @row(
        "submit tool outputs",
        _kind,
        "backend",
        on_thread("POST", items) if _kind == C else on_run("POST", "/submit_tool_outputs"),
        setup=with_waiting_run,
        gone_on_404=_kind == C,
    )
    async def _submit(world: World, ctx: dict[str, Any]) -> str:
        world.fake.script_responses(ctx["T"], [RunPlan(start_after=0, finish_after=0)])
        await ctx["backend"].submit_tool_outputs(ctx["T"], ctx["R"], ctx["calls"])
        return "ok"

    @row(
        "create thread",
        _kind,
        "backend",
        on("POST", "conversations" if _kind == C else "threads"),
        resends=False,
    )
    async def _create(world: World, ctx: dict[str, Any]) -> str:
        info = await ctx["backend"].create_thread([("user", f"seed {ctx['phase']}")])
        world.created.add(info.id)
        return "ok"

    @row(
        "delete thread", _kind, "backend", on_thread("DELETE"), setup=with_thread, gone_on_404=True
    )
    async def _delete(world: World, ctx: dict[str, Any]) -> str:
        try:
            await ctx["backend"].delete_thread(ctx["T"])
        except NotFound:  # what deleting wants: a repeat of a lost delete meets this
            assert ctx["T"] not in world.remote_threads() or ctx["column"] == "404"
            return "already gone"
        return "ok"

    @row(
        "update metadata", _kind, "backend", on_thread("POST"), setup=with_thread, gone_on_404=True
    )
    async def _update(world: World, ctx: dict[str, Any]) -> str:
        await ctx["backend"].update_metadata(ctx["T"], {"reviewed": ctx["phase"]})
        return "ok"

    if _kind == A:  # the Conversations API has none of these: no request is made

        @row(
            "list runs",
            _kind,
            "backend",
            on_thread("GET", "runs"),
            setup=with_run,
            gone_on_404=True,
        )
        async def _list_runs(world: World, ctx: dict[str, Any]) -> str:
            await ctx["backend"].list_runs(ctx["T"])
            return "ok"

        @row("list run steps", _kind, "backend", on_run("GET", "/steps"), setup=with_run)
        async def _list_steps(world: World, ctx: dict[str, Any]) -> str:
            await ctx["backend"].list_run_steps(ctx["T"], ctx["R"])
            return "ok"

        @row("list assistants", _kind, "backend", on("GET", "assistants"))
        async def _list_assistants(world: World, ctx: dict[str, Any]) -> str:
            await ctx["backend"].list_assistants(limit=100)
            return "ok"


# -- core rows: what the CLI and the TUI run on those calls ------------------------------------
for _kind in (A, C):
    items = "items" if _kind == C else "messages"

    @row(
        "chat: send + start run",
        _kind,
        "core",
        on_thread("POST", items),
        setup=with_thread,
        gone_on_404=True,
    )
    async def _send(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.chat.session import ThreadSession

        world.fake.script_runs(ctx["T"], [RunPlan(start_after=0, finish_after=0)])
        world.fake.script_responses(ctx["T"], [RunPlan(start_after=0, finish_after=0)])
        session = ThreadSession(ctx["backend"], ctx["T"])
        text = f"question {ctx['phase']}"
        await session.send(text, world.assistant, "gpt-4o-mini")
        assert world.texts(ctx["T"]).count(text) == 1
        return "ok"

    # The poller on a backend without SDK retries: it waits on its own clock.
    @row("chat: follow run", _kind, "core", on_run("GET"), setup=with_run, retry_after=5.0)
    async def _follow(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.chat.poller import RunPoller

        backend = world.backend(max_retries=0)
        try:
            poller = RunPoller(
                backend, ctx["run"], clock=world.clock, deadline=world.clock.now() + 30
            )
            final = await poller.run()
        finally:
            await backend.aclose()
        if final.error is not None:
            raise final.error
        if final.timed_out:
            problems = sentence_problems(final.message)
            assert not problems, (final.message, problems)
            return "waited to deadline"
        assert final.status == "completed", final.status
        return "ok"

    @row("archive", _kind, "core", on_thread("GET", items), setup=with_thread, gone_on_404=True)
    async def _archive(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.archive.store import archive_thread

        result = await archive_thread(world.services, ctx["T"])
        assert result.message_count == 3
        return "ok"

    @row("export md", _kind, "core", on_thread("GET", items), setup=with_thread, gone_on_404=True)
    async def _export(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.archive.export import export_thread

        done = await export_thread(world.services, ctx["T"], "md", world.folder / "exports")
        assert done.message_count == 3 and done.path.exists()
        return "ok"

    @row("check", _kind, "core", on_thread("GET"), setup=with_threads, gone_on_404=True)
    async def _check(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.finding.checker import check_threads

        report = await check_threads(world.services, [ctx["T"], ctx["T2"], ctx["T3"]])
        for sentence in [*report.errors.values(), *report.skipped.values()]:
            assert not sentence_problems(sentence), sentence
        registry = world.services.registry
        others = [registry.get(t).status for t in (ctx["T2"], ctx["T3"])]
        column = ctx["column"]
        if column == "retired":
            assert report.retired and not report.gone and not report.live, report.as_dict()
            return "retired noted"
        if column == "401":
            assert ctx["T"] in report.skipped and not report.gone, report.as_dict()
            return "stopped"
        assert others == ["live", "live"], others
        first = registry.get(ctx["T"]).status
        if column == "404":
            assert report.gone == [ctx["T"]] and first == "gone"
            return "gone"
        if column == "403":
            assert report.forbidden == [ctx["T"]] and first == "forbidden"
            return "forbidden"
        if report.errors:
            assert first == "unknown" and list(report.errors) == [ctx["T"]]
            return "1 error"
        assert first == "live", first
        return "ok"

    @row("delete", _kind, "core", on_thread("DELETE"), setup=with_thread, gone_on_404=True)
    async def _core_delete(world: World, ctx: dict[str, Any]) -> str:
        outcome = await world.services.delete_thread(ctx["T"])
        return "ok" if outcome == "deleted" else outcome

    @row("prune", _kind, "core", on_thread("DELETE"), setup=with_threads, gone_on_404=True)
    async def _prune(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.auditing.prune import prune

        report = await prune(world.services, [ctx["T"], ctx["T2"], ctx["T3"]])
        for entry in report.entries:
            if entry.detail and entry.outcome == "failed":
                assert not sentence_problems(entry.detail), entry.detail
        if report.failed or report.gone:
            assert report.deleted == 2 or report.stopped, report
            return f"{report.deleted} deleted, {report.gone} gone, {report.failed} failed"
        assert report.deleted == 3, report
        return "ok"

    @row(
        "continue",
        _kind,
        "core",
        on("POST", "conversations" if _kind == C else "threads"),
        setup=with_thread,
        resends=False,
    )
    async def _continue(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.chat.continuation import continue_thread

        new_id = await continue_thread(world.services, ctx["T"])
        world.created.add(new_id)
        return "ok"

    @row("metadata", _kind, "core", on_thread("POST"), setup=with_thread, gone_on_404=True)
    async def _metadata(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.auditing.metadata import update_metadata

        await update_metadata(world.services, ctx["T"], {"reviewed": ctx["phase"]})
        return "ok"

    @row(
        "import dump",
        _kind,
        "core",
        anything,
        setup=with_thread,  # reads files only: faults on every route, no request may be made
    )
    async def _import(world: World, ctx: dict[str, Any]) -> str:
        import json

        from threadtui.core.finding.importer import import_sources

        before = world.fake.count()
        dump = world.folder / f"dump-{ctx['phase']}.json"
        thread_id = ctx["T"]
        if world.kind == C:
            dump = dump.with_suffix(".txt")
            dump.write_text(f"see {thread_id}\n")
        else:
            messages = world.fake.store.threads[thread_id].messages
            dump.write_text(
                json.dumps({"object": "list", "data": messages[::-1], "has_more": False})
            )
        summary = import_sources(world.services, [str(dump)])
        assert not summary.unreadable and world.fake.count() == before
        return "ok · no request"

    if _kind == A:

        @row(
            "run history", _kind, "core", on_thread("GET", "runs"), setup=with_run, gone_on_404=True
        )
        async def _history(world: World, ctx: dict[str, Any]) -> str:
            from threadtui.core.auditing.run_history import run_history

            history = await run_history(world.services, ctx["T"])
            assert len(history.runs) == 1
            return "ok"

    @row(
        "probe server",
        _kind,
        "core",
        on("GET", "assistants") if _kind == A else on("GET", "conversations", "conv_" + "0" * 48),
    )
    async def _server_probe(world: World, ctx: dict[str, Any]) -> str:
        from threadtui.core.finding import servers

        state = await servers.probe(world.services)
        return "retired noted" if state.retired else "ok"


# -- running a cell ----------------------------------------------------------------------------
@dataclass
class CellResult:
    row: str
    kind: str
    layer: str
    column: str
    outcome: str  # phase 1: a success label or the error's class
    recovered: bool | None  # phase 2 (passing faults): succeeded after the fault passed
    duplicates: int = 0
    wrongly_gone: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def survived(self) -> bool:
        return not self.problems


def cell_key(kind: str, layer: str, row_name: str, column: str) -> str:
    return f"{kind}/{layer}/{row_name}/{column}"


LABELS = {
    "RateLimited": "rate limited",
    "ServerError": "server error",
    "NetworkDown": "network down",
    "AuthFailed": "auth failed",
    "WrongProject": "forbidden",
    "NotFound": "not found",
    "ApiRetired": "retired",
    "BadRequest": "refused",
    "NothingToExport": "nothing to export",
    "PruneRefused": "refused up front",
    "NothingToContinue": "nothing to continue",
}


async def _phase(world: World, row_: Row, ctx: dict[str, Any]) -> tuple[str, list[str]]:
    """Run the op once; (label, problems)."""
    backend = world.backend() if row_.layer == "backend" or "chat" in row_.name else None
    ctx = {**ctx, "backend": backend}
    problems: list[str] = []
    column = BY_COLUMN[ctx["column"]]
    try:
        label = await row_.op(world, ctx)
    except ApiError as error:
        label = LABELS.get(type(error).__name__, type(error).__name__)
        problems += [f"message: {p}" for p in sentence_problems(error.user_message)]
        unsure = isinstance(error, NetworkDown) and "may exist" in error.user_message
        if unsure:
            world.unsure += 1
            label = "not resent: may exist"
        if unsure and not row_.resends:
            pass  # the one safe answer to a create whose answer was lost
        elif ctx["faulted"] and not isinstance(error, column.expected):
            problems.append(f"{type(error).__name__} under {column.name}: {error.user_message}")
        elif not ctx["faulted"]:
            problems.append(f"failed after the fault passed: {error.user_message}")
    except OTHER_SENTENCES as error:
        label = LABELS[type(error).__name__]
        problems += [f"message: {p}" for p in sentence_problems(str(error))]
        if not ctx["faulted"]:
            problems.append(f"failed after the fault passed: {error}")
    except AssertionError as wrong:
        label = "wrong result"
        problems.append(f"assertion: {wrong}")
    except Exception as crash:  # the point of the matrix: nothing else may escape
        label = f"crash: {type(crash).__name__}"
        problems.append(f"crashed: {crash!r}")
    finally:
        if backend is not None:
            await backend.aclose()
    return label, problems


async def run_cell(row_: Row, column: Column) -> CellResult:
    """Phase 1 in one world (the fault stays), phase 2 in a fresh one (it passes)."""
    label, problems, duplicates = await _in_world(row_, column, times=None)
    recovered = None
    if column.passing:
        _, more, extra = await _in_world(row_, column, times=1)
        recovered = not more
        problems += [f"once: {p}" for p in more]
        duplicates += extra
    if duplicates:
        problems.append(f"{duplicates} duplicate messages or threads on the server")
    wrongly = sum(1 for p in problems if "wrongly marked gone" in p)
    return CellResult(
        row_.name,
        row_.kind,
        row_.layer,
        column.name,
        label,
        recovered,
        duplicates,
        wrongly,
        problems,
    )


async def _in_world(row_: Row, column: Column, times: int | None) -> tuple[str, list[str], int]:
    world = World(kind=row_.kind)
    try:
        ctx: dict[str, Any] = await row_.setup(world) if row_.setup else {}
        if row_.layer == "core":
            world.track_all()
        allowed_gone = {ctx["T"]} if column.name == "404" and row_.gone_on_404 else set()
        if column.kind is None:  # the server has no such API
            world.retire()
        else:
            method, where = row_.target(world, ctx)
            world.fake.inject(
                column.kind,
                method=method,
                path=None if where is None else "^" + re.escape(where) + "$",
                times=times,
                retry_after=row_.retry_after,
            )
        faulted = times is None
        label, problems = await _phase(
            world,
            row_,
            {
                **ctx,
                "column": column.name,
                "faulted": faulted,
                "phase": "faulted" if faulted else "once",
            },
        )
        world.fake.clear_faults()
        problems += world.registry_problems(allowed_gone)
        return label, problems, world.duplicates()
    finally:
        await world.close()


def cells() -> Iterator[tuple[Row, Column]]:
    for row_ in ROWS:
        for column in COLUMNS:
            yield row_, column


@contextlib.contextmanager
def sdk_backoff(seconds: float = 0.0005) -> Iterator[None]:
    """The SDK's backoff for retries without retry-after (timeouts, drops), shortened:
    it sleeps in real time, and these tests only care that it retries."""
    import openai._base_client as base

    saved = base.INITIAL_RETRY_DELAY
    base.INITIAL_RETRY_DELAY = seconds
    try:
        yield
    finally:
        base.INITIAL_RETRY_DELAY = saved
