"""Importing the SDK ahead of the first request.

Apart from `client` because it imports the backends, which import `client`.
"""

from __future__ import annotations


def warm_up() -> None:
    """Import the SDK and its lazily loaded resource modules (about a second of work), so a
    caller can do it in a background thread before the first request needs them."""
    import openai.resources.beta.threads.messages
    import openai.resources.beta.threads.runs
    import openai.resources.conversations
    import openai.resources.responses  # noqa: F401

    import threadtui.api.assistants  # noqa: F401
