"""Plan associations <-> Boomi's REST XML body (the "Add/Remove Plans to Deployments" pages).

``<apim:PlanAssociations><apim:association componentId=".." environmentId=".."
planId=".."/>...</apim:PlanAssociations>``, for POST (add) and DELETE (remove) alike. Boomi
publishes no schema for it; the client writes and the emulator reads it here, so both agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from lxml import etree

from ..errors import InvalidRequest
from ..models.apim import PLAN_ASSOCIATION_FIELDS, PlanAssociation
from ..models.fields import check_text
from ..namespaces import API, APIM, XSI

ROOT = "PlanAssociations"
# Boomi's "Remove Plans from Deployments" page writes the root in the singular.
ROOT_NAMES = frozenset({ROOT, "PlanAssociation"})
ITEM = "association"


def checked(associations: Iterable[PlanAssociation]) -> list[PlanAssociation]:
    """The associations as a list; InvalidRequest naming the first bad field."""
    found = list(associations)
    if not found:
        raise InvalidRequest("at least one plan association is needed", field=ITEM)
    for association in found:
        if not isinstance(association, PlanAssociation):
            raise InvalidRequest(
                f"expected a PlanAssociation, got {type(association).__name__}", field=ITEM
            )
        for name, wire in PLAN_ASSOCIATION_FIELDS:
            value = getattr(association, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidRequest(f"{wire} must be a non-empty string", field=wire)
            try:
                check_text(value)
            except ValueError as exc:
                raise InvalidRequest(f"{wire}: {exc}", field=wire) from None
    return found


def to_xml(associations: Sequence[PlanAssociation]) -> bytes:
    root = etree.Element(f"{{{APIM}}}{ROOT}", nsmap={"xsi": XSI, "bns": API, "apim": APIM})
    for association in associations:
        item = etree.SubElement(root, f"{{{APIM}}}{ITEM}")
        for name, wire in PLAN_ASSOCIATION_FIELDS:
            item.set(wire, getattr(association, name))
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))


def from_xml(root: Any) -> list[PlanAssociation]:
    """Read a parsed body; the root and items may be in the apim namespace or in none."""
    if etree.QName(root).localname not in ROOT_NAMES or _namespace(root) not in ("", APIM):
        raise InvalidRequest(f"the body must be a {ROOT} element", field="body")
    found: list[PlanAssociation] = []
    for item in root:
        if not isinstance(item.tag, str):
            continue
        if etree.QName(item).localname != ITEM or _namespace(item) not in ("", APIM):
            raise InvalidRequest(f"{etree.QName(item).localname} does not exist", field=ITEM)
        values = {name: item.get(wire) or "" for name, wire in PLAN_ASSOCIATION_FIELDS}
        found.append(PlanAssociation(**values))
    return checked(found)


def _namespace(element: Any) -> str:
    return etree.QName(element).namespace or ""
