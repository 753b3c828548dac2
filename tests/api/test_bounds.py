"""No answer can keep a call going or make it grow without a bound.

A real loopback server (stdlib, one behaviour per path) drips an answer one byte at a time
(each byte well within the read timeout, so only a deadline on the whole call ends it) and
streams an endless body without a Content-Length; the fake API's `tamper` knob serves a
body past the size cap and a Retry-After of eleven days.
"""

from __future__ import annotations

import asyncio
import http.server
import threading
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from threadtui.api.assistants import AssistantsBackend
from threadtui.api.backend import Connection
from threadtui.api.errors import AnswerTooLarge, ApiError, NetworkDown, RateLimited
from threadtui.api.limits import MAX_ANSWER_BYTES
from threadtui.api.sdk_errors import MAX_RETRY_AFTER
from threadtui.fakeapi import FakeAPI

KEY = "sk-test-bounds-0000"
DRIP_EVERY = 0.05  # seconds between bytes: far inside any read timeout
ENDLESS_CHUNK = b" " * 65536


@dataclass
class Served:
    """What the loopback server did, for the test to look at."""

    stopping: threading.Event = field(default_factory=threading.Event)
    bytes_sent: int = 0


class _Misbehaving(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served: Served

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path.endswith("/thread_drip"):
            self._drip()
        elif self.path.endswith("/thread_endless"):
            self._endless()
        else:
            self.send_error(404)

    def _drip(self) -> None:
        """A thread object announced at 10 kB, sent one byte per DRIP_EVERY seconds."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "10000")
        self.end_headers()
        self._send_until_stopped(lambda: b" ", pace=DRIP_EVERY, limit=10000)

    def _endless(self) -> None:
        """A chunked body that would go on for 200 MB."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        chunk = b"%x\r\n%s\r\n" % (len(ENDLESS_CHUNK), ENDLESS_CHUNK)
        self._send_until_stopped(lambda: chunk, pace=0, limit=200 * 1024 * 1024)

    def _send_until_stopped(self, piece, *, pace: float, limit: int) -> None:
        try:
            while self.served.bytes_sent < limit and not self.served.stopping.wait(pace):
                data = piece()
                self.wfile.write(data)
                self.wfile.flush()
                self.served.bytes_sent += len(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up: what this test wants
        self.close_connection = True


@pytest.fixture
def server() -> Iterator[tuple[str, Served]]:
    served = Served()
    handler = type("Handler", (_Misbehaving,), {"served": served})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", served
    finally:
        served.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


async def _backend(base_url: str, **options) -> AssistantsBackend:
    return AssistantsBackend(Connection(api_key=KEY, base_url=base_url, **options))


async def test_an_answer_dripping_a_byte_at_a_time_ends_at_the_calls_deadline(server) -> None:
    base_url, served = server
    backend = await _backend(base_url, timeout=0.5, max_retries=1)  # deadline 2 x 0.5 s
    with pytest.raises(ApiError):  # loads the SDK's lazy modules before timing matters
        await backend.probe()
    started = time.monotonic()
    with pytest.raises(NetworkDown) as caught:
        await asyncio.wait_for(backend.retrieve_thread("thread_drip"), 10)
    took = time.monotonic() - started
    await backend.aclose()
    assert caught.value.user_message == (
        "127.0.0.1 did not finish answering within 1 s: check your connection, or try again later."
    )
    assert 0.9 <= took < 3
    assert 0 < served.bytes_sent < 10000  # it was still dripping when the call ended


async def test_an_endless_body_without_a_length_is_cut_at_the_cap(server) -> None:
    base_url, served = server
    backend = await _backend(base_url, max_retries=2)
    tracemalloc.start()
    try:
        with pytest.raises(AnswerTooLarge) as caught:
            await asyncio.wait_for(backend.retrieve_thread("thread_endless"), 30)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await backend.aclose()
    assert caught.value.user_message == (
        "The answer from 127.0.0.1 was larger than 32 MB, so it was not read: the server is "
        "misbehaving; check the profile's base_url or try again later."
    )
    assert peak < 2.5 * MAX_ANSWER_BYTES  # not the 200 MB the server had to give
    assert served.bytes_sent < 100 * 1024 * 1024  # not retried: read once, up to the cap


async def test_a_body_announced_over_the_cap_is_refused_before_it_is_read(
    fake: FakeAPI,
) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000)
    fake.tamper(rf"^/threads/{thread.id}$", pad_to=MAX_ANSWER_BYTES + 1)
    backend = await _backend(fake.base_url, http_transport=fake.transport())
    with pytest.raises(AnswerTooLarge, match=r"^The answer from fake.local was larger than 32 MB"):
        await backend.retrieve_thread(thread.id)
    await backend.aclose()
    assert fake.count("GET", regex=rf"/threads/{thread.id}$") == 1  # not asked again
    fake.clear_faults()
    backend = await _backend(fake.base_url, http_transport=fake.transport())
    fake.tamper(rf"^/threads/{thread.id}$", pad_to=MAX_ANSWER_BYTES)  # at the cap: read
    assert (await backend.retrieve_thread(thread.id)).id == thread.id
    await backend.aclose()


async def test_a_retry_after_of_eleven_days_is_capped_and_named(fake: FakeAPI) -> None:
    thread = fake.store.add_thread(created_at=1_700_000_000)
    fake.inject("429", method="GET", retry_after=999_999)
    backend = await _backend(fake.base_url, http_transport=fake.transport())
    with pytest.raises(RateLimited) as caught:
        await backend.retrieve_thread(thread.id)
    await backend.aclose()
    assert caught.value.retry_after == MAX_RETRY_AFTER
    assert caught.value.user_message == (
        "The server is rate limiting this key and asked for a wait of 999999 s (11.6 days), "
        "longer than the 120 s threadtui waits at most: try again later."
    )
    assert fake.count("GET") == 1  # the SDK did not sit out the wait either
