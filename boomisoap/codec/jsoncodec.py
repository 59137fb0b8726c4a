"""Dataclass <-> the REST-ish JSON of the seeds (``@type`` first, camelCase keys).

Integers stay Python ints end to end, so 64-bit values such as 999999999999999999 are exact.
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequest
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


def from_json(document: Any, spec: ObjectSpec | None = None) -> Any:
    """Build a dataclass from a JSON object; ``@type`` picks the spec when not given."""
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
                values[fld.name] = tuple(from_json(item, fld.nested) for item in raw)
            elif fld.nested is not None:
                values[fld.name] = from_json(raw, fld.nested)
            else:
                values[fld.name] = fld.kind.from_json(raw)
        except ValueError as exc:
            raise InvalidRequest(f"{fld.wire}: {exc}", field=fld.wire) from None
    return instantiate(spec, values)
