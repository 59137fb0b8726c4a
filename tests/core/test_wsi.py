"""The hand-maintained WSDLs follow WS-I Basic Profile 1.1's rules for document/literal."""

from __future__ import annotations

import pytest
import zeep
from lxml import etree

from boomisoap.resources import resource_root

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
XS = "http://www.w3.org/2001/XMLSchema"


def definitions(service: str) -> etree._Element:
    return etree.parse(str(resource_root() / "wsdl" / f"{service}.wsdl")).getroot()


def qname(element: etree._Element, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    return f"{{{element.nsmap[prefix or None]}}}{local}"


@pytest.mark.parametrize("service", ["apim", "platform"])
def test_document_literal_rules(service: str) -> None:
    root = definitions(service)
    # R2201/R2204/R2210: one part per message, referring to an element, never a type.
    for message in root.iter(f"{{{WSDL}}}message"):
        parts = message.findall(f"{{{WSDL}}}part")
        assert len(parts) == 1 and parts[0].get("element") and parts[0].get("type") is None
    # R2401/R2705: SOAP over HTTP, document style.
    [binding] = root.iter(f"{{{SOAP}}}binding")
    assert binding.get("transport") == "http://schemas.xmlsoap.org/soap/http"
    assert binding.get("style") == "document"
    # R2706/R2716: literal bodies without a namespace attribute.
    for body in root.iter(f"{{{SOAP}}}body"):
        assert body.get("use") == "literal" and body.get("namespace") is None
    # R2304: no overloaded operation names; R2710: every input a different element.
    operations = [o.get("name") for o in root.find(f"{{{WSDL}}}portType")]
    assert len(operations) == len(set(operations))
    messages = {m.get("name"): m for m in root.iter(f"{{{WSDL}}}message")}
    inputs = [
        qname(root, o.find(f"{{{WSDL}}}input").get("message")).rpartition("}")[2]
        for o in root.find(f"{{{WSDL}}}portType")
    ]
    elements = [messages[name].find(f"{{{WSDL}}}part").get("element") for name in inputs]
    assert len(elements) == len(set(elements))
    # R2003: schemas are imported only from inside xs:schema in wsdl:types.
    for tag in (f"{{{XS}}}import", f"{{{XS}}}include"):
        for found in root.iter(tag):
            assert found.getparent().tag == f"{{{XS}}}schema"
            assert found.getparent().getparent().tag == f"{{{WSDL}}}types"
    assert root.find(f"{{{WSDL}}}import") is None
    # No fault is declared: Boomi publishes none.
    assert not list(root.iter(f"{{{WSDL}}}fault")) and not list(root.iter(f"{{{SOAP}}}fault"))


@pytest.mark.parametrize("service", ["apim", "platform"])
def test_every_referenced_element_exists(service: str) -> None:
    # R2101/R2102: every QName a part names resolves in the loaded schemas.
    root = definitions(service)
    client = zeep.Client(str(resource_root() / "wsdl" / f"{service}.wsdl"))
    for part in root.iter(f"{{{WSDL}}}part"):
        assert client.get_element(qname(root, part.get("element"))) is not None
    for operation in root.iter(f"{{{SOAP}}}operation"):
        assert operation.get("soapAction") == ""
