"""The corpus is consistent with itself: both wires carry the same values, ids pair up across
request and response, paging documents chain by their token, and the expected values are
the documents' values. An edit that breaks one document against the others fails here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from lxml import etree

from golden import corpus
from golden.corpus import APIM_OBJECTS, expected
from golden.treecompare import XSI_TYPE, body_child, parse

APIM_NS = "http://apim.api.platform.boomi.com/"
API_NS = "http://api.platform.boomi.com/"
ID_KEYS = {
    "plan": "planId",
    "contract": "contractId",
    "api_key": "key",
    "application": "applicationId",
    "account": "accountId",
}


def text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def xml_values(element: Any) -> dict[str, Any]:
    """An object element as wire name -> text (attributes, then simple or nested children)."""
    values: dict[str, Any] = {k: v for k, v in element.attrib.items() if k != XSI_TYPE}
    for child in element:
        name = etree.QName(child).localname
        values[name] = xml_values(child) if len(child) or child.attrib else (child.text or "")
    return values


def json_values(document: dict[str, Any]) -> dict[str, Any]:
    return {
        key: json_values(value) if isinstance(value, dict) else text(value)
        for key, value in document.items()
        if key != "@type"
    }


def soap_objects(slug: str, name: str) -> list[Any]:
    root = body_child(parse(corpus.soap_document(slug, name)))
    return [e for e in root.iter() if XSI_TYPE in e.attrib and e.get(XSI_TYPE) != "api:BulkId"]


def rest_objects(slug: str, op: str, side: str) -> list[dict[str, Any]]:
    if side == "request":
        return [corpus.rest_request(slug, op)["body"]]
    document = json.loads(corpus.rest_response(slug, op))
    if isinstance(document, dict) and "result" in document:
        return list(document["result"])
    if isinstance(document, dict) and "response" in document:
        return [item["Result"] for item in document["response"] if "Result" in item]
    return [document]


PAIRS = [
    (slug, op, side)
    for slug in APIM_OBJECTS
    for op, side in (
        ("get", "response"),
        ("query", "response"),
        ("query_more", "response"),
        ("create", "request"),
        ("create", "response"),
        ("update", "request"),
        ("update", "response"),
    )
] + [("account", op, "response") for op in ("get", "query", "query_more", "get_bulk")]


@pytest.mark.parametrize(("slug", "op", "side"), PAIRS, ids=[f"{s}-{o}-{d}" for s, o, d in PAIRS])
def test_soap_and_rest_documents_carry_the_same_objects(slug: str, op: str, side: str) -> None:
    soap = [xml_values(e) for e in soap_objects(slug, f"{op}.{side}")]
    rest = [json_values(o) for o in rest_objects(slug, op, side)]
    assert soap == rest


def snake(name: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), name)


def as_expected(values: dict[str, Any]) -> dict[str, Any]:
    """REST wire values in the expected files' spelling (field names, JSON values)."""
    return {
        snake(k): as_expected(v) if isinstance(v, dict) else v
        for k, v in values.items()
        if k != "@type"
    }


EXPECTED = [
    (slug, op)
    for slug in (*APIM_OBJECTS, "account")
    for op in ("get", "query", "query_more", "create", "update")
    if not (slug == "account" and op in ("create", "update"))
]


@pytest.mark.parametrize(("slug", "op"), EXPECTED, ids=[f"{s}-{o}" for s, o in EXPECTED])
def test_expected_values_are_the_documents_values(slug: str, op: str) -> None:
    documents = [as_expected(o) for o in rest_objects(slug, op, "response")]
    wanted = expected(slug, op)
    assert documents == (wanted if isinstance(wanted, list) else [wanted])
    if op in ("create", "update"):
        sent = as_expected(corpus.rest_request(slug, op)["body"])
        assert sent == expected(slug, f"{op}_input")


def test_bulk_expected_items_follow_the_documents() -> None:
    items = json.loads(corpus.rest_response("account", "get_bulk"))["response"]
    asked = [r["id"] for r in corpus.rest_request("account", "get_bulk")["body"]["request"]]
    assert asked == list(corpus.BULK_IDS)
    for position, (item, wanted) in enumerate(
        zip(items, expected("account", "get_bulk"), strict=True)
    ):
        assert wanted["index"] == position and wanted["id"] == asked[position]
        assert item["statusCode"] == wanted["status_code"]
        assert item.get("errorMessage") == wanted["error_message"]
        result = item.get("Result")
        assert (None if result is None else as_expected(result)) == wanted["result"]
        # Boomi's documented shape: a success carries only statusCode and Result.
        assert set(item) == (
            {"@type", "statusCode", "Result"}
            if result
            else {"@type", "statusCode", "id", "errorMessage"}
        )


@pytest.mark.parametrize("slug", [*APIM_OBJECTS, "account"])
def test_paging_documents_chain_by_their_token(slug: str) -> None:
    ns = APIM_NS if slug != "account" else API_NS
    first = body_child(parse(corpus.soap_document(slug, "query.response")))
    (results,) = first
    assert etree.QName(results).localname == "results"
    children = list(results)
    # Boomi's order: the token first, then at most 100 results; numberOfResults counts them.
    assert etree.QName(children[0]) == etree.QName(API_NS, "queryToken")
    assert [etree.QName(c) for c in children[1:]] == [etree.QName(API_NS, "result")] * 100
    assert results.get("numberOfResults") == "100"
    more = body_child(parse(corpus.soap_document(slug, "query_more.request")))
    (token,) = more
    assert etree.QName(token) == etree.QName(ns, "queryToken")
    assert token.text == children[0].text
    last = body_child(parse(corpus.soap_document(slug, "query_more.response")))
    (page,) = last
    assert [etree.QName(c).localname for c in page] == ["result"] * int(page.get("numberOfResults"))
    rest_first = json.loads(corpus.rest_response(slug, "query"))
    assert rest_first["queryToken"] == token.text == corpus.rest_request(slug, "query_more")["body"]
    assert rest_first["numberOfResults"] == len(rest_first["result"]) == 100
    assert "queryToken" not in json.loads(corpus.rest_response(slug, "query_more"))


@pytest.mark.parametrize("slug", APIM_OBJECTS)
def test_ids_pair_up_across_requests_and_responses(slug: str) -> None:
    key = ID_KEYS[slug]

    def soap_id(name: str) -> str:
        return str(xml_values(soap_objects(slug, name)[0])[key])

    def request_id(name: str) -> str:
        wrapper = body_child(parse(corpus.soap_document(slug, name)))
        return str(wrapper.findtext(f"{{{APIM_NS}}}objectId"))

    assert request_id("get.request") == soap_id("get.response") == expected(slug, "get_id")
    assert soap_id("update.request") == soap_id("update.response")
    assert request_id("delete.request") == soap_id("create.response") == expected(slug, "delete_id")
    assert key not in xml_values(soap_objects(slug, "create.request")[0])
    for op, object_id in (
        ("get", expected(slug, "get_id")),
        ("update", soap_id("update.response")),
        ("delete", expected(slug, "delete_id")),
    ):
        path = corpus.rest_request(slug, op)["path"]
        assert path.removesuffix("/update").endswith(f"/{object_id}")
