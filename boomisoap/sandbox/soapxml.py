"""SOAP 1.1 response and fault envelopes, written with lxml in the shape of Boomi's Plan page.

``<S:Envelope><S:Body><ns4:getResponse xmlns:apim=... xmlns:bns=... xmlns:xsi=...
xmlns:ns4=...><apim:result xsi:type="apim:Plan" .../>``: the wrapper declares every prefix
its content uses, objects are written by the shared XML codec.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lxml import etree

from ..codec.xmlcodec import write_object
from ..models.fields import ObjectSpec
from ..models.results import BulkItem, QueryPage
from ..namespaces import API, APIM, APIM_SOAP, SOAP_ENV, XSI

# Platform wrappers are in the object namespace, as in Boomi's served WSDL.
WRAPPER_NS = {"apim": APIM_SOAP, "platform": API}
# Where get/create/update results and query results live, per service (docs/wire.md).
RESULT_NS = {"apim": APIM, "platform": API}
_NSMAPS = {
    "apim": {"apim": APIM, "bns": API, "xsi": XSI, "ns4": APIM_SOAP},
    "platform": {"bns": API, "xsi": XSI},
}
_XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"


def _envelope() -> tuple[Any, Any]:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"S": SOAP_ENV})
    body = etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body")
    return envelope, body


def _wrapper(service: str, operation: str) -> tuple[Any, Any]:
    envelope, body = _envelope()
    wrapper = etree.SubElement(
        body, f"{{{WRAPPER_NS[service]}}}{operation}Response", nsmap=_NSMAPS[service]
    )
    return envelope, wrapper


def result(service: str, operation: str, obj: Any, spec: ObjectSpec) -> Any:
    """get / create / update: the one typed ``result``."""
    envelope, wrapper = _wrapper(service, operation)
    write_object(wrapper, f"{{{RESULT_NS[service]}}}result", obj, spec)
    return envelope


def page(service: str, operation: str, found: QueryPage[Any], spec: ObjectSpec) -> Any:
    """query / queryMore: ``results[@numberOfResults]``, the token (if any) first, then items."""
    envelope, wrapper = _wrapper(service, operation)
    results = etree.SubElement(wrapper, f"{{{RESULT_NS[service]}}}results")
    results.set("numberOfResults", str(found.number_of_results))
    if found.query_token is not None:
        etree.SubElement(results, f"{{{API}}}queryToken").text = found.query_token
    for item in found.results:
        write_object(results, f"{{{API}}}result", item, spec)
    return envelope


def successful(service: str) -> Any:
    """delete: ``successful`` = true."""
    envelope, wrapper = _wrapper(service, "delete")
    etree.SubElement(wrapper, f"{{{RESULT_NS[service]}}}successful").text = "true"
    return envelope


def bulk(service: str, items: Sequence[BulkItem[Any]], spec: ObjectSpec) -> Any:
    """getBulk: ``results`` (BulkResult) with one ``response`` per id, in the order asked.

    Boomi's shape ("Bulk GET operations"): a success carries statusCode and Result only,
    a failure statusCode, errorMessage and id; neither carries index.
    """
    envelope, wrapper = _wrapper(service, "getBulk")
    answer = etree.SubElement(wrapper, f"{{{API}}}results")
    for item in items:
        entry = etree.SubElement(answer, f"{{{API}}}response")
        for name, value in bulk_answer(item).items():
            entry.set(name, str(value))
        if item.result is not None:
            write_object(entry, f"{{{API}}}Result", item.result, spec)
    return envelope


def bulk_answer(item: BulkItem[Any]) -> dict[str, int | str]:
    """The attributes (the REST wire's JSON keys) of one bulk answer item, as Boomi's
    "Bulk GET operations" page writes them; shared by both wires of the emulator."""
    if item.result is not None:
        return {"statusCode": item.status_code}
    return {
        "errorMessage": item.error_message or f"status {item.status_code}",
        "statusCode": item.status_code,
        "id": item.id,
    }


def fault(status: int, message: str, field: str | None = None, *, code: str | None = None) -> Any:
    """A SOAP 1.1 Fault whose detail carries the status code (``api:ServiceFault``)."""
    envelope, body = _envelope()
    element = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    if code is None:
        code = "Client" if 400 <= status < 500 else "Server"
    etree.SubElement(element, "faultcode").text = f"S:{code}"
    etree.SubElement(element, "faultstring").text = message
    detail = etree.SubElement(element, "detail")
    service_fault = etree.SubElement(detail, f"{{{API}}}ServiceFault", nsmap={"bns": API})
    service_fault.set("statusCode", str(status))
    etree.SubElement(service_fault, f"{{{API}}}message").text = message
    if field:
        etree.SubElement(service_fault, f"{{{API}}}field").text = field
    return envelope


def service_fault_of(envelope: Any) -> Any:
    """The ``api:ServiceFault`` detail of a fault envelope, or None."""
    return envelope.find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault/detail/{{{API}}}ServiceFault")


def to_bytes(envelope: Any) -> bytes:
    return _XML_DECLARATION + bytes(etree.tostring(envelope, encoding="utf-8"))
