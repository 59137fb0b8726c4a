"""Raw-envelope audit trail: capture, redaction, hash chain, Merkle tree, signed
checkpoints and proofs, SQLite/JSONL/PostgreSQL."""

from __future__ import annotations

import sys

from .. import correlation as _correlation_context
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

# The correlation context was ``boomisoap.audit.correlation`` before it moved down to the
# foundation layer; that name still imports it. An alias, not a submodule: loading a
# submodule of that name would rebind this package's ``correlation`` function to it.
sys.modules.setdefault(f"{__name__}.correlation", _correlation_context)

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
