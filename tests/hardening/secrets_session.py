"""A scripted session that uses every feature with a distinctive API key, then a scan of
everything it wrote and printed for that key.

`run_session()` drives the real CLI in-process against the fake API (the key in
OPENAI_API_KEY), including failures whose server text quotes the key, then runs the
demo with the TUI headless (Pilot) and its log started as `threadtui --demo` starts it.
It returns a `Scan`: files and outputs looked at, keys found, and modes that are not
private.
"""

from __future__ import annotations

import asyncio
import io
import stat
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.hardening.conftest import KeyedCli
from tests.hardening.hostile_checks import hostile_server
from tests.hardening.world import KEY, KEY_MARKS, key_leaks
from threadtui.clock import ManualClock
from threadtui.fakeapi import FakeAPI, RunPlan
from threadtui.fakeapi.store import text_part

DAY = 86400


@dataclass
class Scan:
    files: int = 0
    outputs: int = 0
    found: list[str] = field(default_factory=list)  # where the key (or part of it) was
    loose_modes: list[str] = field(default_factory=list)  # files not 0600, folders not 0700
    failures: list[str] = field(default_factory=list)  # commands that did not do their job

    def scan_text(self, where: str, text: str) -> None:
        self.outputs += 1
        self.found += [f"{where}: {mark[:12]}…" for mark in key_leaks(text)]

    def scan_tree(self, root: Path, *, marks: tuple[str, ...] = KEY_MARKS) -> None:
        for path in [root, *sorted(root.rglob("*"))]:
            mode = stat.S_IMODE(path.stat().st_mode)
            if path.is_dir():
                if mode != 0o700:
                    self.loose_modes.append(f"{path} is {oct(mode)}")
                continue
            if mode != 0o600:
                self.loose_modes.append(f"{path} is {oct(mode)}")
            self.files += 1
            data = path.read_bytes()
            self.found += [f"{path}: {m[:12]}…" for m in marks if m.encode() in data]


def _seed(fake: FakeAPI, now: float) -> dict[str, str]:
    assistant = fake.store.add_assistant(created_at=int(now - 400 * DAY), model="gpt-4o-mini")
    ids = {}
    for name, age in (("t1", 1), ("t2", 2), ("t3", 200), ("t4", 300)):
        thread = fake.store.add_thread(created_at=int(now - age * DAY))
        for n in range(3):
            fake.store.add_message(
                thread,
                role="user" if n % 2 == 0 else "assistant",
                content=[text_part(f"{name} message {n} about refunds, mail me at a@b.example")],
                created_at=int(now - age * DAY) + n,
                assistant_id=assistant["id"] if n % 2 else None,
            )
        ids[name] = thread.id
    ids["assistant"] = assistant["id"]
    conv = fake.responses.add_conversation(int(now - DAY))
    from threadtui.fakeapi.conversations import normalize_item

    conv.append(normalize_item(fake.store, {"role": "user", "content": "hello conv"}, "items"))
    ids["c1"] = conv.id
    return ids


def run_session() -> Scan:
    scan = Scan()
    with tempfile.TemporaryDirectory(prefix="threadtui-secrets-") as folder:
        home = Path(folder)
        clock = ManualClock()
        fake = FakeAPI(clock=clock)
        ids = _seed(fake, clock.now())
        cli = KeyedCli(home, fake)
        exports = home / "exports"
        outputs: list[tuple[str, str]] = []

        def run(*args: str, expect: int | None = 0, stdin: str = "", tty: bool = False) -> None:
            result = cli(*args, stdin=stdin, tty=tty)
            outputs.append((" ".join(args[:3]), result.out + result.err))
            if expect is not None and result.code != expect:
                scan.failures.append(f"{' '.join(args)}: exit {result.code}: {result.err}")

        t1, t2, t3, t4, c1 = (ids[k] for k in ("t1", "t2", "t3", "t4", "c1"))
        run("profile", "add", "convs", "--kind", "conversations", "--base-url", fake.base_url)
        run("profile", "list")
        run("add", t1, t2, "--title", "Refunds", "--tag", "audit")
        run("add", t3, t4, "--tag", "old")
        run("add", c1, "--profile", "convs")
        run("list", tty=True)
        run("list", "--json")
        run("show", t1, tty=True)
        run("show", t1, "--format", "json")
        fake.script_runs(t1, [RunPlan(start_after=0, finish_after=0)])
        _start_run(fake, clock, t1, ids["assistant"])
        run("runs", t1, "--steps")
        run("meta", t1, "--set", "reviewed=yes", "--title", "Refunds (reviewed)", "--note", "ok")
        run("archive", "--all")
        for fmt in ("md", "json", "jsonl"):
            run("export", t1, c1, "--format", fmt, "-o", str(exports))
        run("export", t2, "--redact", "-o", str(exports))
        run("search", "refunds", tty=True)
        run("search", "refunds", "--json")
        run("check", "--all")
        run("continue", t1)
        log = home / "app.log"
        log.write_text(f"created {t2}\nAuthorization: Bearer {KEY}\nOPENAI_API_KEY={KEY} {t4}\n")
        run("import", str(log))
        run("registry", "export", "-o", str(exports / "registry.toml"))
        run("registry", "import", str(exports / "registry.toml"))
        run("registry", "export")
        run("migrate", t2, "--to-profile", "convs")
        run("delete", t3, "--yes")
        run("prune", "--older-than", "100d", "--dry-run")
        run("prune", "--older-than", "100d", "--tag", "old", "--yes")
        run("deletions")
        run("deletions", "--json")
        run("untrack", c1)
        # Failures that quote the key: a 401 (the server masks it), a server echoing it.
        fake.inject("401", times=None)
        run("show", t1, expect=1)
        run("check", t1, expect=1)
        fake.clear_faults()
        echo = hostile_server(f"Bad request from key {KEY} (Bearer {KEY}).")
        for argv in (("show", t1), ("delete", t2, "--yes"), ("archive", t1)):
            result = _main(list(argv), echo, cli.env)
            outputs.append((f"echo: {argv[0]}", result))
        for where, text in outputs:
            scan.scan_text(where, text)
        for root in (cli.config_dir, cli.data_dir, exports):
            if root.exists():
                scan.scan_tree(root)
        _demo_session(home / "demo", scan)
    return scan


def _start_run(fake: FakeAPI, clock: ManualClock, thread_id: str, assistant_id: str) -> None:
    from threadtui.api.assistants import AssistantsBackend
    from threadtui.api.backend import Connection

    async def start() -> None:
        backend = AssistantsBackend(
            Connection(api_key=KEY, base_url=fake.base_url, http_transport=fake.transport())
        )
        try:
            run = await backend.start_run(thread_id, assistant_id=assistant_id)
            clock.advance(2)
            await backend.get_run(thread_id, run.id)
        finally:
            await backend.aclose()

    asyncio.run(start())


def _main(argv: list[str], transport, env) -> str:
    from threadtui.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        main(argv, http_transport=transport, env=env)
    finally:
        sys.stdout, sys.stderr = saved
    return out.getvalue() + err.getvalue()


def _demo_session(folder: Path, scan: Scan) -> None:
    """`threadtui --demo` as it starts: the log, then the TUI (headless), a few keys."""
    from threadtui.core.settings.logs import start_log
    from threadtui.demo import DEMO_KEY_ENV, start_demo

    demo = start_demo(folder=folder)
    demo_key = demo.services.env[DEMO_KEY_ENV]
    try:
        keys = [p.api_key(demo.services.env) or "" for p in demo.services.config.profiles.values()]
        start_log(demo.services.locations.log_dir, secrets=keys)
        asyncio.run(_drive_tui(demo))
        scan.scan_tree(folder / "data", marks=(demo_key,))
        scan.scan_tree(folder / "logs", marks=(demo_key,))
    finally:
        demo.services.close()


async def _drive_tui(demo) -> None:
    from threadtui.tui.app import ThreadtuiApp

    app = ThreadtuiApp(demo.services, demo=True, identity="auditor@host")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in ("down", "enter", "end", "home", "escape", "down", "enter"):
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()
