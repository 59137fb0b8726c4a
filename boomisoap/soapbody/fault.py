"""The SOAP 1.1 Fault: ``faultcode``, ``faultstring`` and the ``api:ServiceFault`` detail.

Boomi publishes no fault detail; the emulator's carries the status code
(``detail/api:ServiceFault[@statusCode]`` with ``api:message`` and an optional
``api:field``), declared in ``platform.xsd`` so that it is validated. A Fault without it is
read too: its status is then the HTTP status's, which the client decides
(:func:`boomisoap.soap.responses.fault_error`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from lxml import etree

from ..namespaces import API, SOAP_ENV, WSSE
from . import envelope

_SERVICE_FAULT = f"{{{API}}}ServiceFault"


@dataclasses.dataclass(frozen=True, slots=True)
class Fault:
    """What a Fault says, as it came (the client scrubs and classes it)."""

    fault_code: str | None  # the faultcode's local part: Client, Server, VersionMismatch ...
    message: str  # the faultstring, stripped
    status: int | None = None  # the ServiceFault's statusCode
    field: str | None = None  # the ServiceFault's field
    wsse: bool = False  # a faultcode in the WS-Security namespace (wsse:FailedAuthentication)


def write(status: int, message: str, field: str | None = None, *, code: str | None = None) -> Any:
    """A Fault envelope whose detail carries ``status`` (``api:ServiceFault``)."""
    env, body = envelope.write()
    element = etree.SubElement(body, envelope.FAULT)
    if code is None:
        code = "Client" if 400 <= status < 500 else "Server"
    etree.SubElement(element, "faultcode").text = f"S:{code}"
    etree.SubElement(element, "faultstring").text = message
    detail = etree.SubElement(element, "detail")
    service_fault = etree.SubElement(detail, _SERVICE_FAULT, nsmap={"bns": API})
    service_fault.set("statusCode", str(status))
    etree.SubElement(service_fault, f"{{{API}}}message").text = message
    if field:
        etree.SubElement(service_fault, f"{{{API}}}field").text = field
    return env


def service_fault_of(env: Any) -> Any:
    """The ``api:ServiceFault`` detail of a fault envelope (what is validated), or None."""
    return env.find(f"{{{SOAP_ENV}}}Body/{envelope.FAULT}/detail/{_SERVICE_FAULT}")


def read(fault: Any) -> Fault:
    """The parts of a ``S:Fault`` element; a statusCode that is not a number is none."""
    code = (fault.findtext("faultcode") or "").strip()
    message = (fault.findtext("faultstring") or "").strip()
    status: int | None = None
    field: str | None = None
    detail = fault.find("detail")
    service_fault = None if detail is None else detail.find(_SERVICE_FAULT)
    if service_fault is not None:
        try:
            status = int(service_fault.get("statusCode", ""))
        except ValueError:
            status = None
        field = service_fault.findtext(f"{{{API}}}field")
    return Fault(code.rpartition(":")[2] or None, message, status, field, _is_wsse(fault, code))


def _is_wsse(fault: Any, code: str) -> bool:
    prefix, sep, _ = code.partition(":")
    element = fault.find("faultcode")
    return bool(sep) and element is not None and element.nsmap.get(prefix) == WSSE
