"""Real-looking IDs from a seeded RNG, so seeded demo data is the same on every run."""

from __future__ import annotations

import random
import string

BASE62 = string.digits + string.ascii_letters
HEX = "0123456789abcdef"

# Assistants objects: prefix + 24 base62 characters; files: "file-" + 22.
_BASE62_LENGTHS = {"thread_": 24, "msg_": 24, "run_": 24, "step_": 24, "asst_": 24, "call_": 24}


class IdMaker:
    """Makes IDs the way the real API shapes them; never repeats one."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._seen: set[str] = set()
        # A fault knob: IDs to hand out next, by prefix, exactly as given (a broken or
        # hostile server's), e.g. `fake.store.ids.next["run_"] = ["run_\x1b]0;owned\x07"]`.
        self.next: dict[str, list[str]] = {}

    def _unique(self, make, prefix: str) -> str:
        if queue := self.next.get(prefix):
            return queue.pop(0)
        while True:
            value = make()
            if value not in self._seen:
                self._seen.add(value)
                return value

    def base62(self, prefix: str, length: int | None = None) -> str:
        n = length or _BASE62_LENGTHS.get(prefix, 24)
        return self._unique(lambda: prefix + "".join(self._rng.choices(BASE62, k=n)), prefix)

    def hex48(self, prefix: str) -> str:
        """Responses-era IDs: conv_, resp_ and item IDs are 48 hex characters."""
        return self._unique(lambda: prefix + "".join(self._rng.choices(HEX, k=48)), prefix)

    def thread(self) -> str:
        return self.base62("thread_")

    def message(self) -> str:
        return self.base62("msg_")

    def run(self) -> str:
        return self.base62("run_")

    def step(self) -> str:
        return self.base62("step_")

    def assistant(self) -> str:
        return self.base62("asst_")

    def call(self) -> str:
        return self.base62("call_")

    def file(self) -> str:
        return self.base62("file-", 22)

    def request_id(self) -> str:
        return "req_" + "".join(self._rng.choices(HEX, k=32))
