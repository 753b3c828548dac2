"""A faithful, stateful fake of OpenAI's Assistants (and Conversations) wire format.

    fake = FakeAPI(clock=ManualClock(), seed=1)
    client = openai.AsyncOpenAI(
        api_key="sk-fake", base_url=fake.base_url,
        http_client=openai.DefaultAsyncHttpxClient(transport=fake.transport()),
    )

It imports nothing from threadtui except `threadtui.clock`.
"""

from threadtui.fakeapi.app import FakeAPI
from threadtui.fakeapi.faults import Fault
from threadtui.fakeapi.log import LoggedRequest, RequestLog
from threadtui.fakeapi.runs import RunPlan

__all__ = ["FakeAPI", "Fault", "LoggedRequest", "RequestLog", "RunPlan"]
