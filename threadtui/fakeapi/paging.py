"""Cursor pages as the API serves them: limit, order, after, before."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from threadtui.fakeapi.errors import bad_request

if TYPE_CHECKING:
    from threadtui.fakeapi.router import Call, Handler

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
    render: Callable[[Any], dict] = lambda item: item,
    cursor_key: Callable[[str], int | None],
    keys: Sequence[int] | None = None,
    allow_before: bool = True,
) -> dict:
    """One page of `items` (oldest first) as `{"object": "list", "data", "first_id", ...}`.

    `keys` are the items' ascending sort keys (default: their indexes) and `cursor_key`
    maps an `after`/`before` ID to a key, so a cursor works even when it is not in a
    filtered list (messages.list with `run_id`). The page holds the `limit` items right
    after (or right before) the cursor in the requested order; `has_more` says whether
    more lie beyond the page in the direction of travel. Empty pages have null
    first/last IDs, as the real API returns.
    """
    limit = parse_limit(query.get("limit"))
    order = parse_order(query.get("order"))
    after = query.get("after") or None
    before = (query.get("before") or None) if allow_before else None
    n = len(items)

    def bound(name: str, value: str, *, strictly_after_in_asc: bool) -> int:
        """The index in `items` where the part past the cursor starts (asc view)."""
        key = cursor_key(value)
        if key is None:
            raise bad_request(f"Invalid '{name}': no object found with id '{value}'.", param=name)
        if keys is None:
            return key + 1 if strictly_after_in_asc else key
        return bisect_right(keys, key) if strictly_after_in_asc else bisect_left(keys, key)

    # [lo, hi) is the window of allowed indexes in the oldest-first list.
    lo, hi = 0, n
    if order == "asc":
        if after is not None:
            lo = bound("after", after, strictly_after_in_asc=True)
        if before is not None:
            hi = bound("before", before, strictly_after_in_asc=False)
        window = range(lo, max(lo, hi))
    else:
        if after is not None:
            hi = bound("after", after, strictly_after_in_asc=False)
        if before is not None:
            lo = bound("before", before, strictly_after_in_asc=True)
        window = range(hi - 1, min(hi, lo) - 1, -1)
    chosen = window[-limit:] if before is not None and after is None else window[:limit]
    data = [render(items[i]) for i in chosen]
    return {
        "object": "list",
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": len(window) > limit,
    }


Endless = Literal["repeat", "cycle"]
ENDLESS_LISTS = ("/messages", "/runs", "/steps", "/items")  # the list routes of one thread


def endless_page(handler: Handler, call: Call, how: Endless) -> dict:
    """A page of a list that never ends (see `FakeAPI.endless_pages`): the first page, or
    for "cycle" one of its halves, chosen by the cursor; `has_more` is always true."""
    uncursored = {k: v for k, v in call.query.items() if k not in ("after", "before")}
    first = handler(replace(call, query=uncursored))
    assert isinstance(first, dict)  # list routes answer with the list object itself
    data = first["data"]
    if how == "cycle":
        half = max(1, len(data) // 2)
        after = call.query.get("after")
        data = data[half:] if data and after == data[half - 1]["id"] else data[:half]
    return {
        **first,
        "data": data,
        "first_id": data[0]["id"] if data else None,
        "last_id": data[-1]["id"] if data else None,
        "has_more": True,
    }
