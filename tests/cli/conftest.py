"""Run the real `threadtui` CLI in-process against the fake API, in a temporary home."""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from threadtui.cli import main
from threadtui.fakeapi import FakeAPI


class Stream(io.StringIO):
    """A standard stream that may claim to be a terminal."""

    def __init__(self, text: str = "", *, tty: bool = False) -> None:
        super().__init__(text)
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@dataclass
class Outcome:
    code: int
    out: str
    err: str


class Cli:
    """`cli("add", "thread_x")` runs `threadtui add thread_x` with its own config and data."""

    def __init__(self, home: Path, fake: FakeAPI) -> None:
        self.fake = fake
        self.config_dir = home / "config"
        self.data_dir = home / "data"
        self.env = {
            "THREADTUI_CONFIG_DIR": str(self.config_dir),
            "THREADTUI_DATA_DIR": str(self.data_dir),
            "OPENAI_API_KEY": "sk-test-key-not-real",
            "OPENAI_BASE_URL": fake.base_url,
        }

    def __call__(self, *argv: str, stdin: str = "", tty: bool = False) -> Outcome:
        out, err = Stream(tty=tty), Stream(tty=tty)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "stdin", Stream(stdin, tty=tty))
            patch.setattr(sys, "stdout", out)
            patch.setattr(sys, "stderr", err)
            code = main(list(argv), http_transport=self.fake.transport(), env=self.env)
        return Outcome(code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli(tmp_path: Path, fake: FakeAPI) -> Cli:
    return Cli(tmp_path, fake)
