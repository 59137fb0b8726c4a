"""Every log record of every logger scrubbed of the live secrets as it is made.

A ``logging.Filter`` would not do: Python consults a logger's filters only for records
logged on that very logger, not for those of its children (``zeep.transports``,
``urllib3.connectionpool``) passing through. The log-record factory sees them all.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

from .live import any_live, scrub

_factory_lock = threading.Lock()
_installed: list[Callable[..., logging.LogRecord]] = []


def _scrub_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports it itself, later
        return
    clean = scrub(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info and record.exc_info[1] is not None:
        # Formatted once here, scrubbed, and the raw exception dropped: a formatter uses
        # exc_text when it is set, and nothing else can read the secret out of the record.
        text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        clean = scrub(text)
        if clean != text:
            record.exc_text, record.exc_info = clean, None
    if record.stack_info:
        record.stack_info = scrub(record.stack_info)


def install_log_scrubbing() -> None:
    """Wrap the log-record factory once, so every record is scrubbed as it is made.

    Costs one check per record while no secret is live; nothing is formatted unless a
    SecretSet exists (records below a logger's level are never made at all).
    """
    with _factory_lock:
        if _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if any_live():
                _scrub_record(record)
            return record

        _installed.append(previous)
        logging.setLogRecordFactory(factory)
