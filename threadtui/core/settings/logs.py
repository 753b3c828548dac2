"""threadtui's own log file: unexpected errors with their tracebacks, for bug reports.

The file lives in the log dir (platformdirs, or <data dir>/logs), is 0600 in a 0700 folder,
and every record passes a filter that removes API keys — key-like strings and the actual
keys of the configured profiles — before anything is written.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from threadtui.api.sdk_errors import redact
from threadtui.core.settings.paths import PRIVATE_FILE_MODE, ensure_private_dir

LOGGER_NAME = "threadtui"
LOG_FILE = "threadtui.log"


class RedactingFilter(logging.Filter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        record.exc_info = None  # the redacted exc_text replaces it
        return True


def start_log(log_dir: Path, secrets: Iterable[str] = ()) -> Path:
    """Send the `threadtui` logger to `log_dir/threadtui.log`, redacted. Returns the path."""
    ensure_private_dir(log_dir)
    path = log_dir / LOG_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    os.close(fd)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return path
