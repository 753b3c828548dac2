"""Full-text search over every archived transcript (SQLite FTS5), and find-in-thread.

What the user types is never handed to FTS5 as query syntax: each word becomes a quoted
term, so `e-mail`, `C++`, `"unbalanced` or `NOT` are searched for as written instead of
failing. All words must appear (in any order); `"two words"` in quotes must appear
together; a trailing `*` matches words starting with what precedes it (`refund*`).
Matching ignores case and punctuation, as FTS5's unicode61 tokenizer does.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from threadtui.core.text.sanitize import clean, one_line
from threadtui.errors import UserError
from threadtui.text import without_lone_surrogates

if TYPE_CHECKING:
    from threadtui.api.models import Message
    from threadtui.core.store.registry import Registry

DEFAULT_LIMIT = 50
SNIPPET_TOKENS = 16  # words of context in a snippet
# FTS5's snippet() takes time quadratic in the matches within one message (100,000 lines
# holding the word: 100 s). Longer messages get a snippet cut here instead, around the
# first place a searched word appears; every snippet is at most SNIPPET_CHARS long.
SNIPPET_SCAN = 8_000  # characters of message text FTS5 makes snippets of
SNIPPET_CHARS = 240
_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use markers around matches, removed again
_TERMS = re.compile(r'"([^"]*)"?|(\S+)')


class SearchError(UserError, ValueError):
    """The query cannot be searched for; the message is one sentence saying why."""


@dataclass(frozen=True)
class Hit:
    """One archived message that matches, with a one-line snippet around the match."""

    thread_id: str
    message_id: str
    snippet: str  # cleaned of control characters, on one line
    created_at: float | None
    role: str
    rank: float  # FTS5's bm25: lower is a better match
    title: str = ""  # the thread's local title, else its metadata title
    highlights: tuple[tuple[int, int], ...] = ()  # (start, end) of matches in `snippet`


def fts_query(text: str) -> str:
    """The user's words as a safe FTS5 query; SearchError when there is nothing to find."""
    text = without_lone_surrogates(text)
    terms = []
    for match in _TERMS.finditer(text):
        quoted, word = match.groups()
        term = quoted if quoted is not None else word
        prefix = quoted is None and term.endswith("*")
        term = term.rstrip("*") if prefix else term
        if not re.search(r"\w", term):
            continue  # punctuation alone: the tokenizer would find nothing to match
        terms.append('"' + term.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not terms:
        raise SearchError(
            f"Nothing to search for in “{one_line(text, 40)}”: give at least one word "
            "(letters or digits)."
        )
    return " ".join(terms)


_SEARCH = f"""
SELECT m.thread_id, m.id,
       CASE WHEN length(m.text) <= {SNIPPET_SCAN}
            THEN snippet(archive_search, 0, '{_OPEN}', '{_CLOSE}', '…', {SNIPPET_TOKENS})
            ELSE m.text END,
       length(m.text) > {SNIPPET_SCAN},
       m.created_at, m.role, bm25(archive_search) AS rank,
       coalesce(nullif(t.title, ''), json_extract(a.thread_raw, '$.metadata.title'), '')
FROM archive_search
JOIN archived_messages m ON m.rowid = archive_search.rowid
LEFT JOIN archives a ON a.thread_id = m.thread_id
LEFT JOIN threads t ON t.id = m.thread_id
WHERE archive_search MATCH ?
ORDER BY rank, m.thread_id, m.position
LIMIT ?
"""

_COUNT = """
SELECT count(*), count(DISTINCT m.thread_id)
FROM archive_search JOIN archived_messages m ON m.rowid = archive_search.rowid
WHERE archive_search MATCH ?
"""


def search(registry: Registry, query: str, limit: int = DEFAULT_LIMIT) -> list[Hit]:
    """The best-matching archived messages, best first, at most `limit`.

    Raises SearchError for a query with nothing to search for, StorageError when the
    registry cannot be read.
    """
    rows = _run(registry, _SEARCH, (fts_query(query), max(1, limit)))
    hits = []
    for thread_id, message_id, snippet, long, created_at, role, rank, title in rows:
        if long:
            snippet = _long_snippet(snippet or "", query)
        text, spans = _highlighted(snippet or "")
        hits.append(
            Hit(thread_id, message_id, text, created_at, role, rank, str(title or ""), spans)
        )
    return hits


def count_matches(registry: Registry, query: str) -> tuple[int, int]:
    """(matching messages, threads they are in), for "showing 50 of 1,234"."""
    messages, threads = _run(registry, _COUNT, (fts_query(query),))[0]
    return messages, threads


def _run(registry: Registry, sql: str, params: tuple[object, ...]) -> list[tuple]:
    with registry.reading() as db:
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.OperationalError as problem:
            if "fts5" not in str(problem):
                raise
            raise SearchError(
                f"The search could not be run ({problem}): try plainer words."
            ) from None


def _long_snippet(text: str, query: str) -> str:
    """A snippet of a long message cut around the first searched word, matches marked
    as snippet() marks them (ignoring case; FTS5 also folds accents, so a word may
    match there but not be marked here)."""
    words = []
    for match in _TERMS.finditer(query):
        quoted, word = match.groups()
        term = (quoted if quoted is not None else word).rstrip("*").casefold()
        if re.search(r"\w", term):
            words.append(term)
    folded = text.casefold()
    if len(folded) != len(text):  # "ß" -> "ss": positions must stay those of `text`
        folded = text.lower()
    found = [(at, w) for w in words if (at := folded.find(w)) >= 0]
    first = min(found)[0] if found else 0
    start = max(0, first - SNIPPET_CHARS // 3)
    end = min(len(text), start + SNIPPET_CHARS)
    window, low = text[start:end], folded[start:end]
    marks = sorted({(m.start(), m.end()) for w in words for m in re.finditer(re.escape(w), low)})
    out, at = [], 0
    for begin, stop in marks:
        if begin >= at:
            out += [window[at:begin], _OPEN, window[begin:stop], _CLOSE]
            at = stop
    out.append(window[at:])
    return ("…" if start else "") + "".join(out) + ("…" if end < len(text) else "")


def _highlighted(snippet: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The snippet cleaned and on one line (at most SNIPPET_CHARS, with "…" where it is
    cut), and where its matches are."""
    flat = " ".join(clean(snippet).split())
    text: list[str] = []
    spans: list[tuple[int, int]] = []
    start = 0
    length = 0
    opened = False
    for char in flat:
        if length >= SNIPPET_CHARS:
            text.append("…")
            break
        if char == _OPEN:
            start, opened = length, True
        elif char == _CLOSE:
            spans.append((start, length))
            opened = False
        else:
            text.append(char)
            length += 1
    if opened and length > start:  # cut inside a match: mark what is shown of it
        spans.append((start, length))
    return "".join(text), tuple(spans)


def group_by_thread(hits: Sequence[Hit]) -> list[tuple[str, str, list[Hit]]]:
    """(thread ID, title, its hits) with the thread of the best hit first."""
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.thread_id, []).append(hit)
    return [(thread_id, found[0].title, found) for thread_id, found in groups.items()]


def find_in_messages(messages: Sequence[Message], query: str) -> list[int]:
    """Indexes of the messages whose text contains `query` (ignoring case and spacing),
    for find-in-thread; next and previous are the caller's."""
    needle = " ".join(query.casefold().split())
    if not needle:
        return []
    return [
        n
        for n, message in enumerate(messages)
        if needle in " ".join(message.text.casefold().split())
    ]
