"""Property-based tests for the ID scanner (hypothesis)."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st

from threadtui.core.finding.ids import PREFIXES
from threadtui.core.finding.scanner import plausible, scan_text

BASE62 = string.digits + string.ascii_letters
HEX = "0123456789abcdef"
# Characters that end a token without changing its meaning: no '.', '-', '_', '\\', '%'
# ('...' marks truncation, the others join or escape), no letters or digits.
SEPARATORS = " \t\n\r,;:()[]{}<>/|=&?!#@*+'\"`~^$"

thread_ids = st.text(BASE62, min_size=1, max_size=40).filter(plausible).map("thread_".__add__)
conv_ids = (
    st.text(HEX, min_size=1, max_size=60).filter(lambda s: not s.isalpha()).map("conv_".__add__)
)
trackable_ids = st.one_of(thread_ids, conv_ids)
separators = st.text(SEPARATORS, min_size=1, max_size=5)
# Words that never hold an ID prefix: letters, digits, spaces and punctuation.
filler = st.text(string.ascii_letters + string.digits + " .,;:-_\n\"'", max_size=30).filter(
    lambda s: not any(p.prefix[:-1] in s for p in PREFIXES)
)


def pieces_of(text: str, cuts: list[int]) -> list[str]:
    points = sorted({min(c, len(text)) for c in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


@settings(max_examples=300, deadline=None)
@given(
    thread_id=trackable_ids,
    before=separators,
    after=separators,
    left=filler,
    right=filler,
    cuts=st.lists(st.integers(0, 200), max_size=6),
)
def test_an_id_between_any_separators_is_found_exactly_once(
    thread_id: str, before: str, after: str, left: str, right: str, cuts: list[int]
) -> None:
    if before[-1] in "\"'" and after[0] in "\r\n":
        after = " " + after  # a quote the line ends inside means a cut-short ID
    text = left + before + thread_id + after + right
    report = scan_text(pieces_of(text, cuts))
    assert [i for i, _ in report.ids] == [thread_id]
    assert report.truncated == [] and report.others == []


@settings(max_examples=200, deadline=None)
@given(
    ids=st.lists(trackable_ids, min_size=1, max_size=8), sep=separators, repeat=st.integers(1, 3)
)
def test_repeats_are_dropped_in_first_seen_order(ids: list[str], sep: str, repeat: int) -> None:
    if sep[-1] in "\"'" and sep[0] in "\r\n":
        sep = " " + sep  # a quote the line ends inside means a cut-short ID
    report = scan_text(" " + sep.join(ids * repeat) + " ")
    assert [i for i, _ in report.ids] == list(dict.fromkeys(ids))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_text_without_a_prefix_yields_nothing(text: str) -> None:
    for p in PREFIXES:
        text = text.replace(p.prefix, "")
    report = scan_text(text)
    assert (report.ids, report.truncated, report.others) == ([], [], [])


@settings(max_examples=300, deadline=None)
@given(glue=st.sampled_from(list(string.ascii_letters + string.digits + "_")), thread_id=thread_ids)
def test_an_id_glued_to_a_word_is_never_found(glue: str, thread_id: str) -> None:
    for text in (f"x{glue}{thread_id} ", f" {thread_id}_{glue} ", f" a-{thread_id} "):
        assert scan_text(text).ids == []


# Text rich in ID fragments, so chunk boundaries fall inside prefixes, suffixes and escapes.
fragments = st.sampled_from(
    [
        "thread_",
        "conv_",
        "run_",
        "file-",
        "a",
        "B",
        "1",
        "f",
        "_",
        "-",
        " ",
        "\n",
        '"',
        "'",
        "…",
        ".",
        "\\",
        "n",
        "%",
        "2",
        "F",
        "u0022",
    ]
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(fragments, max_size=80), cuts=st.lists(st.integers(0, 400), max_size=10))
def test_pieces_never_change_what_is_found(parts: list[str], cuts: list[int]) -> None:
    text = "".join(parts)
    whole = scan_text(text)
    split = scan_text(pieces_of(text, cuts))
    assert split.ids == whole.ids
    assert split.truncated == whole.truncated
    assert [(o.label, o.count) for o in split.others] == [(o.label, o.count) for o in whole.others]
