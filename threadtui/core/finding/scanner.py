"""Finding thread and conversation IDs in any text: logs, JSON, CSV, URLs, pasted notes.

`IdScanner` reads text in pieces of any size (an ID split between two pieces is still
found whole) and keeps only a few characters between pieces, so a 1 GB log is scanned in
constant memory. What counts as an ID:

- A prefix (`thread_`, `conv_`, and the other kinds in `threadtui.core.finding.ids`) and a suffix
  of letters and digits, as one token: not glued to a letter, digit or `_` before it
  (`xthread_…`), not continued by `_` or `-word` after it (`thread_abc_def`,
  `my-thread_…`). Punctuation, quotes, `/`, `=`, JSON escapes (`\\n`, `\\u0022`) and URL
  escapes (`%2F`) around it are fine.
- `thread_` suffixes are base62. `conv_` suffixes are lowercase hex; a `conv_` with other
  letters is a Realtime session's conversation, which the Conversations API cannot read.
- The suffix must look random, not like a word: it holds a digit, or both upper- and
  lowercase letters. So `thread_id`, `thread_ids`, `run_status` or `conv_id` (JSON keys,
  variable names) are not IDs, while every real ID is (a 24-character random base62
  suffix without a digit or with one case only is about a one-in-a-billion event).
- An ID followed by `…` or `...`, or one that opens a quoted string which the line ends
  before closing, was cut short: it is reported as truncated and never imported.
- So was one followed by a letter, digit or mark outside the ID alphabet, or an invisible
  joiner (`thread_AbcДef1`, `thread_Abc1` + ZWJ + `23`, fullwidth letters, combining
  accents): a look-alike of a longer ID, whose ASCII start may not be an ID at all.

Every other kind of OpenAI ID (run_, msg_, asst_, …) is counted and explained, never
returned as a thread.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from threadtui.core.finding.ids import PREFIXES, TRACKABLE, explain, kind_of

if TYPE_CHECKING:
    import sqlite3

    from _typeshed import WriteableBuffer

    from threadtui.api.models import ThreadKind

TRACKED = {p.prefix: kind_of(p.prefix) for p in PREFIXES if p.kind in TRACKABLE}
# Prefix, suffix (possessive: never shortened to dodge the look-ahead), and the marks of
# a cut-short ID. Not continued by "_" or "-word": thread_abc_def is not an ID.
_ID = re.compile(
    "(" + "|".join(re.escape(p.prefix) for p in PREFIXES) + r")([A-Za-z0-9]++)"
    r"(?!_|-[A-Za-z0-9])(…|\.\.\.)?"
)
_LABEL = {p.prefix: p.kind.value for p in PREFIXES}
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_GLUE = _WORD | {"-"}
_HEX = frozenset("0123456789abcdef")
_JSON_ESCAPES = frozenset("nrtbf/")
_QUOTES = frozenset("\"'")
_LINE_END = frozenset("\r\n")

CONTEXT = 6  # characters before an ID needed to judge it (`\u0022` is six)
LOOKAHEAD = 7  # characters after it to judge it (`...`, `-x`, a line end); >= the longest prefix
MAX_TOKEN = 4096  # no ID is longer; a longer run of letters is not one
MAX_TRUNCATED = 1000  # truncated IDs listed; more are only counted
REALTIME = "conv_ (Realtime)"


def plausible(suffix: str) -> bool:
    """True when an ID suffix looks random rather than like a word: a digit, or mixed case."""
    # The suffix is [A-Za-z0-9]+, so "not all letters" means "holds a digit".
    return not suffix.isalpha() or not (suffix.islower() or suffix.isupper())


@dataclass
class OtherKind:
    """IDs of one kind that are not threads or conversations, seen while scanning."""

    label: str  # "run", "message", … or REALTIME
    prefix: str
    count: int
    example: str
    explanation: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.label,
            "prefix": self.prefix,
            "count": self.count,
            "example": self.example,
            "explanation": self.explanation,
        }


def _realtime_explanation(example: str) -> str:
    short = example if len(example) <= 15 else example[:14] + "…"
    return (
        f"{short} is a Realtime session's conversation ID, not a Conversations API one "
        "(those are conv_ and lowercase hex): it cannot be read back or tracked."
    )


class IdScanner:
    """Finds IDs in text fed piece by piece; call `finish()` after the last piece.

    `feed()` and `finish()` return the thread and conversation IDs found, as (id, kind)
    pairs in order of appearance, repeats included (see `FirstSeen`). Truncated IDs and
    other kinds accumulate in `truncated` and `others`.
    """

    def __init__(self) -> None:
        self._buf = ""  # kept from the previous piece: context, then unjudged text
        self._start = 0  # where the unjudged text begins in _buf
        self.truncated: dict[str, None] = {}  # first MAX_TRUNCATED, in order
        self.truncated_count = 0  # distinct ones (past MAX_TRUNCATED, every occurrence)
        self.others: dict[str, OtherKind] = {}
        self.found = 0  # thread/conversation occurrences

    def feed(self, text: str) -> list[tuple[str, ThreadKind]]:
        return self._scan(self._buf + text, final=False)

    def finish(self) -> list[tuple[str, ThreadKind]]:
        return self._scan(self._buf, final=True)

    def _scan(self, buf: str, *, final: bool) -> list[tuple[str, ThreadKind]]:
        hits: list[tuple[str, ThreadKind]] = []
        end = len(buf)
        cut = end if final else max(self._start, end - LOOKAHEAD)
        for match in _ID.finditer(buf, self._start):
            start = match.start()
            if not final and match.end() + LOOKAHEAD > end:
                cut = start  # may go on in the next piece: judge it then
                break
            prefix, suffix, dots = match.groups()
            if suffix.isalpha() and (suffix.islower() or suffix.isupper()):
                continue  # thread_id, run_status: words, not IDs
            if start and buf[start - 1] in _GLUE and not _free_before(buf, start):
                continue
            if len(suffix) > MAX_TOKEN:
                continue
            kind = TRACKED.get(prefix)
            if kind is None:
                other = self.others.get(_LABEL[prefix])
                if other is None:
                    self._other(_LABEL[prefix], prefix + suffix, explain)
                else:
                    other.count += 1
            elif kind == "conversation" and not _HEX.issuperset(suffix):
                self._other(REALTIME, prefix + suffix, _realtime_explanation)
            elif (
                dots
                or (start and buf[start - 1] in _QUOTES and _line_ends(buf, match.end()))
                or _look_alike_after(buf, match.end())
            ):
                text = prefix + suffix
                if text not in self.truncated:
                    self.truncated_count += 1
                    if len(self.truncated) < MAX_TRUNCATED:
                        self.truncated[text] = None
            else:
                hits.append((prefix + suffix, kind))
        self.found += len(hits)
        if end - cut > MAX_TOKEN:  # a giant token: not an ID; keep only context
            cut = end
        keep_from = max(0, cut - CONTEXT)
        self._buf = buf[keep_from:]
        self._start = cut - keep_from
        return hits

    def _other(self, label: str, text: str, why: Callable[[str], str]) -> None:
        entry = self.others.get(label)
        if entry is None:
            prefix = next(p.prefix for p in PREFIXES if text.startswith(p.prefix))
            self.others[label] = OtherKind(label, prefix, 1, text, why(text))
        else:
            entry.count += 1


def _look_alike_after(buf: str, at: int) -> bool:
    """True when the character at `at` would continue the ID to a reader: a non-ASCII
    letter, digit or mark (Cyrillic Д, fullwidth Ａ, a combining accent) or an invisible
    format character (a zero-width joiner, a bidi mark)."""
    if at >= len(buf) or buf[at].isascii():  # the common case: one check per ID
        return False
    category = unicodedata.category(buf[at])
    return category[0] in "LMN" or category == "Cf"


def _line_ends(buf: str, at: int) -> bool:
    """True when the line (or the whole text) ends at `at`."""
    return at == len(buf) or buf[at] in _LINE_END


def _free_before(buf: str, start: int) -> bool:
    """True when nothing glues the ID at `start` to a token before it."""
    if start == 0:
        return True
    c = buf[start - 1]
    if c == "-":  # my-thread_x; but "--thread_x" or " -thread_x" is fine
        return start < 2 or buf[start - 2] not in _WORD
    if c not in _WORD:
        return True
    # Letters that are part of an escape are separators: \nthread_…, %2Fthread_…, \u0022…
    if start >= 2 and buf[start - 2] == "\\" and c in _JSON_ESCAPES:
        return True
    if start >= 3 and buf[start - 3] == "%" and _is_hex(buf[start - 2 : start]):
        return True
    return start >= 6 and buf[start - 6 : start - 4] == "\\u" and _is_hex(buf[start - 4 : start])


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)


class FirstSeen:
    """Drops repeats, keeping the first occurrence's order.

    An in-memory set up to `limit` IDs; past that it spills to a private temporary SQLite
    file (deleted on close), so memory stays bounded however many distinct IDs a log holds.
    """

    def __init__(self, limit: int = 200_000) -> None:
        self._seen: set[str] = set()
        self._limit = limit
        self._spill: sqlite3.Connection | None = None

    def new(self, ids: Iterable[str]) -> list[str]:
        """The IDs of `ids` not seen before (each once), in order."""
        fresh: list[str] = []
        batch: set[str] = set()
        for thread_id in ids:
            if thread_id not in self._seen and thread_id not in batch:
                batch.add(thread_id)
                fresh.append(thread_id)
        if self._spill is not None and fresh:
            fresh = self._spilled_new(self._spill, fresh)
        self._seen |= set(fresh)
        if len(self._seen) > self._limit:
            self._move_to_disk()
        return fresh

    def _spilled_new(self, db: sqlite3.Connection, ids: list[str]) -> list[str]:
        known: set[str] = set()
        for n in range(0, len(ids), 500):
            part = ids[n : n + 500]
            rows = db.execute(
                f"SELECT id FROM seen WHERE id IN ({','.join('?' * len(part))})", part
            )
            known.update(row[0] for row in rows)
        return [i for i in ids if i not in known]

    def _move_to_disk(self) -> None:
        import sqlite3

        if self._spill is None:
            self._spill = sqlite3.connect("")  # "": a private temporary file
            self._spill.execute("CREATE TABLE seen (id TEXT PRIMARY KEY) WITHOUT ROWID")
        self._spill.executemany("INSERT OR IGNORE INTO seen VALUES (?)", ((i,) for i in self._seen))
        self._spill.commit()
        self._seen = set()

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None


@dataclass
class ScanReport:
    """What a scan of some text found."""

    ids: list[tuple[str, ThreadKind]] = field(default_factory=list)  # (id, kind), first-seen order
    truncated: list[str] = field(default_factory=list)
    others: list[OtherKind] = field(default_factory=list)


def scan_text(pieces: str | Iterable[str]) -> ScanReport:
    """Scan text held in memory (or an iterable of pieces): IDs once each, in order."""
    scanner = IdScanner()
    seen = FirstSeen()
    kinds: dict[str, ThreadKind] = {}
    order: list[str] = []
    for piece in [pieces] if isinstance(pieces, str) else pieces:
        hits = scanner.feed(piece)
        kinds.update(hits)
        order += seen.new(i for i, _ in hits)
    hits = scanner.finish()
    kinds.update(hits)
    order += seen.new(i for i, _ in hits)
    seen.close()
    return ScanReport(
        [(i, kinds[i]) for i in order], list(scanner.truncated), list(scanner.others.values())
    )


# -- bytes to text ---------------------------------------------------------------------
CHUNK_BYTES = 1 << 20


class ByteStream(Protocol):
    """What `Decoded` reads: a binary file, a pipe, or a GzipFile."""

    def read(self, size: int = -1, /) -> bytes: ...


class Decoded:
    """Text pieces of a byte stream, decoded as UTF-8 (or UTF-16 by its BOM), gunzipped
    when it starts like gzip. Bytes that are not text become U+FFFD and `replaced` counts
    them, and `nul_bytes` counts NUL bytes, so the caller can say the file was not all
    text."""

    def __init__(
        self,
        stream: ByteStream,
        *,
        chunk_bytes: int = CHUNK_BYTES,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self._stream = stream
        self._chunk = chunk_bytes
        self._progress = progress
        self.replaced = 0
        self.nul_bytes = 0  # valid UTF-8, but no text has them: a binary file
        self.encoding = "utf-8"
        self.compressed = False
        self.damaged = False  # gzip data that ends early or is corrupt: read up to there
        self.read_bytes = 0  # of the stream itself (compressed bytes for gzip)

    def __iter__(self) -> Iterator[str]:
        raw = self._stream
        read = getattr(raw, "read1", raw.read)  # read1: a pipe gives what it has now
        first = read(self._chunk)
        self._count(first)
        if first[:2] == b"\x1f\x8b":
            yield from self._gunzipped(first)
            return
        yield from self._decode(first, read)

    def _count(self, data: bytes) -> None:
        self.read_bytes += len(data)
        if self._progress is not None and data:
            self._progress(self.read_bytes)

    def _decode(self, first: bytes, read: Callable[[int], bytes]) -> Iterator[str]:
        if first.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
        elif first.startswith(codecs.BOM_UTF8):
            self.encoding = "utf-8-sig"
        decoder = codecs.getincrementaldecoder(self.encoding)(errors="replace")
        data = first
        while data:
            text = decoder.decode(data)
            self._note_replacements(data, text)
            yield text
            data = read(self._chunk)
            self._count(data)
        tail = decoder.decode(b"", final=True)
        self._note_replacements(b"", tail)
        yield tail

    def _note_replacements(self, data: bytes, text: str) -> None:
        self.nul_bytes += text.count("\x00")
        if "\ufffd" in text:  # U+FFFD written in the file itself does not count
            genuine = data.count(b"\xef\xbf\xbd") if self.encoding != "utf-16" else 0
            self.replaced += max(0, text.count("\ufffd") - genuine)

    def _gunzipped(self, first: bytes) -> Iterator[str]:
        import gzip
        import io
        import zlib

        self.compressed = True
        outer = self

        class Counting(io.RawIOBase):
            """The compressed stream, `first` put back, counting for progress."""

            def __init__(self) -> None:
                self._pending = first

            def readable(self) -> bool:
                return True

            def readinto(self, buffer: WriteableBuffer, /) -> int:
                view = memoryview(buffer).cast("B")
                if not self._pending:
                    self._pending = outer._stream.read(len(view))
                    outer._count(self._pending)
                data = self._pending[: len(view)]
                self._pending = self._pending[len(data) :]
                view[: len(data)] = data
                return len(data)

        with gzip.GzipFile(fileobj=io.BufferedReader(Counting())) as unzipped:
            inner = Decoded(unzipped, chunk_bytes=self._chunk)
            try:
                yield from inner
            except (EOFError, zlib.error, gzip.BadGzipFile):  # cut short or damaged
                self.damaged = True  # what came before it stands, but the last word
                yield "…"  # may be cut: the scanner then counts it as truncated
            self.encoding, self.replaced = inner.encoding, inner.replaced
            self.nul_bytes = inner.nul_bytes
