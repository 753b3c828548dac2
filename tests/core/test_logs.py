"""The log file never holds an API key: not in messages, not in tracebacks."""

from __future__ import annotations

import logging
import stat

from threadtui.core.settings.logs import start_log

KEY = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
ODD_KEY = "custom-gateway-token-7f3a9c"  # not key-shaped: redacted because it is the key


def test_log_redacts_keys_in_messages_and_tracebacks_and_is_private(tmp_path):
    path = start_log(tmp_path / "logs", secrets=[ODD_KEY])
    log = logging.getLogger("threadtui.test")
    log.error("request with Authorization: Bearer %s failed", KEY)
    try:
        raise RuntimeError(f"server echoed {ODD_KEY} and {KEY}")
    except RuntimeError:
        log.exception("unexpected")
    for handler in logging.getLogger("threadtui").handlers:
        handler.flush()
    text = path.read_text()
    assert "failed" in text and "RuntimeError" in text  # the log is useful...
    assert KEY not in text and ODD_KEY not in text  # ...and holds no key
    assert text.count("[redacted]") >= 3
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
