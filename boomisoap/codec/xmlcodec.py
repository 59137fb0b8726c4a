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
from ..models.fields import ObjectSpec, instantiate
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
    return _read(element, _reading_plan(spec), unknown)


def _read(element: Any, reading: _Reading, unknown: Unknown) -> Any:
    """:func:`read_object` with the spec's reading plan at hand (nested objects too)."""
    spec = reading.spec
    # One C call for every attribute, then plain dict look-ups (not one lxml call each).
    items = element.items()
    key: tuple[tuple[str, str], ...] | None = None
    if reading.values is not None and not len(element):
        key = tuple(items)
        same = reading.values.get(key)
        if same is not None:
            return same
    attributes = dict(items)
    values: dict[str, Any] = {}
    children = 0  # the child elements the field map knows
    known = 0  # the attributes the field map knows
    kept_as_sent = False
    # Several child fields: the children are indexed in one pass (the first of each name,
    # as find gives it) instead of one scan of them per field.
    found: dict[Any, Any] = {}
    if reading.child_fields > 1:
        for child in element:
            found.setdefault(child.tag, child)
    find = found.get if reading.child_fields > 1 else element.find
    for name, wire, place, nested, convert, fld in reading.fields:
        text: str | None
        if nested is not None:
            child = find(place)
            if child is not None:
                children += 1
                values[name] = _read(child, nested, unknown)
            continue
        if place is not None:
            child = find(place)
            # An empty element is the empty string, as an empty attribute would be.
            text = None if child is None else "".join(child.itertext())
        else:
            text = attributes.get(wire)
            if text is not None:
                known += 1
        if text is None:
            continue
        try:
            values[name] = convert(text)
        except ValueError as exc:
            kept = fld.kind.as_sent(text)
            if kept is None or unknown not in OPEN_VALUES:
                raise InvalidRequest(f"{wire}: {exc}", field=wire) from None
            report_unknown(spec.type_name, wire, "value", kept="kept as a plain string")
            values[name] = kept
            kept_as_sent = True
    # Attribute names are distinct: when the known ones and xsi:type are all there are,
    # nothing is unknown (a count, not a set comparison, for every object).
    everything_known = known + (XSI_TYPE in attributes) == len(attributes)
    # Two cheap checks first keep ordinary objects (everything known) off the slower scan.
    if unknown in SCANNED and (children != len(element) or not everything_known):
        extras = _unknown_items(element, spec, refuse=unknown == "refuse")
        if extras:
            values["extras"] = extras
    obj = instantiate(spec, values)
    if key is not None and everything_known and not kept_as_sent:
        assert reading.values is not None
        if len(reading.values) >= _SAME_VALUES_LIMIT:
            reading.values.clear()
        reading.values[key] = obj
    return obj


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
# The per-spec memory of value objects read (below) holds at most this many, then starts over.
_SAME_VALUES_LIMIT = 1024


class _Reading:
    """How to read one spec's elements, worked out once per spec, not per object."""

    __slots__ = ("child_fields", "fields", "spec", "values")

    def __init__(self, spec: ObjectSpec) -> None:
        self.spec = spec
        # Per field, in field-map order: its python name, its wire name, the Clark name of
        # its child element (None for an attribute), the reading of its nested spec, its
        # text converter and the field itself. Field maps nest without cycles (a spec
        # is built from the specs it nests), so the nested readings are made here too.
        self.fields = tuple(
            (
                fld.name,
                fld.wire,
                f"{{{spec.namespace}}}{fld.wire}"
                if fld.nested is not None or fld.xml == "element"
                else None,
                None if fld.nested is None else _reading_plan(fld.nested),
                fld.kind.from_text,
                fld,
            )
            for fld in spec.fields
        )
        self.child_fields = sum(place is not None for _, _, place, _, _, _ in self.fields)
        # A value object (no identity, attributes only: a License's counts, a Molecule's)
        # repeats across the objects of an answer; the frozen instance read from the same
        # attributes is the same value, so it is read once and given again. Objects with
        # an id are never the same twice and are not remembered.
        self.values: dict[tuple[tuple[str, str], ...], Any] | None = (
            {} if spec.id_field is None and not self.child_fields else None
        )


# Keyed by id, the spec kept beside its plan: a held spec's id cannot be reused.
_PLANS: dict[int, _Reading] = {}


def _reading_plan(spec: ObjectSpec) -> _Reading:
    reading = _PLANS.get(id(spec))
    if reading is None or reading.spec is not spec:
        reading = _PLANS[id(spec)] = _Reading(spec)
    return reading


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
