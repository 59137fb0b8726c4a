"""Reading SOAP responses: faults to typed errors, Body children to dataclasses."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..codec.xmlcodec import read_object
from ..errors import (
    AuthenticationError,
    BoomiError,
    EnvelopeValidationError,
    InvalidRequest,
    RateLimited,
    TransportError,
    fault_class_for,
)
from ..models.extras import Unknown
from ..models.fields import ObjectSpec
from ..models.results import BulkItem, QueryPage
from ..namespaces import API, SOAP_ENV
from ..transport import HttpResponse, is_xml
from ..validation import Policy, screen_envelope
from ..xmlsafe import UnsafeXMLError, parse

_FAULT = f"{{{SOAP_ENV}}}Fault"
_BODY = f"{{{SOAP_ENV}}}Body"


def response_body(
    response: HttpResponse, *, validate: bool | str, excerpt: str
) -> tuple[Any, Unknown]:
    """The Body child of a SOAP response and how to read it, or the typed error it stands for.

    ``validate``: True reads in the open policy, "strict" in the closed one, False skips
    the schema (docs/client.md, "Validation modes"). The second value is the readers'
    ``unknown`` mode: "screened" when the strict screen passed (nothing unknown to look
    for, so ordinary responses are read as fast as before), else "keep".
    """
    if response.status == 503:
        raise RateLimited("the service answered 503 (rate limit)", status_code=503)
    if response.status in (401, 403) and not is_xml(response):
        raise AuthenticationError(f"HTTP {response.status}", status_code=response.status)
    if response.status == 413 and not is_xml(response):
        # docs/client.md maps HTTP 413 to InvalidRequest; the HTTP server in front of the
        # SOAP stack (waitress in the emulator, a gateway at Boomi) refuses a body over its
        # limit with its own page, before any Fault could be written.
        raise InvalidRequest("HTTP 413: the request body is too large", status_code=413)
    if not response.body or not is_xml(response):
        raise TransportError(
            "the response is not XML", http_status=response.status, excerpt=excerpt
        )
    try:
        envelope = parse(response.body)
    except UnsafeXMLError as exc:
        raise TransportError(exc.reason, http_status=response.status, excerpt=excerpt) from None
    body = envelope.find(_BODY)
    fault = None if body is None else body.find(_FAULT)
    if fault is not None:
        raise fault_error(fault, response.status)
    if envelope.tag != f"{{{SOAP_ENV}}}Envelope" or body is None:
        raise TransportError(
            "the response is not a SOAP 1.1 envelope", http_status=response.status, excerpt=excerpt
        )
    if response.status >= 300:
        raise TransportError(
            "unexpected HTTP status for a SOAP response",
            http_status=response.status,
            excerpt=excerpt,
        )
    if validate:
        policy: Policy = "strict" if validate == "strict" else "open"
        child, closed = screen_envelope(envelope, direction="response", policy=policy)
        return child, "screened" if closed else "keep"
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise EnvelopeValidationError("/Envelope/Body", "expected one child", direction="response")
    return children[0], "keep"


def fault_error(fault: Any, http_status: int) -> BoomiError:
    """Map a SOAP 1.1 Fault to its exception class by the status in its detail."""
    code = (fault.findtext("faultcode") or "").strip()
    fault_code = code.rpartition(":")[2] or None
    message = (fault.findtext("faultstring") or "").strip() or "SOAP fault"
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
    if status is None and http_status in (401, 403, 404, 409, 410, 503):
        status = http_status
    cls = fault_class_for(status, fault_code)
    return cls(message, status_code=status, fault_code=fault_code, field=field)


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
    results = next(iter(_children(body_child, "results")), None)
    if results is None:
        raise EnvelopeValidationError(_name(body_child), "missing results", direction="response")
    items = tuple(
        _checked(read_object, r, unknown=unknown) for r in results.iterchildren(f"{{{API}}}result")
    )
    token = results.findtext(f"{{{API}}}queryToken")
    count = _int_attribute(results, "numberOfResults", len(items))
    return QueryPage(items, count, token or None)


def read_successful(body_child: Any, unknown: Unknown = "keep") -> bool:
    text = "".join(body_child.itertext()).strip().lower()
    return text in ("true", "1")


def read_bulk(body_child: Any, spec: ObjectSpec, unknown: Unknown = "keep") -> list[BulkItem[Any]]:
    bulk = body_child.find(f"{{{API}}}bulkResponse")
    if bulk is None:
        raise EnvelopeValidationError(
            _name(body_child), "missing bulkResponse", direction="response"
        )
    items: list[BulkItem[Any]] = []
    for entry in bulk.iterchildren(f"{{{API}}}response"):
        result_element = entry.find(f"{{{API}}}Result")
        result = (
            None
            if result_element is None
            else _checked(read_object, result_element, unknown=unknown)
        )
        items.append(
            BulkItem(
                index=_int_attribute(entry, "index", 0),
                id=entry.get("id", ""),
                status_code=_int_attribute(entry, "statusCode", 0),
                result=result,
                error_message=entry.get("errorMessage") or None,
            )
        )
    return items


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
