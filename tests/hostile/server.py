"""A hostile Assistants v2 server on the standard library: one behaviour per thread ID.

`thread_<behaviour>` names what the server does to every request about that thread (see
`BEHAVIOURS`); any other ID, and `thread_normal`, is a well-behaved thread of three
messages and one run. A behaviour is a small function that answers one request, or returns
None to let the well-behaved answer through, so adding one is one function and one line in
the table. Every answer ends: a drip has a total cap, a huge page a fixed size.

    with serve() as server:
        server.base_url  # http://127.0.0.1:PORT/v1
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

ESC_ID = "run_\x1b]52;c;aGk=\x1b\\\x1b]0;pwned\x1b\\\x1b[2J"
DRIP_BYTES = 40  # a drip sends this many bytes, one per DRIP_INTERVAL: it ends on its own
DRIP_INTERVAL = 1.0
HUGE_BYTES = 8 * 1024 * 1024  # one message of 8 MB
CREATED_AT = 1_760_000_000
_THREAD = re.compile(r"/threads/(thread_[A-Za-z0-9]+)")


@dataclass
class Answer:
    status: int = 200
    body: bytes | Iterator[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_answer(value: Any, status: int = 200, **headers: str) -> Answer:
    return Answer(
        status, json.dumps(value).encode(), {"content-type": "application/json", **headers}
    )


def api_error(status: int, message: str) -> Answer:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    return json_answer({"error": error}, status)


@dataclass(frozen=True)
class Ask:
    """One request: its method, path (without /v1), query and the thread it is about."""

    method: str
    path: str
    query: dict[str, str]
    thread_id: str

    @property
    def is_messages(self) -> bool:
        return self.path.endswith("/messages")

    @property
    def is_thread(self) -> bool:
        return self.path == f"/threads/{self.thread_id}"


# -- the well-behaved thread -------------------------------------------------------------------
def message(thread_id: str, n: int, text: str = "", **fields: Any) -> dict[str, Any]:
    return {
        "id": f"msg_{n:04d}",
        "object": "thread.message",
        "created_at": CREATED_AT + n,
        "thread_id": thread_id,
        "role": "user" if n % 2 else "assistant",
        "content": [{"type": "text", "text": {"value": text or f"message {n}", "annotations": []}}],
        "assistant_id": None,
        "run_id": None,
        "attachments": [],
        "metadata": {},
        **fields,
    }


def run(thread_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": "run_0001",
        "object": "thread.run",
        "created_at": CREATED_AT,
        "thread_id": thread_id,
        "assistant_id": "asst_0001",
        "status": "completed",
        "model": "gpt-test",
        "started_at": CREATED_AT,
        "completed_at": CREATED_AT + 5,
        "expires_at": None,
        "last_error": None,
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        **fields,
    }


def page(data: list[dict[str, Any]], *, has_more: bool = False, last_id: str | None = None) -> Any:
    return {
        "object": "list",
        "data": data,
        "first_id": data[0].get("id") if data else None,
        "last_id": last_id if last_id is not None else (data[-1].get("id") if data else None),
        "has_more": has_more,
    }


def well_behaved(ask: Ask, server: HostileServer) -> Answer:
    thread_id, path = ask.thread_id, ask.path
    if ask.method == "DELETE" and ask.is_thread:
        server.deleted.add(thread_id)
        return json_answer({"id": thread_id, "object": "thread.deleted", "deleted": True})
    if ask.method == "POST" and ask.is_messages:
        return json_answer(message(thread_id, 99))
    if ask.is_thread:
        return json_answer(
            {"id": thread_id, "object": "thread", "created_at": CREATED_AT, "metadata": {}}
        )
    if ask.is_messages:
        messages = [message(thread_id, n) for n in (1, 2, 3)]
        return json_answer(page(messages if ask.query.get("order") == "asc" else messages[::-1]))
    if path.endswith("/runs"):
        return json_answer(page([run(thread_id)]))
    if path.endswith("/steps"):
        return json_answer(page([]))
    if re.search(r"/runs/run_[^/]+$", path):
        return json_answer(run(thread_id))
    return api_error(404, f"Invalid URL ({ask.method} /v1{path})")


# -- behaviours: each answers a request, or None for the well-behaved answer -------------------
Behaviour = Callable[[Ask, "HostileServer"], Answer | None]


def gone(ask: Ask, server: HostileServer) -> Answer | None:
    return api_error(404, f"No thread found with id '{ask.thread_id}'.")


def html404(ask: Ask, server: HostileServer) -> Answer | None:
    body = b"<html><body><h1>404 Not Found</h1><p>nginx</p></body></html>"
    return Answer(404, body, {"content-type": "text/html"})


def not_found_other(ask: Ask, server: HostileServer) -> Answer | None:
    return api_error(404, "No thread found with id 'thread_SomebodyElse'.")


def bad_utf8(ask: Ask, server: HostileServer) -> Answer | None:
    return Answer(
        200, b'{"id": "\xff\xfe\xc3(", "object": "thread"}', {"content-type": "application/json"}
    )


def html200(ask: Ask, server: HostileServer) -> Answer | None:
    body = b"<!doctype html><html><body>Welcome to the captive portal</body></html>"
    return Answer(200, body, {"content-type": "text/html"})


def error200(ask: Ask, server: HostileServer) -> Answer | None:
    error = {"message": "upstream failed", "type": "server_error", "param": None, "code": None}
    return json_answer({"error": error})


def no_id(ask: Ask, server: HostileServer) -> Answer | None:
    if ask.is_thread and ask.method == "GET":
        return json_answer({"object": "thread", "created_at": CREATED_AT, "metadata": {}})
    if ask.is_messages and ask.method == "GET":
        return json_answer(page([{"object": "thread.message", "role": "user", "content": []}]))
    if ask.path.endswith("/runs"):
        return json_answer(page([{"object": "thread.run", "status": "completed"}]))
    return None


def wrong_types(ask: Ask, server: HostileServer) -> Answer | None:
    if ask.is_thread and ask.method == "GET":
        return json_answer(
            {"id": 12, "object": "thread", "created_at": "yesterday", "metadata": []}
        )
    if ask.is_messages and ask.method == "GET":
        odd = message(ask.thread_id, 1, created_at="soon", content="text", role=["user"])
        return json_answer(page([odd], has_more="yes"))  # type: ignore[arg-type]
    if ask.path.endswith("/runs"):
        return json_answer(page([run(ask.thread_id, created_at="x", usage=[1], status=5)]))
    return None


def repeat_message(ask: Ask, server: HostileServer) -> Answer | None:
    """Two pages that both hold msg_0002 (as when a message arrives between two pages)."""
    if not (ask.is_messages and ask.method == "GET"):
        return None
    ascending = ask.query.get("order") == "asc"
    first, second = [1, 2], [2, 3]
    if not ascending:
        first, second = [3, 2], [2, 1]
    numbers = second if ask.query.get("after") else first
    messages = [message(ask.thread_id, n) for n in numbers]
    return json_answer(page(messages, has_more=not ask.query.get("after")))


def redirect_loop(ask: Ask, server: HostileServer) -> Answer | None:
    return Answer(302, b"", {"location": f"/v1{ask.path}"})


def esc_in_id(ask: Ask, server: HostileServer) -> Answer | None:
    if ask.is_messages and ask.method == "GET":
        return json_answer(page([message(ask.thread_id, 1, id="msg_\x1b]0;pwned\x07x")]))
    if ask.path.endswith("/runs"):
        return json_answer(page([run(ask.thread_id, id=ESC_ID, assistant_id="asst_\x1b[2J")]))
    return None


def repeat_cursor(ask: Ask, server: HostileServer) -> Answer | None:
    if ask.method == "GET" and (ask.is_messages or ask.path.endswith("/runs")):
        return json_answer(page([message(ask.thread_id, 1)], has_more=True))
    return None


def cycle(ask: Ask, server: HostileServer) -> Answer | None:
    """Two pages whose cursors point at each other."""
    if ask.method == "GET" and (ask.is_messages or ask.path.endswith("/runs")):
        n = 2 if ask.query.get("after") == "msg_0001" else 1
        return json_answer(page([message(ask.thread_id, n)], has_more=True))
    return None


def drip(ask: Ask, server: HostileServer) -> Answer | None:
    def chunks() -> Iterator[bytes]:
        for byte in b" " * DRIP_BYTES:
            yield bytes([byte])
            time.sleep(DRIP_INTERVAL)  # the drip itself; it ends after DRIP_BYTES

    return Answer(200, chunks(), {"content-type": "application/json"})


def huge(ask: Ask, server: HostileServer) -> Answer | None:
    if ask.is_messages and ask.method == "GET":
        return json_answer(page([message(ask.thread_id, 1, "x" * HUGE_BYTES)]))
    return None


def retry_after_huge(ask: Ask, server: HostileServer) -> Answer | None:
    answer = api_error(429, "Rate limit reached.")
    answer.headers["retry-after"] = "999999"
    return answer


def poll_inf(ask: Ask, server: HostileServer) -> Answer | None:
    if "/runs" in ask.path:
        answer = well_behaved(ask, server)
        answer.headers["openai-poll-after-ms"] = "inf"
        return answer
    return None


def expires_ms(ask: Ask, server: HostileServer) -> Answer | None:
    if ask.path.endswith("/runs"):
        running = run(ask.thread_id, status="in_progress", expires_at=CREATED_AT * 1000)
        return json_answer(page([running]))
    return None


BEHAVIOURS: dict[str, Behaviour] = {
    "normal": lambda ask, server: None,
    "gone": gone,
    "html404": html404,
    "404other": not_found_other,
    "badUtf8": bad_utf8,
    "html200": html200,
    "error200": error200,
    "noId": no_id,
    "wrongTypes": wrong_types,
    "repeatMessage": repeat_message,
    "redirectLoop": redirect_loop,
    "escInId": esc_in_id,
    "repeatCursor": repeat_cursor,
    "cycle": cycle,
    "drip": drip,
    "huge": huge,
    "retryAfterHuge": retry_after_huge,
    "pollInf": poll_inf,
    "expiresMs": expires_ms,
}


def behaviour_of(thread_id: str) -> Behaviour:
    return BEHAVIOURS.get(thread_id.removeprefix("thread_"), BEHAVIOURS["normal"])


# -- HTTP ---------------------------------------------------------------------------------------
class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.deleted: set[str] = set()
        self.requests: list[str] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def answer(self, method: str, target: str) -> Answer:
        url = urlsplit(target)
        path = url.path.removeprefix("/v1")
        query = {name: values[-1] for name, values in parse_qs(url.query).items()}
        found = _THREAD.search(path)
        if found is None:  # the probe (GET /assistants) and creates
            if path == "/assistants":
                return json_answer(page([]))
            if path == "/threads" and method == "POST":
                return json_answer(
                    {
                        "id": "thread_created",
                        "object": "thread",
                        "created_at": CREATED_AT,
                        "metadata": {},
                    }
                )
            return api_error(404, f"Invalid URL ({method} /v1{path})")
        ask = Ask(method, path, query, found.group(1))
        return behaviour_of(ask.thread_id)(ask, self) or well_behaved(ask, self)


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.server.requests.append(f"{self.command} {self.path}")
        answer = self.server.answer(self.command, self.path)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        if isinstance(answer.body, bytes):
            self.send_header("content-length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
            return
        self.send_header("connection", "close")
        self.close_connection = True
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up: the drip ends here
            for chunk in answer.body:
                self.wfile.write(chunk)
                self.wfile.flush()

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass


@contextlib.contextmanager
def serve() -> Iterator[HostileServer]:
    """The server on 127.0.0.1 (a free port) in a thread, shut down and joined on exit."""
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, name="hostile-server", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
