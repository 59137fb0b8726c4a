"""delete: ``deleteResponse/successful`` = true."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..models.extras import Unknown
from . import wrapper


def write(service: str) -> Any:
    """The answer to a delete that was done."""
    envelope, element = wrapper.write(service, "delete")
    etree.SubElement(element, f"{{{wrapper.RESULT_NS[service]}}}successful").text = "true"
    return envelope


def read(body_child: Any, unknown: Unknown = "keep") -> bool:
    """True for ``true`` or ``1`` (xs:boolean), whatever the case and whitespace."""
    text = "".join(body_child.itertext()).strip().lower()
    return text in ("true", "1")
