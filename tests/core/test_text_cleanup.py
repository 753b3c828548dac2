"""Lone surrogates and invisible characters are handled the same way in every layer."""

from __future__ import annotations

from pathlib import Path

from threadtui.api.sdk_errors import server_text
from threadtui.api.wire import well_formed
from threadtui.core.store.registry import Registry
from threadtui.core.text.sanitize import clean

LONE = "\udcff"  # how Python reads the byte 0xff of a command line that is not UTF-8


def test_a_lone_surrogate_becomes_u_fffd_in_the_registry_the_wire_and_the_screen(
    tmp_path: Path,
) -> None:
    with Registry(tmp_path / "registry.sqlite3") as registry:
        registry.add("thread_abc123", kind="thread", profile="default", title=f"caf{LONE}")
        stored = registry.get("thread_abc123")
    assert stored is not None and stored.title == "caf\ufffd"
    assert well_formed({f"k{LONE}": [f"v{LONE}", 1]}) == {"k\ufffd": ["v\ufffd", 1]}
    assert clean(f"caf{LONE}") == "caf\ufffd"


def test_the_arabic_letter_mark_is_shown_and_dropped_from_error_sentences() -> None:
    """U+061C reorders text like the other bidi marks: visible on screen, gone from errors."""
    assert clean("a\u061cb") == "a⟨U+061C⟩b"
    assert server_text("not\u061cfound") == "not found"
