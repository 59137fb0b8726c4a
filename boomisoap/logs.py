"""The loggers boomisoap writes to, each record stamped with the call's correlation id.

Every logger the library uses is made by :func:`get_logger`, which adds
:class:`CorrelationFilter`: a record gets a ``correlation_id`` attribute (the id of the
call being made, ``"-"`` outside one), so a format string may use
``%(correlation_id)s`` on any handler.
"""

from __future__ import annotations

import logging

from .correlation import current_correlation_id


class CorrelationFilter(logging.Filter):
    """Sets ``record.correlation_id`` unless the record already has one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "correlation_id"):
            record.correlation_id = current_correlation_id() or "-"
        return True


_FILTER = CorrelationFilter()


def get_logger(name: str) -> logging.Logger:
    """``logging.getLogger(name)`` with the correlation filter attached once."""
    logger = logging.getLogger(name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    return logger
