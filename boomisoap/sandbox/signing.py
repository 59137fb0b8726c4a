"""X.509 message signatures in the emulator: verifying requests, signing responses.

The SOAP handler calls :meth:`MessageSignatures.check_request` on the parsed request
before anything else reads it (the UsernameToken included), hands the identity of a
verified message to the Authenticator's replay check, and passes every SOAP answer,
faults too, through :meth:`MessageSignatures.sign_response` as the last step before it is
sent: answers are validated unsigned, and cached get answers stay unsigned in the cache.
Trusted certificates and the signing key are parsed once, when the sandbox starts.
"""

from __future__ import annotations

from typing import Any

from ..errors import AuthenticationError, SignatureError
from ..wsse.signature import (
    TrustedCerts,
    UnsignedMessageError,
    X509Signer,
    sign_envelope,
    verify_request,
)

NOT_SIGNED = "the request is not signed; this endpoint requires an X.509 signature"


class MessageSignatures:
    """What the emulator does with WS-Security X.509 signatures.

    ``trusted_certs`` (anything :meth:`TrustedCerts.load` takes): a signed request must
    verify against them, an unsigned one passes unless ``require_signature``. ``signer``
    (an :class:`X509Signer`): every SOAP answer is signed with it.
    """

    def __init__(
        self,
        *,
        trusted_certs: Any = None,
        require_signature: bool = False,
        signer: X509Signer | None = None,
    ) -> None:
        if require_signature and trusted_certs is None:
            raise ValueError("require_signature needs trusted_certs to verify against")
        if signer is not None and not isinstance(signer, X509Signer):
            raise TypeError("signer must be a boomisoap.wsse.X509Signer")
        self.trusted = None if trusted_certs is None else TrustedCerts.load(trusted_certs)
        self.require_signature = require_signature
        self.signer = signer

    def check_request(self, envelope: Any) -> bytes | None:
        """Raise AuthenticationError (403) unless the parsed request's signature is acceptable.

        ``envelope`` is the tree the handler goes on to read, so the Body that was verified
        is the Body that is processed. Returns the identity of a verified signed message
        (the digest of its SignedInfo) for the replay check, None for an unsigned one.
        """
        if self.trusted is None:
            return None
        try:
            return verify_request(envelope, self.trusted).signed_info_digest
        except UnsignedMessageError:
            if self.require_signature:
                raise AuthenticationError(NOT_SIGNED, status_code=403) from None
            return None
        except SignatureError as exc:
            raise AuthenticationError(
                f"the request signature was refused: {exc}", status_code=403
            ) from None

    def sign_response(self, body: bytes) -> bytes:
        """The answer's bytes, signed when a signer is configured."""
        return body if self.signer is None else sign_envelope(body, self.signer)
