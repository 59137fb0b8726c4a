"""Secret fields masked for display: what the CLI prints without ``--show-secrets``.

The fields are the field maps' secrets (:data:`.names.SECRET_FIELDS_BY_TYPE`), each value
shown as :data:`.markers.MASK`. The credentials in use are removed from everything printed
by value, separately (:func:`boomisoap.redact.scrub`).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from ..models.fields import ObjectSpec
from ..namespaces import XSI
from .markers import MASK
from .names import SECRET_FIELDS_BY_TYPE

_XSI_TYPE = f"{{{XSI}}}type"
# A cheap screen first: most bodies carry no secret attribute and stay byte-exact.
_SCREEN = tuple(f"{name}=".encode() for names in SECRET_FIELDS_BY_TYPE.values() for name in names)


def mask_document(document: MutableMapping[str, Any], spec: ObjectSpec) -> None:
    """Mask, in place, the values of an object's secret fields present in its JSON form."""
    for fld in spec.fields:
        if fld.secret and fld.wire in document:
            document[fld.wire] = MASK


def mask_xml(body: bytes) -> bytes:
    """The body unchanged, unless an object in it (known by its ``xsi:type``) carries a
    secret field as an attribute: then that value is MASK."""
    if not any(screen in body for screen in _SCREEN):
        return body
    from lxml import etree

    from ..xmlsafe import parse

    root = parse(body)
    changed = False
    for element in root.iter():
        declared = element.get(_XSI_TYPE)
        if not declared:
            continue
        for name in SECRET_FIELDS_BY_TYPE.get(declared.rpartition(":")[2], ()):
            if element.get(name) is not None:
                element.set(name, MASK)
                changed = True
    if not changed:
        return body
    return bytes(etree.tostring(root, encoding="utf-8", xml_declaration=True))
