"""Keep the bot token (and other secrets) out of every log line, URLs included.

aiogram and aiohttp put the token in request URLs (`/bot<token>/sendMessage`); an error message or
traceback can carry such a URL. Redaction happens when a log record is created, so it applies to
every handler, including ones added later.
"""

from __future__ import annotations

import logging
import re
import threading

# Anything shaped like a Bot API token: <bot id>:<35-ish url-safe characters>.
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{30,}")
MASK = "<redacted>"

_secrets: set[str] = set()
_lock = threading.Lock()
_installed = False


def redact(text: str) -> str:
    """`text` with every registered secret and anything token-shaped replaced by <redacted>."""
    if not text:
        return text
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return TOKEN_PATTERN.sub(MASK, text)


def install_redaction(*secrets: str | None) -> None:
    """Register secrets and make every future log record redacted (idempotent)."""
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= 8)
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args, **kwargs):
            record = previous(*args, **kwargs)
            _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _installed = True


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a malformed record: leave it to logging's own error path
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
