"""An in-memory, sortable, filterable view of the registry for the sidebar.

The sidebar must stay fast at 100,000 threads: the rows are kept as plain tuples (cheap to
build, and untracked by the garbage collector, whose full passes would otherwise scan
100,000 more objects: +100 ms a pass), `row()` wraps the one asked for in an `IndexRow`;
filtering a keystroke scans one list of pre-lowered strings with `in` (a few
milliseconds), adding or removing a row keeps the order without sorting again, and the
widget renders only the visible rows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeAlias

if TYPE_CHECKING:
    from threadtui.api.models import ThreadKind
    from threadtui.core.store.registry import ThreadStatus

SortKey = Literal["activity", "added", "created"]
# A tracked thread's status, or "retired" when its server no longer offers the API.
ShownStatus: TypeAlias = "ThreadStatus | Literal['retired']"  # a string: registry stays unloaded
SORT_KEYS: tuple[SortKey, ...] = ("activity", "added", "created")
SORT_LABELS = {"activity": "recent activity", "added": "date added", "created": "date created"}


class IndexRow(NamedTuple):
    """What the sidebar shows of one tracked thread."""

    id: str
    kind: ThreadKind
    profile: str
    title: str
    tags: tuple[str, ...]
    status: ShownStatus
    added_at: float
    created_at: float | None
    last_activity_at: float | None

    def sort_value(self, key: SortKey) -> float:
        return _SORT_VALUE[key](self)

    @property
    def haystack(self) -> str:
        return _haystacks([self])[0]


# Field positions, for the plain tuples the index keeps.
_ID, _TITLE, _PROFILE, _TAGS = 0, 3, 2, 4
_ADDED, _CREATED, _ACTIVE = 6, 7, 8

_SORT_VALUE: dict[SortKey, Callable[[tuple], float]] = {
    "activity": lambda r: r[_ACTIVE] or r[_CREATED] or r[_ADDED] or 0.0,
    "added": lambda r: r[_ADDED] or 0.0,
    "created": lambda r: r[_CREATED] or 0.0,
}


def _haystacks(rows: Iterable[tuple]) -> list[str]:
    """What a filter searches in each row: title, ID, profile and #tags, lowered."""
    return [
        (
            f"{r[_TITLE]} {r[_ID]} {r[_PROFILE]} #" + " #".join(r[_TAGS])
            if r[_TAGS]
            else f"{r[_TITLE]} {r[_ID]} {r[_PROFILE]}"
        ).lower()
        for r in rows
    ]


class ThreadIndex:
    """Rows kept in sort order, with a filtered view of their positions."""

    def __init__(
        self,
        rows: Iterable[IndexRow | tuple] = (),
        sort: SortKey = "activity",
        *,
        total: int | None = None,
    ) -> None:
        """`rows`: IndexRows, or plain tuples of their fields in order (cheaper).

        With `total`, the rows are only the first of that many (the first screen, shown
        while the whole index loads): `complete` is False until it is replaced.
        """
        self._sort: SortKey = sort
        self._rows: list[tuple] = sorted(map(tuple, rows), key=_SORT_VALUE[sort], reverse=True)
        self._missing = max(0, total - len(self._rows)) if total is not None else 0
        self._hay: list[str] = _haystacks(self._rows)
        self._filter_terms: list[str] = []
        self._view: list[int] | None = None  # None: no filter, every row is visible
        self._where: dict[str, int] | None = None  # ID -> position in _rows, built on demand

    # -- reading -----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._rows) if self._view is None else len(self._view)

    @property
    def total(self) -> int:
        return len(self._rows) + self._missing

    @property
    def complete(self) -> bool:
        """False for a first screen of rows standing in while the whole index loads."""
        return self._missing == 0

    @property
    def sort(self) -> SortKey:
        return self._sort

    @property
    def filter_text(self) -> str:
        return " ".join(self._filter_terms)

    def row(self, position: int) -> IndexRow:
        return _make_row(self._rows[position if self._view is None else self._view[position]])

    def position_of(self, thread_id: str) -> int | None:
        """Where `thread_id` is shown, or None when it is filtered out or not tracked."""
        at = self._located().get(thread_id)
        if at is None or self._view is None:
            return at
        position = bisect_left(self._view, at)  # the view keeps positions in order
        return position if position < len(self._view) and self._view[position] == at else None

    # -- changing ----------------------------------------------------------------------
    def set_filter(self, text: str) -> None:
        terms = text.lower().split()
        if terms == self._filter_terms:
            return
        narrower = self._view is not None and all(
            any(new.find(old) >= 0 for new in terms) for old in self._filter_terms
        )
        candidates = self._view if narrower else None
        self._filter_terms = terms
        if not terms:
            self._view = None
            return
        hay = self._hay
        # The longest word first: usually the rarest, so the scans after it are short.
        first, *others = sorted(set(terms), key=len, reverse=True)
        if candidates is None:
            view = [at for at, text in enumerate(hay) if first in text]
        else:
            view = [at for at in candidates if first in hay[at]]
        for term in others:
            view = [at for at in view if term in hay[at]]
        self._view = view

    def set_sort(self, sort: SortKey) -> None:
        if sort == self._sort:
            return
        self._sort = sort
        self._rebuild(sorted(self._rows, key=_SORT_VALUE[sort], reverse=True))

    def upsert(self, row: IndexRow) -> None:
        """Add `row`, or replace the row with its ID; it goes after rows that sort equal."""
        rows, hay = self._rows, self._hay
        plain: tuple[Any, ...] = tuple(row)
        old = self._located().get(plain[_ID])
        if old is not None:
            del rows[old], hay[old]
        value = _SORT_VALUE[self._sort]
        at = bisect_right(rows, -value(plain), key=lambda r: -value(r))
        rows.insert(at, plain)
        hay.insert(at, _haystacks([plain])[0])
        self._changed()

    def remove(self, thread_ids: Iterable[str]) -> None:
        gone = set(thread_ids)
        kept = [at for at, row in enumerate(self._rows) if row[_ID] not in gone]
        if len(kept) < len(self._rows):
            self._rows = [self._rows[at] for at in kept]
            self._hay = [self._hay[at] for at in kept]
            self._changed()

    def _rebuild(self, rows: list[tuple]) -> None:
        """Take `rows` (already in sort order)."""
        self._rows = rows
        self._hay = _haystacks(rows)
        self._changed()

    def _changed(self) -> None:
        """The rows changed: forget their positions and apply the filter to them again."""
        self._where = None
        terms, self._filter_terms, self._view = self._filter_terms, [], None
        self.set_filter(" ".join(terms))

    def _located(self) -> dict[str, int]:
        if self._where is None:
            self._where = {row[_ID]: at for at, row in enumerate(self._rows)}
        return self._where


_make_row = IndexRow._make
