"""Where newly loaded messages go in an archived transcript, and where holes may remain.

Pure functions, no I/O. The archive keeps a thread's messages oldest first; pages reach it
out of order and with holes between them (the newest page on open, older pages while
scrolling, a run's replies without the user's message, a later open after someone else
wrote more than a page). `merge` places a *batch* (messages the server returned as one
unbroken stretch, oldest first) among the archived ones:

- archived messages never move relative to each other, and are never dropped (a message
  deleted on the server stays in the archive);
- a stretch of new messages is placed next to the archived message it touches in the
  batch (or the `follows`/`precedes` anchor the caller knows);
- with nothing to touch, a batch known to be the thread's newest goes last, one known to
  start at its first message goes first, and any other by `created_at`;
- `gaps` holds the IDs of messages that may have unarchived messages right before them.
  Two neighbours that are neighbours in the batch have no hole between them.

`positions` then gives new messages positions between their neighbours' without moving
the archived ones (or, when floats run out of room, renumbers everything).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

MIN_SPACING = 1e-6  # below this, fractional positions renumber instead


@dataclass(frozen=True)
class Merged:
    order: list[str]  # every message ID, oldest first
    gaps: set[str]  # IDs with a possible hole right before them
    new: list[str]  # IDs of the batch that were not archived before


def merge(
    archived: Sequence[str],
    gaps: set[str],
    batch: Sequence[str],
    *,
    follows: str | None = None,
    precedes: str | None = None,
    newest: bool = False,
    oldest: bool = False,
    times: Mapping[str, float | None] | None = None,
) -> Merged:
    """Place `batch` (an unbroken stretch of the thread, oldest first) among `archived`.

    `follows`/`precedes` name the message right before/after the batch on the server
    when the caller knows it; `newest`/`oldest` say the batch ends at the thread's
    newest message / starts at its first; `times` (ID -> created_at) places a batch that touches nothing archived.
    """
    known = {message_id: n for n, message_id in enumerate(archived)}
    batch = list(dict.fromkeys(batch))
    chain = [*([follows] if follows else []), *batch, *([precedes] if precedes else [])]
    touching = set(pairwise(chain))

    after: dict[str, list[str]] = {}  # archived ID -> new IDs placed right after it
    before: dict[str, list[str]] = {}  # archived ID -> new IDs placed right before it
    head: list[str] = []
    tail: list[str] = []
    new: list[str] = []
    for run, left, right in _new_runs(batch, known, follows, precedes):
        new += run
        if left is not None:
            after.setdefault(left, []).extend(run)
        elif right is not None:
            before.setdefault(right, []).extend(run)
        elif newest or not archived:
            tail += run
        elif oldest:
            head += run
        else:
            spot = _by_time(archived, run, times or {})
            (before.setdefault(archived[spot], []) if spot is not None else tail).extend(run)

    order: list[str] = list(head)
    for message_id in archived:
        order += before.get(message_id, ())
        order.append(message_id)
        order += after.get(message_id, ())
    order += tail

    fresh = set(new)
    last = batch[-1] if newest and batch else None  # nothing on the server comes after it
    holes = set(gaps)
    for previous, current in pairwise(order):
        if (previous, current) in touching:
            holes.discard(current)
        elif current in fresh or (previous in fresh and previous != last):
            holes.add(current)
    if order:
        holes.discard(order[0])
    return Merged(order, holes & set(order), new)


def _new_runs(
    batch: list[str], known: Mapping[str, int], follows: str | None, precedes: str | None
) -> list[tuple[list[str], str | None, str | None]]:
    """Each stretch of unarchived IDs in `batch`, with the archived IDs around it."""
    runs: list[tuple[list[str], str | None, str | None]] = []
    left = follows if follows in known else None
    run: list[str] = []
    for message_id in batch:
        if message_id in known:
            if run:
                runs.append((run, left, message_id))
                run = []
            left = message_id
        else:
            run.append(message_id)
    if run:
        runs.append((run, left, precedes if precedes in known else None))
    return runs


def _by_time(
    archived: Sequence[str], run: list[str], times: Mapping[str, float | None]
) -> int | None:
    """Index of the first archived message newer than `run`; None: after all of them."""
    newest = times.get(run[-1])
    if newest is None:
        return None
    for n, message_id in enumerate(archived):
        when = times.get(message_id)
        if when is not None and when > newest:
            return n
    return None


def positions(order: Sequence[str], known: Mapping[str, float]) -> dict[str, float]:
    """Positions for the IDs of `order` that have none, strictly between their neighbours.

    `known` (ID -> position) must increase along `order`. Returns only new positions,
    unless spacing gets too fine: then every ID gets its index (a renumbering).
    """
    placed: dict[str, float] = {}
    n = 0
    while n < len(order):
        if order[n] in known:
            n += 1
            continue
        end = n
        while end < len(order) and order[end] not in known:
            end += 1
        low = known[order[n - 1]] if n > 0 else None
        high = known[order[end]] if end < len(order) else None
        count = end - n
        if low is not None and high is not None:
            step = (high - low) / (count + 1)
            if step < MIN_SPACING:
                return {message_id: float(i) for i, message_id in enumerate(order)}
            values = [low + step * (i + 1) for i in range(count)]
        elif high is not None:
            values = [high - count + i for i in range(count)]
        elif low is not None:
            values = [low + 1 + i for i in range(count)]
        else:
            values = [float(i) for i in range(count)]
        placed.update(zip(order[n:end], values, strict=True))
        n = end
    return placed
