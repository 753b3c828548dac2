"""A faithful, stateful fake of OpenAI's Assistants v2 and Conversations/Responses wire format.

Mount it under the real SDK::

    fake = FakeAPI(clock=ManualClock(), seed=1)   # seed=None: empty
    client = openai.AsyncOpenAI(
        api_key="sk-fake", base_url=fake.base_url,
        http_client=openai.DefaultAsyncHttpxClient(transport=fake.transport()),
    )

Knobs (all on `FakeAPI`):

- `latency` (seconds of real sleep per request), `retired` (every /threads and
  /assistants route answers 404 "Invalid URL (…)"), `poll_after_ms` (by run status).
- `inject(kind, method=, path=regex, times=1|None, retry_after=)` with kinds "429",
  "500", "503", "401", "403", "404", "timeout", "drop", "fail_after_create";
  `clear_faults()`.
- `tamper(path_regex, headers=, fields=, pad_to=)`: answers with absurd headers, replaced
  JSON fields or a body padded to a size, until `clear_faults()`.
- `script_runs(thread_id=None, outcomes=[RunPlan(...)], assistant_id=None)` and
  `script_responses(conversation_id=None, outcomes=[RunPlan(...)])`.
- `requests` (a `RequestLog` of `LoggedRequest`s; `.clear()`, `.matching()`)
  and `count(method, "/threads/{id}/messages", regex=...)`.
- `demo_threads()`: the seeded threads and conversations for the demo registry.

`threadtui.fakeapi.server.serve()` serves the same fake on loopback. The package imports
nothing from threadtui except `threadtui.clock`.
"""

from threadtui.fakeapi.app import FakeAPI
from threadtui.fakeapi.faults import Fault
from threadtui.fakeapi.log import LoggedRequest, RequestLog
from threadtui.fakeapi.plans import RunPlan

__all__ = ["FakeAPI", "Fault", "LoggedRequest", "RequestLog", "RunPlan"]
