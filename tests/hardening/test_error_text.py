"""Server text quoted in an error sentence: nothing that hides or reorders text on a
terminal survives (controls, bidi marks and overrides, zero-width characters)."""

from __future__ import annotations

import pytest

from tests.hardening.hostile import BY_NAME, leaks
from threadtui.api.sdk_errors import server_text


@pytest.mark.parametrize("name", ["bidi", "zero_width", "c0_controls", "c1_controls", "ansi_csi"])
def test_server_text_keeps_the_words_and_drops_what_would_mislead(name: str) -> None:
    quoted = server_text(f"Invalid value: '{BY_NAME[name].text}'.")
    assert leaks(quoted) == []
    assert quoted.startswith("Invalid value: '") and quoted.endswith("'.")
