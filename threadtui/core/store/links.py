"""Links between threads (the v3 `thread_links` table): a continuation, a migration.

Each link is stored both ways, in one transaction, so either end can find the other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from threadtui.core.store.registry import Registry

CONTINUED_AS, CONTINUED_FROM = "continued_as", "continued_from"
MIGRATED_TO, MIGRATED_FROM = "migrated_to", "migrated_from"
# A migration under way: the conversation exists but may not hold every message yet.
MIGRATING_TO, MIGRATING_FROM = "migrating_to", "migrating_from"


def link(
    registry: Registry, from_id: str, to_id: str, relation: str, inverse: str, *, at: float
) -> None:
    """Record `from_id --relation--> to_id` and `to_id --inverse--> from_id`."""
    with registry.writing() as db:
        db.executemany(
            "INSERT OR IGNORE INTO thread_links (from_id, to_id, relation, created_at) "
            "VALUES (?, ?, ?, ?)",
            [(from_id, to_id, relation, at), (to_id, from_id, inverse, at)],
        )


def unlink(registry: Registry, from_id: str, to_id: str, relation: str, inverse: str) -> None:
    """Remove a link both ways, in one transaction."""
    with registry.writing() as db:
        db.executemany(
            "DELETE FROM thread_links WHERE from_id = ? AND to_id = ? AND relation = ?",
            [(from_id, to_id, relation), (to_id, from_id, inverse)],
        )


def relink(
    registry: Registry,
    from_id: str,
    to_id: str,
    old: tuple[str, str],
    new: tuple[str, str],
    *,
    at: float,
) -> None:
    """Turn the link (`old` relation, inverse) into (`new` relation, inverse), both ways,
    in one transaction: no moment has both or neither."""
    with registry.writing() as db:
        db.executemany(
            "DELETE FROM thread_links WHERE from_id = ? AND to_id = ? AND relation = ?",
            [(from_id, to_id, old[0]), (to_id, from_id, old[1])],
        )
        db.executemany(
            "INSERT OR IGNORE INTO thread_links (from_id, to_id, relation, created_at) "
            "VALUES (?, ?, ?, ?)",
            [(from_id, to_id, new[0], at), (to_id, from_id, new[1], at)],
        )


def linked(registry: Registry, thread_id: str, relation: str) -> list[str]:
    """The threads `thread_id` links to by `relation`, oldest link first."""
    with registry.reading() as db:
        rows = db.execute(
            "SELECT to_id FROM thread_links WHERE from_id = ? AND relation = ? "
            "ORDER BY created_at, to_id",
            (thread_id, relation),
        ).fetchall()
    return [row[0] for row in rows]
