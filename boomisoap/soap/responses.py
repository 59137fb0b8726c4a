"""Reading SOAP responses: the HTTP answer to its Body child, faults to typed errors.

The Body shapes themselves (results, pages, bulk answers, faults) are written and read side
by side in :mod:`boomisoap.soapbody`; this module is the client's part around them: the HTTP
status, the parse, the schema, the error classes and what is scrubbed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .. import soapbody
from ..errors import (
    BoomiError,
    BoomiFault,
    EnvelopeValidationError,
    TransportError,
    error_for_status,
)
from ..models.extras import Unknown
from ..soapbody.envelope import BODY, ENVELOPE, FAULT
from ..transport import HttpResponse, answered_html, header, is_xml, scrub
from ..validation import Policy, screen_envelope
from ..xmlsafe import UnsafeXMLError, parse


def response_body(
    response: HttpResponse,
    *,
    validate: bool | str,
    excerpt: str | Callable[[], str],
    object_type: str | None = None,
    secrets: Iterable[str] = (),
) -> tuple[Any, Unknown]:
    """The Body child of a SOAP response and how to read it, or the typed error it stands for.

    ``validate``: True reads in the open policy, "strict" in the closed one, False skips
    the schema (docs/client.md, "Validation modes"). The second value is the readers'
    ``unknown`` mode: "screened" when the strict screen passed (nothing unknown to look
    for, so ordinary responses are read as fast as before), else "keep".

    The status decides the class through the one policy both wires share,
    :func:`boomisoap.errors.error_for_status`; ``object_type`` names the type a
    "retired" answer is about, ``secrets`` are kept out of a redirect's location.
    ``excerpt`` may be a function: scrubbing a body is paid only when an error quotes it.
    """
    status = response.status
    if status == 503 or status in (301, 308):
        # Decided by the status alone: the rate limit, or a retired type's redirect
        # (whatever page travels with it).
        location = header(response.headers, "Location") if status != 503 else None
        raise _status_error(status, object_type, _redacted(location, secrets))
    html = answered_html(response)
    if not response.body or not is_xml(response) or html:
        error = error_for_status(status, object_type=object_type)
        if error is not None:
            raise error
        what = HTML_ANSWER if html else "the response is not XML"
        raise TransportError(what, http_status=status, excerpt=_text(excerpt))
    try:
        envelope = parse(response.body)
    except UnsafeXMLError as exc:
        raise TransportError(exc.reason, http_status=status, excerpt=_text(excerpt)) from None
    body = envelope.find(BODY)
    fault = None if body is None else body.find(FAULT)
    if fault is not None:
        raise fault_error(fault, status, object_type=object_type, secrets=secrets)
    if status >= 300:
        # XML that is not a Fault: the status still says what happened when it can.
        error = error_for_status(status, object_type=object_type)
        if error is not None:
            raise error
    if envelope.tag != ENVELOPE or body is None:
        raise TransportError(
            "the response is not a SOAP 1.1 envelope", http_status=status, excerpt=_text(excerpt)
        )
    if status >= 300:
        raise TransportError(
            "unexpected HTTP status for a SOAP response", http_status=status, excerpt=_text(excerpt)
        )
    for child in body:
        # Boomi's docs answer Platform calls in the older wrapper namespace: read both.
        soapbody.wrapper.normalise(child)
    if validate:
        policy: Policy = "strict" if validate == "strict" else "open"
        child, closed = screen_envelope(envelope, direction="response", policy=policy)
        if policy == "strict":
            # The schema leaves some of the model's enumerations open (Plan status is an
            # xs:string): the readers refuse what the model does not know.
            return child, "refuse"
        return child, "screened" if closed else "keep"
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise EnvelopeValidationError("/Envelope/Body", "expected one child", direction="response")
    return children[0], "keep"


def _text(excerpt: str | Callable[[], str]) -> str:
    return excerpt if isinstance(excerpt, str) else excerpt()


# Said instead of the parser's "DOCTYPE not allowed": an HTML page in place of an envelope
# is a gateway, a proxy or a login page, and the status tells which.
HTML_ANSWER = "the server answered HTML, not a SOAP envelope"


def _status_error(status: int, object_type: str | None, location: str | None) -> BoomiFault:
    error = error_for_status(status, object_type=object_type, location=location)
    assert error is not None  # 503, 301 and 308 always decide
    return error


def _redacted(text: str | None, secrets: Iterable[str]) -> str | None:
    return None if not text else scrub(text, secrets)


def fault_error(
    fault: Any,
    http_status: int,
    *,
    object_type: str | None = None,
    secrets: Iterable[str] = (),
) -> BoomiError:
    """Map a SOAP 1.1 Fault to its exception class.

    With our ``api:ServiceFault`` detail, by the status it carries; without one (Boomi
    publishes no detail format), by the HTTP status: a :class:`BoomiFault` carrying
    ``faultcode`` and ``faultstring`` for HTTP 500, the status's class otherwise.
    """
    read = soapbody.fault.read(fault)
    # A service may echo what it was sent: the faultstring is scrubbed like an excerpt.
    message = scrub(read.message, secrets) or "SOAP fault"
    status = read.status
    if status is None and read.wsse:
        status = 403  # a WS-Security refusal (WSS4J's answer, with HTTP 500 per WS-I R1126)
    error = error_for_status(
        http_status,
        message=message,
        declared=status,
        fault_code=read.fault_code,
        field=read.field,
        answered=True,
        object_type=object_type,
    )
    # A Fault sent with a success status: still the service's error, of no known kind.
    return error or BoomiFault(message, fault_code=read.fault_code, field=read.field)
