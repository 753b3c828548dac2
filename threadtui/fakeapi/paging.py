"""Cursor pages as the API serves them: limit, order, after, before."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from threadtui.fakeapi.errors import FakeError, bad_request

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def parse_limit(raw: str | None, *, default: int = DEFAULT_LIMIT, maximum: int = MAX_LIMIT) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(
            f"Invalid 'limit': expected an integer, but got '{raw}' instead.",
            param="limit",
            code="invalid_type",
        ) from None
    if value > maximum:
        raise bad_request(
            f"Invalid 'limit': integer above maximum value. Expected a value <= {maximum}, "
            f"but got {value} instead.",
            param="limit",
            code="integer_above_max_value",
        )
    if value < 1:
        raise bad_request(
            f"Invalid 'limit': integer below minimum value. Expected a value >= 1, "
            f"but got {value} instead.",
            param="limit",
            code="integer_below_min_value",
        )
    return value


def parse_order(raw: str | None, *, default: str = "desc") -> str:
    if raw is None or raw == "":
        return default
    if raw not in ("asc", "desc"):
        raise bad_request(
            f"Invalid value: '{raw}'. Supported values are: 'asc' and 'desc'.",
            param="order",
            code="invalid_value",
        )
    return raw


def page(
    items: Sequence[Any],
    query: dict[str, str],
    *,
    render: Callable[[Any], dict],
    id_of: Callable[[Any], str] = lambda item: item["id"],
    position: Callable[[str], int | None] | None = None,
    allow_before: bool = True,
    missing_cursor: Callable[[str, str], FakeError] | None = None,
) -> dict:
    """One page of `items` (oldest first) as `{"object": "list", "data", "first_id", ...}`.

    `after`/`before` are IDs of items in the list; the page holds the `limit` items right
    after (or right before) the cursor in the requested order. `has_more` says whether more
    items lie beyond the page in the direction of travel. Empty pages have null first/last
    IDs, as the real API returns.
    """
    limit = parse_limit(query.get("limit"))
    order = parse_order(query.get("order"))
    after = query.get("after") or None
    before = (query.get("before") or None) if allow_before else None
    find = position or (lambda i: next((n for n, x in enumerate(items) if id_of(x) == i), None))

    # Work on indexes into the oldest-first list; "forward" is the direction of `order`.
    n = len(items)
    forward = 1 if order == "asc" else -1
    seq_start, seq_end = (0, n) if forward == 1 else (n - 1, -1)

    def cursor(name: str, value: str) -> int:
        pos = find(value)
        if pos is None:
            if missing_cursor is not None:
                raise missing_cursor(name, value)
            raise bad_request(f"Invalid '{name}': no object found with id '{value}'.", param=name)
        return pos

    lo_bound = seq_start  # first index (in travel order) allowed
    hi_stop = seq_end  # index (exclusive, in travel order) to stop at
    if after is not None:
        lo_bound = cursor("after", after) + forward
    if before is not None:
        hi_stop = cursor("before", before)

    def span(a: int, b: int) -> list[int]:
        return list(range(a, b, forward)) if (b - a) * forward > 0 else []

    window = span(lo_bound, hi_stop)
    if before is not None and after is None:
        chosen = window[-limit:]
        has_more = len(window) > limit
    else:
        chosen = window[:limit]
        has_more = len(window) > limit
    data = [render(items[i]) for i in chosen]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": has_more,
    }
