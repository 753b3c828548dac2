"""Domain errors: what went wrong with the remote service, in a sentence for the user.

Every SDK exception becomes one of these in `threadtui.api.sdk_errors`. Each is a
`threadtui.errors.UserError` (`user_message`, one sentence saying what happened and what to
do, and the server's `request_id`) with the HTTP `status` and `retryable`.
"""

from __future__ import annotations

from threadtui.errors import UserError


class ApiError(UserError):
    """Base of every error the API layer raises."""

    retryable = False

    def __init__(
        self, user_message: str, *, status: int | None = None, request_id: str | None = None
    ) -> None:
        super().__init__(user_message, request_id=request_id)
        self.status = status


class NotFound(ApiError):
    """404: the object does not exist for this key (deleted, expired, or another project)."""

    def __init__(
        self,
        user_message: str,
        *,
        object_id: str | None = None,
        status: int | None = 404,
        request_id: str | None = None,
    ):
        super().__init__(user_message, status=status, request_id=request_id)
        self.object_id = object_id


class WrongProject(ApiError):
    """403: the key can't see this object; it belongs to another organization or project."""


class RunActive(ApiError):
    """400: the thread is locked by an active run (or a conversation by a response)."""

    retryable = True

    def __init__(
        self,
        user_message: str,
        *,
        run_id: str | None = None,
        status: int | None = 400,
        request_id: str | None = None,
    ):
        super().__init__(user_message, status=status, request_id=request_id)
        self.run_id = run_id


class RateLimited(ApiError):
    """429, after the SDK's own retries: wait `retry_after` seconds."""

    retryable = True

    def __init__(
        self,
        user_message: str,
        *,
        retry_after: float | None = None,
        status: int | None = 429,
        request_id: str | None = None,
    ):
        super().__init__(user_message, status=status, request_id=request_id)
        self.retry_after = retry_after


class AuthFailed(ApiError):
    """401: the key is missing, wrong or revoked."""


class ServerError(ApiError):
    """5xx, after the SDK's own retries."""

    retryable = True


class NetworkDown(ApiError):
    """No answer: connection refused or dropped, DNS, or a timeout."""

    retryable = True


class ApiRetired(ApiError):
    """The server no longer speaks this API at all (every Assistants route answers 404)."""


class BadRequest(ApiError):
    """Another 400/409/422: the server's own message is passed on."""


class ReadOnly(ApiError):
    """A change was asked of a read-only profile or session; nothing was sent."""


class EndlessPages(ApiError):
    """A list kept going without getting anywhere: its cursor did not move, it came back to
    a page already read, it brought nothing new, or it passed the page cap."""


class AnswerTooLarge(ApiError):
    """An answer bigger than threadtui reads (`threadtui.api.limits.MAX_ANSWER_BYTES`)."""


class MalformedAnswer(ApiError):
    """The server answered, but not with what the API sends: text that is not UTF-8 or JSON,
    an HTML page, an error object with status 200, an object without its `id`, a field of
    the wrong type. `detail` says what (our words, never the server's)."""

    def __init__(
        self, detail: str, *, host: str | None = None, object_id: str | None = None
    ) -> None:
        self.detail, self.host, self.object_id = detail, host, object_id
        server = host or "The server"
        about = f" about {object_id}" if object_id else ""
        super().__init__(
            f"{server} sent a malformed answer{about} ({detail}), so nothing was changed: "
            "check the profile's base_url, or try again later."
        )

    def located(self, host: str | None, object_id: str | None) -> MalformedAnswer:
        """The same error, naming the server and what was asked about where it did not."""
        return MalformedAnswer(
            self.detail, host=self.host or host, object_id=self.object_id or object_id
        )


class NotFoundUnclear(ApiError):
    """404 whose body does not name the object asked about (an HTML page, another ID):
    not proof that it is gone, so its status stays unknown."""
