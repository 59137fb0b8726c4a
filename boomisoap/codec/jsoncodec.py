"""Dataclass <-> the REST-ish JSON of Boomi's object pages (``@type`` first, camelCase keys).

Integers stay Python ints end to end, so 64-bit values such as 999999999999999999 are exact.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequest
from ..models.extras import OPEN_VALUES, Collector, Extras, Unknown, report_unknown
from ..models.fields import ObjectSpec, instantiate
from ..models.registry import OBJECTS


def to_json(obj: Any, spec: ObjectSpec, *, typed: bool = True) -> dict[str, Any]:
    name = spec.type_name if spec.json_type is None else spec.json_type
    document: dict[str, Any] = {"@type": name} if typed else {}
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
    found = 1 if "@type" in document else 0  # keys the field map knows
    missing = _MISSING
    for fld in spec.fields:
        raw = document.get(fld.wire, missing)
        if raw is missing:
            continue
        found += 1
        if raw is None:
            continue
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
                    kept = fld.kind.as_sent(raw) if unknown in OPEN_VALUES else None
                    if kept is None:
                        raise
                    report_unknown(spec.type_name, fld.wire, "value", kept="kept as a plain string")
                    values[fld.name] = kept
        except ValueError as exc:
            raise InvalidRequest(f"{fld.wire}: {exc}", field=fld.wire) from None
    # Counting keeps ordinary objects (every key known) off the scan for unknown keys.
    if found != len(document) and unknown != "ignore":
        extras = _unknown_keys(document, spec, refuse=unknown == "refuse")
        if extras:
            values["extras"] = extras
    return instantiate(spec, values)


_MISSING: Any = object()


def _unknown_keys(document: dict[str, Any], spec: ObjectSpec, *, refuse: bool) -> Extras:
    known = spec.by_wire
    collector = Collector(spec.type_name)
    for key, value in document.items():
        if key in known or key == "@type":
            continue
        if refuse:
            raise InvalidRequest(f"unknown key {key}", field=key)
        collector.add(key, value, "key")
    return collector.extras()
