"""What the backends built on `openai.AsyncOpenAI` share.

`SdkBackend` holds the lazily built client (and its twin with SDK retries off), the one
place where SDK exceptions become domain errors (`_call`), and the exactly-once send
(`_exactly_once`). `mutating` refuses changes on a read-only connection before anything is
sent. The small functions below turn SDK objects and pages into plain dicts and records.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import math
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from threadtui.api.backend import Backend, Connection
from threadtui.api.client import make_client
from threadtui.api.errors import (
    ApiError,
    MalformedAnswer,
    NetworkDown,
    RateLimited,
    ReadOnly,
    ServerError,
)
from threadtui.api.models import Page
from threadtui.api.paging import host_of
from threadtui.api.sdk_errors import domain_error
from threadtui.api.wire import as_dict
from threadtui.clock import Clock, SystemClock

T = TypeVar("T")
P = ParamSpec("P")
B = TypeVar("B", bound="SdkBackend")

POLL_AFTER_HEADER = "openai-poll-after-ms"
MAX_POLL_AFTER_MS = 60_000  # a hint to wait longer than a minute is not followed
MAX_RESEND_WAIT = 60.0  # never wait longer than this before resending
CREATE_UNSURE_MESSAGE = (
    "The server's answer was lost while creating the {noun}, so it may exist anyway without "
    "being tracked: try again (at worst an extra, untracked {noun} stays on the server)."
)


def mutating(
    method: Callable[Concatenate[B, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[B, P], Coroutine[Any, Any, T]]:
    """Refuse with ReadOnly, before anything is sent, on a read-only connection.

    Typed with ParamSpec so the decorated method keeps its signature (and still matches
    the `Backend` method it implements)."""

    @functools.wraps(method)
    async def guarded(self: B, /, *args: P.args, **kwargs: P.kwargs) -> T:
        if self.read_only:
            raise ReadOnly(self.read_only_message)
        return await method(self, *args, **kwargs)

    return guarded


def _naming_the_server(
    method: Callable[Concatenate[B, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[B, P], Coroutine[Any, Any, T]]:
    """A malformed answer found while turning wire JSON into records (outside `_call`)
    names the server and the thread or conversation the method was asked about."""

    @functools.wraps(method)
    async def naming(self: B, /, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await method(self, *args, **kwargs)
        except MalformedAnswer as exc:
            subject = args[0] if args and isinstance(args[0], str) else None
            raise exc.located(host_of(self), subject) from None

    return naming


def _malformed(exc: Exception) -> MalformedAnswer:
    """What the SDK failing to parse an answer means, in our words (never the server's)."""
    if isinstance(exc, UnicodeDecodeError):
        return MalformedAnswer("text that is not UTF-8")
    if isinstance(exc, ValueError):
        return MalformedAnswer("not valid JSON")
    return MalformedAnswer("not what the API sends")


def given(**params: Any) -> dict[str, Any]:
    """Only the parameters that were given: the SDK wants them omitted, not None."""
    return {name: value for name, value in params.items() if value is not None}


def backoff(attempt: int) -> float:
    return min(0.5 * 2**attempt, 8.0)


class SdkBackend(Backend):
    """A backend on `openai.AsyncOpenAI`; subclasses add the API's own calls."""

    read_only_message = (
        "This profile is read-only, so nothing was sent: use a profile without read_only to "
        "make changes."
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Every public call of a backend names the server and the thread in a malformed
        # answer's sentence, however deep in the parsing it was found.
        super().__init_subclass__(**kwargs)
        for name, member in list(vars(cls).items()):
            if not name.startswith("_") and inspect.iscoroutinefunction(member):
                setattr(cls, name, _naming_the_server(member))

    def __init__(self, connection: Connection, *, clock: Clock | None = None) -> None:
        super().__init__(connection)
        self._clock = clock or SystemClock()
        self._secrets = (connection.api_key,) if connection.api_key else ()
        self._client_instance: Any = None
        self._once_instance: Any = None

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

    def _domain_error(self, exc: BaseException, object_id: str | None) -> ApiError:
        """The domain error for an SDK exception; subclasses may reword some."""
        return domain_error(exc, object_id=object_id, secrets=self._secrets)

    async def _call(self, make: Callable[[], Awaitable[T]], *, object_id: str | None = None) -> T:
        """Await one SDK call within `connection.deadline`; its exceptions become domain
        errors."""
        import openai

        deadline = self.connection.deadline
        try:
            async with asyncio.timeout(deadline):
                return await make()
        except openai.OpenAIError as exc:
            raise self._domain_error(exc, object_id) from exc
        except TimeoutError:
            raise NetworkDown(
                f"{self.connection.host} did not finish answering within {deadline:g} s: "
                "check your connection, or try again later."
            ) from None
        except MalformedAnswer as exc:
            raise exc.located(host_of(self), object_id) from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # The SDK parses as it goes: an answer that is not UTF-8, not JSON, or JSON of
            # the wrong shape fails in there with Python's own errors.
            raise _malformed(exc).located(host_of(self), object_id) from None

    async def _exactly_once(
        self,
        send: Callable[[], Awaitable[T]],
        landed: Callable[[], Awaitable[T | None]],
        *,
        object_id: str,
        resend_when_unsure: bool = False,
    ) -> T:
        """Send without SDK retries; after an unclear failure, look before sending again.

        `send` must use `self._once`. After a timeout, dropped connection or 5xx,
        `landed()` looks for what the first attempt may have created; only when it finds
        nothing is the send repeated, at most `connection.max_retries` times, with backoff
        on the backend's clock. A 429 was refused before anything was created, so it is
        resent after its `retry-after`. If looking fails as well, the error is raised,
        unless `resend_when_unsure` (for sends whose duplicates the server refuses anyway).
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
                wait = backoff(attempt)
            except RateLimited as exc:  # refused before anything was created
                error = exc
                wait = exc.retry_after if exc.retry_after is not None else backoff(attempt)
            attempt += 1
            if attempt > self.connection.max_retries or wait > MAX_RESEND_WAIT:
                raise error
            await self._clock.sleep(wait)

    async def _create_once(self, send: Callable[[], Awaitable[T]], noun: str) -> T:
        """Create something that no list can find again (a thread, a conversation).

        `send` must use `self._once`. A 429 is resent after its retry-after (nothing was
        created); after a timeout, dropped connection or 5xx it is NOT sent again, since
        the first attempt may have landed and a second would leave an orphaned copy
        nobody can list: the error says so, and the user decides.
        """

        async def cannot_look() -> T | None:
            raise NetworkDown(CREATE_UNSURE_MESSAGE.format(noun=noun))

        return await self._exactly_once(send, cannot_look, object_id=noun)

    async def aclose(self) -> None:
        if self._client_instance is not None:
            await self._client_instance.close()


# -- SDK answers -> records (the wire dicts themselves: threadtui.api.wire) -----------------
def poll_after(headers: Mapping[str, str]) -> int | None:
    """The server's `openai-poll-after-ms` hint, if it gave a sensible one (a finite number
    of milliseconds, capped at `MAX_POLL_AFTER_MS`)."""
    value = headers.get(POLL_AFTER_HEADER)
    try:
        hint = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return int(min(max(hint, 0.0), MAX_POLL_AFTER_MS)) if math.isfinite(hint) else None


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


R = TypeVar("R", bound=_Identified)


def page_of(page: Any, convert: Callable[[dict[str, Any]], R]) -> Page[R]:
    """A `Page` of records from an SDK cursor page."""
    items = [convert(as_dict(item)) for item in page.data or []]
    # first_id/last_id are fields some SDK pages keep as extras; fall back to the items.
    first_id = getattr(page, "first_id", None) or (items[0].id if items else None)
    last_id = getattr(page, "last_id", None) or (items[-1].id if items else None)
    return Page(items=items, first_id=first_id, last_id=last_id, has_more=bool(page.has_more))
