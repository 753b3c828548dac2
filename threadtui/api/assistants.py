"""The Assistants v2 backend: threads, messages, runs and run steps on `client.beta`.

Every SDK object is turned into a dict (`to_dict(mode="json")`, which keeps fields the SDK
doesn't know) and from there into the records of `threadtui.api.models`; the dict is kept
as `raw`. SDK exceptions become domain errors in one place (`_call`). The plumbing shared
with the Conversations backend (client, `_call`, `_exactly_once`, `mutating`) lives in
`threadtui.api.sdk_backend`.

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

GETs and the other writes (update metadata, delete, cancel) keep the SDK's retries:
repeating them changes nothing. "Create thread" is sent once (`_create_once`): a thread
whose answer was lost cannot be looked for (there is no list endpoint), so it is not sent
again after a timeout, dropped connection or 5xx, which would leave an orphaned copy of
its seed messages; the error says the thread may exist. A 429 is resent after its wait.

Every Assistants method of the SDK emits a DeprecationWarning ("The Assistants API is
deprecated…", or "deprecated" for assistants). `_call` filters exactly those messages of
that category, when raised from this module's calls or the SDK wrappers they go through.
"""

from __future__ import annotations

import uuid
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Literal

from threadtui.api.assistants_wire import (
    assistant_from_dict,
    message_from_dict,
    run_from_dict,
    step_from_dict,
    thread_from_dict,
)
from threadtui.api.backend import Order
from threadtui.api.errors import (
    ApiError,
    ApiRetired,
    BadRequest,
    NotFound,
    RunActive,
)
from threadtui.api.models import AssistantInfo, Message, Page, Run, RunStep, ThreadInfo
from threadtui.api.sdk_backend import (
    SdkBackend,
    T,
    given,
    mutating,
    page_of,
    poll_after,
)
from threadtui.api.wire import as_dict

NONCE_KEY = "threadtui_nonce"
RECONCILE_LIMIT = 20  # how many of the newest messages/runs to search for our nonce

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


class AssistantsBackend(SdkBackend):
    """Assistants v2 threads on any server that still speaks that wire format."""

    kind: Literal["assistants"] = "assistants"
    read_only_message = READ_ONLY_MESSAGE

    # -- plumbing -----------------------------------------------------------------
    async def _call(self, make: Callable[[], Awaitable[T]], *, object_id: str | None = None) -> T:
        _silence_deprecation()
        return await super()._call(make, object_id=object_id)

    def _domain_error(self, exc: BaseException, object_id: str | None) -> ApiError:
        error = super()._domain_error(exc, object_id)
        if isinstance(error, ApiRetired):
            return ApiRetired(RETIRED_MESSAGE, status=error.status)
        return error

    async def _call_run(self, make: Callable[[], Awaitable[Any]], *, object_id: str) -> Run:
        """A run call made `with_raw_response`, so the poll-after header is kept."""
        response = await self._call(make, object_id=object_id)
        return run_from_dict(as_dict(response.parse()), poll_after(response.headers))

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
        return thread_from_dict(as_dict(thread))

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
        params = given(limit=limit, order=order, after=after, before=before, run_id=run_id)
        page = await self._call(
            lambda: self._client.beta.threads.messages.list(thread_id, **params),
            object_id=thread_id,
        )
        return page_of(page, message_from_dict)

    async def get_run(self, thread_id: str, run_id: str) -> Run:
        runs = self._client.beta.threads.runs.with_raw_response
        return await self._call_run(
            lambda: runs.retrieve(run_id, thread_id=thread_id), object_id=run_id
        )

    async def list_runs(
        self, thread_id: str, *, limit: int = 20, order: Order = "desc", after: str | None = None
    ) -> Page[Run]:
        params = given(limit=limit, order=order, after=after)
        page = await self._call(
            lambda: self._client.beta.threads.runs.list(thread_id, **params), object_id=thread_id
        )
        return page_of(page, run_from_dict)

    async def list_run_steps(
        self, thread_id: str, run_id: str, *, limit: int = 100, after: str | None = None
    ) -> Page[RunStep]:
        params = given(limit=limit, after=after, order="asc")
        page = await self._call(
            lambda: self._client.beta.threads.runs.steps.list(
                run_id, thread_id=thread_id, **params
            ),
            object_id=run_id,
        )
        return page_of(page, step_from_dict)

    async def list_assistants(self, *, limit: int = 20) -> Page[AssistantInfo]:
        page = await self._call(lambda: self._client.beta.assistants.list(limit=limit))
        return page_of(page, assistant_from_dict)

    # -- changing ------------------------------------------------------------------
    @mutating
    async def create_thread(
        self,
        messages: Sequence[tuple[str, str]] = (),
        metadata: Mapping[str, str] | None = None,
        *,
        on_created: Callable[[ThreadInfo], None] | None = None,
    ) -> ThreadInfo:
        seed = [{"role": role, "content": text} for role, text in messages]
        params = given(metadata=dict(metadata) if metadata is not None else None)

        async def send() -> ThreadInfo:
            thread = await self._once.beta.threads.create(messages=seed, **params)
            return thread_from_dict(as_dict(thread))

        thread = await self._create_once(send, "thread")
        if on_created is not None:
            on_created(thread)  # one request made it whole: nothing follows
        return thread

    @mutating
    async def delete_thread(self, thread_id: str) -> None:
        deleted = await self._call(
            lambda: self._client.beta.threads.delete(thread_id), object_id=thread_id
        )
        if not getattr(deleted, "deleted", False):
            raise BadRequest(f"The server did not delete {thread_id}: try again later.")

    @mutating
    async def update_metadata(self, thread_id: str, metadata: Mapping[str, str]) -> ThreadInfo:
        thread = await self._call(
            lambda: self._client.beta.threads.update(thread_id, metadata=dict(metadata)),
            object_id=thread_id,
        )
        return thread_from_dict(as_dict(thread))

    @mutating
    async def add_message(self, thread_id: str, text: str) -> Message:
        nonce = uuid.uuid4().hex

        async def send() -> Message:
            message = await self._once.beta.threads.messages.create(
                thread_id, role="user", content=text, metadata={NONCE_KEY: nonce}
            )
            return message_from_dict(as_dict(message))

        async def landed() -> Message | None:
            page = await self.list_messages(thread_id, limit=RECONCILE_LIMIT, order="desc")
            return next((m for m in page.items if _nonce(m.raw) == nonce), None)

        return await self._exactly_once(send, landed, object_id=thread_id)

    @mutating
    async def start_run(
        self, thread_id: str, *, assistant_id: str | None = None, model: str | None = None
    ) -> Run:
        if not assistant_id:
            raise BadRequest(NO_ASSISTANT_MESSAGE)
        nonce = uuid.uuid4().hex
        params = given(model=model)

        async def send() -> Run:
            response = await self._once.beta.threads.runs.with_raw_response.create(
                thread_id, assistant_id=assistant_id, metadata={NONCE_KEY: nonce}, **params
            )
            return run_from_dict(as_dict(response.parse()), poll_after(response.headers))

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

    @mutating
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

    @mutating
    async def submit_tool_outputs(
        self, thread_id: str, run_id: str, outputs: Mapping[str, str]
    ) -> Run:
        tool_outputs = [{"tool_call_id": call, "output": text} for call, text in outputs.items()]

        async def send() -> Run:
            response = await self._once.beta.threads.runs.with_raw_response.submit_tool_outputs(
                run_id, thread_id=thread_id, tool_outputs=tool_outputs
            )
            return run_from_dict(as_dict(response.parse()), poll_after(response.headers))

        async def landed() -> Run | None:
            run = await self.get_run(thread_id, run_id)
            waiting = {call.id for call in run.tool_calls}
            still_waiting = run.status == "requires_action" and waiting & set(outputs)
            return None if still_waiting else run

        return await self._exactly_once(send, landed, object_id=run_id)


# -- wire dicts -> records -------------------------------------------------------------


def _nonce(raw: Mapping[str, Any]) -> str | None:
    metadata = raw.get("metadata") or {}
    return metadata.get(NONCE_KEY) if isinstance(metadata, Mapping) else None
