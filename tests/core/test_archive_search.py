"""Full-text search over 10,000 archived messages, and find-in-thread."""

from __future__ import annotations

import random

import pytest

from threadtui.api.models import Message, Part
from threadtui.core.archive.dumps import import_dump
from threadtui.core.archive.search import (
    SearchError,
    count_matches,
    find_in_messages,
    fts_query,
    group_by_thread,
    search,
)
from threadtui.core.store.registry import Registry

THREADS, PER_THREAD = 200, 50
FILLER = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "we",
    "you",
    "it",
    "for",
    "on",
    "with",
    "as",
    "at",
    "this",
    "that",
    "refund",
    "policy",
    "please",
]


def thread_id(n: int) -> str:
    return f"thread_Search{n:03d}"


def text_for(n: int, m: int, rng: random.Random) -> str:
    """Filler, plus known words: `walrus` in every 7th thread, `quokka` only in message 17
    of threads 40-59, the phrase "blue whale" in thread 5, "whale ... blue" in thread 6,
    `Überweisung` in thread 150, `refunded` in thread 99."""
    words = rng.choices(FILLER, k=12)
    if n % 7 == 0 and m == n % PER_THREAD:
        words.append("walrus")
    if 40 <= n < 60 and m == 17:
        words.append("Quokka!")
    if n == 5 and m == 3:
        words += ["blue", "whale"]
    if n == 6 and m == 3:
        words += ["whale", "is", "blue"]
    if n == 150 and m == 0:
        words.append("Überweisung")
    if n == 99 and m == 49:
        words.append("refunded")
    return " ".join(words)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory):
    """10,000 messages in 200 threads, archived through import_dump as API pages."""
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("search") / "registry.sqlite3"
    with Registry(path) as registry:
        for n in range(THREADS):
            data = [
                {
                    "id": f"msg_{n:03d}x{m:02d}",
                    "object": "thread.message",
                    "created_at": 1_700_000_000 + m,
                    "thread_id": thread_id(n),
                    "role": "user" if m % 2 == 0 else "assistant",
                    "content": [
                        {"type": "text", "text": {"value": text_for(n, m, rng), "annotations": []}}
                    ],
                }
                for m in range(PER_THREAD)
            ]
            page = {"object": "list", "data": data[::-1], "has_more": False}
            import_dump(registry, page, source=f"dump{n}.json")
        registry.add(thread_id(5), kind="thread", profile="default", title="Marine life")
        yield registry


def threads_found(registry: Registry, query: str) -> set[str]:
    return {hit.thread_id for hit in search(registry, query, limit=10_000)}


def test_ten_thousand_messages_are_searchable(registry: Registry) -> None:
    with registry.reading() as db:
        assert db.execute("SELECT count(*) FROM archived_messages").fetchone()[0] == 10_000


def test_search_finds_exactly_the_right_threads(registry: Registry) -> None:
    assert threads_found(registry, "walrus") == {thread_id(n) for n in range(0, THREADS, 7)}
    assert threads_found(registry, "QUOKKA") == {thread_id(n) for n in range(40, 60)}
    assert threads_found(registry, "walrus quokka") == set()  # never in the same message
    assert threads_found(registry, '"blue whale"') == {thread_id(5)}
    assert threads_found(registry, "whale blue") == {thread_id(5), thread_id(6)}
    assert threads_found(registry, "überweisung") == {thread_id(150)}
    assert threads_found(registry, "refund*") == {thread_id(n) for n in range(THREADS)}
    assert threads_found(registry, "refunded") == {thread_id(99)}
    assert threads_found(registry, "narwhal") == set()
    assert count_matches(registry, "quokka") == (20, 20)


def test_a_hit_says_where_it_is_and_shows_the_match(registry: Registry) -> None:
    (hit,) = search(registry, '"blue whale"')
    assert (hit.thread_id, hit.message_id, hit.role) == (thread_id(5), "msg_005x03", "assistant")
    assert (hit.created_at, hit.title) == (1_700_000_003, "Marine life")
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["blue whale"]
    assert hit.rank < 0  # bm25: lower is better
    hits = search(registry, "quokka", limit=5)
    assert len(hits) == 5 and len(group_by_thread(hits)) == 5


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced',
        "e-mail",
        "NOT",
        "AND OR",
        "walrus)",
        "col:val",
        "a*b",
        "C++",
        "NEAR(x y)",
        "x OR",
        "^walrus",
    ],
)
def test_anything_a_user_types_is_searched_for_as_written(registry: Registry, query: str) -> None:
    search(registry, query)  # no FTS5 syntax error reaches the user
    assert threads_found(registry, f"{query} walrus") <= threads_found(registry, "walrus")


def test_a_query_without_words_gets_one_clear_sentence(registry: Registry) -> None:
    with pytest.raises(SearchError) as refused:
        search(registry, "  !!! ** ( ' ")
    assert str(refused.value) == (
        "Nothing to search for in “!!! ** ( '”: give at least one word (letters or digits)."
    )


def test_words_are_quoted_never_passed_as_syntax() -> None:
    assert fts_query('refund* "blue whale" NOT e-mail') == ('"refund"* "blue whale" "NOT" "e-mail"')
    assert fts_query('say "hi""') == '"say" "hi"'


def test_find_in_the_open_thread_returns_the_matching_indexes() -> None:
    texts = ["Refund policy", "nothing here", "the REFUND\n  policy again", "refunds"]
    messages = [
        Message(f"msg_{n}", "thread_x", "user", None, (Part("text", text=t),))
        for n, t in enumerate(texts)
    ]
    assert find_in_messages(messages, "refund policy") == [0, 2]
    assert find_in_messages(messages, "refund") == [0, 2, 3]
    assert find_in_messages(messages, "   ") == []
