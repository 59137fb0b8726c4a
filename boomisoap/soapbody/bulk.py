"""getBulk: ``getBulkResponse/results`` (BulkResult) with one ``response`` per id.

Boomi's shape ("Bulk GET operations"): a success carries statusCode and Result only, a
failure statusCode, errorMessage and id; neither carries index.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lxml import etree

from ..codec.xmlcodec import write_object
from ..models.extras import Unknown
from ..models.fields import ObjectSpec
from ..models.results import BulkAnswer, BulkItem
from ..namespaces import API
from . import wrapper

RESULTS = f"{{{API}}}results"
RESPONSE = f"{{{API}}}response"
RESULT = f"{{{API}}}Result"


def write(
    service: str,
    items: Sequence[BulkItem[Any]],
    spec: ObjectSpec,
    *,
    result: Callable[[Any, Any], None] | None = None,
) -> Any:
    """One ``response`` per item, in the order asked.

    ``result(entry, obj)`` appends an item's ``Result`` to its entry (the emulator
    appends copies of elements it wrote before); without it, each is written here.
    """
    envelope, element = wrapper.write(service, "getBulk")
    results = etree.SubElement(element, RESULTS)
    for item in items:
        entry = etree.SubElement(results, RESPONSE)
        for name, value in answer(item).items():
            entry.set(name, str(value))
        if item.result is not None:
            if result is None:
                write_object(entry, RESULT, item.result, spec)
            else:
                result(entry, item.result)
    return envelope


def answer(item: BulkItem[Any]) -> dict[str, int | str]:
    """The attributes (the REST wire's JSON keys) of one bulk answer item, as Boomi's
    "Bulk GET operations" page writes them; shared by both wires of the emulator."""
    if item.result is not None:
        return {"statusCode": item.status_code}
    return {
        "errorMessage": item.error_message or f"status {item.status_code}",
        "statusCode": item.status_code,
        "id": item.id,
    }


def read(body_child: Any, spec: ObjectSpec, unknown: Unknown = "keep") -> list[BulkAnswer[Any]]:
    """The ``response`` items as they came.

    Every part of an item is optional (Boomi's successful items carry only statusCode
    and Result); the adapter pairs them with the ids asked.
    """
    results = body_child.find(RESULTS)
    if results is None:
        return []  # getBulkResponse's results is optional: no item answered
    items: list[BulkAnswer[Any]] = []
    for entry in results.iterchildren(RESPONSE):
        result_element = entry.find(RESULT)
        result = None if result_element is None else wrapper.read_checked(result_element, unknown)
        items.append(
            BulkAnswer(
                index=wrapper.optional_int(entry, "index"),
                id=entry.get("id") or None,
                status_code=wrapper.optional_int(entry, "statusCode"),
                result=result,
                error_message=entry.get("errorMessage") or None,
            )
        )
    return items
