"""Dataclass <-> the REST-ish JSON of the seeds (``@type`` first, camelCase keys).

Integers stay Python ints end to end, so 64-bit values such as 999999999999999999 are exact.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequest
from ..models.extras import Collector, Extras, Unknown, report_unknown
from ..models.fields import ObjectSpec, instantiate
from ..models.registry import OBJECTS


def to_json(obj: Any, spec: ObjectSpec, *, typed: bool = True) -> dict[str, Any]:
    document: dict[str, Any] = {"@type": spec.type_name} if typed else {}
    for fld in spec.fields:
        value = getattr(obj, fld.name)
        if value is None:
            continue
        if fld.many and fld.nested is not None:
            # List items are plain objects, without "@type" (docs/wire.md, MFT action items).
            document[fld.wire] = [to_json(item, fld.nested, typed=False) for item in value]
        elif fld.nested is not None:
            document[fld.wire] = to_json(value, fld.nested)
        else:
            document[fld.wire] = fld.kind.to_json(value)
    return document


def from_json(document: Any, spec: ObjectSpec | None = None, *, unknown: Unknown = "ignore") -> Any:
    """Build a dataclass from a JSON object; ``@type`` picks the spec when not given.

    ``unknown`` says what becomes of keys and enumeration values the field map does not
    know (boomisoap.models.extras); ``@type`` is never unknown.
    """
    if not isinstance(document, dict):
        raise InvalidRequest("expected a JSON object", field=spec.type_name if spec else "@type")
    if spec is None:
        type_name = document.get("@type")
        spec = OBJECTS.get(type_name) if isinstance(type_name, str) else None
        if spec is None:
            raise InvalidRequest(f"{type_name} does not exist", field="@type")
    values: dict[str, Any] = {}
    for fld in spec.fields:
        if fld.wire not in document or document[fld.wire] is None:
            continue
        raw = document[fld.wire]
        try:
            if fld.many and fld.nested is not None:
                if not isinstance(raw, list):
                    raise ValueError(f"expected a list, got {type(raw).__name__}")
                values[fld.name] = tuple(
                    from_json(item, fld.nested, unknown=unknown) for item in raw
                )
            elif fld.nested is not None:
                values[fld.name] = from_json(raw, fld.nested, unknown=unknown)
            else:
                try:
                    values[fld.name] = fld.kind.from_json(raw)
                except ValueError:
                    kept = fld.kind.as_sent(raw) if unknown == "keep" else None
                    if kept is None:
                        raise
                    report_unknown(spec.type_name, fld.wire, "value", kept="kept as a plain string")
                    values[fld.name] = kept
        except ValueError as exc:
            raise InvalidRequest(f"{fld.wire}: {exc}", field=fld.wire) from None
    # A set comparison first keeps ordinary objects (every key known) off the slower scan.
    if unknown != "ignore" and not document.keys() <= _known_keys(spec):
        values["extras"] = _unknown_keys(document, spec, refuse=unknown == "refuse")
    return instantiate(spec, values)


_KNOWN_KEYS: dict[int, frozenset[str]] = {}


def _known_keys(spec: ObjectSpec) -> frozenset[str]:
    known = _KNOWN_KEYS.get(id(spec))
    if known is None:
        known = _KNOWN_KEYS[id(spec)] = frozenset({"@type", *(f.wire for f in spec.fields)})
    return known


def _unknown_keys(document: dict[str, Any], spec: ObjectSpec, *, refuse: bool) -> Extras:
    known = _known_keys(spec)
    collector = Collector(spec.type_name)
    for key, value in document.items():
        if key in known:
            continue
        if refuse:
            raise InvalidRequest(f"unknown key {key}", field=key)
        collector.add(key, value, "key")
    return collector.extras()
