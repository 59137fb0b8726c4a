"""query / queryMore: ``results[@numberOfResults]``, an optional token first, then items."""

from __future__ import annotations

from typing import Any

from lxml import etree

from ..codec.xmlcodec import write_objects
from ..errors import EnvelopeValidationError
from ..models.extras import Unknown
from ..models.fields import ObjectSpec
from ..models.results import QueryPage
from ..namespaces import API
from . import wrapper


def write(service: str, operation: str, found: QueryPage[Any], spec: ObjectSpec) -> Any:
    """``results[@numberOfResults]``: the token (if any) first, then the items."""
    envelope, element = wrapper.write(service, operation)
    results = etree.SubElement(element, f"{{{wrapper.RESULT_NS[service]}}}results")
    results.set("numberOfResults", str(found.number_of_results))
    if found.query_token is not None:
        etree.SubElement(results, f"{{{API}}}queryToken").text = found.query_token
    write_objects(results, f"{{{API}}}result", found.results, spec)
    return envelope


def read(body_child: Any, unknown: Unknown = "keep") -> QueryPage[Any]:
    """An optional ``queryToken``, then ``result`` items.

    Read by name, so the token is found wherever it stands; validation (on by default) is
    what holds an answer to the schema's order.
    """
    results = next(iter(wrapper.children(body_child, "results")), None)
    if results is None:
        raise EnvelopeValidationError(
            wrapper.name_of(body_child), "missing results", direction="response"
        )
    items = tuple(
        wrapper.read_checked(r, unknown) for r in results.iterchildren(f"{{{API}}}result")
    )
    token = results.xpath("string(api:queryToken)", namespaces={"api": API})  # all its text
    count = wrapper.int_attribute(results, "numberOfResults", len(items))
    return QueryPage(items, count, token or None)
