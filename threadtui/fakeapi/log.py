"""The request log: what the fake saw and answered, for tests to count calls."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LoggedRequest:
    """One request as the fake saw it.

    `path` is relative to the API root ("/threads/thread_abc/messages", no "/v1"); `route`
    is its template ("/threads/{thread_id}/messages") or None for an unknown URL. `status`
    is None when no response was sent (an injected timeout or dropped connection); `fault`
    names the injected fault that shaped the answer, if any. `at` is the fake clock's time.
    """

    method: str
    path: str
    query: dict[str, str]
    json: Any
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    route: str | None = None
    fault: str | None = None
    request_headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0
    body: bytes | None = None  # the raw body answered, if any

    @property
    def response(self) -> Any:
        """The JSON body answered (None when nothing was answered)."""
        return json.loads(self.body) if self.body else None


def _pattern(path: str) -> re.Pattern[str]:
    """A template ("/threads/{id}/messages") matches one segment per placeholder."""
    parts = re.split(r"(\{[^}/]*\})", path)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts))


class RequestLog(list[LoggedRequest]):
    """A plain list of `LoggedRequest`s (so `.clear()` works) with a filter; `FakeOpenAI.count()`
    counts (list.count keeps its meaning)."""

    def matching(
        self, method: str | None = None, path: str | None = None, *, regex: str | None = None
    ) -> list[LoggedRequest]:
        """Requests by method, by path template (`{x}` = one segment), and/or by regex search."""
        tpl = _pattern(path) if path is not None else None
        rx = re.compile(regex) if regex is not None else None
        return [
            r
            for r in self
            if (method is None or r.method == method.upper())
            and (tpl is None or tpl.fullmatch(r.path))
            and (rx is None or rx.search(r.path))
        ]
