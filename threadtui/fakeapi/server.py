"""Serve the fake API on loopback for other processes (`threadtui fake-api --port N`).

A small HTTP/1.1 server on asyncio streams (keep-alive, Content-Length or chunked request
bodies) that hands every request to the same `FakeAPI.handle` the in-process transport
uses. An injected "timeout" or "drop" closes the connection without an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from threadtui.fakeapi.app import FakeAPI
from threadtui.fakeapi.wire import Abort, WireRequest

MAX_HEADER_LINES = 100
MAX_BODY = 64 * 1024 * 1024


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class ServerHandle:
    """What `ready` receives: where the server listens, and a thread-safe `stop()`."""

    host: str
    port: int
    fake: FakeAPI
    _loop: asyncio.AbstractEventLoop
    _stopped: asyncio.Event

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/v1"

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._stopped.set)


class _BadRequest(Exception):
    pass


async def _read_request(reader: asyncio.StreamReader) -> WireRequest | None:
    line = await reader.readline()
    if not line:
        return None
    try:
        method, target, _version = line.decode("latin-1").rstrip("\r\n").split(" ", 2)
    except ValueError:
        raise _BadRequest from None
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise _BadRequest
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                await reader.readline()
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    else:
        length = int(headers.get("content-length", "0") or 0)
        if length > MAX_BODY:
            raise _BadRequest
        body = await reader.readexactly(length) if length else b""
    return WireRequest(method=method, target=target, headers=headers, body=body)


def _encode(status: int, headers: dict[str, str], body: bytes, keep_alive: bool) -> bytes:
    reason = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
    lines = [f"HTTP/1.1 {status} {reason}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "content-length"]
    lines.append(f"content-length: {len(body)}")
    lines.append("connection: " + ("keep-alive" if keep_alive else "close"))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


async def _connection(
    fake: FakeAPI, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    try:
        while True:
            try:
                request = await _read_request(reader)
            except (_BadRequest, ValueError, asyncio.IncompleteReadError):
                writer.write(_encode(400, {"content-type": "text/plain"}, b"bad request", False))
                break
            if request is None:
                break
            outcome = await fake.handle(request)
            if isinstance(outcome, Abort):
                break  # no answer at all: the client sees the connection go away
            keep_alive = request.headers.get("connection", "").lower() != "close"
            writer.write(_encode(outcome.status, outcome.headers, outcome.body, keep_alive))
            await writer.drain()
            if not keep_alive:
                break
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def _serve(
    host: str, port: int, fake: FakeAPI, ready: Callable[[ServerHandle], None] | None
) -> None:
    stopped = asyncio.Event()
    tasks: set[asyncio.Task] = set()

    async def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.add(task)
        try:
            await _connection(fake, reader, writer)
        finally:
            tasks.discard(task)

    server = await asyncio.start_server(on_connect, host, port)
    bound = server.sockets[0].getsockname()[1]
    handle = ServerHandle(host, bound, fake, asyncio.get_running_loop(), stopped)
    if ready is not None:
        ready(handle)
    else:
        print(f"threadtui fake API listening on {handle.base_url} (Ctrl+C to stop)", flush=True)
    async with server:
        await stopped.wait()
        server.close()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int | None = 1,
    ready: Callable[[ServerHandle], None] | None = None,
    *,
    fake: FakeAPI | None = None,
) -> None:
    """Serve a FakeAPI (seeded with `seed`, or `fake`) until stopped; blocks.

    Only loopback hosts are allowed. `port=0` picks a free port; `ready(handle)` gets the
    bound port and a thread-safe `handle.stop()`. Without `ready` the URL is printed.
    Ctrl+C stops it quietly.
    """
    if not is_loopback(host):
        raise ValueError(
            f"the fake API only listens on loopback (127.0.0.1, ::1, localhost), not {host!r}"
        )
    api = fake if fake is not None else FakeAPI(seed=seed)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(host, port, api, ready))


def serve_in_thread(
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int | None = 1,
    *,
    fake: FakeAPI | None = None,
    timeout: float = 10.0,
) -> tuple[ServerHandle, threading.Thread]:
    """Start `serve()` in a daemon thread; returns once it listens. Stop with handle.stop()."""
    started = threading.Event()
    box: list[ServerHandle | BaseException] = []

    def on_ready(handle: ServerHandle) -> None:
        box.append(handle)
        started.set()

    def run() -> None:
        try:
            serve(host, port, seed, on_ready, fake=fake)
        except BaseException as exc:  # reported to the caller below
            box.append(exc)
            started.set()

    thread = threading.Thread(target=run, daemon=True, name="fake-api")
    thread.start()
    if not started.wait(timeout):
        raise RuntimeError("the fake API server did not start")
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0], thread
