"""Short, human time labels for a terminal: "now", "5m", "3h", "2d", "4mo", "1y"."""

from __future__ import annotations

import datetime as dt


def age(then: float | None, now: float) -> str:
    """How long ago `then` was, in at most three characters plus unit."""
    if not then:
        return ""
    seconds = max(0.0, now - then)
    for limit, unit, size in (
        (60, "now", 0),
        (3600, "m", 60),
        (86400, "h", 3600),
        (86400 * 45, "d", 86400),
        (86400 * 365, "mo", 86400 * 30),
    ):
        if seconds < limit:
            return unit if not size else f"{int(seconds // size)}{unit}"
    return f"{int(seconds // (86400 * 365))}y"


def stamp(then: float | None, now: float | None = None) -> str:
    """`14:02` today, `Nov 20 14:02` this year, `2025-03-04 09:12` before (local time)."""
    if not then:
        return ""
    when = dt.datetime.fromtimestamp(then)
    today = dt.datetime.fromtimestamp(now) if now else dt.datetime.now()
    if when.date() == today.date():
        return when.strftime("%H:%M")
    if when.year == today.year:
        return when.strftime("%b %d %H:%M")
    return when.strftime("%Y-%m-%d %H:%M")


def iso(then: float | None) -> str:
    """UTC ISO 8601, for exports and logs."""
    if not then:
        return ""
    return dt.datetime.fromtimestamp(then, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: float) -> str:
    """`3.1 s`, `2 min 05 s`, `1 h 02 min`."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
    return f"{int(seconds // 3600)} h {int(seconds % 3600 // 60):02d} min"
