"""The one root of every failure threadtui expects, whatever layer it comes from.

A `UserError` carries `user_message`, one sentence saying what happened and what to do,
and `request_id`, the server's ID for the request that failed when there was one (what a
provider's support asks for). `str(error)` is the sentence. The CLI prints it and exits 1;
the TUI shows it in the status bar. This module imports nothing of threadtui, so every
layer can use it.
"""

from __future__ import annotations


class UserError(Exception):
    """An expected failure, told to the user in one sentence."""

    def __init__(self, user_message: str, *, request_id: str | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.request_id = request_id

    def __str__(self) -> str:
        return self.user_message

    def with_request_id(self) -> str:
        """The sentence, then the server's request ID when there is one (`with_request_id`)."""
        return with_request_id(self.user_message, self.request_id)


def with_request_id(sentence: str, request_id: str | None) -> str:
    """`sentence`, then the request ID when there is one: for the CLI's error lines and the
    deletion log, where an auditor may need to quote it to the provider."""
    return f"{sentence} Request ID: {request_id}." if request_id else sentence


def read_only_refusal(outcome: str) -> str:
    """The sentence for a change refused by a read-only profile or session, ending with
    `outcome` ("nothing was deleted.")."""
    return f"Read-only (the profile or --read-only): {outcome}"
