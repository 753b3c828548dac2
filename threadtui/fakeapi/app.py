"""`FakeAPI`: the stateful stand-in for OpenAI's API, and its request dispatcher."""

from __future__ import annotations

import asyncio
import json
import random
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

from threadtui.clock import Clock, SystemClock
from threadtui.fakeapi import errors
from threadtui.fakeapi.conversations import ResponseEngine
from threadtui.fakeapi.errors import FakeError
from threadtui.fakeapi.faults import Fault, FaultKind, Faults, Tamper
from threadtui.fakeapi.log import LoggedRequest, RequestLog
from threadtui.fakeapi.paging import ENDLESS_LISTS, Endless, endless_page
from threadtui.fakeapi.plans import DEFAULT_POLL_AFTER_MS, RunPlan
from threadtui.fakeapi.router import Call, Reply, Router, is_assistants_path
from threadtui.fakeapi.runs import RunEngine, RunScripts
from threadtui.fakeapi.store import Store
from threadtui.fakeapi.wire import Abort, WireRequest, WireResponse

BASE_URL = "http://fake.local/v1"

_BAD_JSON = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
    "sent was not valid JSON. If you have trouble figuring out how to fix this, please "
    "contact us through our help center at help.openai.com.)"
)


class FakeAPI:
    """A faithful, stateful fake of OpenAI's wire format.

    `seed=None` starts empty; an int loads seeded demo data (the same for the same int).
    Time comes from `clock` (default wall time); run timelines advance lazily from
    `clock.now()` at each request. `latency` seconds of real sleep are added per request.
    """

    base_url = BASE_URL

    def __init__(
        self, *, clock: Clock | None = None, seed: int | None = None, latency: float = 0.0
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.latency = latency
        self.retired = False
        # `openai-poll-after-ms` by run status; a RunPlan's poll_after_ms overrides it.
        self.poll_after_ms: dict[str, int] = dict(DEFAULT_POLL_AFTER_MS)
        self.requests = RequestLog()
        self.faults = Faults()
        self.endless: dict[str, Endless] = {}  # thread/conversation ID -> how its lists misbehave
        self.tampers: list[Tamper] = []
        self.scripts = RunScripts()
        self.store = Store(random.Random(seed if seed is not None else 0))
        self.engine = RunEngine(self.store)
        self.responses = ResponseEngine(self.store)
        self.response_scripts = RunScripts()
        self.router = Router()
        self._demo_threads: list[dict[str, Any]] = []
        from threadtui.fakeapi import conversations_routes, runs_routes, threads_routes

        runs_routes.register(self.router, self)
        threads_routes.register(self.router, self)
        conversations_routes.register(self.router, self)
        if seed is not None:
            from threadtui.fakeapi.seed import seed_demo

            self._demo_threads = seed_demo(self, seed)

    # -- the knobs tests use ---------------------------------------------------------
    def transport(self):
        """An `httpx2.AsyncBaseTransport` serving this fake in-process."""
        from threadtui.fakeapi.transport import FakeTransport

        return FakeTransport(self)

    def inject(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        path: str | None = None,
        times: int | None = 1,
        retry_after: float | None = None,
    ) -> Fault:
        """Make the next `times` matching requests fail (`times=None`: until cleared).

        Kinds: "429", "500", "503", "401", "403", "404", "timeout", "drop",
        "fail_after_create" (the request takes effect, then the client times out).
        `path` is a regex searched in the path relative to /v1.
        """
        if kind == "429" and retry_after is None:
            retry_after = 1
        return self.faults.add(Fault(kind, method, path, times, retry_after))

    def endless_pages(self, thread_id: str, how: Endless = "repeat") -> None:
        """Make every list of a thread or conversation (messages, items, runs, steps) page
        for ever until `clear_faults()`, as broken servers and proxies have been seen to.

        "repeat": the cursor is ignored; every answer is the first page, `has_more: true`,
        so its `last_id` never moves. "cycle": two pages (the first page's halves; it needs
        two items) whose cursors point at each other.
        """
        self.endless[thread_id] = how

    def tamper(
        self,
        path: str,
        *,
        headers: dict[str, str] | None = None,
        fields: dict[str, Any] | None = None,
        pad_to: int | None = None,
    ) -> Tamper:
        """Make successful answers on `path` (a regex relative to /v1) misbehave until
        `clear_faults()`, as buggy or hostile servers do: odd `headers` (a Retry-After of
        days, an `openai-poll-after-ms` of "inf"), top-level JSON `fields` replaced (an
        `expires_at` in milliseconds, a field of the wrong type), or a body padded with
        whitespace to `pad_to` bytes."""
        made = Tamper(path, dict(headers or {}), dict(fields or {}), pad_to)
        self.tampers.append(made)
        return made

    def clear_faults(self) -> None:
        self.faults.clear()
        self.endless.clear()
        self.tampers.clear()

    def script_runs(
        self,
        thread_id: str | None = None,
        outcomes: list[RunPlan] | None = None,
        *,
        assistant_id: str | None = None,
    ) -> None:
        """Queue plans for the next runs of a thread, of an assistant, or of any thread."""
        self.scripts.add(list(outcomes or []), thread_id, assistant_id)

    def script_responses(
        self, conversation_id: str | None = None, outcomes: list[RunPlan] | None = None
    ) -> None:
        """Queue plans for the next background responses on a conversation (or any).

        Outcomes "completed", "failed" and "incomplete" apply; `reply`, `error_code`,
        `start_after`, `finish_after` and `usage` work as for runs.
        """
        self.response_scripts.add(list(outcomes or []), conversation_id, None)

    def count(
        self, method: str | None = None, path: str | None = None, *, regex: str | None = None
    ) -> int:
        """Logged requests by method and path template (`{x}` matches one segment)."""
        return len(self.requests.matching(method, path, regex=regex))

    def demo_threads(self) -> list[dict[str, Any]]:
        """Seeded threads for the demo registry: {id, title, tags, created_at, kind}."""
        return [dict(d) for d in self._demo_threads]

    # -- dispatch ----------------------------------------------------------------------
    async def handle(self, request: WireRequest) -> WireResponse | Abort:
        """Answer one request (with latency, faults and logging)."""
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        started = time.perf_counter()
        split = urlsplit(request.target)
        full_path = split.path
        path = full_path[3:] if full_path.startswith("/v1/") or full_path == "/v1" else full_path
        query_all = parse_qs(split.query, keep_blank_values=True)
        query = {k.removesuffix("[]"): v[-1] for k, v in query_all.items()}
        query_all = {k.removesuffix("[]"): v for k, v in query_all.items()}
        method = request.method.upper()
        body: Any = None
        bad_json = False
        if request.body:
            try:
                body = json.loads(request.body)
            except ValueError:
                bad_json = True
        now = self.clock.now()
        route_template: str | None = None
        fault = self.faults.take(method, path)
        outcome: WireResponse | Abort
        if fault is not None and fault.kind in ("timeout", "drop"):
            outcome = Abort(fault.kind)
        elif fault is not None and fault.kind != "fail_after_create":
            outcome = self._error_response(self._fault_error(fault, method, path, request))
        else:
            found = self.router.match(method, path) if full_path.startswith("/v1/") else None
            route_template = found[0].template if found else None
            try:
                reply = self._dispatch(
                    found,
                    method,
                    full_path,
                    path,
                    query,
                    query_all,
                    body,
                    bad_json,
                    now,
                    request.headers,
                )
            except FakeError as exc:
                outcome = self._error_response(exc)
            else:
                outcome = self._tampered(path, reply)
            if fault is not None:  # fail_after_create: it happened, but nobody hears back
                outcome = Abort("timeout")
        if isinstance(outcome, WireResponse):
            outcome.headers["openai-processing-ms"] = str(
                max(1, int((time.perf_counter() - started) * 1000))
            )
        self.requests.append(
            LoggedRequest(
                method=method,
                path=path,
                query=query,
                json=body,
                status=outcome.status if isinstance(outcome, WireResponse) else None,
                headers=dict(outcome.headers) if isinstance(outcome, WireResponse) else {},
                route=route_template,
                fault=fault.kind if fault is not None else None,
                request_headers={k: v for k, v in request.headers.items() if k != "authorization"},
                at=now,
                body=outcome.body if isinstance(outcome, WireResponse) else None,
            )
        )
        return outcome

    def _dispatch(
        self, found, method, full_path, path, query, query_all, body, bad_json, now, headers
    ) -> Reply:
        if not headers.get("authorization", "").startswith("Bearer "):
            raise errors.NO_API_KEY
        if self.retired and is_assistants_path(path):
            raise errors.invalid_url(method, full_path)
        if found is None:
            raise errors.invalid_url(method, full_path)
        route, params = found
        if route.beta and "assistants=v2" not in headers.get("openai-beta", ""):
            raise errors.BETA_HEADER_MISSING
        if bad_json:
            raise errors.bad_request(_BAD_JSON)
        self.engine.advance_all(now)
        self.responses.advance_all(now)
        call = Call(method, path, query, query_all, body, params, now, headers)
        how = self.endless.get(params.get("thread_id") or params.get("conversation_id") or "")
        if how is not None and method == "GET" and route.template.endswith(ENDLESS_LISTS):
            return Reply(endless_page(route.handler, call, how))
        result = route.handler(call)
        return result if isinstance(result, Reply) else Reply(result)

    def _tampered(self, path: str, reply: Reply) -> WireResponse:
        """The answer, with whatever `tamper()` asked for on this path."""
        body, headers, pad_to = reply.body, dict(reply.headers), None
        for tamper in self.tampers:
            if tamper.matches(path):
                if tamper.fields and isinstance(body, dict):
                    body = {**body, **tamper.fields}
                headers.update(tamper.headers)
                pad_to = tamper.pad_to if tamper.pad_to is not None else pad_to
        outcome = self._json_response(reply.status, body, headers)
        if pad_to is not None and len(outcome.body) < pad_to:
            outcome.body += b" " * (pad_to - len(outcome.body))
        return outcome

    def _fault_error(self, fault: Fault, method: str, path: str, request: WireRequest) -> FakeError:
        from threadtui.fakeapi.fault_errors import fault_error

        return fault_error(fault, method, path, request.headers.get("authorization", ""))

    def _json_response(self, status: int, body: Any, headers: dict[str, str]) -> WireResponse:
        try:
            payload = json.dumps(body, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate: JSON can only carry it as \uXXXX
            payload = json.dumps(body).encode()
        out = {
            "content-type": "application/json",
            "openai-version": "2020-10-01",
            "x-request-id": self.store.ids.request_id(),
        }
        out.update(headers)
        return WireResponse(status, out, payload)

    def _error_response(self, error: FakeError) -> WireResponse:
        return self._json_response(error.status, error.body(), dict(error.headers))
