"""Bounds on what one answer may cost: its size, read as it arrives.

A response hook on the SDK's HTTP client refuses an answer whose Content-Length is over
`MAX_ANSWER_BYTES` before reading it, and otherwise counts the bytes as they stream in and
stops at the cap, so a hostile or broken server cannot make threadtui hold gigabytes. The
hook raises a domain `AnswerTooLarge`, which the SDK passes through without retrying.
(The time an answer may take is bounded per call in `SdkBackend._call`.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx2

from threadtui.api.errors import AnswerTooLarge

MAX_ANSWER_BYTES = 32 * 1024 * 1024


def too_large(host: str, limit: int) -> AnswerTooLarge:
    return AnswerTooLarge(
        f"The answer from {host} was larger than {limit // (1024 * 1024)} MB, so it was not "
        "read: the server is misbehaving; check the profile's base_url or try again later."
    )


class _CappedStream(httpx2.AsyncByteStream):
    """The response body, refusing to yield more than `limit` bytes in all."""

    def __init__(self, inner: httpx2.AsyncByteStream, limit: int, host: str) -> None:
        self._inner, self._limit, self._host = inner, limit, host

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limit:
                raise too_large(self._host, self._limit)
            yield chunk

    async def aclose(self) -> None:
        await self._inner.aclose()


def answer_size_cap(
    limit: int = MAX_ANSWER_BYTES,
) -> Callable[[httpx2.Response], Awaitable[None]]:
    """A response event hook bounding every answer's body to `limit` bytes."""

    async def cap(response: httpx2.Response) -> None:
        host = response.request.url.host or "the server"
        length = response.headers.get("content-length", "")
        if length.strip().isdigit() and int(length) > limit:
            raise too_large(host, limit)
        stream = response.stream
        if isinstance(stream, httpx2.AsyncByteStream):
            response.stream = _CappedStream(stream, limit, host)

    return cap
