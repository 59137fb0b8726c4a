"""The object registry: every top-level object type the services expose."""

from __future__ import annotations

from typing import Any

from ..errors import InvalidRequest
from .apim import API_KEY, APPLICATION, CONTRACT, PLAN
from .fields import ObjectSpec
from .platform import ACCOUNT

OBJECTS: dict[str, ObjectSpec] = {
    spec.type_name: spec for spec in (PLAN, CONTRACT, API_KEY, APPLICATION, ACCOUNT)
}
_BY_CLASS: dict[type[Any], ObjectSpec] = {spec.cls: spec for spec in OBJECTS.values()}


def spec_for(type_name: str, service: str | None = None) -> ObjectSpec:
    """The spec of an object type, or InvalidRequest in Boomi's words."""
    spec = OBJECTS.get(type_name)
    if spec is None or (service is not None and spec.service != service):
        raise InvalidRequest(f"{type_name} does not exist", field="objectType")
    return spec


def spec_of(obj: Any) -> ObjectSpec:
    spec = _BY_CLASS.get(type(obj))
    if spec is None:
        raise InvalidRequest(f"{type(obj).__name__} is not a Boomi object", field="object")
    return spec


def specs_for_service(service: str) -> list[ObjectSpec]:
    return [spec for spec in OBJECTS.values() if spec.service == service]
