"""Character classes, clean-up and key redaction that every layer needs, defined once.

Below `api` and `core` (it imports nothing of threadtui), so the API layer's server-error
sentences, the registry's SQLite columns, `core.sanitize.clean()` and `core.redact` all
agree on which characters are trouble and what looks like a key.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable

# Bodies of regex character classes, to combine into the patterns that need them.
# What hides or reorders text on a terminal: the Arabic letter mark, zero-width
# space/joiners, LRM/RLM, bidi embeddings and overrides, word joiner and invisible
# operators, bidi isolates, and the zero-width no-break space (BOM); also the combining
# grapheme joiner, the Hangul fillers and the Mongolian vowel separator (blank, used to
# make look-alike names), the line and paragraph separators, interlinear annotation
# marks, and the tag characters (invisible ASCII: hidden instructions ride on them).
INVISIBLE_CLASS = (
    "\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u2064\u2066-\u2069\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U000e0001\U000e0020-\U000e007f"
)
# Halves of UTF-16 pairs: no UTF-8 file, terminal or SQLite column accepts one alone.
SURROGATE_CLASS = "\ud800-\udfff"

INVISIBLE = re.compile(f"[{INVISIBLE_CLASS}]")
_SURROGATE = re.compile(f"[{SURROGATE_CLASS}]")
REPLACEMENT = "\ufffd"


def without_lone_surrogates(text: str) -> str:
    """`text` with each lone surrogate replaced by U+FFFD, as a conforming decoder does.

    They come from JSON ("\\ud800" is valid JSON) and from command lines that are not
    UTF-8 (Python reads `$'\\xff'` as "\\udcff"). Returns `text` itself when there are none.
    """
    if text.isascii():  # the common case, checked in C
        return text
    return _SURROGATE.sub(REPLACEMENT, text) if _SURROGATE.search(text) else text


# -- key-like strings -----------------------------------------------------------------------
# One set for every place a secret must not pass: server error sentences and crash reports
# ("[redacted]") and exports ("[redacted key 1]"). OpenAI IDs are left alone (thread_…,
# msg_…, conv_… + 48 hex, file-…): a key must not follow a letter, digit, `_` or `-`,
# which every ID suffix does.
_KEYS = re.compile(
    r"(?<![\w-])(?:sk|rk|sess)-[A-Za-z0-9_*-]{8,}"  # OpenAI: sk-…, sk-proj-…, masked sk-…**
    r"|(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"  # GitHub
    r"|(?<![\w-])xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|(?<![\w-])(?:AKIA|ASIA)[0-9A-Z]{16}(?![\w-])"  # AWS access key IDs
    r"|(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JWTs
    r"|(?<![\w-])[0-9a-fA-F]{32,}(?![\w-])"  # long hex secrets
)
# Authorization credentials: the scheme word stays, the token after it is the secret.
_AUTHORIZATION = re.compile(r"(?<![\w-])((?i:bearer|basic)\s+)([A-Za-z0-9._~+/-]+=*)")
# Any Authorization (or Proxy-Authorization) header's value, whatever its scheme: a known
# scheme word stays, the rest is the secret. Header lines, JSON and curl -H alike.
_AUTHORIZATION_VALUE = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?"
    r"(?:(?:bearer|basic|token|digest|negotiate|ntlm|apikey|aws4-hmac-sha256)\s+)?)"
    r"([^\s\"',;}\]]+)"
)
# user:password@ (or token@) in a URL: the HTTP library sends it as Authorization: Basic.
_URL_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)([^/\s@?#]+)@")
_BEARER_MIN = 16  # shorter words after "bearer" are prose ("the bearer of bad news")
_BASE64 = re.compile(r"(?<![\w/+-])[A-Za-z0-9+/]{40,}={0,2}(?![\w/+=-])")


def _is_credential(scheme: str, token: str) -> bool:
    if scheme[:5].lower() == "basic":
        # Basic is base64 of "user:password": prose after "basic" never decodes to that.
        try:
            return b":" in base64.b64decode(token, validate=True)
        except ValueError:  # binascii.Error is a ValueError
            return False
    return len(token.rstrip("=")) >= _BEARER_MIN


def _base64_like(text: str) -> bool:
    """Mixed case and digits: a random token, not a long word or a path."""
    return (
        any(c.isdigit() for c in text)
        and any(c.islower() for c in text)
        and any(c.isupper() for c in text)
    )


def redact_keys(text: str, replacement: Callable[[str], str]) -> str:
    """`text` with each key-like string (API keys, tokens, any Authorization value,
    Bearer/Basic credentials, user:password@ in URLs, long random hex or base64) replaced
    by `replacement(the_secret)`."""

    def authorization(match: re.Match[str]) -> str:
        scheme, token = match.groups()
        return scheme + replacement(token) if _is_credential(scheme, token) else match.group(0)

    def header_value(match: re.Match[str]) -> str:
        head, value = match.groups()
        return match.group(0) if value.startswith("[redacted") else head + replacement(value)

    text = _AUTHORIZATION_VALUE.sub(header_value, text)
    text = _URL_USERINFO.sub(lambda m: m.group(1) + replacement(m.group(2)) + "@", text)
    text = _AUTHORIZATION.sub(authorization, text)
    text = _KEYS.sub(lambda m: replacement(m.group(0)), text)
    return _BASE64.sub(
        lambda m: replacement(m.group(0)) if _base64_like(m.group(0)) else m.group(0), text
    )
