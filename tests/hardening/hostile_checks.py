"""Every place remote text reaches a person, tried with the whole hostile corpus.

Each check returns a `Tally`: how many (output, hostile input) pairs were looked at, how
many escapes leaked (characters that would drive a terminal or hide text: the
independent oracle `hostile.leaks`), and problems (a leak, markup not shown literally,
an unbounded line, a crash). Checks build their own world (temporary folder, fake API)
so the figures test can rerun any of them.
"""

from __future__ import annotations

import io
import json
import os
import pty
import select
import subprocess
import sys
import tempfile
import tty
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx2

from tests.hardening.conftest import KeyedCli
from tests.hardening.hostile import CORPUS, Hostile, byte_leaks, leaks
from tests.hardening.world import KEY, sentence_problems
from threadtui.api.wire import well_formed
from threadtui.clock import ManualClock
from threadtui.fakeapi import FakeAPI, RunPlan
from threadtui.fakeapi.store import text_part

LINE_LIMIT = 400  # a one-line output (a list row, a snippet, an error) is never longer
SMALL = [h for h in CORPUS if not h.big]


@dataclass
class Tally:
    tried: int = 0
    leaked: int = 0
    problems: list[str] = field(default_factory=list)

    def look(self, where: str, text: str, *, own_styling: bool = False) -> None:
        """One output of one hostile input, on its way to a terminal."""
        self.tried += 1
        found = leaks(text, own_styling=own_styling)
        if found:
            self.leaked += 1
            self.problems.append(f"{where}: leaked {found[:6]}")

    def look_bytes(self, where: str, data: bytes) -> None:
        self.tried += 1
        found = byte_leaks(data)
        if found:
            self.leaked += 1
            self.problems.append(f"{where}: leaked {found[:6]}")

    def expect(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)

    def lines_bounded(self, where: str, text: str, limit: int = LINE_LIMIT) -> None:
        longest = max((len(line) for line in text.splitlines()), default=0)
        self.expect(longest <= limit, f"{where}: a line of {longest:,} characters")


def shown_literally(tally: Tally, where: str, text: str, entries: Iterable[Hostile]) -> None:
    for hostile in entries:
        for piece in (hostile.literal, hostile.shown):
            tally.expect(not piece or piece in text, f"{where}: {hostile.name} lost {piece!r}")


class Home:
    """A temporary home, a fake API on a virtual clock, and the CLI on them."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="threadtui-hostile-")
        self.path = Path(self._folder.name)
        self.clock = ManualClock()
        self.fake = FakeAPI(clock=self.clock)
        self.cli = KeyedCli(self.path, self.fake)

    def __enter__(self) -> Home:
        return self

    def __exit__(self, *exc: object) -> None:
        self._folder.cleanup()

    def corpus_thread(self, *, prefix: str = "", entries: Iterable[Hostile] = CORPUS) -> str:
        """One thread, one message per corpus entry; tracked."""
        thread = self.fake.store.add_thread(created_at=1_700_000_000)
        for n, hostile in enumerate(entries):
            self.fake.store.add_message(
                thread,
                role="user" if n % 2 else "assistant",
                content=[text_part(prefix + hostile.text)],
                created_at=1_700_000_000 + n,
            )
        assert self.cli("add", thread.id).code == 0
        return thread.id


def _visible(hostile: Hostile) -> str:
    return well_formed(hostile.text)


# -- show ------------------------------------------------------------------------------------
def check_show_in_process() -> Tally:
    """`show` as md and json, told it writes to a terminal, and piped: Markdown is inert
    either way (it may be piped into `less`); JSON keeps every character, escaped."""
    tally = Tally()
    with Home() as home:
        thread_id = home.corpus_thread()
        for fmt in ("md", "json"):
            on_terminal = home.cli("show", thread_id, "--format", fmt, tty=True)
            tally.expect(on_terminal.code == 0, f"show {fmt}: {on_terminal.err}")
            for hostile in CORPUS:  # the whole transcript is one output: look per input
                tally.look(f"show {fmt} on a terminal ({hostile.name})", on_terminal.out)
            if fmt == "md":
                shown_literally(tally, "show md", on_terminal.out, CORPUS)
            piped = home.cli("show", thread_id, "--format", fmt)
            tally.expect(piped.code == 0, f"show {fmt} piped: {piped.err}")
            if fmt == "json":
                document = json.loads(piped.out)
                texts = [m["content"][0]["text"]["value"] for m in document["messages"]]
                tally.expect(texts == [_visible(h) for h in CORPUS], "show json lost text")
                shown = json.loads(on_terminal.out)
                tally.expect(shown == document, "show json differs on a terminal")
            else:
                for hostile in CORPUS:
                    tally.look(f"show md piped ({hostile.name})", piped.out)
                tally.expect(piped.out == on_terminal.out, "show md piped differs from a terminal")
    return tally


def _read_all(fd: int, process: subprocess.Popen) -> bytes:
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            raise TimeoutError("no output from the command for 30 s")
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=30)
    return b"".join(chunks)


def check_show_on_a_pty() -> Tally:
    """The real command with a pseudo-terminal as its stdout and stderr."""
    from threadtui.fakeapi.server import serve_in_thread

    tally = Tally()
    with Home() as home:
        # The big entries go through the same code in-process; through a pty they would
        # only cost seconds.
        thread_id = home.corpus_thread(entries=SMALL)
        handle, server = serve_in_thread(fake=home.fake)
        try:
            env = {**os.environ, **home.cli.env, "OPENAI_BASE_URL": handle.base_url}
            env.pop("NO_COLOR", None)
            runs = {}
            for fmt in ("md", "json"):  # both at once: each spends a second importing
                master, slave = pty.openpty()
                tty.setraw(slave)  # no newline translation: every byte as written
                process = subprocess.Popen(
                    [sys.executable, "-m", "threadtui", "show", thread_id, "--format", fmt],
                    stdin=subprocess.DEVNULL,
                    stdout=slave,
                    stderr=slave,
                    env=env,
                )
                os.close(slave)
                runs[fmt] = (master, process)
            with ThreadPoolExecutor(2) as pool:
                outputs = dict(
                    zip(runs, pool.map(lambda r: _read_all(*r), runs.values()), strict=True)
                )
            for fmt, (master, process) in runs.items():
                os.close(master)
                data = outputs[fmt]
                tally.expect(process.returncode == 0, f"show {fmt} on a pty: {data[-300:]!r}")
                for hostile in SMALL:
                    tally.look_bytes(f"show {fmt} on a pty ({hostile.name})", data)
                if fmt == "md":
                    shown_literally(tally, "show md on a pty", data.decode(), SMALL)
        finally:
            handle.stop()
            server.join(timeout=10)
    return tally


# -- exports ---------------------------------------------------------------------------------
def check_exports() -> Tally:
    """Export files (people `cat` them): no raw escapes in md, json or jsonl; JSON loses
    nothing; Markdown shows everything, literally."""
    tally = Tally()
    with Home() as home:
        thread_id = home.corpus_thread()
        out = home.path / "exports"
        for fmt in ("md", "json", "jsonl"):
            result = home.cli("export", thread_id, "--format", fmt, "-o", str(out))
            tally.expect(result.code == 0, f"export {fmt}: {result.err}")
            data = (out / f"{thread_id}.{fmt}").read_bytes()
            for hostile in CORPUS:
                tally.look_bytes(f"export {fmt} ({hostile.name})", data)
            text = data.decode()
            if fmt == "md":
                shown_literally(tally, "export md", text, CORPUS)
            else:
                documents = (
                    json.loads(text)["messages"]
                    if fmt == "json"
                    else [json.loads(line) for line in text.splitlines()]
                )
                texts = [m["content"][0]["text"]["value"] for m in documents]
                tally.expect(texts == [_visible(h) for h in CORPUS], f"export {fmt} lost text")
    return tally


# -- one-line outputs: list, search, deletions, meta, runs ---------------------------------
def check_listings() -> Tally:
    """Titles in `list`, snippets in `search`, the deletion log, metadata, run history:
    each on a terminal, each line bounded."""
    tally = Tally()
    with Home() as home:
        cli = home.cli
        ids = {}
        for hostile in CORPUS:
            thread = home.fake.store.add_thread(
                created_at=1_700_000_000, metadata={"title": hostile.text[:512]}
            )
            home.fake.store.add_message(
                thread,
                role="user",
                content=[text_part("zebra " + hostile.text)],
                created_at=1_700_000_001,
            )
            ids[hostile.name] = thread.id
            assert cli("add", thread.id, "--title", hostile.text, "--tag", "x").code == 0
        assert cli("archive", "--all").code == 0
        listing = cli("list", tty=True)
        found = cli("search", "zebra", "--limit", "100", tty=True)
        found_json = cli("search", "zebra", "--limit", "100", "--json", tty=True)
        for name, output in (("list", listing), ("search", found), ("search --json", found_json)):
            tally.expect(output.code == 0, f"{name}: {output.err}")
            for hostile in CORPUS:
                tally.look(f"{name} ({hostile.name})", output.out, own_styling=True)
            if "json" not in name:  # JSON for scripts carries whole titles
                tally.lines_bounded(name, output.out)
        tally.expect(found.out.count("zebra") == len(CORPUS), "search missed messages")
        for hostile in SMALL:
            meta = cli("meta", ids[hostile.name], tty=True)
            tally.look(f"meta ({hostile.name})", meta.out)
            tally.expect(meta.code == 0, f"meta {hostile.name}: {meta.err}")
        # run history with a hostile error from the server
        thread_id = ids["rich_markup"]
        everything = " | ".join(hostile.text for hostile in SMALL)  # one run's error
        home.fake.script_runs(
            thread_id,
            [RunPlan("failed", start_after=0, finish_after=0, error_message=everything)],
        )
        _start_runs(home, thread_id, 1)
        runs = cli("runs", thread_id, "--steps", tty=True)
        tally.expect(runs.code == 0, f"runs: {runs.err}")
        for hostile in SMALL:
            tally.look(f"runs ({hostile.name})", runs.out)
        # the deletion log, with hostile titles
        deleted = cli("delete", *ids.values(), "--yes")
        tally.expect(deleted.code == 0, f"delete: {deleted.err}")
        log = cli("deletions", tty=True)
        for hostile in CORPUS:
            tally.look(f"deletions ({hostile.name})", log.out)
        tally.lines_bounded("deletions", log.out)
    return tally


def _start_runs(home: Home, thread_id: str, count: int) -> None:
    """`count` runs, one after the other (each ends before the next starts)."""
    import asyncio

    from threadtui.api.assistants import AssistantsBackend
    from threadtui.api.backend import Connection

    async def start() -> None:
        assistant = home.fake.store.add_assistant(created_at=1, model="gpt-4o-mini")
        backend = AssistantsBackend(
            Connection(
                api_key=KEY, base_url=home.fake.base_url, http_transport=home.fake.transport()
            )
        )
        try:
            for _ in range(count):
                run = await backend.start_run(thread_id, assistant_id=assistant["id"])
                home.clock.advance(1)
                await backend.get_run(thread_id, run.id)
        finally:
            await backend.aclose()

    asyncio.run(start())


# -- error messages that quote the server --------------------------------------------------
def hostile_server(message: str, status: int = 400) -> httpx2.MockTransport:
    """A server that answers every request with an error carrying `message`."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        body = {
            "error": {
                "message": message,
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        }
        payload = json.dumps(body).encode()  # ensure_ascii: lone surrogates as \uXXXX
        return httpx2.Response(
            status, content=payload, headers={"content-type": "application/json"}
        )

    return httpx2.MockTransport(answer)


def check_error_messages() -> Tally:
    """Server error text (and a hostile run error) in the one sentence a user sees."""
    from dataclasses import replace

    from threadtui.api.models import Run, ToolCall
    from threadtui.cli import main
    from threadtui.core.chat.poller import PollUpdate, end_message

    tally = Tally()
    with Home() as home:
        thread_id = home.corpus_thread()
        for hostile in CORPUS:
            for status in (400, 422):  # not retried by the SDK
                err = io.StringIO()
                saved = sys.stdout, sys.stderr
                sys.stdout, sys.stderr = io.StringIO(), err
                try:
                    code = main(
                        ["show", thread_id],
                        http_transport=hostile_server(hostile.text, status),
                        env=home.cli.env,
                    )
                finally:
                    sys.stdout, sys.stderr = saved
                message = err.getvalue()
                tally.look(f"error {status} ({hostile.name})", message)
                tally.expect(code == 1, f"error {status} {hostile.name}: exit {code}")
                problems = sentence_problems(message.strip())
                tally.expect(not problems, f"error {status} {hostile.name}: {problems}")
            text = hostile.text
            run = Run(
                id="run_" + text[:40],
                thread_id=thread_id,
                status="failed",
                last_error=text,
                incomplete_reason=text,
                tool_calls=(ToolCall(id="call_" + text[:20], name=text[:60], arguments=text),),
            )
            for status in ("failed", "incomplete", "requires_action", text[:30]):
                line = end_message(replace(run, status=status))
                tally.look(f"run end ({hostile.name}, {status[:12]})", line)
                tally.lines_bounded(f"run end {hostile.name}", line)
            update = PollUpdate(run=replace(run, status=text[:30]), elapsed=1.0, next_check_in=1.0)
            tally.look(f"status bar ({hostile.name})", update.describe())
            tally.lines_bounded(f"status bar {hostile.name}", update.describe())
    return tally


# -- the TUI's pure rendering --------------------------------------------------------------
def check_tui_rendering() -> Tally:
    """message_view.header_text / part_renderables printed by Rich on a colour terminal:
    only Rich's own colours, no link escapes (OSC 8), markup shown literally, bounded."""
    from rich.console import Console, Group

    from threadtui.api.models import Annotation, Message, Part
    from threadtui.tui.widgets.message_view import DISPLAY_LIMIT, header_text, part_renderables

    tally = Tally()
    for hostile in CORPUS:
        text = _visible(hostile)
        message = Message(
            id="msg_" + text[:30],
            thread_id="thread_x",
            role=text[:40],
            created_at=1,
            parts=(
                Part(
                    "text",
                    text=text,
                    annotations=(
                        Annotation("file_citation", text[:80], text[:80], title=text[:80]),
                    ),
                ),
                Part("refusal", text=text[:2000]),
                Part("function_call", text=text),
                Part("image_url", ref=text[:200]),
            ),
            assistant_id="asst_" + text[:20],
            run_id="run_" + text[:20],
            status="incomplete",
            incomplete_reason=text[:40],
            item_type=text[:20] or "message",
        )
        for markdown in (True, False):
            renderables = [header_text(message, {message.assistant_id: text[:50]}, 10.0)]
            for part in message.parts:
                renderables += part_renderables(part, markdown=markdown)
            colour = io.StringIO()
            Console(file=colour, force_terminal=True, color_system="truecolor", width=100).print(
                Group(*renderables)
            )
            where = f"TUI {'markdown' if markdown else 'plain'} ({hostile.name})"
            tally.look(where, colour.getvalue(), own_styling=True)
            tally.expect("\x1b]8" not in colour.getvalue(), f"{where}: a terminal link")
            plain = io.StringIO()
            Console(file=plain, width=100, no_color=True).print(Group(*renderables))
            flat = plain.getvalue().replace("\n", "")
            if not hostile.big:
                for piece in (hostile.literal, hostile.shown):
                    tally.expect(not piece or piece in flat, f"{where}: lost {piece!r}")
            tally.expect(
                len(plain.getvalue()) < 3 * DISPLAY_LIMIT + 20_000, f"{where}: not bounded"
            )
    return tally


CHECKS: dict[str, Callable[[], Tally]] = {
    "show (terminal and piped, md and json)": check_show_in_process,
    "show on a real pseudo-terminal": check_show_on_a_pty,
    "export files (md, json, jsonl)": check_exports,
    "list, search, meta, runs, deletions": check_listings,
    "error sentences and run status lines": check_error_messages,
    "TUI message rendering (Rich)": check_tui_rendering,
}
