"""Envelope validation against the hand-maintained xsd/ files.

The Body's child must be a declared global element (an operation wrapper, or a fault
detail): the SOAP envelope schema's lax wildcard would let anything through, so the child is
validated on its own, strictly. A compiled libxml2 schema screens every envelope (fast, in
C); only when it rejects one does xmlschema, built from the same files, produce the detailed
report with the element path. The libxml2 schema is built once per thread, the xmlschema
one once per process.
"""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from lxml import etree

from .errors import EnvelopeValidationError
from .namespaces import SOAP_ENV, WSSE
from .resources import SCHEMA_FILES, resource_root

_BODY = f"{{{SOAP_ENV}}}Body"
_HEADER = f"{{{SOAP_ENV}}}Header"
_SECURITY = f"{{{WSSE}}}Security"

_IMPORTS = {
    "apim-operations.xsd": "http://soap.apim.api.platform.boomi.com/",
    "platform-operations.xsd": "http://soap.api.platform.boomi.com/",
    "apim.xsd": "http://apim.api.platform.boomi.com/",
    "platform.xsd": "http://api.platform.boomi.com/",
    "wsse.xsd": WSSE,
}
assert set(_IMPORTS) <= set(SCHEMA_FILES)


def _bundle_text() -> str:
    imports = "".join(
        f'<xs:import namespace="{ns}" schemaLocation="{name}"/>' for name, ns in _IMPORTS.items()
    )
    return (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        f'targetNamespace="urn:boomisoap:bundle">{imports}</xs:schema>'
    )


def _base_url() -> str:
    return (resource_root() / "xsd" / "bundle.xsd").as_uri()


# libxml2 schema objects are not safe to share between threads, and a lock around a
# shared one serialises every validation behind the GIL. Building one takes about a
# millisecond, so each thread gets its own and validation needs no lock.
_LOCAL = threading.local()

# Building, though, takes a process-wide lock. libxml2 fills its table of built-in types the
# first time any thread parses a schema, without a lock of its own: threads building their
# first schemas at once got "Document is not valid XML Schema", "the given type is not a
# built-in type" or a double free, and the table stayed broken for the process's life. The
# xmlschema report and its lazily built meta-schema are shared Python state, guarded alike.
BUILD_LOCK = threading.RLock()
# The table is also filled here, at import (which Python serialises), so that another
# library's first schema in another thread cannot race with ours either.
etree.XMLSchema(etree.XML(b'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>'))


def _lxml_schema() -> Any:
    schema = getattr(_LOCAL, "schema", None)
    if schema is None:
        with BUILD_LOCK:
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            document = etree.fromstring(
                _bundle_text().encode(), parser=parser, base_url=_base_url()
            )
            schema = _LOCAL.schema = etree.XMLSchema(document)
    return schema


def _detailed_schema() -> Any:
    with BUILD_LOCK:
        return _build_detailed_schema()


@cache
def _build_detailed_schema() -> Any:
    import xmlschema  # imported on first failure only: it is slow to import and to build

    return xmlschema.XMLSchema(_bundle_text(), base_url=str(resource_root() / "xsd"))


def validate_element(element: Any, *, direction: str = "request") -> None:
    """Validate one element (a Body child, a header block) as a document root."""
    if not _lxml_schema().validate(element):
        raise _explain(element, direction)


def validate_envelope(envelope: Any, *, direction: str = "request") -> Any:
    """Validate an envelope's Body child (and its wsse:Security header); return the child.

    Raises EnvelopeValidationError naming the element path and the reason.
    """
    if envelope.tag != f"{{{SOAP_ENV}}}Envelope":
        raise EnvelopeValidationError(
            "/", f"not a SOAP 1.1 Envelope: {envelope.tag}", direction=direction
        )
    bodies = [child for child in envelope if child.tag == _BODY]
    if len(bodies) != 1:
        raise EnvelopeValidationError(
            "/Envelope", f"{len(bodies)} Body elements", direction=direction
        )
    children = [child for child in bodies[0] if isinstance(child.tag, str)]
    if len(children) != 1:
        raise EnvelopeValidationError(
            "/Envelope/Body", f"{len(children)} child elements, expected 1", direction=direction
        )
    header = envelope.find(_HEADER)
    if header is not None:
        for security in header.findall(_SECURITY):
            validate_element(security, direction=direction)
    validate_element(children[0], direction=direction)
    return children[0]


# xmlschema builds its report in time that grows with the square of an element's children
# or attributes (64,000 unknown children, 257 KB, took 20 s; 1,600 attributes 12 s), so a
# hostile document could hold a server or client for minutes. Past these sizes, far above
# any valid Boomi message (a bulk answer of 100 Accounts has about 1,100 elements), the
# report is libxml2's own message, which costs nothing more.
DETAIL_MAX_ELEMENTS = 2_000
DETAIL_MAX_ATTRIBUTES = 64


def _worth_explaining(element: Any) -> bool:
    for count, node in enumerate(element.iter(etree.Element), 1):
        if count > DETAIL_MAX_ELEMENTS or len(node.attrib) > DETAIL_MAX_ATTRIBUTES:
            return False
    return True


def _explain(element: Any, direction: str) -> EnvelopeValidationError:
    """Build the detailed error for an element libxml2 rejected."""
    errors: list[Any] = []
    if _worth_explaining(element):
        try:
            detached = etree.fromstring(etree.tostring(element))
            errors = list(_detailed_schema().iter_errors(detached))
        except Exception:
            errors = []
    if errors:
        first = errors[0]
        return EnvelopeValidationError(
            first.path or _local_path(element), first.reason or str(first), direction=direction
        )
    entry = _lxml_schema().error_log.last_error
    message = entry.message if entry is not None else "does not match the schema"
    return EnvelopeValidationError(_local_path(element), message, direction=direction)


def _local_path(element: Any) -> str:
    return "/" + str(etree.QName(element).localname)
