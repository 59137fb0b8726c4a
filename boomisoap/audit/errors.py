"""Errors raised by the audit trail."""

from __future__ import annotations

from ..errors import BoomiError


class AuditError(BoomiError):
    """The audit store could not be opened, read or written."""


class AuditURLError(AuditError, ValueError):
    """An audit store URL is malformed or names an unknown scheme."""
