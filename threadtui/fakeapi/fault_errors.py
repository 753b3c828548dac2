"""The error bodies and headers an injected fault answers with."""

from __future__ import annotations

import re

from threadtui.fakeapi.errors import FakeError, mask_key, not_found
from threadtui.fakeapi.faults import Fault


def _retry_after_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


def fault_error(fault: Fault, method: str, path: str, authorization: str) -> FakeError:
    headers = {}
    if fault.retry_after is not None:
        headers["retry-after"] = _retry_after_text(fault.retry_after)
    kind = fault.kind
    if kind == "429":
        wait = _retry_after_text(fault.retry_after or 1)
        headers.update(
            {
                "x-ratelimit-limit-requests": "500",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{wait}s",
                "x-ratelimit-limit-tokens": "200000",
                "x-ratelimit-remaining-tokens": "199990",
                "x-ratelimit-reset-tokens": "3ms",
            }
        )
        return FakeError(
            429,
            "Rate limit reached for requests in organization org-fake on requests per min "
            f"(RPM): Limit 500, Used 500, Requested 1. Please try again in {wait}s. Visit "
            "https://platform.openai.com/account/rate-limits to learn more.",
            type="rate_limit_error",
            code="rate_limit_exceeded",
            headers=headers,
        )
    if kind == "500":
        return FakeError(
            500,
            "The server had an error while processing your request. Sorry about that!",
            type="server_error",
            headers=headers,
        )
    if kind == "503":
        return FakeError(
            503,
            "The engine is currently overloaded, please try again later.",
            type="server_error",
            headers=headers,
        )
    if kind == "401":
        key = authorization.removeprefix("Bearer ").strip()
        return FakeError(
            401,
            f"Incorrect API key provided: {mask_key(key)}. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            type="authentication_error",
            code="invalid_api_key",
            headers=headers,
        )
    if kind == "403":
        return FakeError(
            403,
            "You have insufficient permissions for this operation. Missing scopes: "
            "api.assistants.read. Check that you have the correct role in your organization "
            "(Reader, Writer, Owner) and project (Member, Owner), and if you're using a "
            "restricted API key, that it has the necessary scopes.",
            type="invalid_request_error",
            headers=headers,
        )
    if kind == "404":
        error = _not_found_for(method, path)
        error.headers = headers
        return error
    raise ValueError(f"fault {kind!r} has no error response")


def _not_found_for(method: str, path: str) -> FakeError:
    """The 404 the server would give for the innermost object named in the path."""
    from threadtui.fakeapi import conversations

    segments = [p for p in path.split("/") if p]
    ids = [p for p in segments[1:] if re.fullmatch(r"[a-z]+_[A-Za-z0-9]+", p)]
    if not ids:
        return FakeError(404, f"Invalid URL ({method} /v1{path})")
    if segments[0] == "conversations":
        if len(ids) == 1:
            return conversations.conversation_not_found(ids[0])
        return conversations.item_not_found(ids[-1])
    if segments[0] == "responses":
        return conversations.response_not_found(ids[0])
    return not_found(ids[-1])
