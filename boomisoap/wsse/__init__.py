"""WS-Security header plugins: UsernameToken, Timestamp, and X.509 signing with signxml."""

from __future__ import annotations

from typing import Any

from .username import Timestamp, UsernameToken, password_digest

__all__ = [
    "ResponseVerifier",
    "Timestamp",
    "TrustedCerts",
    "UnsignedMessageError",
    "UsernameToken",
    "VerifiedEnvelope",
    "X509Signer",
    "password_digest",
    "sign_envelope",
    "verify_envelope",
    "verify_request",
]

_SIGNATURE_NAMES = set(__all__) - {"Timestamp", "UsernameToken", "password_digest"}


def __getattr__(name: str) -> Any:
    # Signing pulls in cryptography and signxml: loaded only by those who sign.
    if name in _SIGNATURE_NAMES:
        from . import signature

        return getattr(signature, name)
    raise AttributeError(name)
