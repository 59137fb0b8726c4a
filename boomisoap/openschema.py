"""The open-content reading of responses, derived from the same xsd/ files as the strict one.

Two things are derived, never written by hand (docs/choices.md, "Forward-compatible
reading"):

* the relaxed documents: every ``xs:xsd`` file with its enumerations relaxed to their base
  type (the facets removed, the other facets kept). libxml2 and xmlschema both load these,
  so the fast screen and the detailed report apply one policy;
* the declaration table: per complex type (named or anonymous), the attributes and child
  elements it declares, following extensions, restrictions, groups, attribute groups,
  element references, substitution groups and wildcards. :func:`lift_unknown` walks a
  copy of a response with it (following ``xsi:type``) and removes what no declaration
  names, before the relaxed schema validates the rest.

Unknown child elements are lifted out rather than allowed by a wildcard because XSD 1.0's
Unique Particle Attribution rule forbids a same-namespace ``xs:any`` after optional
elements (libxml2 refuses such a schema); lifting attributes the same way keeps one
mechanism for both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from lxml import etree

from .namespaces import XSD, XSI
from .resources import resource_root

_XS = f"{{{XSD}}}"
_XSI_TYPE = f"{{{XSI}}}type"
_XSI_PREFIX = f"{{{XSI}}}"

QName = tuple[str, str]  # (namespace, local name)
TypeKey = tuple[str, str]  # a named type's QName, or ("#anonymous", id) for a local one
ANY_TYPE: TypeKey = (XSD, "anyType")


def xsd_files() -> list[Path]:
    return sorted((resource_root() / "xsd").glob("*.xsd"))


def xsd_parser() -> Any:
    """The parser for the hand-maintained files: no network, no entities, no comments."""
    return etree.XMLParser(no_network=True, resolve_entities=False, remove_comments=True)


@cache
def relaxed_sources() -> dict[str, bytes]:
    """File URI -> bytes of every xsd/ file with its enumerations relaxed."""
    sources: dict[str, bytes] = {}
    for path in xsd_files():
        document = etree.parse(str(path), xsd_parser())
        for facet in document.iter(f"{_XS}enumeration"):
            restriction = facet.getparent()
            if restriction is not None and restriction.tag == f"{_XS}restriction":
                restriction.remove(facet)
        sources[path.as_uri()] = etree.tostring(document, xml_declaration=True, encoding="UTF-8")
    return sources


# The declaration table =====================================================================


@dataclasses.dataclass(frozen=True)
class Wildcard:
    """An ``xs:any`` / ``xs:anyAttribute`` namespace constraint."""

    namespaces: frozenset[str] | None  # None: any namespace
    excluded: frozenset[str] = frozenset()

    def allows(self, namespace: str) -> bool:
        if namespace in self.excluded:
            return False
        return self.namespaces is None or namespace in self.namespaces


def _wildcard(node: Any, target: str) -> Wildcard:
    spec = (node.get("namespace") or "##any").split()
    if spec == ["##any"]:
        return Wildcard(None)
    if spec == ["##other"]:
        return Wildcard(None, frozenset({target, ""}))
    names = {
        {"##targetNamespace": target, "##local": ""}.get(item, item)
        for item in spec
        if item not in ("##any", "##other")
    }
    return Wildcard(frozenset(names))


@dataclasses.dataclass
class Declared:
    """What one complex type (or simple type: no children, no attributes) declares."""

    name: str  # the type's local name, or the element's name for an anonymous type
    simple: bool = False
    attributes: set[QName] = dataclasses.field(default_factory=set)
    attribute_wildcards: list[Wildcard] = dataclasses.field(default_factory=list)
    children: dict[QName, TypeKey] = dataclasses.field(default_factory=dict)
    child_wildcards: list[Wildcard] = dataclasses.field(default_factory=list)

    def allows_attribute(self, name: QName) -> bool:
        return name in self.attributes or any(w.allows(name[0]) for w in self.attribute_wildcards)

    def child_type(self, name: QName) -> TypeKey | None:
        found = self.children.get(name)
        if found is None and any(w.allows(name[0]) for w in self.child_wildcards):
            return ANY_TYPE
        return found


class Declarations:
    """The table of every type and global element the xsd/ files declare."""

    def __init__(self, documents: Iterable[Any]) -> None:
        self._types: dict[TypeKey, tuple[Any, str]] = {}  # key -> (xs node, target namespace)
        self._elements: dict[QName, tuple[Any, str]] = {}
        self._groups: dict[QName, tuple[Any, str]] = {}
        self._attribute_groups: dict[QName, tuple[Any, str]] = {}
        self._members: dict[QName, list[QName]] = {}  # substitution group head -> members
        self._anonymous: dict[int, TypeKey] = {}
        self._resolved: dict[TypeKey, Declared] = {}
        for document in documents:
            self._register(document.getroot() if hasattr(document, "getroot") else document)
        self._building: set[TypeKey] = set()
        # Resolved eagerly: afterwards the table is only read, so threads may share it.
        for key in list(self._types):
            self.declared(key)

    # -- registration ------------------------------------------------------------------------

    def _register(self, schema: Any) -> None:
        target = schema.get("targetNamespace", "")
        for node in schema:
            if not isinstance(node.tag, str):
                continue
            name = node.get("name")
            kind = node.tag.removeprefix(_XS)
            if kind in ("complexType", "simpleType") and name:
                self._types[(target, name)] = (node, target)
            elif kind == "element" and name:
                self._elements[(target, name)] = (node, target)
                head = node.get("substitutionGroup")
                if head:
                    self._members.setdefault(resolve_qname(node, head), []).append((target, name))
            elif kind == "group" and name:
                self._groups[(target, name)] = (node, target)
            elif kind == "attributeGroup" and name:
                self._attribute_groups[(target, name)] = (node, target)
            elif kind == "redefine" or kind == "override":
                raise ValueError(f"xs:{kind} is not supported by the open reading")
        for node in schema.iter(f"{_XS}complexType", f"{_XS}simpleType"):
            if not node.get("name"):
                self._anonymous[id(node)] = ("#anonymous", str(len(self._types)))
                self._types[self._anonymous[id(node)]] = (node, target)

    # -- queries -----------------------------------------------------------------------------

    def element_type(self, name: QName) -> TypeKey | None:
        found = self._elements.get(name)
        return None if found is None else self._declared_type(*found)

    def type_key(self, element: Any, declared: TypeKey) -> TypeKey | None:
        """The type of an instance element: its xsi:type when it names one, else declared.

        None when xsi:type names a type the files do not declare (nothing is lifted then:
        the relaxed schema reports it).
        """
        written = element.get(_XSI_TYPE)
        if not written:
            return declared
        prefix, _, local = written.strip().rpartition(":")
        key = (element.nsmap.get(prefix or None) or "", local)
        return key if key in self._types or key[0] == XSD else None

    def declared(self, key: TypeKey) -> Declared | None:
        """The declarations of a type; None for a type that allows anything (xs:anyType)."""
        if key[0] == XSD:
            return None if key[1] == "anyType" else Declared(key[1], simple=True)
        if key not in self._types:
            return None  # not in the files: the schema itself will say so; lift nothing
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(key)
        return found

    # -- resolution --------------------------------------------------------------------------

    def _declared_type(self, node: Any, target: str) -> TypeKey:
        written = node.get("type")
        if written:
            return resolve_qname(node, written)
        for child in node:
            if child.tag in (f"{_XS}complexType", f"{_XS}simpleType"):
                return self._anonymous[id(child)]
        if node.get("substitutionGroup"):
            head = self._elements.get(resolve_qname(node, node.get("substitutionGroup")))
            if head is not None:
                return self._declared_type(*head)
        return ANY_TYPE

    def _resolve(self, key: TypeKey) -> Declared:
        node, target = self._types[key]
        parent = node.getparent()
        label = node.get("name") or (parent.get("name") if parent is not None else None) or "?"
        result = Declared(label)
        if node.tag == f"{_XS}simpleType":
            result.simple = True
            return result
        if key in self._building:  # a type derived from itself: invalid XSD, stop here
            return result
        self._building.add(key)
        try:
            self._complex(node, target, result)
        finally:
            self._building.discard(key)
        return result

    def _complex(self, node: Any, target: str, result: Declared) -> None:
        for child in node:
            tag = child.tag
            if tag in (f"{_XS}complexContent", f"{_XS}simpleContent"):
                simple = tag == f"{_XS}simpleContent"
                for derivation in child:
                    if derivation.tag not in (f"{_XS}extension", f"{_XS}restriction"):
                        continue
                    base = self.declared(resolve_qname(derivation, derivation.get("base", "")))
                    if base is not None:
                        result.attributes |= base.attributes
                        result.attribute_wildcards += base.attribute_wildcards
                        keep_children = derivation.tag == f"{_XS}extension" and not simple
                        if keep_children:
                            result.children.update(base.children)
                            result.child_wildcards += base.child_wildcards
                        result.simple = base.simple and simple
                    else:  # derived from xs:anyType: anything goes
                        result.child_wildcards.append(Wildcard(None))
                        result.attribute_wildcards.append(Wildcard(None))
                    self._content(derivation, target, result)
            else:
                self._content_item(child, target, result)

    def _content(self, node: Any, target: str, result: Declared) -> None:
        for child in node:
            self._content_item(child, target, result)

    def _content_item(self, child: Any, target: str, result: Declared) -> None:
        tag = child.tag if isinstance(child.tag, str) else ""
        kind = tag.removeprefix(_XS)
        if kind in ("sequence", "choice", "all"):
            self._content(child, target, result)
        elif kind == "group":
            ref = child.get("ref")
            if ref and resolve_qname(child, ref) in self._groups:
                group, group_target = self._groups[resolve_qname(child, ref)]
                self._content(group, group_target, result)
            else:
                self._content(child, target, result)
        elif kind == "element":
            for name, key in self._particle(child, target):
                result.children[name] = key
        elif kind == "any":
            result.child_wildcards.append(_wildcard(child, target))
        elif kind == "attribute":
            result.attributes.add(self._attribute_name(child, target))
        elif kind == "attributeGroup":
            ref = child.get("ref")
            found = self._attribute_groups.get(resolve_qname(child, ref)) if ref else None
            if found is not None:
                self._content(found[0], found[1], result)
        elif kind == "anyAttribute":
            result.attribute_wildcards.append(_wildcard(child, target))

    def _particle(self, node: Any, target: str) -> Iterator[tuple[QName, TypeKey]]:
        ref = node.get("ref")
        if ref:
            name = resolve_qname(node, ref)
            found = self._elements.get(name)
            key = ANY_TYPE if found is None else self._declared_type(*found)
            yield name, key
            for member in self._members.get(name, ()):
                member_node = self._elements[member]
                yield member, self._declared_type(*member_node)
            return
        form = node.get("form") or _schema_of(node).get("elementFormDefault", "unqualified")
        name = (target if form == "qualified" else "", node.get("name", ""))
        yield name, self._declared_type(node, target)

    def _attribute_name(self, node: Any, target: str) -> QName:
        ref = node.get("ref")
        if ref:
            return resolve_qname(node, ref)
        form = node.get("form") or _schema_of(node).get("attributeFormDefault", "unqualified")
        return (target if form == "qualified" else "", node.get("name", ""))


def _schema_of(node: Any) -> Any:
    found = node
    while found.getparent() is not None:
        found = found.getparent()
    return found


def resolve_qname(node: Any, written: str) -> QName:
    """A QName written in a schema or WSDL (``prefix:local``), resolved where it is written."""
    prefix, _, local = written.strip().rpartition(":")
    return (node.nsmap.get(prefix or None) or "", local)


@cache
def declarations() -> Declarations:
    """The table of the xsd/ files (built once; callers serialise the first build)."""
    return Declarations(etree.parse(str(path), xsd_parser()) for path in xsd_files())


# The pre-pass ==============================================================================


@dataclasses.dataclass(frozen=True)
class Lifted:
    """One item removed from a response copy: where it was, its name, what it was."""

    type_name: str
    name: str
    what: str  # "attribute" | "element"


def _split(clark: str) -> QName:
    if clark.startswith("{"):
        namespace, _, local = clark[1:].partition("}")
        return namespace, local
    return "", clark


def lift_unknown(root: Any, table: Declarations | None = None) -> list[Lifted]:
    """Remove from ``root`` (a copy) what the declarations do not name; list what went.

    Iterative, so that depth is bounded by the parser's limits and not by recursion.
    """
    table = table or declarations()
    lifted: list[Lifted] = []
    declared = table.element_type(_split(root.tag))
    if declared is None:
        return lifted  # not a global element: the relaxed schema refuses it as it stands
    pending: list[tuple[Any, TypeKey]] = [(root, declared)]
    while pending:
        element, declared = pending.pop()
        key = table.type_key(element, declared)
        info = None if key is None else table.declared(key)
        if info is None:
            continue  # anything allowed, or an undeclared xsi:type left for the schema
        namespace = _split(element.tag)[0]
        for name in list(element.attrib):
            qname = _split(name)
            if name.startswith(_XSI_PREFIX) or info.allows_attribute(qname):
                continue
            del element.attrib[name]
            lifted.append(Lifted(info.name, _wire(qname, ""), "attribute"))
        if info.simple:
            continue
        for child in list(element):
            if not isinstance(child.tag, str):
                continue
            qname = _split(child.tag)
            child_type = info.child_type(qname)
            if child_type is not None:
                pending.append((child, child_type))
                continue
            _remove_keeping_tail(child)
            lifted.append(Lifted(info.name, _wire(qname, namespace), "element"))
    return lifted


def _wire(name: QName, own: str) -> str:
    return name[1] if name[0] == own else f"{{{name[0]}}}{name[1]}"


def _remove_keeping_tail(child: Any) -> None:
    parent = child.getparent()
    if child.tail:
        previous = child.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + child.tail
        else:
            parent.text = (parent.text or "") + child.tail
    parent.remove(child)
