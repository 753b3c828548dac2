"""Redaction of e-mails, phone numbers and keys, without touching IDs."""

from __future__ import annotations

import pytest

from threadtui.api import sdk_errors
from threadtui.core.text.redact import Redactor, redact

IDS = (
    "thread_abc123DEF456ghi789JKL012",
    "msg_AbC9xYz",
    "run_xyz0123456789abcdefABCDEF0123",
    "conv_" + "0123456789abcdef" * 3,
    "resp_" + "fedcba9876543210" * 3,
    "file-AbCdEfGhIjKlMnOpQrStUv",
    "asst_abc",
    "call_" + "Ab1" * 14,
    "step_" + "a1B2" * 10,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jane.doe+x@example.co.uk now", "mail [redacted email 1] now"),
        ("CC: JOHN@corp.io.", "CC: [redacted email 1]."),
        ("call +1 (415) 555-0132 today", "call [redacted phone 1] today"),
        ("call 415-555-0132 or 415.555.0132", "call [redacted phone 1] or [redacted phone 2]"),
        ("(415) 555 0132", "[redacted phone 1]"),
        ("+44 20 7946 0958", "[redacted phone 1]"),
        ("+4915123456789", "[redacted phone 1]"),
        ("key sk-proj-AbCdEf1234567890ghIJklmn", "key [redacted key 1]"),
        ("sk-abcdefghijklmnop1234", "[redacted key 1]"),
        ("Authorization: Bearer abc.def-ghi_jkl1234567", "Authorization: Bearer [redacted key 1]"),
        # base64 of "alice:s3cret-pass" and of "bob:hunter2"
        ("Authorization: Basic YWxpY2U6czNjcmV0LXBhc3M=", "Authorization: Basic [redacted key 1]"),
        (
            "-H 'authorization: basic Ym9iOmh1bnRlcjI='",
            "-H 'authorization: basic [redacted key 1]'",
        ),
        ("hex 0123456789abcdef0123456789abcdef", "hex [redacted key 1]"),
        ("b64 QWxhZGRpbjpvcGVuIHNlc2FtZQ9876543210abcdEFGH==", "b64 [redacted key 1]"),
        ("?token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdEF&x=1", "?token=[redacted key 1]&x=1"),
        ("ghp_" + "A1b2" * 9, "[redacted key 1]"),
        ("AKIAIOSFODNN7EXAMPLE", "[redacted key 1]"),
        (
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
            "[redacted key 1]",
        ),
    ],
)
def test_secrets_become_labelled_placeholders(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        " ".join(IDS),
        "dates 2024-01-15 and 2023-11-14T22:13:20Z, at 14:02:33",
        "amounts 1,234,567.89 and 12345678 and $4,155,550,132",
        "versions v1.2.3 and 3.11.4, ip 192.168.100.200, port 8080",
        "task-force-assessment risk-management-framework-for-2024",
        "/usr/local/lib/python3.11/site-packages/threadtui/core/archive/store.py",
        "Pneumonoultramicroscopicsilicovolcanoconiosisisalongwordindeed",
        "order #4155550132x and invoice INV-2024-000123",
        "a git sha: 3f2a1b0 and user@ alone and @handle",
        "Basic Authentication is the basic scheme; the bearer of bad news",
    ],
)
def test_ids_dates_numbers_and_words_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_same_value_keeps_its_label_and_counts_are_reported() -> None:
    redactor = Redactor()
    first = redactor.text("a@example.com wrote to b@example.com")
    second = redactor.text("then a@example.com again")
    assert first == "[redacted email 1] wrote to [redacted email 2]"
    assert second == "then [redacted email 1] again"
    assert redactor.summary() == "3 emails"


def test_json_values_are_redacted_and_keys_kept() -> None:
    raw = {"id": IDS[1], "content": [{"text": {"value": "mail x@y.org"}}], "x@y.org": 1}
    assert Redactor().json(raw) == {
        "id": IDS[1],
        "content": [{"text": {"value": "mail [redacted email 1]"}}],
        "x@y.org": 1,
    }


@pytest.mark.parametrize(
    "secret",
    [
        "sk-proj-AbCdEf1234567890ghIJklmn",
        "sk-abc123456789",
        "sk-proj-****************************************abcd",
        "Bearer abc.def-ghi_jkl1234567",
        "Basic YWxpY2U6czNjcmV0LXBhc3M=",
        "ghp_" + "A1b2" * 9,
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N",
    ],
)
def test_exports_and_server_errors_redact_the_same_keys(secret: str) -> None:
    """One set of key patterns: what an export hides, an error sentence hides too."""
    token = secret.split()[-1]
    text = f"The server said: invalid credentials {secret} (check them)."
    assert token not in redact(text)
    assert token not in sdk_errors.redact(text)
    assert token not in sdk_errors.server_text(text)
