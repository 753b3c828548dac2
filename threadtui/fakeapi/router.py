"""Path templates to handlers, and what a handler gets and gives back."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote


@dataclass
class Call:
    """One request as a route handler sees it."""

    method: str
    path: str  # relative to /v1
    query: dict[str, str]  # last value of each parameter
    query_all: dict[str, list[str]]
    body: Any
    params: dict[str, str]  # from the path template
    now: float
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}


@dataclass
class Reply:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], "dict | Reply"]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    beta: bool  # an Assistants route: needs OpenAI-Beta, gone when the API is retired
    regex: re.Pattern[str]


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, beta: bool) -> None:
        regex = re.compile(
            "".join(
                f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("{") else re.escape(p)
                for p in re.split(r"(\{[^}/]+\})", template)
            )
        )
        self.routes.append(Route(method, template, handler, beta, regex))

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]] | None:
        best: tuple[Route, dict[str, str]] | None = None
        for route in self.routes:
            if route.method == method:
                found = route.regex.fullmatch(path)
                # A literal segment beats a placeholder: POST /threads/runs is not a thread.
                if found and (best is None or len(found.groupdict()) < len(best[1])):
                    # Path parameters arrive percent-encoded, as a real server gets them.
                    best = (route, {k: unquote(v) for k, v in found.groupdict().items()})
        return best


def is_assistants_path(path: str) -> bool:
    """Routes of the retired Assistants API (any method, known or not)."""
    return re.match(r"/(threads|assistants)(/|$)", path) is not None
