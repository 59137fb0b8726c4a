"""Exception classes shared by every wire, the emulator and the CLI.

Messages never carry a password, a digest or an API key: callers build them from
field names, status codes and short excerpts, and every constructor here scrubs its
message and text fields of the process's live secrets (:mod:`boomisoap.redact`), so a
server echoing one back cannot put it into an exception's text, repr or ``vars()``.
"""

from __future__ import annotations

from typing import Any

from .redact import scrub, scrub_any, scrub_excerpt


class BoomiError(Exception):
    """Base class of every error raised by boomisoap."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*(scrub_any(a) for a in args))


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
        message = scrub(message)
        super().__init__(message)
        self.message = message
        self.status_code = status_code if status_code is not None else self.default_status
        self.fault_code = None if fault_code is None else scrub(fault_code)
        self.field = None if field is None else scrub(field)

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
    """The object does not exist, was deleted (404) or is gone (410 in a fault detail)."""

    default_status = 404


class Retired(NotFound):
    """Boomi retired the object type: HTTP 410, or a 301/308 redirect to its replacement.

    A subclass of :class:`NotFound` (which 410 raised before), so existing handlers keep
    catching it. ``object_type`` names the retired type when the call named one;
    ``location`` is the replacement's URL from a redirect (``None`` for a bare 410).
    """

    default_status = 410

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        fault_code: str | None = None,
        field: str | None = None,
        object_type: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code, fault_code=fault_code, field=field)
        self.object_type = object_type
        self.location = location

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status_code={self.status_code!r}, "
            f"object_type={self.object_type!r}, location={self.location!r})"
        )


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
        # The reason may quote a value the server sent (an invalid attribute value that is
        # the password, say), and the path may hold an ApiKey key used as an id.
        path, reason = scrub(path), scrub(reason)
        super().__init__(f"{direction} envelope invalid at {path}: {reason}")
        self.path = path
        self.reason = reason
        self.direction = direction


class PagingError(EnvelopeValidationError):
    """The service answered a query page with a ``queryToken`` it had already given.

    Following it would fetch the same pages forever; the iteration stops instead. The
    token itself is not quoted.
    """

    def __init__(self, reason: str) -> None:
        super().__init__("/queryToken", reason, direction="response")


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
        message, excerpt = scrub(message), scrub_excerpt(excerpt)
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

# Boomi's versioning policy: a retired object answers 410, or 301/308 to its replacement.
RETIRED_STATUSES = frozenset({301, 308, 410})


def fault_class_for(status_code: int | None, fault_code: str | None = None) -> type[BoomiFault]:
    """The exception class for a status carried in a fault detail or an error body."""
    if status_code is not None and status_code in STATUS_TO_FAULT:
        return STATUS_TO_FAULT[status_code]
    if status_code is not None:
        return InvalidRequest if 400 <= status_code < 500 else ServiceUnavailable
    if fault_code is not None and fault_code.lower().endswith("client"):
        return InvalidRequest
    return ServiceUnavailable


def error_for_status(
    http_status: int,
    *,
    message: str | None = None,
    declared: int | None = None,
    fault_code: str | None = None,
    field: str | None = None,
    answered: bool = False,
    object_type: str | None = None,
    location: str | None = None,
) -> BoomiFault | None:
    """The one HTTP status -> error policy of both wires (docs/client.md#errors).

    ``declared`` is a status the service wrote into its own error document (our
    ``api:ServiceFault`` detail, a JSON ``statusCode``); ``answered`` says an error
    document was found at all (a SOAP Fault, a JSON or XML error body). Returns ``None``
    when the status alone says nothing and no error document came: the caller then
    reports a :class:`TransportError` (a gateway's page is not the service's answer).
    """
    text = message or None
    if http_status == 503:
        # Boomi's rate limit (docs/choices.md): whatever the body says, the transport may retry.
        return RateLimited(
            text or "the service answered 503 (rate limit)",
            status_code=503,
            fault_code=fault_code,
        )
    if http_status in RETIRED_STATUSES and (http_status != 410 or declared is None):
        # A 410 declared inside an error document is one deleted object (NotFound below);
        # a bare HTTP 410 or a redirect is the endpoint itself going away.
        return _retired(http_status, text, fault_code, object_type, location)
    if declared is not None:
        cls = fault_class_for(declared, fault_code)
        return cls(
            text or f"HTTP {declared}", status_code=declared, fault_code=fault_code, field=field
        )
    if http_status in (401, 403):
        # Boomi documents both for bad credentials; gateways answer them with own pages.
        return AuthenticationError(
            text or f"HTTP {http_status}", status_code=http_status, fault_code=fault_code
        )
    if http_status == 413:
        # The HTTP server in front of the service refuses an oversized body with its own
        # page, before any error document could be written.
        return InvalidRequest(
            text or "HTTP 413: the request body is too large",
            status_code=413,
            fault_code=fault_code,
            field=field,
        )
    if not answered:
        return None
    if 400 <= http_status < 500:
        cls = fault_class_for(http_status)
        return cls(
            text or f"HTTP {http_status}",
            status_code=http_status,
            fault_code=fault_code,
            field=field,
        )
    # A Fault or an error body without a status of its own (HTTP 500, Boomi's usual
    # carrier): the service's error, but nothing says which kind.
    return BoomiFault(
        text or "the service answered an error",
        status_code=http_status if http_status >= 400 else None,
        fault_code=fault_code,
        field=field,
    )


def _retired(
    http_status: int,
    message: str | None,
    fault_code: str | None,
    object_type: str | None,
    location: str | None,
) -> Retired:
    what = object_type or "this object type"
    if http_status == 410:
        text = f"{what} is retired by Boomi (HTTP 410)"
    elif location:
        text = f"{what} is retired by Boomi; its replacement is at {location} (HTTP {http_status})"
    else:
        text = f"{what} is retired by Boomi; it moved (HTTP {http_status}, no Location)"
    if message:
        text += f": {message}"
    return Retired(
        text,
        status_code=http_status,
        fault_code=fault_code,
        object_type=object_type,
        location=location or None,
    )
