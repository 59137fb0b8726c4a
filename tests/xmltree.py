"""Compare XML as trees: namespaces by URI (not prefix), xsi:type by resolved QName."""

from __future__ import annotations

from typing import Any

from lxml import etree

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def canonical(element: Any) -> tuple[Any, ...]:
    attributes = []
    for name, value in element.attrib.items():
        if name == XSI_TYPE:
            prefix, _, local = value.rpartition(":")
            value = f"{{{element.nsmap.get(prefix or None)}}}{local}"
        attributes.append((name, value))
    children = [canonical(c) for c in element if isinstance(c.tag, str)]
    text = (element.text or "").strip()
    return (element.tag, tuple(sorted(attributes)), text, tuple(children))


def parse(data: bytes | str) -> Any:
    if isinstance(data, str):
        data = data.encode()
    return etree.fromstring(data, parser=etree.XMLParser(remove_blank_text=True))


def body_child(envelope: Any) -> Any:
    body = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    return next(c for c in body if isinstance(c.tag, str))


def assert_same_tree(actual: Any, expected: Any) -> None:
    assert canonical(actual) == canonical(expected)
