"""Transport-neutral request and response, shared by the httpx2 transport and the server."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass
class WireRequest:
    method: str
    target: str  # path with its query string, e.g. "/v1/threads/thread_x/messages?limit=5"
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class Abort:
    """No response at all: the client sees a read timeout or a dropped connection."""

    kind: Literal["timeout", "drop"]
