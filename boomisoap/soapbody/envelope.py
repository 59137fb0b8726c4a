"""The SOAP 1.1 Envelope and Body every shape travels in, and the bytes sent."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..namespaces import SOAP_ENV

ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
BODY = f"{{{SOAP_ENV}}}Body"
FAULT = f"{{{SOAP_ENV}}}Fault"
_XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"


def write() -> tuple[Any, Any]:
    """A new ``S:Envelope`` (the prefix of Boomi's own examples) and its empty ``S:Body``."""
    envelope = etree.Element(ENVELOPE, nsmap={"S": SOAP_ENV})
    body = etree.SubElement(envelope, BODY)
    return envelope, body


def to_bytes(envelope: Any) -> bytes:
    """The envelope as sent: UTF-8 with an XML declaration."""
    return _XML_DECLARATION + bytes(etree.tostring(envelope, encoding="utf-8"))
