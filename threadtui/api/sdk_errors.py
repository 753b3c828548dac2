"""Turning `openai` exceptions into threadtui's domain errors, each with one sentence.

Shared by every backend built on the SDK. Server text is passed on only where it helps
(other 4xx), and only after anything key-like is redacted, control characters are removed
and the length is capped. `openai` is imported inside the function: by the time an SDK
exception exists, the SDK is loaded anyway.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Iterable, Mapping
from typing import Any

from threadtui.api.errors import (
    ApiError,
    ApiRetired,
    AuthFailed,
    BadRequest,
    NetworkDown,
    NotFound,
    NotFoundUnclear,
    RateLimited,
    RunActive,
    ServerError,
    WrongProject,
)
from threadtui.text import INVISIBLE_CLASS, SURROGATE_CLASS, redact_keys

AUTH_FAILED_MESSAGE = (
    "The API key was rejected: check the variable named by the profile's api_key_env."
)

RETIRED_ROUTE_MESSAGE = (
    "This server does not offer this API (any more): your tracked threads are kept as they "
    "are; check the profile's base_url and kind."
)

# Controls, and what hides or reorders text on a terminal: bidi marks, embeddings,
# overrides and isolates, zero-width characters, lone surrogates.
_CONTROL = re.compile(rf"[\x00-\x1f\x7f-\x9f{INVISIBLE_CLASS}{SURROGATE_CLASS}]+")
_QUOTED_ID = re.compile(r"'([a-z]+[_-][A-Za-z0-9_\-]+)'")
_RUN_ID = re.compile(r"\b((?:run|resp)_[A-Za-z0-9_\-]+)")
_THREAD_ID = re.compile(r"\b((?:thread|conv)_[A-Za-z0-9_\-]+)")
# What a request ID looks like (req_ and 32 hex digits at OpenAI); anything else a server
# puts in x-request-id is not shown at all: it is remote text on a terminal.
_REQUEST_ID = re.compile(r"[A-Za-z0-9_.:\-]{1,100}")
_LOCK_PHRASES = ("while a run", "already has an active run", "while a response")
_LOCK_CODES = frozenset({"conversation_locked"})
_MAX_SERVER_TEXT = 300
# The longest rate-limit wait honoured (the SDK's own limit): a server asking for more is
# waited out this long at most, and the sentence names what it asked for.
MAX_RETRY_AFTER = 120.0


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with the given secrets and anything key-like (`threadtui.text.redact_keys`:
    sk-…, Authorization: Bearer/Basic …) replaced by "[redacted]"."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "[redacted]")
    return redact_keys(text, lambda _key: "[redacted]")


def server_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Server text fit for one line of a status bar: redacted, no control characters, capped."""
    text = _CONTROL.sub(" ", redact(text, secrets)).strip()
    if len(text) > _MAX_SERVER_TEXT:
        text = text[: _MAX_SERVER_TEXT - 1].rstrip() + "…"
    return text


def shown_id(object_id: str) -> str:
    """An ID the caller got from a server, fit for a sentence: controls made spaces, at
    most 80 characters (it is still remote text)."""
    text = _CONTROL.sub(" ", object_id).strip()
    return text if len(text) <= 80 else text[:79] + "…"


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds to wait from `retry-after-ms`, else `retry-after` (seconds or an HTTP date)."""
    if not headers:
        return None
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            parsed = email.utils.parsedate_tz(value) if name == "retry-after" else None
            if parsed is None:
                continue
            try:
                seconds = email.utils.mktime_tz(parsed) - time.time()
            except (OverflowError, ValueError):  # a date no calendar holds
                continue
        if seconds == seconds and seconds != float("inf"):  # not NaN, not infinite
            return max(0.0, seconds)
    return None


def _body_field(exc: Any, name: str) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, Mapping):
        value = body.get(name)
        return value if isinstance(value, str) else ""
    return ""


def _body_text(exc: Any, limit: int = 2000) -> str:
    """The start of the answer's body as text (an HTML page, say), for `server_text`."""
    response = getattr(exc, "response", None)
    try:
        content = response.content[:limit] if response is not None else b""
    except Exception:  # a body that was never read (streamed): nothing to quote
        return ""
    return re.sub(r"<[^>]*>", " ", content.decode("utf-8", "replace"))


def _pretty_seconds(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds:.0f} s ({seconds / 86400:.1f} days)"
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"


def domain_error(
    exc: BaseException,
    *,
    object_id: str | None = None,
    secrets: Iterable[str] = (),
) -> ApiError:
    """The domain error for an SDK exception.

    `object_id` names what the request was about (the thread, say), used when the server's
    own message doesn't name it. `secrets` (the connection's key) are redacted from any
    server text passed on, in addition to anything that looks like a key.
    """
    import openai

    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return NetworkDown(
            "The server did not answer in time: check your connection and try again."
        )
    if isinstance(exc, openai.APIConnectionError):
        import httpx2  # the SDK's HTTP library, loaded with it

        host = exc.request.url.host if getattr(exc, "request", None) is not None else "the server"
        if isinstance(exc.__cause__, httpx2.TooManyRedirects):
            return ApiError(
                f"{host} kept redirecting the request (a redirect loop), so threadtui gave "
                "up: check the profile's base_url, or tell the server's owner."
            )
        return NetworkDown(
            f"Could not reach {host}: check your connection and the profile's base_url, then try again."
        )
    if isinstance(exc, openai.APIResponseValidationError):
        return ServerError(
            "The server answered with something that is not a valid API response: "
            "check the profile's base_url.",
            status=exc.status_code,
        )
    if not isinstance(exc, openai.APIStatusError):
        if isinstance(exc, openai.OpenAIError) and "credentials" in str(exc).lower():
            return AuthFailed(AUTH_FAILED_MESSAGE)
        return ApiError(f"Unexpected error from the API client: {server_text(str(exc), secrets)}")
    error = _status_error(exc, object_id=object_id, secrets=secrets)
    error.request_id = request_id(exc.request_id)
    return error


def request_id(header: str | None) -> str | None:
    """The x-request-id header's value (what the provider's support asks for), or None when
    there is none or it does not look like an ID."""
    return header if header and _REQUEST_ID.fullmatch(header) else None


def _status_error(exc: Any, *, object_id: str | None, secrets: Iterable[str]) -> ApiError:
    """The domain error for an HTTP status the server answered (an `APIStatusError`)."""
    status = exc.status_code
    message = server_text(_body_field(exc, "message"), secrets)
    code = _body_field(exc, "code")
    quoted = _QUOTED_ID.search(message)
    subject = quoted.group(1) if quoted else object_id
    named_as = shown_id(subject) if subject else None  # the raw ID stays on the error

    if status == 401:
        return AuthFailed(AUTH_FAILED_MESSAGE, status=status)
    if status == 403:
        what = named_as or "This object"
        return WrongProject(
            f"{what} belongs to another organization or project, or this key may not use it: "
            "check the profile's key, organization and project.",
            status=status,
        )
    if status == 404 and message.startswith("Invalid URL"):
        # The route itself is unknown: the server doesn't speak this API (any more).
        return ApiRetired(RETIRED_ROUTE_MESSAGE, status=status)
    if status == 404 and object_id and (quoted is None or quoted.group(1) != object_id):
        # Gone only when the server names that very ID: an HTML 404 page (a proxy, a
        # wrong base_url) or a 404 about another ID says nothing about this one.
        words = message or server_text(_body_text(exc), secrets) or "an empty page"
        return NotFoundUnclear(
            f"The server answered 404 about {object_id} without naming it, so it is not "
            f"marked gone: check the profile's base_url (the server said: {words}).",
            status=status,
        )
    if status == 404:
        what = named_as or "The requested object"
        return NotFound(
            f"{what} was not found: it was deleted or expired, or it belongs to another "
            "project — check the profile's key/project.",
            object_id=subject,
            status=status,
        )
    if status == 429:
        if code == "insufficient_quota":
            return RateLimited(
                "The account has run out of quota: check the plan and billing of the profile's key.",
                status=status,
            )
        retry_after = retry_after_seconds(exc.response.headers)
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            return RateLimited(
                f"The server is rate limiting this key and asked for a wait of "
                f"{_pretty_seconds(retry_after)}, longer than the {MAX_RETRY_AFTER:.0f} s "
                "threadtui waits at most: try again later.",
                retry_after=MAX_RETRY_AFTER,
                status=status,
            )
        when = f"in {_pretty_seconds(retry_after)}" if retry_after is not None else "in a moment"
        return RateLimited(
            f"The server is rate limiting this key: try again {when}.",
            retry_after=retry_after,
            status=status,
        )
    if status >= 500:
        return ServerError(
            f"The server failed (HTTP {status}) and did not recover after retries: try again in a moment.",
            status=status,
        )
    lowered = message.lower()
    if code in _LOCK_CODES or (status in (400, 409) and any(p in lowered for p in _LOCK_PHRASES)):
        run = _RUN_ID.search(message)
        run_id = run.group(1) if run else None
        named = _THREAD_ID.search(message)
        conversation = code in _LOCK_CODES or (run_id or "").startswith("resp_")
        default_subject = "The conversation" if conversation else "The thread"
        subject = shown_id(object_id) if object_id else None
        subject = subject or (named.group(1) if named else default_subject)
        noun = "response" if conversation else "run"
        busy = f"{noun} {run_id}" if run_id else f"a {noun}"
        return RunActive(
            f"{subject} is busy with {busy}: wait for it to finish or cancel it, then try again.",
            run_id=run_id,
            status=status,
        )
    detail = message or f"HTTP {status}"
    if not detail.endswith((".", "!", "?", "…")):
        detail += "."
    return BadRequest(f"The server refused the request: {detail}", status=status)
