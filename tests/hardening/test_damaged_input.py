"""Damaged input files and half-written escape sequences: what is readable is kept."""

from __future__ import annotations

from threadtui.core.sanitize import clean


def test_an_unterminated_escape_sequence_does_not_swallow_the_lines_after_it() -> None:
    text = "\x1b]0;title without end\nsecond line\n\x1bPdcs too\nthird line"
    assert clean(text).split("\n") == [
        "␛]0;title without end",
        "second line",
        "␛Pdcs too",
        "third line",
    ]
