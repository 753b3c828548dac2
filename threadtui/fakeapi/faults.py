"""Injected faults: the next matching requests fail the way real servers and networks do."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

FaultKind = Literal[
    "429", "500", "503", "401", "403", "404", "timeout", "drop", "fail_after_create"
]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)


@dataclass
class Fault:
    """`remaining` counts down per matching request; None means until `clear_faults()`."""

    kind: FaultKind  # checked by Faults.add, for callers without a type checker
    method: str | None = None
    path: str | None = None  # regex searched in the path relative to /v1
    remaining: int | None = 1
    retry_after: float | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or re.search(self.path, path) is not None


class Faults:
    def __init__(self) -> None:
        self.pending: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        if fault.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; expected one of {FAULT_KINDS}")
        self.pending.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, counted as used."""
        for fault in self.pending:
            if fault.matches(method, path):
                if fault.remaining is not None:
                    fault.remaining -= 1
                self.pending = [f for f in self.pending if f.remaining is None or f.remaining > 0]
                return fault
        return None

    def clear(self) -> None:
        self.pending.clear()


@dataclass
class Tamper:
    """A misbehaving answer: successful answers whose path matches `path` (a regex on the
    path relative to /v1) get `headers` added, top-level JSON `fields` replaced, and
    whitespace appended until the body is `pad_to` bytes long (still valid JSON)."""

    path: str
    headers: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    pad_to: int | None = None

    def matches(self, path: str) -> bool:
        return re.search(self.path, path) is not None
