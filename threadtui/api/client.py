"""Building the `openai.AsyncOpenAI` client for a `Connection`.

`openai` is imported here, inside the function, so importing threadtui.api stays cheap and
the TUI's first paint never waits for it. The key goes straight into the client and is
never logged or shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from threadtui.api.errors import AuthFailed

if TYPE_CHECKING:
    import openai

    from threadtui.api.backend import Connection

NO_KEY_MESSAGE = (
    "No API key was found: set the variable named by the profile's api_key_env "
    "(OPENAI_API_KEY by default)."
)


def make_client(connection: Connection) -> openai.AsyncOpenAI:
    """An `AsyncOpenAI` for `connection`; its SDK retries follow `connection.max_retries`.

    Every answer's size is capped (`threadtui.api.limits`). When `connection.http_transport` is set (the fake API, in the demo and the tests), the
    SDK's own HTTP client is built on it, so everything above the socket stays real.
    """
    import openai

    from threadtui.api.limits import answer_size_cap

    # The SDK's default HTTP client, plus a cap on how big an answer may be.
    options: dict[str, Any] = {"event_hooks": {"response": [answer_size_cap()]}}
    if connection.http_transport is not None:
        options["transport"] = connection.http_transport
    http_client = openai.DefaultAsyncHttpxClient(**options)
    try:
        return openai.AsyncOpenAI(
            api_key=connection.api_key,
            organization=connection.organization,
            project=connection.project,
            base_url=connection.base_url,
            timeout=connection.timeout,
            max_retries=connection.max_retries,
            http_client=http_client,
        )
    except openai.OpenAIError:
        # Raised only when neither the profile nor OPENAI_API_KEY gives a key.
        raise AuthFailed(NO_KEY_MESSAGE) from None
