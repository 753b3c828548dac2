"""Mount the fake under the real `openai` SDK: an `httpx2.AsyncBaseTransport`."""

from __future__ import annotations

from typing import Protocol

import httpx2

from threadtui.fakeapi.wire import Abort, WireRequest, WireResponse


class Handler(Protocol):
    """What answers the requests (`FakeAPI`; a Protocol, as `app` imports this module)."""

    async def handle(self, request: WireRequest) -> WireResponse | Abort: ...


class FakeTransport(httpx2.AsyncBaseTransport):
    """Hands each request to the fake; injected network faults become httpx2 errors."""

    def __init__(self, fake: Handler) -> None:
        self.fake = fake

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        body = await request.aread()
        raw = request.url.raw_path
        target = raw.decode("ascii") if isinstance(raw, bytes) else str(raw)
        wire = WireRequest(
            method=request.method,
            target=target,
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
        )
        outcome = await self.fake.handle(wire)
        if isinstance(outcome, Abort):
            if outcome.kind == "timeout":
                raise httpx2.ReadTimeout("The read operation timed out", request=request)
            raise httpx2.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            )
        return httpx2.Response(
            outcome.status,
            headers=list(outcome.headers.items()),
            content=outcome.body,
            request=request,
        )
