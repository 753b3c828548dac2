"""OpenAI-shaped error responses: `{"error": {"message", "type", "param", "code"}}`."""

from __future__ import annotations

from dataclasses import dataclass, field

_NOUNS = {
    "thread_": "thread",
    "msg_": "message",
    "run_": "run",
    "step_": "run step",
    "asst_": "assistant",
}


@dataclass
class FakeError(Exception):
    """Raised by a route; the dispatcher turns it into the HTTP error response."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


def bad_request(message: str, *, param: str | None = None, code: str | None = None) -> FakeError:
    return FakeError(400, message, param=param, code=code)


def not_found(object_id: str) -> FakeError:
    """The Assistants API's 404 wording, chosen by the ID's prefix."""
    noun = next((n for p, n in _NOUNS.items() if object_id.startswith(p)), None)
    if noun is None:
        # A wrong-kind ID in a thread slot still says "thread": that is what users see.
        noun = "thread"
    return FakeError(404, f"No {noun} found with id '{object_id}'.")


def not_found_as(noun: str, object_id: str) -> FakeError:
    return FakeError(404, f"No {noun} found with id '{object_id}'.")


def invalid_url(method: str, full_path: str) -> FakeError:
    return FakeError(404, f"Invalid URL ({method} {full_path})")


BETA_HEADER_MISSING = FakeError(
    400,
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
    "Please try again by setting the header 'OpenAI-Beta: assistants=v2'.",
    code="invalid_beta",
)

NO_API_KEY = FakeError(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization "
    "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field "
    "(with blank username) if you're accessing the API from your browser and are prompted for "
    "a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
)


def mask_key(key: str) -> str:
    """Show a key the way the API does in a 401: a short head, stars, a short tail.

    Never the whole key: short keys get more stars and no tail.
    """
    head = key[: min(len(key) // 3, 8)]
    tail = key[-2:] if len(key) >= 12 else ""
    return head + "*" * max(3, len(key) - len(head) - len(tail)) + tail
