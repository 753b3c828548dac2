"""Server text passed on to the user never carries an API key, and stays one clean line."""

from __future__ import annotations

import email.utils
import time

from threadtui.api.sdk_errors import redact, retry_after_seconds, server_text


def test_key_like_text_is_redacted() -> None:
    text = "Incorrect API key provided: sk-proj-AbCdEf0123456789xyz. Header Bearer sk-abc123456789"
    cleaned = redact(text)
    assert "sk-proj-AbCdEf" not in cleaned
    assert "sk-abc1234" not in cleaned
    assert "[redacted]" in cleaned


def test_the_connections_own_key_is_redacted_even_without_a_known_prefix() -> None:
    secret = "azure-0123456789abcdef"
    assert secret not in redact(f"key {secret} is not valid", secrets=[secret])


def test_server_text_is_one_capped_line_without_control_characters() -> None:
    text = server_text("line one\nline two\x1b[31m red" + "x" * 1000)
    assert "\n" not in text and "\x1b" not in text
    assert len(text) <= 300
    assert text.endswith("…")


def test_retry_after_prefers_milliseconds_then_seconds_then_a_date() -> None:
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert retry_after_seconds({"retry-after": "1.5"}) == 1.5
    in_20s = email.utils.formatdate(time.time() + 20, usegmt=True)
    assert 15 <= retry_after_seconds({"retry-after": in_20s}) <= 21
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({}) is None
