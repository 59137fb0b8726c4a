"""Reading SOAP responses: faults to typed errors, Body children to dataclasses."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from ..codec.xmlcodec import read_object
from ..errors import (
    BoomiError,
    BoomiFault,
    EnvelopeValidationError,
    InvalidRequest,
    TransportError,
    error_for_status,
)
from ..legacy import normalise_wrapper
from ..models.extras import Unknown
from ..models.fields import ObjectSpec
from ..models.results import BulkAnswer, QueryPage
from ..namespaces import API, SOAP_ENV, WSSE
from ..transport import HttpResponse, answered_html, header, is_xml, scrub
from ..validation import Policy, screen_envelope
from ..xmlsafe import UnsafeXMLError, parse

_FAULT = f"{{{SOAP_ENV}}}Fault"
_BODY = f"{{{SOAP_ENV}}}Body"


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
    body = envelope.find(_BODY)
    fault = None if body is None else body.find(_FAULT)
    if fault is not None:
        raise fault_error(fault, status, object_type=object_type, secrets=secrets)
    if status >= 300:
        # XML that is not a Fault: the status still says what happened when it can.
        error = error_for_status(status, object_type=object_type)
        if error is not None:
            raise error
    if envelope.tag != f"{{{SOAP_ENV}}}Envelope" or body is None:
        raise TransportError(
            "the response is not a SOAP 1.1 envelope", http_status=status, excerpt=_text(excerpt)
        )
    if status >= 300:
        raise TransportError(
            "unexpected HTTP status for a SOAP response", http_status=status, excerpt=_text(excerpt)
        )
    for child in body:
        # Boomi's docs answer Platform calls in the older wrapper namespace: read both.
        normalise_wrapper(child)
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
    code = (fault.findtext("faultcode") or "").strip()
    fault_code = code.rpartition(":")[2] or None
    # A service may echo what it was sent: the faultstring is scrubbed like an excerpt.
    message = scrub((fault.findtext("faultstring") or "").strip(), secrets) or "SOAP fault"
    detail = fault.find("detail")
    status: int | None = None
    field: str | None = None
    if detail is not None:
        service_fault = detail.find(f"{{{API}}}ServiceFault")
        if service_fault is not None:
            try:
                status = int(service_fault.get("statusCode", ""))
            except ValueError:
                status = None
            field = service_fault.findtext(f"{{{API}}}field")
    if status is None and _is_wsse_code(fault, code):
        status = 403  # a WS-Security refusal (WSS4J's answer, with HTTP 500 per WS-I R1126)
    error = error_for_status(
        http_status,
        message=message,
        declared=status,
        fault_code=fault_code,
        field=field,
        answered=True,
        object_type=object_type,
    )
    # A Fault sent with a success status: still the service's error, of no known kind.
    return error or BoomiFault(message, fault_code=fault_code, field=field)


def _is_wsse_code(fault: Any, code: str) -> bool:
    """A faultcode in the WS-Security namespace (wsse:FailedAuthentication, ...)."""
    prefix, sep, _ = code.partition(":")
    element = fault.find("faultcode")
    return bool(sep) and element is not None and element.nsmap.get(prefix) == WSSE


def _checked(reader: Any, *args: Any, unknown: Unknown) -> Any:
    # A value that does not fit its field is the service's error, reported like one. What
    # the field map does not know is kept: the schema, in the client's policy, has already
    # said whether it may be there.
    try:
        return reader(*args, unknown=unknown)
    except InvalidRequest as exc:
        raise EnvelopeValidationError(exc.field or "?", exc.message, direction="response") from None


def _children(body_child: Any, local_name: str) -> list[Any]:
    # The wrapper's children; when there are several, those named ``local_name`` (the open
    # reading lets unknown siblings through the schema, and they are not the result).
    children = [c for c in body_child if isinstance(c.tag, str)]
    if len(children) > 1:
        children = [c for c in children if etree.QName(c).localname == local_name]
    return children


def read_result(body_child: Any, unknown: Unknown = "keep") -> Any:
    """``getResponse``/``createResponse``/``updateResponse``: the one typed result."""
    children = _children(body_child, "result")
    if len(children) != 1:
        raise EnvelopeValidationError(
            _name(body_child), "expected one result", direction="response"
        )
    return _checked(read_object, children[0], unknown=unknown)


def read_page(body_child: Any, unknown: Unknown = "keep") -> QueryPage[Any]:
    """``results[@numberOfResults]``: an optional ``queryToken`` first, then ``result`` items.

    Read by name, so the token is found wherever it stands; validation (on by default) is
    what holds an answer to the schema's order.
    """
    results = next(iter(_children(body_child, "results")), None)
    if results is None:
        raise EnvelopeValidationError(_name(body_child), "missing results", direction="response")
    items = tuple(
        _checked(read_object, r, unknown=unknown) for r in results.iterchildren(f"{{{API}}}result")
    )
    token = results.xpath("string(api:queryToken)", namespaces={"api": API})  # all its text
    count = _int_attribute(results, "numberOfResults", len(items))
    return QueryPage(items, count, token or None)


def read_successful(body_child: Any, unknown: Unknown = "keep") -> bool:
    text = "".join(body_child.itertext()).strip().lower()
    return text in ("true", "1")


def read_bulk(
    body_child: Any, spec: ObjectSpec, unknown: Unknown = "keep"
) -> list[BulkAnswer[Any]]:
    """``getBulkResponse/results`` (BulkResult): its ``response`` items as they came.

    Every part of an item is optional (Boomi's successful items carry only statusCode
    and Result); the adapter pairs them with the ids asked.
    """
    bulk = body_child.find(f"{{{API}}}results")
    if bulk is None:
        return []  # getBulkResponse's results is optional: no item answered
    items: list[BulkAnswer[Any]] = []
    for entry in bulk.iterchildren(f"{{{API}}}response"):
        result_element = entry.find(f"{{{API}}}Result")
        result = (
            None
            if result_element is None
            else _checked(read_object, result_element, unknown=unknown)
        )
        items.append(
            BulkAnswer(
                index=_optional_int(entry, "index"),
                id=entry.get("id") or None,
                status_code=_optional_int(entry, "statusCode"),
                result=result,
                error_message=entry.get("errorMessage") or None,
            )
        )
    return items


def _optional_int(element: Any, name: str) -> int | None:
    return None if element.get(name) is None else _int_attribute(element, name, 0)


def _int_attribute(element: Any, name: str, default: int) -> int:
    text = element.get(name)
    if text is None:
        return default
    try:
        return int(text)
    except ValueError:
        raise EnvelopeValidationError(
            f"{_name(element)}/@{name}", f"{text!r} is not an integer", direction="response"
        ) from None


def _name(element: Any) -> str:
    return "/" + str(element.tag).rpartition("}")[2]
