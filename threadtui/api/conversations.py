"""The Conversations backend: conv_… conversations, their items, background responses.

The Responses API's successor to Assistants threads, behind the same `Backend` interface.
Every SDK object is turned into a dict (`to_dict(mode="json")`, which keeps fields the SDK
doesn't know) and from there into the records of `threadtui.api.models`; the dict is kept
as `raw`. SDK exceptions become domain errors in `_call` (`threadtui.api.sdk_backend`):
404 "Conversation with id 'conv_…' not found." is NotFound naming the conversation, 400
`conversation_locked` is RunActive.

How the interface maps
----------------------
- Threads are conversations: `retrieve_thread`, `delete_thread` and `update_metadata` are
  `conversations.retrieve/delete/update`; `ThreadInfo.kind` is "conversation".
- `create_thread(messages)` is `conversations.create(items=…)`. user, system and developer
  text becomes a message item with one `input_text` part. Assistant text is sent as an
  "easy" message with string content (``{"role": "assistant", "content": text}``), which
  the API stores as an assistant message with one `output_text` part: the explicit
  output-message shape would need an `id` and `status` that only the model's own output
  has. The API takes at most 20 items per request, so longer seeds go 20 at a time (the
  first 20 with the create, the rest through `items.create`, each batch exactly once as
  below); if a batch fails for good, the half-made conversation is deleted (best effort)
  and the error raised, so no partial copy is left behind.
- Messages are conversation items (`items.list`: after, limit, order). The API has no
  `before`; `before=X` is answered exactly with one request, by listing `after=X` in the
  opposite order and reversing the page. Both cursors at once are refused (BadRequest).
  Items carry no `created_at`, so `Message.created_at` is None.
- Message items keep every part: input_text and output_text (with url_citation,
  file_citation, container_file_citation and file_path annotations), refusal, input_image
  (a file ID or URL; inline data URLs are cut to their media type), input_file. Other item
  types (function_call, function_call_output, reasoning, web_search_call,
  file_search_call, …) become a `Message` with `item_type` = the wire type, the role of
  the item if it has one, else "tool" for `*_output` items and "assistant" for the rest,
  and one `Part(kind=<wire type>)` whose text is a compact one-line description:
  ``get_weather({"city": "Oslo"})``, the call's output, the reasoning summary, the search
  query, the file search queries.
- Runs are background responses: `start_run` is ``responses.create(model=…,
  conversation=…, background=True, store=True)`` with no `input`. The user's text was
  already added by `add_message` as a conversation item, so it is in the conversation
  (and visible to other clients) at once, survives a failed response, and is never sent
  twice; the response then answers the conversation as it stands. `assistant_id` has no
  meaning here and is ignored; the model is `model` (the profile's default_model), else
  `DEFAULT_MODEL`. `get_run` is `responses.retrieve`, `cancel_run` is
  `responses.cancel`; a response becomes a `Run`: status (queued, in_progress, completed,
  failed, cancelled, incomplete), usage (input/output/total tokens as
  prompt/completion/total), `last_error` from `error`, `incomplete_reason` from
  `incomplete_details`, `thread_id` the conversation, `tool_calls` the function calls in
  its output. So `threadtui.core.chat.poller.RunPoller` follows a response unchanged.
- `list_messages(run_id=resp_…)` pages (after, before, order, limit) through that
  response's own output items, from one `responses.retrieve`: exactly what a finished
  response added to the conversation, which the API appends only at completion. They carry
  `run_id`; an incomplete one carries the response's `incomplete_reason`. A response that
  answered in another conversation is refused (BadRequest).
- Conversations have no list of responses, run steps or assistants: `list_runs`,
  `list_run_steps` and `list_assistants` return empty pages (the TUI then uses the
  profile's default_model).
- `submit_tool_outputs` adds one `function_call_output` item per output (exactly once,
  below) and starts a new background response on the model of the one that made the calls.
- `probe` retrieves a well-formed conversation ID that cannot exist: the API's own 404 (or
  a 400 about the ID) proves the route is there and the key works; a 404 "Invalid URL" means
  the server has no Conversations API.

No duplicate writes
-------------------
The SDK retries POSTs after timeouts, dropped connections and 5xx, and a retried write can
land twice. Items carry no metadata, so they cannot carry a nonce as Assistants messages
do. `add_message` (and `submit_tool_outputs`, and seed batches after the first) therefore:

1. notes the newest item of the conversation first (one `items.list(limit=1)`, so a
   message costs one GET more than it would; for seed batches after the second, the
   previous batch's answer says it);
2. sends with SDK retries off;
3. after an unclear failure, lists the items after that one and returns ours if they are
   there: messages are recognised by role and text, tool outputs by call ID and output,
   in the order sent;
4. only if they are not there sends again (at most `connection.max_retries` times, with
   backoff on the backend's clock; a 429 after its retry-after). If looking fails too,
   the error is raised and nothing is sent again (the caller keeps the text).

Residual risk: another client adding the very same text to the same conversation between
our first attempt and our look would be taken for ours (our message then is not sent);
and if the remembered item is deleted in between, we cannot look, so we give up.

`start_run` cannot look: there is no list of responses, and items don't name the response
that wrote them. It sends with SDK retries off and, after an unclear failure, sends again.
While the first attempt's response is still running the server refuses the second one
(`conversation_locked`); that refusal is then reported as RunActive saying the response
probably started but its ID was lost (reload the conversation when it is done). If the
first response finished before the resend arrives, the conversation gets a second answer.
`create_thread`'s `conversations.create` is sent once, like the Assistants backend's
create (`_create_once`): after a lost answer it is not repeated, since a second create
would leave an orphaned conversation nobody can list; the error says it may exist.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from threadtui.api.backend import Order
from threadtui.api.conversations_wire import (
    MAX_ITEMS_PER_REQUEST,
    conversation_from_dict,
    message_from_item,
    run_from_response,
)
from threadtui.api.errors import (
    ApiError,
    ApiRetired,
    BadRequest,
    NetworkDown,
    NotFound,
    RunActive,
)
from threadtui.api.models import AssistantInfo, Message, Page, Run, RunStep, ThreadInfo
from threadtui.api.sdk_backend import (
    SdkBackend,
    given,
    mutating,
    page_of,
    poll_after,
)
from threadtui.api.wire import as_dict

DEFAULT_MODEL = "gpt-4o-mini"
RECONCILE_LIMIT = 100  # items after the remembered one searched for ours (the API's maximum)
PROBE_ID = "conv_" + "0" * 48  # well-formed, never issued

READ_ONLY_MESSAGE = (
    "This profile is read-only, so nothing was sent: use a profile without read_only to "
    "change conversations."
)
RETIRED_MESSAGE = (
    "This server does not offer the Conversations API (its routes answer 404): check the "
    "profile's base_url and kind."
)
BOTH_CURSORS_MESSAGE = (
    "Conversation items page one way at a time: pass either after or before, not both."
)
UNSURE_MESSAGE = (
    "The connection failed while sending, and whether it arrived cannot be checked: reload "
    "the conversation before sending again."
)
LOST_RESPONSE_MESSAGE = (
    "{conversation} is busy with a response that was probably started just now, but the "
    "server's answer was lost: wait a moment, then reload the conversation."
)

_EMPTY: Page[Any] = Page(items=[], first_id=None, last_id=None, has_more=False)


class ConversationsBackend(SdkBackend):
    """Conversations (conv_…) and background responses on the Responses API."""

    kind: Literal["conversations"] = "conversations"
    read_only_message = READ_ONLY_MESSAGE

    # -- plumbing -----------------------------------------------------------------
    def _domain_error(self, exc: BaseException, object_id: str | None) -> ApiError:
        error = super()._domain_error(exc, object_id)
        if isinstance(error, ApiRetired):
            return ApiRetired(RETIRED_MESSAGE, status=error.status)
        return error

    async def _response(self, make: Callable[[], Any], *, object_id: str, thread_id: str) -> Run:
        """A response call made `with_raw_response`, so a poll-after header is kept."""
        response = await self._call(make, object_id=object_id)
        return run_from_response(as_dict(response.parse()), thread_id, poll_after(response.headers))

    async def _newest_item_id(self, conversation_id: str) -> str | None:
        page = await self._call(
            lambda: self._client.conversations.items.list(conversation_id, limit=1, order="desc"),
            object_id=conversation_id,
        )
        return as_dict(page.data[0]).get("id") if page.data else None

    async def _append(
        self, conversation_id: str, items: list[dict[str, Any]], newest: str | None
    ) -> list[Message]:
        """Add `items` exactly once; `newest` is the conversation's newest item before."""
        wanted = [_signature(item) for item in items]

        async def send() -> list[Message]:
            added = await self._once.conversations.items.create(conversation_id, items=items)
            return [message_from_item(as_dict(it), conversation_id) for it in added.data]

        async def landed() -> list[Message] | None:
            try:
                page = await self.list_messages(
                    conversation_id, limit=RECONCILE_LIMIT, order="asc", after=newest
                )
            except BadRequest:  # the remembered item is gone: we cannot tell, so don't resend
                raise NetworkDown(UNSURE_MESSAGE) from None
            found = [_signature(m.raw) for m in page.items]
            for start in range(len(found) - len(wanted) + 1):
                if found[start : start + len(wanted)] == wanted:
                    return page.items[start : start + len(wanted)]
            return None

        return await self._exactly_once(send, landed, object_id=conversation_id)

    # -- reading -------------------------------------------------------------------
    async def probe(self) -> None:
        # The API answering about the ID (404, or 400 on its form) proves it is there.
        with contextlib.suppress(NotFound, BadRequest):
            await self._call(lambda: self._client.conversations.retrieve(PROBE_ID))

    async def retrieve_thread(self, thread_id: str) -> ThreadInfo:
        conversation = await self._call(
            lambda: self._client.conversations.retrieve(thread_id), object_id=thread_id
        )
        return conversation_from_dict(as_dict(conversation))

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
        if after is not None and before is not None:
            raise BadRequest(BOTH_CURSORS_MESSAGE)
        if run_id is not None:
            return await self._response_output(
                thread_id, run_id, limit=limit, order=order, after=after, before=before
            )
        flipped: Order = "asc" if order == "desc" else "desc"
        params = given(limit=limit, order=flipped if before else order, after=after or before)
        page = page_of(
            await self._call(
                lambda: self._client.conversations.items.list(thread_id, **params),
                object_id=thread_id,
            ),
            lambda raw: message_from_item(raw, thread_id),
        )
        if before is None:
            return page
        # The items just past `before` in the other order, turned round: what `before` means.
        items = page.items[::-1]
        return Page(
            items=items,
            first_id=items[0].id if items else None,
            last_id=items[-1].id if items else None,
            has_more=page.has_more,
        )

    async def _response_output(
        self,
        thread_id: str,
        run_id: str,
        *,
        limit: int,
        order: Order,
        after: str | None,
        before: str | None,
    ) -> Page[Message]:
        run = await self.get_run(thread_id, run_id)
        if run.thread_id != thread_id:
            raise BadRequest(
                f"{run_id} answered in {run.thread_id}, not in {thread_id}: open that "
                "conversation to see what it said."
            )
        output = [
            message_from_item(
                raw, thread_id, run_id=run_id, incomplete_reason=run.incomplete_reason
            )
            for raw in run.raw.get("output") or ()
            if isinstance(raw, dict) and raw.get("id")
        ]
        return window(output, limit=limit, order=order, after=after, before=before)

    async def get_run(self, thread_id: str, run_id: str) -> Run:
        responses = self._client.responses.with_raw_response
        return await self._response(
            lambda: responses.retrieve(run_id), object_id=run_id, thread_id=thread_id
        )

    async def list_runs(
        self, thread_id: str, *, limit: int = 20, order: Order = "desc", after: str | None = None
    ) -> Page[Run]:
        return _EMPTY  # the API keeps no list of a conversation's responses

    async def list_run_steps(
        self, thread_id: str, run_id: str, *, limit: int = 100, after: str | None = None
    ) -> Page[RunStep]:
        return _EMPTY  # a response's steps are its output items (list_messages run_id=)

    async def list_assistants(self, *, limit: int = 20) -> Page[AssistantInfo]:
        return _EMPTY  # no assistants in the Responses API: the profile's model answers

    # -- changing ------------------------------------------------------------------
    @mutating
    async def create_thread(
        self,
        messages: Sequence[tuple[str, str]] = (),
        metadata: Mapping[str, str] | None = None,
        *,
        on_created: Callable[[ThreadInfo], None] | None = None,
    ) -> ThreadInfo:
        items = [message_item(role, text) for role, text in messages]
        first, rest = items[:MAX_ITEMS_PER_REQUEST], items[MAX_ITEMS_PER_REQUEST:]
        params = given(
            items=first or None, metadata=dict(metadata) if metadata is not None else None
        )

        async def send() -> ThreadInfo:
            created = await self._once.conversations.create(**params)
            return conversation_from_dict(as_dict(created))

        conversation = await self._create_once(send, "conversation")
        if on_created is not None:
            on_created(conversation)  # before the next batch: an interruption leaves a record
        if rest:
            try:
                newest = await self._newest_item_id(conversation.id)
                for start in range(0, len(rest), MAX_ITEMS_PER_REQUEST):
                    batch = rest[start : start + MAX_ITEMS_PER_REQUEST]
                    added = await self._append(conversation.id, batch, newest)
                    newest = added[-1].id
            except ApiError:
                await self._discard(conversation.id)
                raise
        return conversation

    async def _discard(self, conversation_id: str) -> None:
        """Delete a half-made conversation; if that fails too, the first error matters."""
        with contextlib.suppress(ApiError):
            await self._call(lambda: self._client.conversations.delete(conversation_id))

    @mutating
    async def delete_thread(self, thread_id: str) -> None:
        deleted = await self._call(
            lambda: self._client.conversations.delete(thread_id), object_id=thread_id
        )
        if not getattr(deleted, "deleted", False):
            raise BadRequest(f"The server did not delete {thread_id}: try again later.")

    @mutating
    async def update_metadata(self, thread_id: str, metadata: Mapping[str, str]) -> ThreadInfo:
        conversation = await self._call(
            lambda: self._client.conversations.update(thread_id, metadata=dict(metadata)),
            object_id=thread_id,
        )
        return conversation_from_dict(as_dict(conversation))

    @mutating
    async def add_message(self, thread_id: str, text: str) -> Message:
        newest = await self._newest_item_id(thread_id)
        return (await self._append(thread_id, [message_item("user", text)], newest))[0]

    @mutating
    async def start_run(
        self, thread_id: str, *, assistant_id: str | None = None, model: str | None = None
    ) -> Run:
        attempts = 0

        async def send() -> Run:
            nonlocal attempts
            attempts += 1
            response = await self._once.responses.with_raw_response.create(
                model=model or DEFAULT_MODEL,
                conversation=thread_id,
                background=True,
                store=True,
            )
            return run_from_response(
                as_dict(response.parse()), thread_id, poll_after(response.headers)
            )

        async def cannot_look() -> None:
            return None  # no list of responses: send again, the lock refuses a duplicate

        try:
            return await self._exactly_once(
                send, cannot_look, object_id=thread_id, resend_when_unsure=True
            )
        except RunActive as busy:
            if attempts > 1:  # the first attempt's response holds the lock
                raise RunActive(
                    LOST_RESPONSE_MESSAGE.format(conversation=thread_id), status=busy.status
                ) from busy
            raise

    @mutating
    async def cancel_run(self, thread_id: str, run_id: str) -> Run:
        responses = self._client.responses.with_raw_response
        try:
            return await self._response(
                lambda: responses.cancel(run_id), object_id=run_id, thread_id=thread_id
            )
        except BadRequest:
            # "Cannot cancel a completed response": the response won the race.
            run = await self.get_run(thread_id, run_id)
            if run.is_terminal:
                return run
            raise

    @mutating
    async def submit_tool_outputs(
        self, thread_id: str, run_id: str, outputs: Mapping[str, str]
    ) -> Run:
        calling = await self.get_run(thread_id, run_id)
        items = [
            {"type": "function_call_output", "call_id": call, "output": text}
            for call, text in outputs.items()
        ]
        newest = await self._newest_item_id(thread_id)
        await self._append(thread_id, items, newest)
        return await self.start_run(thread_id, model=calling.model)


def window(
    items: list[Message],
    *,
    limit: int,
    order: Order,
    after: str | None = None,
    before: str | None = None,
) -> Page[Message]:
    """One page of an oldest-first list held in memory, cut the way the API cuts lists."""
    ordered = items if order == "asc" else items[::-1]
    ids = [m.id for m in ordered]
    if after is not None:
        ordered = ordered[ids.index(after) + 1 :] if after in ids else []
    if before is not None:
        ordered = ordered[: ids.index(before)] if before in ids else []
        chosen = ordered[-limit:]
    else:
        chosen = ordered[:limit]
    return Page(
        items=chosen,
        first_id=chosen[0].id if chosen else None,
        last_id=chosen[-1].id if chosen else None,
        has_more=len(ordered) > limit,
    )


# -- requests ---------------------------------------------------------------------------
def message_item(role: str, text: str) -> dict[str, Any]:
    """A message input item for (role, text); see the module docstring for assistant text."""
    if role == "assistant":
        return {"type": "message", "role": "assistant", "content": text}
    return {"type": "message", "role": role, "content": [{"type": "input_text", "text": text}]}


def _signature(raw: Mapping[str, Any]) -> tuple[Any, ...]:
    """What identifies an item we sent among the listed ones (both as wire dicts)."""
    kind = raw.get("type") or "message"
    if kind == "message":
        content = raw.get("content")
        if isinstance(content, str):
            return (kind, raw.get("role"), content)
        texts = [
            str(part.get("text") or "")
            for part in content or ()
            if isinstance(part, Mapping) and part.get("type") in ("input_text", "output_text")
        ]
        return (kind, raw.get("role"), "".join(texts))
    return (kind, raw.get("call_id"), raw.get("output"))
