"""The ID scanner on the synthetic log set (tests/data/logs), with exact expected results."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

from threadtui.core.finding.scanner import Decoded, FirstSeen, IdScanner, ScanReport, scan_text

LOGS = Path(__file__).parent.parent / "data" / "logs"
EXPECTED = json.loads((LOGS / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(EXPECTED["files"])


def summary(report: ScanReport) -> dict[str, object]:
    return {
        "ids": [thread_id for thread_id, _ in report.ids],
        "truncated": report.truncated,
        "others": {other.label: other.count for other in report.others},
    }


@pytest.mark.parametrize("name", FILES)
def test_each_log_gives_exactly_the_expected_ids(name: str) -> None:
    report = scan_text((LOGS / name).read_text(encoding="utf-8"))
    assert summary(report) == EXPECTED["files"][name]
    assert all(
        kind == ("thread" if i.startswith("thread_") else "conversation") for i, kind in report.ids
    )


def whole_set() -> str:
    """Every file in name order, each ending its last line."""
    return "\n".join((LOGS / name).read_text(encoding="utf-8") for name in sorted(FILES))


def test_the_whole_set_in_name_order() -> None:
    assert summary(scan_text(whole_set())) == EXPECTED["all"]


@pytest.mark.parametrize("size", [1, 2, 3, 7, 64, 4096])
def test_pieces_of_any_size_give_the_same_result(size: int) -> None:
    text = whole_set()
    pieces = [text[n : n + size] for n in range(0, len(text), size)]
    assert summary(scan_text(pieces)) == EXPECTED["all"]


def test_an_id_split_at_every_point_is_found_whole_once() -> None:
    line = 'x "thread_D1hdJFT5q1dv1cExdAO0NHl9", run_197FydHLaBK7OX61jFXoI4GC thread_6Yq…\n'
    for cut in range(len(line) + 1):
        report = scan_text([line[:cut], line[cut:]])
        assert summary(report) == {
            "ids": ["thread_D1hdJFT5q1dv1cExdAO0NHl9"],
            "truncated": ["thread_6Yq"],
            "others": {"run": 1},
        }, cut


def test_other_kinds_carry_the_explanation_from_ids() -> None:
    report = scan_text("see run_197FydHLaBK7OX61jFXoI4GC and msg_xtrJgQP5SfsBn1QbdNlSHh0W")
    assert report.ids == []
    run, message = report.others
    assert (run.label, run.count, run.example) == ("run", 1, "run_197FydHLaBK7OX61jFXoI4GC")
    assert (
        run.explanation
        == "run_197Fyd… is a run ID, not a thread ID: look for the thread_ ID next to it."
    )
    assert message.explanation.endswith("a message's thread_id field names its thread.")


@pytest.mark.parametrize(
    "text",
    [
        "thread_id thread_ids conv_id run_status msg_count THREAD_ID",  # words and JSON keys
        "xthread_abc123 _thread_abc123 my-thread_abc123",  # glued before
        "thread_abc123_def thread_abc123-def",  # continued after
        "thread_ conv_ conv_deadbeef",  # empty suffix; hex but no digit: a word
        "Thread_abc123 THREAD_abc123",  # the prefix is lowercase
    ],
)
def test_lookalikes_are_not_ids(text: str) -> None:
    assert summary(scan_text(text)) == {"ids": [], "truncated": [], "others": {}}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("--thread_abc123", "thread_abc123"),  # a flag, not a hyphenated word
        ("thread_abc123- next", "thread_abc123"),  # a dash, not a hyphenated word
        ("thread_abc123.", "thread_abc123"),  # end of a sentence
        ("https://x/threads/thread_abc123?x=1", "thread_abc123"),
        ("a\\tthread_abc123", "thread_abc123"),  # a JSON escape before it
        ("&quot;thread_abc123&quot;", "thread_abc123"),
        ("thread_ABC123", "thread_ABC123"),
        ("conv_123", "conv_123"),  # the spec's own example
    ],
)
def test_ids_next_to_punctuation(text: str, found: str) -> None:
    assert [i for i, _ in scan_text(text).ids] == [found]


def test_a_quoted_id_the_input_ends_inside_is_truncated() -> None:
    assert scan_text('"thread_abc123').truncated == ["thread_abc123"]
    assert scan_text('"thread_abc123"').truncated == []
    assert scan_text("thread_abc123").ids == [("thread_abc123", "thread")]


def test_a_giant_token_is_not_an_id_and_memory_stays_bounded() -> None:
    scanner = IdScanner()
    scanner.feed("start thread_")
    for _ in range(100):
        scanner.feed("aB1" * 10_000)
        assert len(scanner._buf) < 20_000
    hits = scanner.feed(" thread_abc123 ") + scanner.finish()
    assert hits == [("thread_abc123", "thread")]


def test_first_seen_spills_to_disk_and_still_drops_repeats() -> None:
    seen = FirstSeen(limit=10)
    ids = [f"thread_x{n}" for n in range(50)]
    assert seen.new(ids[:30]) == ids[:30]
    assert seen.new(ids[25:] + ids[:5]) == ids[30:]
    assert seen.new(["thread_x3", "thread_new1", "thread_new1"]) == ["thread_new1"]
    seen.close()


# -- bytes ---------------------------------------------------------------------------
def scan_bytes(data: bytes, chunk_bytes: int = 7) -> tuple[ScanReport, Decoded]:
    decoded = Decoded(io.BytesIO(data), chunk_bytes=chunk_bytes)
    return scan_text(decoded), decoded


def test_undecodable_bytes_are_replaced_and_counted() -> None:
    data = b"\x00\x01PK\xff\xfe\x80 thread_abc123 \xc3( caf\xc3\xa9 \xef\xbf\xbd"
    report, decoded = scan_bytes(data)
    assert report.ids == [("thread_abc123", "thread")]
    assert decoded.replaced == 4  # \xff \xfe \x80 and the broken \xc3; not the real U+FFFD


def test_a_character_split_between_reads_is_not_replaced() -> None:
    report, decoded = scan_bytes("é thread_abc123 ☃".encode() * 3, chunk_bytes=1)
    assert decoded.replaced == 0 and report.ids == [("thread_abc123", "thread")]


def test_utf16_with_a_bom_and_gzip_are_read() -> None:
    text = "id,thread\n1,thread_abc123\n"
    report, decoded = scan_bytes(text.encode("utf-16"))
    assert report.ids == [("thread_abc123", "thread")] and decoded.replaced == 0
    report, decoded = scan_bytes(gzip.compress(text.encode() * 1000), chunk_bytes=64)
    assert report.ids == [("thread_abc123", "thread")] and decoded.compressed


def test_a_truncated_id_seen_twice_is_counted_once() -> None:
    scanner = IdScanner()
    scanner.feed("thread_6Yq… again thread_6Yq... and thread_7Zz…")
    scanner.finish()
    assert (list(scanner.truncated), scanner.truncated_count) == (["thread_6Yq", "thread_7Zz"], 2)
