"""Redaction for exports: e-mail addresses, phone numbers and key-like strings (the keys
as `threadtui.text.redact_keys` finds them for every layer).

Each is replaced by a labelled placeholder numbered per document ("[redacted email 1]"),
so a reader still sees that the same address came up twice. The patterns are built to
leave OpenAI IDs alone (thread_…, msg_…, run_…, conv_… + 48 hex, file-…): a secret must
not follow a letter, digit, `_` or `-`, which every ID suffix does. Dates, times, amounts
and version numbers are not phone numbers: a phone number needs a leading `+` or the
North American 3-3-4 grouping, and 7 to 15 digits.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from threadtui.text import redact_keys

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])"
)
_PHONE = re.compile(
    r"(?<![\w+.-])(?:"
    r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}"  # +44 20 7946 0958
    r"|\(\d{3}\) ?\d{3}[ .-]\d{4}"  # (415) 555-0132
    r"|\d{3}([.-])\d{3}\1\d{4}"  # 415-555-0132, 415.555.0132
    r")(?![\w.-]?\d)"
)


class Redactor:
    """Replaces e-mails, phone numbers and keys; one instance per exported document, so
    the same value gets the same placeholder throughout."""

    def __init__(self) -> None:
        self._labels: dict[tuple[str, str], str] = {}
        self.counts: Counter[str] = Counter()  # what was redacted: kind -> occurrences

    def _label(self, kind: str, value: str) -> str:
        label = self._labels.get((kind, value))
        if label is None:
            number = sum(1 for k, _ in self._labels if k == kind) + 1
            label = self._labels[(kind, value)] = f"[redacted {kind} {number}]"
        self.counts[kind] += 1
        return label

    def text(self, text: str) -> str:
        """`text` with every e-mail address, phone number and key-like string replaced."""
        if not text:
            return text
        text = redact_keys(text, lambda key: self._label("key", key))
        text = _EMAIL.sub(lambda m: self._label("email", m.group(0)), text)

        def phone(match: re.Match[str]) -> str:
            digits = sum(c.isdigit() for c in match.group(0))
            return self._label("phone", match.group(0)) if 7 <= digits <= 15 else match.group(0)

        return _PHONE.sub(phone, text)

    def json(self, value: Any) -> Any:
        """A copy of a JSON value with every string value redacted (keys are kept)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, dict):
            return {k: self.json(v) for k, v in value.items()}
        return value

    def summary(self) -> str:
        """ "2 emails, 1 key" (or "nothing")."""
        parts = [f"{n} {kind}{'s' if n != 1 else ''}" for kind, n in sorted(self.counts.items())]
        return ", ".join(parts) or "nothing"


def redact(text: str) -> str:
    """`text` with e-mail addresses, phone numbers and key-like strings replaced."""
    return Redactor().text(text)
