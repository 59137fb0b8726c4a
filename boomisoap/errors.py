"""Exception classes shared by every wire, the emulator and the CLI.

Messages never carry a password, a digest or an API key: callers build them from
field names, status codes and short, already-redacted excerpts only.
"""

from __future__ import annotations


class BoomiError(Exception):
    """Base class of every error raised by boomisoap."""


class BoomiFault(BoomiError):
    """An error answered by the service (a SOAP Fault or a JSON error body).

    ``status_code`` is the HTTP-style status carried in the fault detail (400, 403, 404,
    409, 410, 503 ...); ``fault_code`` is the SOAP 1.1 code (``Client`` or ``Server``) or
    ``None`` for REST; ``field`` names the offending field or element when known.
    """

    default_status: int | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        fault_code: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code if status_code is not None else self.default_status
        self.fault_code = fault_code
        self.field = field

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r}, "
            f"fault_code={self.fault_code!r}, field={self.field!r})"
        )


class InvalidRequest(BoomiFault):
    """The request is malformed or a value breaks a documented rule (400).

    Raised before sending when a dataclass value is invalid, with ``field`` set.
    """

    default_status = 400


class AuthenticationError(BoomiFault):
    """Bad credentials or missing permission (401/403)."""

    default_status = 403


class NotFound(BoomiFault):
    """The object does not exist, was deleted (404) or is gone (410)."""

    default_status = 404


class Conflict(BoomiFault):
    """The object is in use and cannot be changed or deleted (409)."""

    default_status = 409


class ServiceUnavailable(BoomiFault):
    """The service failed on its side (a Server fault or 5xx)."""

    default_status = 503


class RateLimited(ServiceUnavailable):
    """HTTP 503 from the rate limit, still answered after every retry."""

    default_status = 503


class EnvelopeValidationError(BoomiError):
    """An envelope or Body failed schema validation; ``path`` names the element."""

    def __init__(self, path: str, reason: str, *, direction: str = "request") -> None:
        super().__init__(f"{direction} envelope invalid at {path}: {reason}")
        self.path = path
        self.reason = reason
        self.direction = direction


class TransportError(BoomiError):
    """The exchange failed below SOAP/JSON: connection, timeout, non-XML or HTML body.

    ``http_status`` is ``None`` when no response arrived; ``excerpt`` is a short,
    redacted start of the body for diagnosis.
    """

    def __init__(
        self,
        message: str,
        *,
        http_status: int | None = None,
        excerpt: str = "",
        sent: bool | None = None,
    ) -> None:
        detail = f" (HTTP {http_status})" if http_status is not None else ""
        super().__init__(f"{message}{detail}" + (f": {excerpt!r}" if excerpt else ""))
        self.message = message
        self.http_status = http_status
        self.excerpt = excerpt
        # Whether the request may have reached the server; None when unknown.
        self.sent = sent


class DeadlineExceeded(TransportError):
    """The client's ``deadline=`` ran out before a call succeeded; ``__cause__`` is the
    last attempt's error (None when no attempt could start)."""

    def __init__(self, message: str, *, attempts: int, sent: bool | None = None) -> None:
        super().__init__(message, sent=sent)
        self.attempts = attempts


class SecurityError(BoomiError):
    """A WS-Security check failed (signature, timestamp, token)."""


class SignatureError(SecurityError):
    """An XML signature is missing, invalid, untrusted, or does not cover what it must."""


STATUS_TO_FAULT: dict[int, type[BoomiFault]] = {
    400: InvalidRequest,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFound,
    409: Conflict,
    410: NotFound,
    413: InvalidRequest,
    503: RateLimited,
}


def fault_class_for(status_code: int | None, fault_code: str | None = None) -> type[BoomiFault]:
    """The exception class for a status carried in a fault or an HTTP answer."""
    if status_code is not None and status_code in STATUS_TO_FAULT:
        return STATUS_TO_FAULT[status_code]
    if status_code is not None:
        return InvalidRequest if 400 <= status_code < 500 else ServiceUnavailable
    if fault_code is not None and fault_code.lower().endswith("client"):
        return InvalidRequest
    return ServiceUnavailable
