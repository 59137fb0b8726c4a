"""Request envelopes written directly with lxml, from the WSDL and the xsd/ declarations.

zeep's ``create_message`` walks its whole type system on every call (about 75 µs for a
``get``); the envelopes boomisoap sends are few and fixed in shape, so their layout is read
once per process and each call only fills it in:

* from ``wsdl/``: each operation's input message and the element of its one part (the
  document/literal wrapper), and the prefixes the WSDL declares;
* from ``xsd/`` (:func:`boomisoap.openschema.declarations`, the table the open reading of
  responses already uses): per type, its child elements in sequence order with their
  qualified names and types, and its attributes.

What goes into an envelope is said once, by :class:`boomisoap.soap.envelopes.EnvelopeBuilder`,
as *parts*: nested mappings keyed by the schema's local names, with :class:`Typed` where a
value carries an ``xsi:type``. This module writes parts; the same parts given to zeep are the
reference, and tests/test_fast_envelope.py proves the two envelopes equal as XML trees for
every operation and object type (docs/wire.md, "How request envelopes are built").
"""

from __future__ import annotations

import copy
import dataclasses
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from ..namespaces import SOAP_ENV, XSD, XSI
from ..openschema import Declarations, QName, TypeKey, declarations, resolve_qname, xsd_parser
from ..resources import wsdl_path

_WSDL = "http://schemas.xmlsoap.org/wsdl/"
_WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_XSI_TYPE = f"{{{XSI}}}type"
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_BODY = f"{{{SOAP_ENV}}}Body"
# zeep's prefix for the envelope, kept so that the two builders' output reads alike.
_ENVELOPE_PREFIX = "soap-env"


@dataclasses.dataclass(frozen=True, slots=True)
class Typed:
    """A value written with ``xsi:type`` naming ``(namespace, name)``: its type's layout
    applies to ``values`` instead of the declared (abstract) one."""

    namespace: str
    name: str
    values: Mapping[str, Any]


# A part's value: text, a mapping of local names to values (attributes and child elements of
# the declared type), a Typed mapping, or a list of those for a repeated element.
Part = Any


@dataclasses.dataclass(frozen=True, slots=True)
class Layout:
    """One complex type: its attributes by local name, its child elements in order."""

    attributes: Mapping[str, str]  # local name -> attribute name as lxml writes it
    children: tuple[tuple[str, str, TypeKey], ...]  # (local name, Clark name, type)
    names: frozenset[str]


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    name: str
    wrapper: str  # the Clark name of the input part's element
    layout: Layout
    # Envelope, Body and the empty wrapper, with every namespace declared: copied per call,
    # which costs a fifth of creating the elements and their declarations anew.
    template: Any = dataclasses.field(compare=False)


class EnvelopeWriter:
    """Writes the request envelopes of one service's operations (thread-safe: read only)."""

    def __init__(self, service: str, table: Declarations | None = None) -> None:
        self.service = service
        self._table = table or declarations()
        self._layouts: dict[TypeKey, Layout] = {}
        document = etree.parse(str(wsdl_path(service)), xsd_parser()).getroot()
        self.nsmap = _prefixes(document)
        self._prefix = {uri: prefix for prefix, uri in self.nsmap.items()}
        self.operations = {op.name: op for op in self._operations(document)}

    def envelope(self, operation: str, parts: Mapping[str, Part]) -> Any:
        """A new ``soap-env:Envelope`` whose Body holds ``operation``'s wrapper and parts."""
        found = self.operations.get(operation)
        if found is None:
            raise ValueError(f"{operation} is not an operation of the {self.service} WSDL")
        envelope = copy.deepcopy(found.template)
        self._fill(envelope[0][0], found.layout, parts)
        return envelope

    # -- writing -----------------------------------------------------------------------------

    def _fill(self, element: Any, layout: Layout, values: Mapping[str, Part]) -> None:
        if not layout.names.issuperset(values):
            unknown = ", ".join(sorted(set(values) - layout.names))
            raise ValueError(f"{element.tag} declares no {unknown}")
        attributes = layout.attributes
        for local, value in values.items():
            name = attributes.get(local)
            if name is not None and value is not None:
                element.set(name, value)
        for local, tag, key in layout.children:
            value = values.get(local)
            if value is None:
                continue
            if isinstance(value, list | tuple):
                for item in value:
                    self._write(element, tag, key, item)
            else:
                self._write(element, tag, key, value)

    def _write(self, parent: Any, tag: str, key: TypeKey, value: Part) -> None:
        element = etree.SubElement(parent, tag)
        if isinstance(value, str):
            element.text = value
            return
        if isinstance(value, Typed):
            key = (value.namespace, value.name)
            element.set(_XSI_TYPE, f"{self._prefix[value.namespace]}:{value.name}")
            value = value.values
        self._fill(element, self._layout(key), value)

    def _layout(self, key: TypeKey) -> Layout:
        found = self._layouts.get(key)
        if found is None:
            declared = self._table.declared(key)
            if declared is None or declared.simple:
                raise ValueError(f"{key[1]} is not a complex type of the xsd/ files")
            attributes = {local: _clark(ns, local) for ns, local in declared.attributes}
            children = tuple(
                (local, _clark(ns, local), child)
                for (ns, local), child in declared.children.items()
            )
            found = Layout(attributes, children, frozenset(attributes) | {c[0] for c in children})
            # Several threads may fill the cache at once: each builds the same value.
            self._layouts[key] = found
        return found

    # -- reading the WSDL --------------------------------------------------------------------

    def _operations(self, document: Any) -> list[Operation]:
        w = f"{{{_WSDL}}}"
        parts: dict[str, QName] = {}
        for message in document.iter(f"{w}message"):
            part = message.find(f"{w}part")
            if part is not None and part.get("element"):
                parts[message.get("name", "")] = resolve_qname(part, part.get("element", ""))
        _check_document_literal(document)
        found = []
        for port_type in document.iter(f"{w}portType"):
            for operation in port_type.iter(f"{w}operation"):
                request = operation.find(f"{w}input")
                if request is None:
                    continue
                message = resolve_qname(request, request.get("message", ""))[1]
                element = parts[message]
                key = self._table.element_type(element)
                if key is None:
                    raise ValueError(f"{element[1]} is not declared in the xsd/ files")
                wrapper = _clark(*element)
                template = etree.Element(_ENVELOPE, nsmap=self.nsmap)
                etree.SubElement(etree.SubElement(template, _BODY), wrapper)
                found.append(
                    Operation(operation.get("name", ""), wrapper, self._layout(key), template)
                )
        return found


def _check_document_literal(document: Any) -> None:
    # The writer knows one binding style; another WSDL must go through zeep.
    for binding in document.iter(f"{{{_WSDL_SOAP}}}binding"):
        if binding.get("style", "document") != "document":
            raise ValueError("only document/literal SOAP bindings are written directly")
    for body in document.iter(f"{{{_WSDL_SOAP}}}body"):
        if body.get("use", "literal") != "literal" or body.get("parts"):
            raise ValueError("only document/literal SOAP bindings are written directly")


def _prefixes(document: Any) -> dict[str, str]:
    """The envelope's namespace declarations: the WSDL's own prefixes for the namespaces its
    messages use (not the WSDL and schema vocabularies), the envelope's and xsi."""
    skipped = {_WSDL, _WSDL_SOAP, XSD, SOAP_ENV, XSI}
    found = {p: uri for p, uri in document.nsmap.items() if p and uri not in skipped}
    return {_ENVELOPE_PREFIX: SOAP_ENV, "xsi": XSI, **found}


def _clark(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}" if namespace else local


_WRITERS: dict[str, EnvelopeWriter] = {}
_LOCK = threading.Lock()


def writer(service: str) -> EnvelopeWriter:
    """The service's writer, built once per process."""
    found = _WRITERS.get(service)
    if found is None:
        with _LOCK:
            found = _WRITERS.get(service)
            if found is None:
                found = _WRITERS[service] = EnvelopeWriter(service)
    return found


def add_header_blocks(envelope: Any, blocks: Sequence[Any]) -> None:
    """Put ``blocks`` in a new ``soap-env:Header`` before the Body (the wsse plugins find
    it there and add their Security beside them)."""
    header = etree.Element(f"{{{SOAP_ENV}}}Header")
    header.extend(copy.deepcopy(block) for block in blocks)
    envelope.insert(0, header)


def apply_headers(envelope: Any, plugins: Sequence[Any]) -> Any:
    """Apply the wsse plugins in order, as zeep's ``Compose`` does after building."""
    headers: dict[str, str] = {}
    for plugin in plugins:
        envelope, headers = plugin.apply(envelope, headers)
    return envelope
