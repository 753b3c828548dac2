"""Search snippets stay one bounded line, and stay cheap, whatever the message holds."""

from __future__ import annotations

from threadtui.api.models import Message, Part
from threadtui.core.archive.search import SNIPPET_CHARS, search
from threadtui.core.archive.store import save_loaded
from threadtui.core.store.registry import Registry


def archive(registry: Registry, texts: list[str]) -> None:
    messages = [
        Message(
            id=f"msg_{n:04d}",
            thread_id="thread_snippets",
            role="user",
            created_at=n,
            parts=(Part("text", text=text),),
        )
        for n, text in enumerate(texts)
    ]
    save_loaded(registry, "thread_snippets", messages, newest=True)


def test_a_megabyte_without_spaces_gives_a_short_snippet(tmp_path) -> None:
    with Registry(tmp_path / "r.sqlite3") as registry:
        archive(registry, ["A" * 1_000_000 + " tail"])
        hits = search(registry, "tail")
    assert len(hits) == 1
    assert len(hits[0].snippet) <= SNIPPET_CHARS + 1
    start, end = hits[0].highlights[0]
    assert hits[0].snippet[start:end] == "tail"


def test_a_word_on_each_of_100000_lines_is_found_and_marked(tmp_path) -> None:
    lines = "\n".join(f"line {n}" for n in range(100_000))
    with Registry(tmp_path / "r.sqlite3") as registry:
        archive(registry, [lines, "one line only"])
        hits = search(registry, "line")
    assert {h.message_id for h in hits} == {"msg_0000", "msg_0001"}
    for hit in hits:
        assert len(hit.snippet) <= SNIPPET_CHARS + 1 and "\n" not in hit.snippet
        assert all(hit.snippet[a:b].lower() == "line" for a, b in hit.highlights)
        assert hit.highlights


def test_a_match_deep_in_a_long_message_is_shown_with_its_context(tmp_path) -> None:
    text = "filler " * 100_000 + "the refund was approved " + "filler " * 10
    with Registry(tmp_path / "r.sqlite3") as registry:
        archive(registry, [text])
        (hit,) = search(registry, "Refund*")
    assert hit.snippet.startswith("…") and "the refund was approved" in hit.snippet
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["refund"]
