"""IDs from servers and files, shown: the sanitiser's ID helper, explain() on hostile
text, require_made() on what a create returns, and look-alike IDs in the scanner."""

from __future__ import annotations

import pytest

from tests.hardening.hostile import CORPUS, leaks
from threadtui.core.finding.ids import MalformedServerId, explain, require_made
from threadtui.core.finding.scanner import IdScanner, scan_text
from threadtui.core.text.sanitize import clean, id_text

REAL = "thread_6YqAbcDEF0123456789xyzW"


def test_id_text_leaves_a_real_id_alone_and_makes_any_other_inert_and_bounded() -> None:
    assert id_text(REAL) == REAL
    for hostile in CORPUS:
        shown = id_text("run_" + hostile.text)
        assert leaks(shown) == [], hostile.name
        assert len(shown) <= 64 and "\n" not in shown, hostile.name


@pytest.mark.parametrize(
    "char", ["\u061c", "\u202e", "\u2066", "\u200d", "\u3164", "\u2028", "\U000e0041", "\u034f"]
)
def test_bidi_and_format_controls_are_shown_as_stand_ins(char: str) -> None:
    shown = clean(f"a{char}b")
    assert leaks(shown) == [] and shown == f"a⟨U+{ord(char):04X}⟩b"


def test_explain_never_echoes_a_hostile_id_raw() -> None:
    for hostile in CORPUS:
        for text in ("thread_" + hostile.text, hostile.text, "x" + hostile.text):
            sentence = explain(text)
            assert leaks(sentence) == [], hostile.name
            assert len(sentence) < 200, hostile.name


def test_require_made_accepts_a_real_id_of_the_kind_and_refuses_anything_else() -> None:
    assert require_made(REAL, "thread", "api.example") == REAL
    conv = "conv_" + "0a" * 24
    assert require_made(conv, "conversation", "api.example") == conv
    for made, kind in [
        (conv, "thread"),
        (REAL, "conversation"),
        (f"{REAL}\x1b]0;owned\x07", "thread"),
        (f" {REAL}", "thread"),
        ("thread_", "thread"),
        ("", "thread"),
    ]:
        with pytest.raises(MalformedServerId) as refused:
            require_made(made, kind, "api.example")
        assert "api.example made a" in refused.value.user_message
        assert leaks(refused.value.user_message) == []


@pytest.mark.parametrize(
    ("look_alike", "cut"),
    [
        ("thread_AbcДef1", "thread_Abc"),  # Cyrillic De
        ("thread_Abc1\u200d23", "thread_Abc1"),  # zero-width joiner
        ("thread_Abc1\u0301x", "thread_Abc1"),  # combining acute accent
        ("thread_Abc1Ｘyz", "thread_Abc1"),  # fullwidth X
        ("thread_Abc1\u0661", "thread_Abc1"),  # Arabic-Indic digit one
        ("thread_Abc1\U000e0041", "thread_Abc1"),  # a tag character
    ],
)
def test_an_id_continued_by_a_look_alike_character_is_cut_short(look_alike: str, cut: str) -> None:
    text = f"see {look_alike} here"
    report = scan_text(text)
    assert report.ids == [] and report.truncated == [cut]
    for split in range(1, len(text)):  # split between pieces anywhere: the same verdict
        scanner = IdScanner()
        found = scanner.feed(text[:split]) + scanner.feed(text[split:]) + scanner.finish()
        assert found == [] and list(scanner.truncated) == [cut], split


def test_punctuation_and_spaces_after_an_id_still_end_it() -> None:
    for after in (" ", "。", "»", "”", ",", "\u00a0", "\u2028", "—"):
        assert scan_text(f"{REAL}{after}x").ids == [(REAL, "thread")], repr(after)
