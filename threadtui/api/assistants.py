"""The Assistants v2 backend: threads, messages, runs and run steps on `client.beta`.

Every SDK object is turned into a dict (`to_dict(mode="json")`, which keeps fields the SDK
doesn't know) and from there into the records of `threadtui.api.models`; the dict is kept
as `raw`. SDK exceptions become domain errors in one place (`_call`).

No duplicate writes
-------------------
The SDK retries POSTs on timeouts, dropped connections and 5xx. For "add message" that is
wrong: the first attempt may have landed before the connection died, and the retry then
adds the same message twice. So `add_message` (and `start_run`, `submit_tool_outputs`)
go through `_exactly_once`:

1. Each send carries a client-made nonce in the object's metadata
   (``{"threadtui_nonce": "<uuid4 hex>"}``) and goes through a client with SDK retries
   off (``client.with_options(max_retries=0)``).
2. After an unclear failure (timeout, connection error, 5xx) we first *look*: list the
   newest few messages (or runs) of the thread and return the one carrying our nonce if
   the first attempt landed after all.
3. Only if it did not land do we send again, at most `connection.max_retries` times, with
   exponential backoff (0.5 s, 1 s, 2 s…) on the backend's clock. A 429 was refused before
   anything was created, so it is resent after waiting its `retry-after`.
4. If looking fails as well, `add_message` gives up with that error rather than risk a
   duplicate (the caller keeps the text); `start_run` sends again, because the server
   refuses a second active run.

A duplicate run is less harmful (the server refuses it with 400 "already has an active
run"); when that active run carries our nonce it is the one we created, and we return it.
For tool outputs, "landed" means the run no longer waits for those tool calls.

GETs and the other writes (create thread, update metadata, delete, cancel) keep the SDK's
retries: repeating them changes nothing, except that a retried "create thread" can leave an
orphaned empty thread, which no reconciliation can find because there is no list endpoint.

Every Assistants method of the SDK emits a DeprecationWarning ("The Assistants API is
deprecated…", or "deprecated" for assistants). `_call` filters exactly those messages of
that category, when raised from this module's calls or the SDK wrappers they go through.
"""

from __future__ import annotations

import functools
import uuid
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from threadtui.api.backend import Backend, Connection, Order
from threadtui.api.client import make_client
from threadtui.api.errors import (
    ApiError,
    ApiRetired,
    BadRequest,
    NetworkDown,
    NotFound,
    RateLimited,
    ReadOnly,
    RunActive,
    ServerError,
)
from threadtui.api.models import (
    Annotation,
    AssistantInfo,
    Message,
    Page,
    Part,
    Run,
    RunStep,
    ThreadInfo,
    ToolCall,
    Usage,
)
from threadtui.api.sdk_errors import domain_error
from threadtui.clock import Clock, SystemClock

T = TypeVar("T")

NONCE_KEY = "threadtui_nonce"
POLL_AFTER_HEADER = "openai-poll-after-ms"
RECONCILE_LIMIT = 20  # how many of the newest messages/runs to search for our nonce
MAX_RESEND_WAIT = 60.0  # never wait longer than this before resending

READ_ONLY_MESSAGE = (
    "This profile is read-only, so nothing was sent: use a profile without read_only to "
    "change threads."
)
RETIRED_MESSAGE = (
    "This server no longer offers the Assistants API (its routes answer 404): your "
    "tracked threads are kept as they are; read them from the local archive or use a "
    "conversations profile."
)
NO_ASSISTANT_MESSAGE = (
    "A run needs an assistant: choose one (asst_…) for this thread and try again."
)

# The SDK marks every Assistants method deprecated: threads, messages and runs with "The
# Assistants API is deprecated in favor of the Responses API", assistants with just
# "deprecated". The warning is attributed to whoever called the method: this module, or an
# SDK wrapper (raw responses, argument checks) that we called.
_DEPRECATION_MESSAGES = (r"The Assistants API is deprecated", r"deprecated\Z")
_DEPRECATION_CALLERS = r"(threadtui\.api\.assistants|openai(\.[\w.]+)?)\Z"


def _silence_deprecation() -> None:
    # A persistent filter rather than catch_warnings(): before Python 3.14 that swaps the
    # global filter list, which concurrent tasks would restore out of order. Re-applied per
    # call because test runners and apps reset filters; filterwarnings() replaces an
    # identical filter instead of adding another, so the list never grows.
    for message in _DEPRECATION_MESSAGES:
        warnings.filterwarnings(
            "ignore", message=message, category=DeprecationWarning, module=_DEPRECATION_CALLERS
        )


def _mutating(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Refuse with ReadOnly, before anything is sent, on a read-only connection."""

    @functools.wraps(method)
    async def guarded(self: AssistantsBackend, *args: Any, **kwargs: Any) -> T:
        if self.read_only:
            raise ReadOnly(READ_ONLY_MESSAGE)
        return await method(self, *args, **kwargs)

    return guarded


def _given(**params: Any) -> dict[str, Any]:
    """Only the parameters that were given: the SDK wants them omitted, not None."""
    return {name: value for name, value in params.items() if value is not None}


def _backoff(attempt: int) -> float:
    return min(0.5 * 2**attempt, 8.0)


class AssistantsBackend(Backend):
    """Assistants v2 threads on any server that still speaks that wire format."""

    kind: Literal["assistants"] = "assistants"

    def __init__(self, connection: Connection, *, clock: Clock | None = None) -> None:
        super().__init__(connection)
        self._clock = clock or SystemClock()
        self._secrets = (connection.api_key,) if connection.api_key else ()
        self._client_instance: Any = None
        self._once_instance: Any = None

    # -- plumbing -----------------------------------------------------------------
    @property
    def _client(self) -> Any:
        # Built on first use so that a missing key surfaces as AuthFailed from a call.
        if self._client_instance is None:
            self._client_instance = make_client(self.connection)
        return self._client_instance

    @property
    def _once(self) -> Any:
        """The same client with SDK retries off, for sends we reconcile ourselves."""
        if self._once_instance is None:
            self._once_instance = self._client.with_options(max_retries=0)
        return self._once_instance

    async def _call(self, make: Callable[[], Awaitable[T]], *, object_id: str | None = None) -> T:
        """Await one SDK call; its exceptions become domain errors."""
        import openai

        _silence_deprecation()
        try:
            return await make()
        except openai.OpenAIError as exc:
            error = domain_error(exc, object_id=object_id, secrets=self._secrets)
            if isinstance(error, ApiRetired):
                error = ApiRetired(RETIRED_MESSAGE, status=error.status)
            raise error from exc

    async def _call_run(self, make: Callable[[], Awaitable[Any]], *, object_id: str) -> Run:
        """A run call made `with_raw_response`, so the poll-after header is kept."""
        response = await self._call(make, object_id=object_id)
        return run_from_dict(_as_dict(response.parse()), _poll_after(response.headers))

    async def _exactly_once(
        self,
        send: Callable[[], Awaitable[T]],
        landed: Callable[[], Awaitable[T | None]],
        *,
        object_id: str,
        resend_when_unsure: bool = False,
    ) -> T:
        """Send without SDK retries; after an unclear failure, look before sending again.

        If looking fails too, the error is raised, unless `resend_when_unsure` (for sends
        whose duplicates the server refuses anyway).
        """
        attempt = 0
        while True:
            try:
                return await self._call(send, object_id=object_id)
            except (NetworkDown, ServerError) as exc:
                try:
                    found = await landed()
                except (NetworkDown, ServerError, RateLimited):
                    if not resend_when_unsure:
                        raise
                    found = None
                if found is not None:
                    return found
                error: ApiError = exc
                wait = _backoff(attempt)
            except RateLimited as exc:  # refused before anything was created
                error = exc
                wait = exc.retry_after if exc.retry_after is not None else _backoff(attempt)
            attempt += 1
            if attempt > self.connection.max_retries or wait > MAX_RESEND_WAIT:
                raise error
            await self._clock.sleep(wait)

    async def aclose(self) -> None:
        if self._client_instance is not None:
            await self._client_instance.close()

    # -- reading -------------------------------------------------------------------
    async def probe(self) -> None:
        try:
            await self._call(lambda: self._client.beta.assistants.list(limit=1))
        except NotFound as exc:  # even a plain 404 on /assistants: nothing lives here
            raise ApiRetired(RETIRED_MESSAGE, status=404) from exc

    async def retrieve_thread(self, thread_id: str) -> ThreadInfo:
        thread = await self._call(
            lambda: self._client.beta.threads.retrieve(thread_id), object_id=thread_id
        )
        return thread_from_dict(_as_dict(thread))

    async def list_messages(
        self,
        thread_id: str,
        *,
        limit: int = 20,
        order: Order = "desc",
        after: str | None = None,
        before: str | None = None,
        run_id: str | None = None,
    ) -> Page[Message]:
        params = _given(limit=limit, order=order, after=after, before=before, run_id=run_id)
        page = await self._call(
            lambda: self._client.beta.threads.messages.list(thread_id, **params),
            object_id=thread_id,
        )
        return _page(page, message_from_dict)

    async def get_run(self, thread_id: str, run_id: str) -> Run:
        runs = self._client.beta.threads.runs.with_raw_response
        return await self._call_run(
            lambda: runs.retrieve(run_id, thread_id=thread_id), object_id=run_id
        )

    async def list_runs(
        self, thread_id: str, *, limit: int = 20, order: Order = "desc", after: str | None = None
    ) -> Page[Run]:
        params = _given(limit=limit, order=order, after=after)
        page = await self._call(
            lambda: self._client.beta.threads.runs.list(thread_id, **params), object_id=thread_id
        )
        return _page(page, run_from_dict)

    async def list_run_steps(
        self, thread_id: str, run_id: str, *, limit: int = 100, after: str | None = None
    ) -> Page[RunStep]:
        params = _given(limit=limit, after=after, order="asc")
        page = await self._call(
            lambda: self._client.beta.threads.runs.steps.list(
                run_id, thread_id=thread_id, **params
            ),
            object_id=run_id,
        )
        return _page(page, step_from_dict)

    async def list_assistants(self, *, limit: int = 20) -> Page[AssistantInfo]:
        page = await self._call(lambda: self._client.beta.assistants.list(limit=limit))
        return _page(page, assistant_from_dict)

    # -- changing ------------------------------------------------------------------
    @_mutating
    async def create_thread(
        self,
        messages: Sequence[tuple[str, str]] = (),
        metadata: Mapping[str, str] | None = None,
    ) -> ThreadInfo:
        seed = [{"role": role, "content": text} for role, text in messages]
        params = _given(metadata=dict(metadata) if metadata is not None else None)
        thread = await self._call(lambda: self._client.beta.threads.create(messages=seed, **params))
        return thread_from_dict(_as_dict(thread))

    @_mutating
    async def delete_thread(self, thread_id: str) -> None:
        deleted = await self._call(
            lambda: self._client.beta.threads.delete(thread_id), object_id=thread_id
        )
        if not getattr(deleted, "deleted", False):
            raise BadRequest(f"The server did not delete {thread_id}: try again later.")

    @_mutating
    async def update_metadata(self, thread_id: str, metadata: Mapping[str, str]) -> ThreadInfo:
        thread = await self._call(
            lambda: self._client.beta.threads.update(thread_id, metadata=dict(metadata)),
            object_id=thread_id,
        )
        return thread_from_dict(_as_dict(thread))

    @_mutating
    async def add_message(self, thread_id: str, text: str) -> Message:
        nonce = uuid.uuid4().hex

        async def send() -> Message:
            message = await self._once.beta.threads.messages.create(
                thread_id, role="user", content=text, metadata={NONCE_KEY: nonce}
            )
            return message_from_dict(_as_dict(message))

        async def landed() -> Message | None:
            page = await self.list_messages(thread_id, limit=RECONCILE_LIMIT, order="desc")
            return next((m for m in page.items if _nonce(m.raw) == nonce), None)

        return await self._exactly_once(send, landed, object_id=thread_id)

    @_mutating
    async def start_run(
        self, thread_id: str, *, assistant_id: str | None = None, model: str | None = None
    ) -> Run:
        if not assistant_id:
            raise BadRequest(NO_ASSISTANT_MESSAGE)
        nonce = uuid.uuid4().hex
        params = _given(model=model)

        async def send() -> Run:
            response = await self._once.beta.threads.runs.with_raw_response.create(
                thread_id, assistant_id=assistant_id, metadata={NONCE_KEY: nonce}, **params
            )
            return run_from_dict(_as_dict(response.parse()), _poll_after(response.headers))

        async def landed() -> Run | None:
            page = await self.list_runs(thread_id, limit=RECONCILE_LIMIT, order="desc")
            return next((r for r in page.items if _nonce(r.raw) == nonce), None)

        try:
            return await self._exactly_once(
                send, landed, object_id=thread_id, resend_when_unsure=True
            )
        except RunActive as busy:
            # A resend after a lost answer meets the run the first attempt created.
            if busy.run_id:
                active = await self.get_run(thread_id, busy.run_id)
                if _nonce(active.raw) == nonce:
                    return active
            raise

    @_mutating
    async def cancel_run(self, thread_id: str, run_id: str) -> Run:
        runs = self._client.beta.threads.runs.with_raw_response
        try:
            return await self._call_run(
                lambda: runs.cancel(run_id, thread_id=thread_id), object_id=run_id
            )
        except BadRequest:
            # "Cannot cancel run with status 'completed'": the run won the race, or a
            # cancel is already under way.
            run = await self.get_run(thread_id, run_id)
            if run.is_terminal or run.status == "cancelling":
                return run
            raise

    @_mutating
    async def submit_tool_outputs(
        self, thread_id: str, run_id: str, outputs: Mapping[str, str]
    ) -> Run:
        tool_outputs = [{"tool_call_id": call, "output": text} for call, text in outputs.items()]

        async def send() -> Run:
            response = await self._once.beta.threads.runs.with_raw_response.submit_tool_outputs(
                run_id, thread_id=thread_id, tool_outputs=tool_outputs
            )
            return run_from_dict(_as_dict(response.parse()), _poll_after(response.headers))

        async def landed() -> Run | None:
            run = await self.get_run(thread_id, run_id)
            waiting = {call.id for call in run.tool_calls}
            still_waiting = run.status == "requires_action" and waiting & set(outputs)
            return None if still_waiting else run

        return await self._exactly_once(send, landed, object_id=run_id)


# -- wire dicts -> records -------------------------------------------------------------
def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    return obj.to_dict(mode="json", warnings=False)


def _poll_after(headers: Mapping[str, str]) -> int | None:
    value = headers.get(POLL_AFTER_HEADER)
    try:
        return max(0, int(float(value))) if value is not None else None
    except ValueError:
        return None


def _nonce(raw: Mapping[str, Any]) -> str | None:
    metadata = raw.get("metadata") or {}
    return metadata.get(NONCE_KEY) if isinstance(metadata, Mapping) else None


def _page(page: Any, convert: Callable[[dict[str, Any]], T]) -> Page[T]:
    items = [convert(_as_dict(item)) for item in page.data or []]
    # first_id/last_id are fields the SDK's page keeps as extras; fall back to the items.
    first_id = getattr(page, "first_id", None) or (items[0].id if items else None)  # type: ignore[attr-defined]
    last_id = getattr(page, "last_id", None) or (items[-1].id if items else None)  # type: ignore[attr-defined]
    return Page(items=items, first_id=first_id, last_id=last_id, has_more=bool(page.has_more))


def _dig(raw: Mapping[str, Any], *keys: str) -> Any:
    """raw[k1][k2]… or None where anything along the way is missing or not a dict."""
    value: Any = raw
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def _metadata(raw: Mapping[str, Any]) -> dict[str, str]:
    metadata = raw.get("metadata") or {}
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, Mapping) else {}


def usage_from_dict(raw: Mapping[str, Any] | None) -> Usage | None:
    if not isinstance(raw, Mapping):
        return None
    return Usage(
        prompt_tokens=int(raw.get("prompt_tokens") or 0),
        completion_tokens=int(raw.get("completion_tokens") or 0),
        total_tokens=int(raw.get("total_tokens") or 0),
    )


def thread_from_dict(raw: dict[str, Any]) -> ThreadInfo:
    return ThreadInfo(
        id=raw["id"],
        kind="thread",
        created_at=raw.get("created_at"),
        metadata=_metadata(raw),
        raw=raw,
    )


def annotation_from_dict(raw: Mapping[str, Any]) -> Annotation:
    kind = str(raw.get("type") or "unknown")
    target = (
        _dig(raw, "file_citation", "file_id")
        or _dig(raw, "file_path", "file_id")
        or _dig(raw, "url_citation", "url")
        or raw.get("url")
        or raw.get("file_id")
        or ""
    )
    title = _dig(raw, "url_citation", "title") or raw.get("title")
    return Annotation(
        kind=kind,
        text=str(raw.get("text") or ""),
        target=str(target),
        start=raw.get("start_index"),
        end=raw.get("end_index"),
        title=title if isinstance(title, str) else None,
    )


def part_from_dict(raw: Mapping[str, Any]) -> Part:
    kind = str(raw.get("type") or "unknown")
    if kind == "text":
        text = raw.get("text")
        if isinstance(text, Mapping):
            annotations = tuple(annotation_from_dict(a) for a in text.get("annotations") or ())
            return Part("text", text=str(text.get("value") or ""), annotations=annotations)
        return Part("text", text=str(text or ""))
    if kind == "refusal":
        return Part("refusal", text=str(raw.get("refusal") or ""))
    if kind == "image_file":
        return Part("image_file", ref=_dig(raw, "image_file", "file_id"))
    if kind == "image_url":
        return Part("image_url", ref=_dig(raw, "image_url", "url"))
    # A part type we don't know yet: keep its wire type, and its text if it has one.
    text = raw.get("text")
    return Part(kind, text=text if isinstance(text, str) else "")


def message_from_dict(raw: dict[str, Any]) -> Message:
    attachments = tuple(
        a["file_id"]
        for a in raw.get("attachments") or ()
        if isinstance(a, Mapping) and a.get("file_id")
    )
    return Message(
        id=raw["id"],
        thread_id=raw.get("thread_id") or "",
        role=str(raw.get("role") or "unknown"),
        created_at=raw.get("created_at"),
        parts=tuple(part_from_dict(p) for p in raw.get("content") or () if isinstance(p, Mapping)),
        assistant_id=raw.get("assistant_id"),
        run_id=raw.get("run_id"),
        status=raw.get("status"),
        incomplete_reason=_dig(raw, "incomplete_details", "reason"),
        attachments=attachments,
        raw=raw,
    )


def _last_error(raw: Mapping[str, Any]) -> str | None:
    error = raw.get("last_error")
    if not isinstance(error, Mapping):
        return None
    code, message = error.get("code"), error.get("message")
    return ": ".join(str(p) for p in (code, message) if p) or None


def run_from_dict(raw: dict[str, Any], poll_after_ms: int | None = None) -> Run:
    calls = _dig(raw, "required_action", "submit_tool_outputs", "tool_calls") or ()
    tool_calls = tuple(
        ToolCall(
            id=call.get("id", ""),
            name=_dig(call, "function", "name") or "",
            arguments=_dig(call, "function", "arguments") or "",
            type=call.get("type") or "function",
        )
        for call in calls
        if isinstance(call, Mapping)
    )
    return Run(
        id=raw["id"],
        thread_id=raw.get("thread_id") or "",
        status=str(raw.get("status") or "unknown"),
        created_at=raw.get("created_at"),
        assistant_id=raw.get("assistant_id"),
        model=raw.get("model"),
        started_at=raw.get("started_at"),
        completed_at=raw.get("completed_at"),
        failed_at=raw.get("failed_at"),
        cancelled_at=raw.get("cancelled_at"),
        expires_at=raw.get("expires_at"),
        last_error=_last_error(raw),
        incomplete_reason=_dig(raw, "incomplete_details", "reason"),
        usage=usage_from_dict(raw.get("usage")),
        tool_calls=tool_calls,
        poll_after_ms=poll_after_ms,
        raw=raw,
    )


def _tool_call_line(call: Mapping[str, Any]) -> str:
    kind = str(call.get("type") or "tool")
    if kind == "function":
        name = _dig(call, "function", "name") or "?"
        arguments = _dig(call, "function", "arguments") or ""
        output = _dig(call, "function", "output")
        line = f"function {name}({arguments})"
        return f"{line} -> {output}" if output is not None else line
    if kind == "code_interpreter":
        line = f"code_interpreter: {_dig(call, 'code_interpreter', 'input') or ''}"
        for output in _dig(call, "code_interpreter", "outputs") or ():
            if not isinstance(output, Mapping):
                continue
            if output.get("type") == "logs":
                line += f"\n-> {output.get('logs') or ''}"
            elif output.get("type") == "image":
                line += f"\n-> image {_dig(output, 'image', 'file_id') or ''}"
        return line
    if kind == "file_search":
        results = _dig(call, "file_search", "results") or ()
        names = ", ".join(str(r.get("file_name") or r.get("file_id")) for r in results)
        return f"file_search: {len(results)} results" + (f" ({names})" if names else "")
    return kind


def step_from_dict(raw: dict[str, Any]) -> RunStep:
    details_raw = raw.get("step_details") or {}
    if raw.get("type") == "message_creation":
        message_id = _dig(details_raw, "message_creation", "message_id")
        details: tuple[str, ...] = (f"message {message_id}",) if message_id else ()
    else:
        details = tuple(
            _tool_call_line(call)
            for call in _dig(details_raw, "tool_calls") or ()
            if isinstance(call, Mapping)
        )
    return RunStep(
        id=raw["id"],
        run_id=raw.get("run_id") or "",
        type=str(raw.get("type") or "unknown"),
        status=str(raw.get("status") or "unknown"),
        created_at=raw.get("created_at"),
        completed_at=raw.get("completed_at"),
        usage=usage_from_dict(raw.get("usage")),
        details=details,
        raw=raw,
    )


def assistant_from_dict(raw: dict[str, Any]) -> AssistantInfo:
    return AssistantInfo(
        id=raw["id"],
        name=raw.get("name"),
        model=raw.get("model"),
        created_at=raw.get("created_at"),
        raw=raw,
    )
