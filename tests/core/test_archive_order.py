"""Where loaded pages go in an archived transcript, and where holes are remembered."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from threadtui.core.archive.order import merge, positions

THREAD = [f"m{n:02d}" for n in range(30)]  # the server's messages, oldest first


def test_first_page_into_an_empty_archive_is_whole() -> None:
    merged = merge([], set(), THREAD[25:], newest=True)
    assert merged.order == THREAD[25:] and merged.gaps == set() and merged.new == THREAD[25:]


def test_reopening_after_others_wrote_more_than_a_page_leaves_a_hole() -> None:
    merged = merge(THREAD[:10], set(), THREAD[20:], newest=True)
    assert merged.order == THREAD[:10] + THREAD[20:]
    assert merged.gaps == {"m20"}


def test_an_overlapping_newest_page_joins_without_a_hole() -> None:
    merged = merge(THREAD[:10], set(), THREAD[8:15], newest=True)
    assert merged.order == THREAD[:15] and merged.gaps == set()
    assert merged.new == THREAD[10:15]


def test_an_older_page_before_its_anchor_fills_the_hole_exactly() -> None:
    archived = THREAD[:10] + THREAD[20:]
    merged = merge(archived, {"m20"}, THREAD[15:20], precedes="m20")
    assert merged.order == THREAD[:10] + THREAD[15:]
    assert merged.gaps == {"m15"}  # m10..m14 are still missing
    merged = merge(merged.order, merged.gaps, THREAD[10:15], precedes="m15")
    # Nothing says m10 comes right after m09: that stays to be checked.
    assert merged.order == THREAD and merged.gaps == {"m10"}
    merged = merge(merged.order, merged.gaps, THREAD[10:12], follows="m09")
    assert merged.order == THREAD and merged.gaps == set()


def test_a_page_that_overlaps_both_sides_closes_the_hole() -> None:
    archived = THREAD[:10] + THREAD[20:]
    merged = merge(archived, {"m20"}, THREAD[9:21])
    assert merged.order == THREAD and merged.gaps == set()


def test_a_runs_replies_without_the_users_message_mark_a_hole() -> None:
    merged = merge(THREAD[:10], set(), ["m11", "m12"], newest=True)
    assert merged.order == [*THREAD[:10], "m11", "m12"] and merged.gaps == {"m11"}
    merged = merge(merged.order, merged.gaps, ["m10", "m11", "m12"], follows="m09", newest=True)
    assert merged.order == THREAD[:13] and merged.gaps == set()


def test_messages_deleted_on_the_server_stay_and_leave_no_hole_at_the_head() -> None:
    merged = merge(["a", "b", "gone", "c"], set(), ["b", "c", "d"], newest=True)
    assert merged.order == ["a", "b", "gone", "c", "d"] and merged.gaps == set()


def test_the_first_page_goes_first_even_without_times() -> None:
    merged = merge(["x", "y"], set(), ["a", "b"], oldest=True)
    assert merged.order == ["a", "b", "x", "y"] and merged.gaps == {"x"}


def test_an_unanchored_page_is_placed_by_time() -> None:
    times = {"a": 1, "b": 2, "c": 5, "d": 6, "x": 3, "y": 4}
    merged = merge(["a", "b", "c", "d"], set(), ["x", "y"], times=times)
    assert merged.order == ["a", "b", "x", "y", "c", "d"]
    assert merged.gaps == {"x", "c"}


def test_positions_fit_between_neighbours_and_never_move_the_archived() -> None:
    order = ["n1", "a", "n2", "n3", "b", "n4"]
    placed = positions(order, {"a": 0.0, "b": 1.0})
    assert set(placed) == {"n1", "n2", "n3", "n4"}
    values = {**placed, "a": 0.0, "b": 1.0}
    assert [values[i] for i in order] == sorted(values.values())


def test_positions_renumber_when_floats_run_out_of_room() -> None:
    placed = positions(["a", "n", "b"], {"a": 0.0, "b": 1e-9})
    assert placed == {"a": 0.0, "n": 1.0, "b": 2.0}


@given(st.data())
def test_any_order_of_pages_ends_in_the_servers_order_once_all_are_loaded(data) -> None:
    """Pages (unbroken stretches) saved in any order, each with what the caller knows."""
    size = data.draw(st.integers(1, 40))
    thread = [f"m{n:02d}" for n in range(size)]
    cuts = sorted(data.draw(st.sets(st.integers(1, size - 1), max_size=6))) if size > 1 else []
    pages = [thread[a:b] for a, b in zip([0, *cuts], [*cuts, size], strict=True)]
    order: list[str] = []
    gaps: set[str] = set()
    for page in data.draw(st.permutations(pages)):
        start = thread.index(page[0])
        end = start + len(page)
        merged = merge(
            order,
            gaps,
            page,
            follows=thread[start - 1] if start and data.draw(st.booleans()) else None,
            precedes=thread[end] if end < size and data.draw(st.booleans()) else None,
            newest=end == size,
            oldest=start == 0,
            times={m: float(n) for n, m in enumerate(thread)},
        )
        order, gaps = merged.order, merged.gaps
        assert len(order) == len(set(order))
    assert order == thread
    # A hole is only ever claimed where messages really were missing at some point, and
    # loading the pages once more with their anchors closes every one of them.
    for n, page in enumerate(pages):
        start = thread.index(page[0])
        merged = merge(
            order,
            gaps,
            page,
            follows=thread[start - 1] if start else None,
            newest=n == len(pages) - 1,
        )
        order, gaps = merged.order, merged.gaps
    assert order == thread and gaps == set()
