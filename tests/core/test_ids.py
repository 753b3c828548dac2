"""kind_of(): the one place an ID's prefix says whether it is a thread or a conversation."""

from __future__ import annotations

import pytest

from threadtui.core.finding.ids import PREFIXES, TRACKABLE, classify, kind_of
from threadtui.core.settings.config import API_OF_KIND


@pytest.mark.parametrize(
    ("thread_id", "kind"),
    [
        ("thread_abc123", "thread"),
        ("conv_68a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2", "conversation"),
        # Only the exact prefix counts: these are not conversations.
        ("CONV_abc123", "thread"),
        ("conversation_abc123", "thread"),
        ("thread_conv_abc", "thread"),
    ],
)
def test_the_prefix_alone_decides_the_kind(thread_id: str, kind: str) -> None:
    assert kind_of(thread_id) == kind


@pytest.mark.parametrize("entry", [p for p in PREFIXES if p.kind in TRACKABLE])
def test_kind_of_agrees_with_the_prefix_table(entry) -> None:
    """A trackable ID gets the kind the ID table gives its prefix, and a profile API."""
    thread_id = f"{entry.prefix}Abc123"
    assert classify(thread_id) is entry.kind
    assert kind_of(thread_id) == entry.kind.value
    assert API_OF_KIND[kind_of(thread_id)] == (
        "conversations" if entry.kind.value == "conversation" else "assistants"
    )
