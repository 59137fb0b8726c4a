"""Dataclass <-> lxml element, for objects typed with ``xsi:type`` (Boomi's Plan page layout).

Simple fields are attributes unless their field says ``xml="element"`` (Application's
description and notes: text children); nested objects (Account.licensing) are child
elements. Children are in the object's namespace and written in field-map order, which is the
schema's sequence order. The emulator writes its responses and reads its requests with this
module, and the client reads responses with it, so both ends share one mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from lxml import etree

from ..errors import InvalidRequest
from ..models.extras import OPEN_VALUES, SCANNED, Collector, Extras, Unknown, report_unknown
from ..models.fields import Field, ObjectSpec, instantiate
from ..models.registry import OBJECTS
from ..namespaces import XSI

XSI_TYPE = f"{{{XSI}}}type"
_BY_QNAME: dict[tuple[str, str], ObjectSpec] = {
    (spec.namespace, spec.type_name): spec for spec in OBJECTS.values()
}


def write_object(parent: Any, tag: str, obj: Any, spec: ObjectSpec, *, typed: bool = True) -> Any:
    """Append ``obj`` to ``parent`` as element ``tag`` (a Clark name); return the element."""
    return write_objects(parent, tag, (obj,), spec, typed=typed)[0]


def write_objects(
    parent: Any, tag: str, objects: Iterable[Any], spec: ObjectSpec, *, typed: bool = True
) -> list[Any]:
    """Append each of ``objects`` to ``parent`` as element ``tag``, in order (a page's items).

    Siblings made alike are in the same namespace scope: the ``xsi:type`` prefix is looked
    up once, on the first of them, not in every element's namespace map.
    """
    elements = []
    declared: str | None = None
    for obj in objects:
        element = etree.SubElement(parent, tag)
        if typed:
            if declared is None:
                declared = f"{_prefix_for(element, spec.namespace)}:{spec.type_name}"
            element.set(XSI_TYPE, declared)
        _write_fields(element, obj, spec)
        elements.append(element)
    return elements


def _write_fields(element: Any, obj: Any, spec: ObjectSpec) -> None:
    for name, wire, nested, as_element, to_text in _writing_plan(spec):
        value = getattr(obj, name)
        if value is None:
            continue
        if nested is not None:
            child = etree.SubElement(element, wire)
            _write_fields(child, value, nested)
        elif as_element:
            etree.SubElement(element, wire).text = to_text(value)
        else:
            element.set(wire, to_text(value))


_WritingPlan = tuple[tuple[str, str, ObjectSpec | None, bool, Callable[[Any], str]], ...]
# Keyed by id, the spec kept beside its plan, as the reading plans are.
_WRITING: dict[int, tuple[ObjectSpec, _WritingPlan]] = {}


def _writing_plan(spec: ObjectSpec) -> _WritingPlan:
    """Per field, in field-map order: its attribute name, or the Clark name of its child
    element; its nested spec; whether it is a text child; its text converter."""
    entry = _WRITING.get(id(spec))
    if entry is None or entry[0] is not spec:
        plan = tuple(
            (
                fld.name,
                f"{{{spec.namespace}}}{fld.wire}"
                if fld.nested is not None or fld.xml == "element"
                else fld.wire,
                fld.nested,
                fld.nested is None and fld.xml == "element",
                fld.kind.to_text,
            )
            for fld in spec.fields
        )
        entry = _WRITING[id(spec)] = (spec, plan)
    return entry[1]


def _prefix_for(element: Any, namespace: str) -> str:
    for prefix, uri in element.nsmap.items():
        if uri == namespace and prefix:
            return str(prefix)
    raise ValueError(f"no prefix declared for {namespace} on {element.tag}")


def read_object(
    element: Any, spec: ObjectSpec | None = None, *, unknown: Unknown = "ignore"
) -> Any:
    """Build the dataclass an element describes; its xsi:type picks the spec if not given.

    ``unknown`` says what becomes of attributes, child elements and enumeration values the
    field map does not know (boomisoap.models.extras). Raises InvalidRequest naming the
    attribute for a value that does not fit its field.
    """
    if spec is None:
        spec = spec_from_xsi_type(element)
    values: dict[str, Any] = {}
    # One C call for every attribute, then plain dict look-ups (not one lxml call each).
    attributes = dict(element.items())
    children = 0  # the child elements the field map knows
    plan, child_fields = _reading_plan(spec)
    # Several child fields: the children are indexed in one pass (the first of each name,
    # as find gives it) instead of one scan of them per field.
    found: dict[Any, Any] = {}
    if child_fields > 1:
        for child in element:
            found.setdefault(child.tag, child)
    find = found.get if child_fields > 1 else element.find
    for fld, place, convert in plan:
        text: str | None
        if fld.nested is not None:
            child = find(place)
            if child is not None:
                children += 1
                values[fld.name] = read_object(child, fld.nested, unknown=unknown)
            continue
        if place is not None:
            child = find(place)
            # An empty element is the empty string, as an empty attribute would be.
            text = None if child is None else "".join(child.itertext())
        else:
            text = attributes.get(fld.wire)
        if text is None:
            continue
        try:
            values[fld.name] = convert(text)
        except ValueError as exc:
            kept = fld.kind.as_sent(text)
            if kept is None or unknown not in OPEN_VALUES:
                raise InvalidRequest(f"{fld.wire}: {exc}", field=fld.wire) from None
            report_unknown(spec.type_name, fld.wire, "value", kept="kept as a plain string")
            values[fld.name] = kept
    # Two cheap checks first keep ordinary objects (everything known) off the slower scan.
    if unknown in SCANNED and (
        children != len(element) or not _known_names(spec)[0].issuperset(attributes.keys())
    ):
        extras = _unknown_items(element, spec, refuse=unknown == "refuse")
        if extras:
            values["extras"] = extras
    return instantiate(spec, values)


def _unknown_items(element: Any, spec: ObjectSpec, *, refuse: bool) -> Extras:
    """The attributes and child elements of ``element`` that the field map does not know."""
    known_attributes, known_elements = _known_names(spec)
    collector = Collector(spec.type_name)
    for name, text in element.attrib.items():
        if name in known_attributes or name.startswith(_XSI_PREFIX):  # xsi:type, xsi:nil
            continue
        wire = _wire_name(name, "")
        if refuse:
            raise InvalidRequest(f"unknown attribute {wire}", field=wire)
        collector.add(wire, text, "attribute")
    for child in element:
        if not isinstance(child.tag, str) or child.tag in known_elements:
            continue
        wire = _wire_name(child.tag, spec.namespace)
        if refuse:
            raise InvalidRequest(f"unknown element {wire}", field=wire)
        text = etree.tostring(child, encoding="unicode", with_tail=False)
        collector.add(wire, text, "element", repeatable=True)
    return collector.extras()


_XSI_PREFIX = f"{{{XSI}}}"
_Plan = tuple[tuple[tuple[Field, str | None, Callable[[str], Any]], ...], int]
# Keyed by id, the spec kept beside its plan: a held spec's id cannot be reused.
_PLANS: dict[int, tuple[ObjectSpec, _Plan]] = {}


def _reading_plan(spec: ObjectSpec) -> _Plan:
    """Per field, in field-map order: the field, the Clark name of its child element (None
    for an attribute) and its text converter, worked out once per spec, not per object;
    and how many fields are child elements."""
    entry = _PLANS.get(id(spec))
    if entry is None or entry[0] is not spec:
        plan = tuple(
            (
                fld,
                f"{{{spec.namespace}}}{fld.wire}"
                if fld.nested is not None or fld.xml == "element"
                else None,
                fld.kind.from_text,
            )
            for fld in spec.fields
        )
        entry = _PLANS[id(spec)] = (spec, (plan, sum(p is not None for _, p, _ in plan)))
    return entry[1]


_KNOWN: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _known_names(spec: ObjectSpec) -> tuple[frozenset[str], frozenset[str]]:
    known = _KNOWN.get(id(spec))
    if known is None:
        elements = {f for f in spec.fields if f.nested is not None or f.xml == "element"}
        known = _KNOWN[id(spec)] = (
            frozenset({XSI_TYPE, *(f.wire for f in spec.fields if f not in elements)}),
            frozenset(f"{{{spec.namespace}}}{f.wire}" for f in elements),
        )
    return known


def _wire_name(clark: str, namespace: str) -> str:
    # Names in the object's own namespace (or none, for attributes) are written bare.
    found, _, local = clark[1:].partition("}") if clark.startswith("{") else ("", "", clark)
    return local if found == namespace else clark


def spec_from_xsi_type(element: Any) -> ObjectSpec:
    declared = element.get(XSI_TYPE)
    if not declared:
        raise InvalidRequest("the object has no xsi:type", field="xsi:type")
    prefix, _, local = declared.rpartition(":")
    namespace = element.nsmap.get(prefix or None)
    spec = _BY_QNAME.get((namespace or "", local))
    if spec is None:
        raise InvalidRequest(f"{local} does not exist", field="xsi:type")
    return spec
