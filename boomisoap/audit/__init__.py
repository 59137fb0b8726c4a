"""Raw-envelope audit trail: capture, redaction, hash chain, Merkle tree, signed
checkpoints and proofs, SQLite/JSONL/PostgreSQL."""

from __future__ import annotations

from ..correlation import correlation, current_correlation_id
from ..redact.markers import REDACTED
from ..redact.rules import RedactionRules
from ..redact.structural import redact_body, redact_headers, redact_text, redact_url
from .errors import AuditError, AuditURLError
from .exchange import Exchange
from .log import AuditLog
from .proofs import ProofCheck, check_consistency, check_proof
from .record import AuditRecord
from .signing import SignedCheckpoint, Signer, load_private_key, load_public_key, write_key_pair
from .verify import Head, VerifyReport

__all__ = [
    "REDACTED",
    "AuditError",
    "AuditLog",
    "AuditRecord",
    "AuditURLError",
    "Exchange",
    "Head",
    "ProofCheck",
    "RedactionRules",
    "SignedCheckpoint",
    "Signer",
    "VerifyReport",
    "check_consistency",
    "check_proof",
    "correlation",
    "current_correlation_id",
    "load_private_key",
    "load_public_key",
    "redact_body",
    "redact_headers",
    "redact_text",
    "redact_url",
    "write_key_pair",
]
