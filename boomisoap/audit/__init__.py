"""Raw-envelope audit trail: capture, redaction, hash chain, SQLite/JSONL/PostgreSQL."""

from __future__ import annotations

from .correlation import correlation, current_correlation_id
from .errors import AuditError, AuditURLError
from .exchange import Exchange
from .log import AuditLog
from .record import AuditRecord
from .redaction import redact_body, redact_headers, redact_text, redact_url
from .rules import REDACTED, RedactionRules
from .verify import Head, VerifyReport

__all__ = [
    "REDACTED",
    "AuditError",
    "AuditLog",
    "AuditRecord",
    "AuditURLError",
    "Exchange",
    "Head",
    "RedactionRules",
    "VerifyReport",
    "correlation",
    "current_correlation_id",
    "redact_body",
    "redact_headers",
    "redact_text",
    "redact_url",
]
