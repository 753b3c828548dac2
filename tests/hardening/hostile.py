"""A corpus of hostile remote text, and an oracle for what must never reach a terminal.

Importable by any test (CLI, core, TUI snapshots, tmux capture-pane) so every output is
tried on the same inputs::

    from tests.hardening.hostile import CORPUS, leaks, seed_thread

Each `Hostile` is one message body a server (or whoever wrote the thread) could send.
`leaks(text)` is an oracle written independently of `threadtui.core.text.sanitize`: it lists
the characters that would drive a terminal or hide/reorder text if printed raw.
`seed_thread(fake)` puts the whole corpus into a fake API's store directly (so lone
surrogates, which no client can send, are there too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BIG_LINE_CHARS = 1_000_000
MANY_LINES = 100_000


@dataclass(frozen=True)
class Hostile:
    """One hostile message body.

    `literal`: text that must appear exactly as written wherever the message is shown
    (markup shown as markup, not obeyed). `shown`: the visible stand-in threadtui prints
    for what was neutralised (for example "␛[31m" for an escape sequence). `big`: the input is large on purpose; outputs
    meant to be one line must stay bounded, whole-transcript outputs must keep it all.
    """

    name: str
    text: str
    literal: str = ""
    big: bool = False
    shown: str = ""  # the visible stand-in threadtui shows (core.sanitize.clean)


_C0 = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n")
_C1 = "".join(chr(c) for c in range(0x80, 0xA0))

CORPUS: tuple[Hostile, ...] = (
    Hostile("rich_markup", "[bold]not bold[/bold] and [red]not red[/]", "[bold]not bold[/bold]"),
    Hostile("click_action", "[@click=app.quit]press to quit[/]", "[@click=app.quit]"),
    Hostile(
        "link_markup",
        "[link=https://evil.example/x]innocent[/link]",
        "[link=https://evil.example/x]",
    ),
    Hostile("textual_variable", "[$accent on $error]styled?[/] [b]x[/b]", "[$accent on $error]"),
    Hostile(
        "ansi_csi", "\x1b[31mred\x1b[0m \x1b[2J\x1b[H\x1b[?1049h cleared", "red", shown="␛[31m"
    ),
    Hostile(
        "osc8_link",
        "\x1b]8;;https://evil.example/\x1b\\click here\x1b]8;;\x1b\\",
        "click here",
        shown="␛]8;;https://evil.example/",
    ),
    Hostile(
        "osc52_clipboard",
        "copy this\x1b]52;c;cm0gLXJmIH4vCg==\x07 done",
        "copy this",
        shown="␛]52;c;",
    ),
    Hostile(
        "window_title", "\x1b]0;owned\x07\x1b]2;owned too\x1b\\title", "title", shown="␛]0;owned"
    ),
    Hostile("dcs_apc", "\x1bP1$qm\x1b\\ \x1b_apc\x1b\\ \x1b^pm\x1b\\ \x1bXsos\x1b\\ end", "end"),
    Hostile("c0_controls", f"a{_C0}\x7fb", "a", shown="␀␁␂"),
    Hostile("c1_controls", f"a{_C1}b \x9b31mred \x9d0;title\x9c", "a", shown="⟨9B⟩31mred"),
    Hostile("carriage_return", "rm -rf ~\rsafe text\x08\x08\x08\x08", "safe text", shown="~␍safe"),
    Hostile("bidi", "abc\u202eevil\u202c \u2066iso\u2069 \u200fend", "evil", shown="⟨U+202E⟩evil"),
    Hostile("zero_width", "pay\u200bpal \u200c\u200d\ufeff\u2060 x", "pal", shown="pay⟨U+200B⟩pal"),
    Hostile("markdown_tricks", "[click](javascript:alert(1)) ```\nunclosed fence", "[click]"),
    Hostile(
        "lone_surrogates",
        "before \ud800 middle \udfff after \udc00\ud83d",
        "middle",
        shown="\ufffd",
    ),
    Hostile("big_line", "A" * BIG_LINE_CHARS + "\x1b]52;c;ZW5k\x07tail", big=True),
    Hostile(
        "many_lines",
        "\n".join(f"line {n}" for n in range(MANY_LINES)) + "\n\x1b[2Jlast",
        "line 99999",
        big=True,
    ),
)
BY_NAME = {h.name: h for h in CORPUS}

# What must never be printed raw to a terminal: C0 controls but tab and newline, DEL, C1
# controls (0x9b is a one-byte CSI), bidi embeddings/overrides/isolates and marks,
# zero-width characters, and lone surrogates.
_LEAK = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff\ud800-\udfff"
    # blank look-alike makers, line/paragraph separators, annotation marks, tag characters
    "\u034f\u115f\u1160\u180e\u2028\u2029\u3164\uffa0\ufff9-\ufffb\U000e0001\U000e0020-\U000e007f]"
)
# Our own styling on a terminal (search highlights, progress lines, Rich's SGR colours).
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;]*m|\r\x1b\[2?K")


def leaks(text: str, *, own_styling: bool = False) -> list[str]:
    """The dangerous characters in `text`, as code points ("U+001B"), each once.

    `own_styling`: first drop SGR colour sequences and line clears, which threadtui and
    Rich emit themselves on a terminal (remote escapes are never SGR by the time they
    are shown: they become "␛[…" stand-ins).
    """
    if own_styling:
        text = _OWN_SEQUENCES.sub("", text)
    return sorted({f"U+{ord(c):04X}" for c in _LEAK.findall(text)})


def byte_leaks(data: bytes) -> list[str]:
    """`leaks()` for bytes written to a terminal (invalid UTF-8 counts as a leak)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as bad:
        return [f"invalid UTF-8 at byte {bad.start}"]
    return leaks(text, own_styling=True)


def seed_thread(fake, *, created_at: int = 1_700_000_000, title: str = "") -> str:
    """A thread on `fake` holding one user message per corpus entry (in CORPUS order),
    put into its store directly. Returns the thread ID."""
    from threadtui.fakeapi.store import text_part

    thread = fake.store.add_thread(
        created_at=created_at, metadata={"title": title} if title else None
    )
    for n, hostile in enumerate(CORPUS):
        fake.store.add_message(
            thread, role="user", content=[text_part(hostile.text)], created_at=created_at + n
        )
    return thread.id


def seed_each(fake, *, created_at: int = 1_700_000_000) -> dict[str, str]:
    """One thread per corpus entry (user message and an assistant answer quoting it,
    with a hostile citation title): corpus name -> thread ID."""
    from threadtui.fakeapi.store import text_part

    ids = {}
    for n, hostile in enumerate(CORPUS):
        thread = fake.store.add_thread(created_at=created_at + n)
        fake.store.add_message(
            thread, role="user", content=[text_part(hostile.text)], created_at=created_at + n
        )
        cite = {
            "type": "url_citation",
            "text": "[1]",
            "start_index": 0,
            "end_index": 3,
            "url_citation": {"url": "https://x.example/", "title": hostile.text[:200]},
        }
        fake.store.add_message(
            thread,
            role="assistant",
            content=[text_part(hostile.text, [cite])],
            created_at=created_at + n,
        )
        ids[hostile.name] = thread.id
    return ids
