"""Make untrusted remote text safe to show.

Remote text can hold ANSI/OSC escape sequences, C0/C1 controls, bidi overrides,
zero-width characters and lone surrogates. `clean()` turns every one of them into a
visible, inert stand-in, so an auditor sees that something was there and the terminal
never receives it. Markup safety is separate: display code must pass remote text as plain
`Text`/`Content` (never through a markup parser); `clean()` does not escape `[`.
"""

from __future__ import annotations

import re

from threadtui.text import INVISIBLE, INVISIBLE_CLASS, REPLACEMENT, SURROGATE_CLASS

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and other
# two-character escapes. Shown as one marker each so a hostile sequence stays readable.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    # OSC, terminated by BEL or ST; an unterminated one is marked to the end of its line
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?"  # DCS, SOS, PM, APC (likewise)
    r"|\x1b[@-Z\\-_]"  # two-character escapes
)

# C0 controls but tab and newline, DEL, C1 controls, invisible format characters (which
# change how surrounding text is ordered or joined) and lone surrogates.
_NEEDS_WORK = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE_CLASS}{SURROGATE_CLASS}]")


def _marker(match: re.Match[str]) -> str:
    seq = match.group(0)
    printable = seq[1:].replace("\x07", "").replace("\x1b", "")
    # Keep the sequence readable but inert: "␛[31m" shows what the attacker sent.
    return "␛" + "".join(_char(c) for c in printable)


def _char(c: str) -> str:
    code = ord(c)
    if code < 0x20:
        return chr(0x2400 + code)  # Control Pictures: ␀ ␁ … ␟
    if code == 0x7F:
        return "␡"
    if 0x80 <= code <= 0x9F:
        return f"⟨{code:02X}⟩"
    if 0xD800 <= code <= 0xDFFF:
        return REPLACEMENT
    if INVISIBLE.match(c):
        return f"⟨U+{code:04X}⟩"
    return c


def clean(text: str) -> str:
    """Return `text` with every escape, control and invisible format character made visible.

    Newlines and tabs are kept; `\\r\\n` becomes `\\n`.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n")
    if "\x1b" in text:
        text = _ESCAPE_SEQUENCE.sub(_marker, text)
    if not _NEEDS_WORK.search(text):
        return text
    return _NEEDS_WORK.sub(lambda m: _char(m.group(0)), text)


def one_line(text: str, limit: int = 80) -> str:
    """A cleaned, single-line preview of at most `limit` characters."""
    flat = " ".join(clean(text).split())
    return flat if len(flat) <= limit else flat[: max(0, limit - 1)] + "…"


def id_text(text: str, limit: int = 64) -> str:
    """An ID from a server (or a file), safe to show or copy: cleaned, on one line and at
    most `limit` characters. A real ID comes back unchanged."""
    if len(text) <= limit and text.isascii() and text.isprintable() and " " not in text:
        return text  # the common case: a well-formed ID, checked in C
    return one_line(text, limit)


def is_clean(text: str) -> bool:
    """True when `text` holds nothing `clean()` would change (besides CRLF)."""
    return "\x1b" not in text and not _NEEDS_WORK.search(text.replace("\r\n", "\n"))


__all__ = ["clean", "id_text", "is_clean", "one_line"]
