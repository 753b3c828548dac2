"""The sidebar's index: sorting, incremental filtering and updates agree with a plain scan."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from threadtui.core.store.thread_index import IndexRow, ThreadIndex


def row(
    i: int, title: str = "", tags: tuple[str, ...] = (), activity: float | None = None
) -> IndexRow:
    return IndexRow(
        id=f"thread_{i:06d}AbC",
        kind="thread",
        profile="work",
        title=title,
        tags=tags,
        status="live",
        added_at=1000.0 + i,
        created_at=2000.0 - i,
        last_activity_at=activity,
    )


def visible(index: ThreadIndex) -> list[str]:
    return [index.row(p).id for p in range(len(index))]


def test_sorts_by_activity_added_or_created():
    rows = [row(0, activity=50.0), row(1, activity=None), row(2, activity=70.0)]
    index = ThreadIndex(rows)
    # a thread never active sorts by when it was created
    assert visible(index) == [row(1).id, row(2).id, row(0).id]
    index.set_sort("added")
    assert visible(index) == [row(2).id, row(1).id, row(0).id]
    index.set_sort("created")
    assert visible(index) == [row(0).id, row(1).id, row(2).id]


def test_filter_matches_title_id_profile_and_tags_case_insensitively():
    index = ThreadIndex(
        [row(0, "Refund policy"), row(1, "Password reset", ("urgent",)), row(2, "refunds again")]
    )
    index.set_filter("REFUND")
    assert sorted(visible(index)) == [row(0).id, row(2).id]
    index.set_filter("#urgent")
    assert visible(index) == [row(1).id]
    index.set_filter("000002")
    assert visible(index) == [row(2).id]
    index.set_filter("refund policy")  # every word must match, in any order
    assert visible(index) == [row(0).id]
    index.set_filter("")
    assert len(index) == 3


def test_upsert_and_remove_keep_the_filter():
    index = ThreadIndex([row(0, "alpha"), row(1, "beta")])
    index.set_filter("alp")
    index.upsert(row(2, "alpine", activity=9e9))
    assert visible(index) == [row(2).id, row(0).id]
    index.remove([row(0).id])
    assert visible(index) == [row(2).id]
    assert index.total == 2


words = st.sampled_from(["re", "ref", "refund", "pol", "x", "#a", "#ab", "000", "fun"])


@settings(max_examples=200, deadline=None)
@given(
    titles=st.lists(
        st.sampled_from(["refund policy", "password", "fun refund", "polite", "x"]), max_size=30
    ),
    queries=st.lists(st.lists(words, max_size=3).map(" ".join), max_size=6),
)
def test_typing_any_sequence_of_filters_gives_what_a_full_scan_gives(titles, queries):
    rows = [row(i, t, ("ab",) if i % 2 else ()) for i, t in enumerate(titles)]
    index = ThreadIndex(rows)
    for query in queries:
        index.set_filter(query)
        terms = query.lower().split()
        expected = [
            index_row.id
            for index_row in sorted(rows, key=lambda r: r.sort_value("activity"), reverse=True)
            if all(t in index_row.haystack for t in terms)
        ]
        assert visible(index) == expected
