"""Envelope validation against the hand-maintained xsd/ files.

The Body's child must be a declared global element (an operation wrapper, or a fault
detail): the SOAP envelope schema's lax wildcard would let anything through, so the child is
validated on its own, strictly. A compiled libxml2 schema screens every envelope (fast, in
C); only when it rejects one does xmlschema, built from the same files, produce the detailed
report with the element path. The libxml2 schemas are built once per thread, the xmlschema
ones once per process.

Two policies (docs/client.md, "Validation modes"). ``strict``: the closed world of the
files, for every request and for responses read with ``validate="strict"``. ``open``: for
responses by default. An element the strict screen accepts is done (the ordinary case costs
nothing more); otherwise a copy has what no declaration names lifted out
(:mod:`boomisoap.openschema`) and is validated against the same files with their
enumerations relaxed, by libxml2 and, for the report, by xmlschema. The original element is
returned, unknown items included, for the readers to keep in ``extras``.
"""

from __future__ import annotations

import email.message
import io
import threading
import urllib.error
import urllib.request
import urllib.response
from functools import cache
from typing import Any, Literal

from lxml import etree

from .errors import EnvelopeValidationError
from .models.extras import report_unknown
from .models.registry import OBJECTS
from .namespaces import SOAP_ENV, WSSE
from .openschema import Lifted, declarations, lift_unknown, relaxed_sources
from .resources import SCHEMA_FILES, resource_root

Policy = Literal["strict", "open"]

_BODY = f"{{{SOAP_ENV}}}Body"

# platform-operations.xsd is included by platform.xsd (one namespace, two files).
_IMPORTS = {
    "apim-operations.xsd": "http://soap.apim.api.platform.boomi.com/",
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


class _Relaxed(etree.Resolver):  # type: ignore[misc]
    """Serves the relaxed xsd/ documents to libxml2 in place of the files."""

    def resolve(self, url: str, public_id: str | None, context: Any) -> Any:
        found = relaxed_sources().get(url)
        return None if found is None else self.resolve_string(found, context, base_url=url)


class _RelaxedHandler(urllib.request.BaseHandler):
    """Serves the same relaxed documents to xmlschema; any other location is refused."""

    def file_open(self, request: urllib.request.Request) -> Any:
        url = request.full_url
        found = relaxed_sources().get(url)
        if found is None:
            raise urllib.error.URLError(f"{url} is not one of the xsd/ files")
        return urllib.response.addinfourl(io.BytesIO(found), email.message.Message(), url)


def _lxml_schema(policy: Policy = "strict") -> Any:
    schema = getattr(_LOCAL, policy, None)
    if schema is None:
        with BUILD_LOCK:
            parser = etree.XMLParser(no_network=True, resolve_entities=False)
            if policy == "open":
                parser.resolvers.add(_Relaxed())
            document = etree.fromstring(
                _bundle_text().encode(), parser=parser, base_url=_base_url()
            )
            schema = etree.XMLSchema(document)
            setattr(_LOCAL, policy, schema)
    return schema


def _detailed_schema(policy: Policy = "strict") -> Any:
    with BUILD_LOCK:
        return _build_detailed_schema(policy)


@cache
def _build_detailed_schema(policy: Policy) -> Any:
    import xmlschema  # imported on first failure only: it is slow to import and to build

    opener = None
    if policy == "open":
        opener = urllib.request.OpenerDirector()
        opener.add_handler(_RelaxedHandler())
    base_url = str(resource_root() / "xsd")
    return xmlschema.XMLSchema(_bundle_text(), base_url=base_url, opener=opener)


def validate_element(element: Any, *, direction: str = "request", policy: Policy = "strict") -> Any:
    """Validate one element (a Body child, a header block) as a document root; return it."""
    _validate(element, direction, policy)
    return element


def _validate(element: Any, direction: str, policy: Policy) -> bool:
    """Raise for an invalid element; return whether it is in the strict (closed) world."""
    if _lxml_schema().validate(element):
        return True
    if policy == "strict" or not _worth_opening(element):
        raise _explain(element, direction, "strict")
    # Something is unknown or wrong: lift what no declaration names out of a copy, and
    # hold the rest to the relaxed schema (known fields keep their types).
    # Serialised rather than deep-copied: the copy must keep the namespaces declared on the
    # Envelope, which xsi:type values refer to.
    rest = etree.fromstring(etree.tostring(element), parser=_copy_parser())
    with BUILD_LOCK:
        table = declarations()
    lifted = lift_unknown(rest, table)
    if not _lxml_schema("open").validate(rest):
        raise _explain(rest, direction, "open")
    _report(lifted)
    return False


def _copy_parser() -> Any:
    return etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)


@cache
def _object_types() -> frozenset[str]:
    # The readers keep (and report) what objects carry; the wrappers around them have no
    # extras, so what they carried is reported here.
    names: set[str] = set()
    pending = list(OBJECTS.values())
    while pending:
        spec = pending.pop()
        names.add(spec.type_name)
        pending.extend(f.nested for f in spec.fields if f.nested is not None)
    return frozenset(names)


def _report(lifted: list[Lifted]) -> None:
    objects = _object_types()
    for item in lifted:
        if item.type_name not in objects:
            report_unknown(item.type_name, item.name, item.what, kept="ignored")


def validate_envelope(
    envelope: Any, *, direction: str = "request", policy: Policy = "strict"
) -> Any:
    """Validate an envelope's Body child; return the child.

    The wsse:Security header is not schema-validated: other stacks send what the schema
    refuses (unqualified mustUnderstand, non-NCName wsu:Id) and WS-Security servers take
    it, so the receiver reads it as they do (boomisoap.wsse.header, docs/security.md).
    ``policy="open"`` (responses) accepts unknown attributes, elements and enumeration
    values (see the module's text). Raises EnvelopeValidationError naming the element path
    and the reason.
    """
    return screen_envelope(envelope, direction=direction, policy=policy)[0]


def screen_envelope(
    envelope: Any, *, direction: str = "request", policy: Policy = "strict"
) -> tuple[Any, bool]:
    """:func:`validate_envelope`, also telling whether the child is in the closed world.

    False means the open policy let unknown items through, which the readers then keep;
    True means there is nothing unknown to look for.
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
    return children[0], _validate(children[0], direction, policy)


# xmlschema builds its report in time that grows with the square of an element's children
# or attributes (64,000 unknown children, 257 KB, took 20 s; 1,600 attributes 12 s), so a
# hostile document could hold a server or client for minutes. Past these sizes, far above
# any valid Boomi message (a bulk answer of 100 Accounts has about 1,100 elements), the
# report is libxml2's own message, which costs nothing more.
DETAIL_MAX_ELEMENTS = 2_000
DETAIL_MAX_ATTRIBUTES = 64


# The open reading walks a rejected element in Python; past this size (ten times the largest
# valid Boomi message) a hostile document of unknown elements could hold a reader for
# seconds, so it is refused with the strict report instead.
OPEN_MAX_ELEMENTS = 20_000


def _worth_opening(element: Any) -> bool:
    return all(count <= OPEN_MAX_ELEMENTS for count, _ in enumerate(element.iter(), 1))


def _worth_explaining(element: Any) -> bool:
    for count, node in enumerate(element.iter(etree.Element), 1):
        if count > DETAIL_MAX_ELEMENTS or len(node.attrib) > DETAIL_MAX_ATTRIBUTES:
            return False
    return True


def _explain(element: Any, direction: str, policy: Policy) -> EnvelopeValidationError:
    """Build the detailed error for an element libxml2 rejected under ``policy``."""
    errors: list[Any] = []
    if _worth_explaining(element):
        try:
            detached = etree.fromstring(etree.tostring(element))
            errors = list(_detailed_schema(policy).iter_errors(detached))
        except Exception:
            errors = []
    if errors:
        first = errors[0]
        return EnvelopeValidationError(
            first.path or _local_path(element), first.reason or str(first), direction=direction
        )
    entry = _lxml_schema(policy).error_log.last_error
    message = entry.message if entry is not None else "does not match the schema"
    return EnvelopeValidationError(_local_path(element), message, direction=direction)


def _local_path(element: Any) -> str:
    return "/" + str(etree.QName(element).localname)
