"""The structural compare can fail, and says where: each kind of drift it must catch."""

from __future__ import annotations

import pytest

from golden.treecompare import TreeMismatch, assert_same_json, assert_same_xml, parse

NS = (
    'xmlns:a="urn:a" xmlns:b="urn:b" xmlns:c="urn:b" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)
GOLDEN = parse(
    f'<a:root {NS} numberOfResults="2"><b:token>t-1</b:token>'
    '<b:item xsi:type="a:Plan" id="1" name="x"/><b:item xsi:type="a:Plan" id="2" name="y"/>'
    "</a:root>"
)


def mismatch(document: str, *, exact: bool) -> str:
    with pytest.raises(TreeMismatch) as caught:
        assert_same_xml(parse(document), GOLDEN, exact=exact)
    return str(caught.value)


def test_same_tree_with_other_prefixes_and_values_passes_the_structure() -> None:
    other = (
        '<p:root xmlns:p="urn:a" xmlns:q="urn:b" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"'
        ' numberOfResults="2"><q:token>other</q:token><q:item i:type="p:Plan" id="9" name="z"/>'
        '<q:item i:type="p:Plan" id="8" name="w"/></p:root>'
    )
    assert_same_xml(parse(other), GOLDEN, exact=False)
    assert mismatch(other, exact=True) == (
        "/{urn:a}root/{urn:b}token/text(): 'other', expected 't-1'"
    )


def test_order_is_checked_and_the_path_named() -> None:
    text = (
        f'<a:root {NS} numberOfResults="2"><b:item xsi:type="a:Plan" id="1" name="x"/>'
        '<b:token>t-1</b:token><b:item xsi:type="a:Plan" id="2" name="y"/></a:root>'
    )
    assert mismatch(text, exact=False) == (
        "/{urn:a}root: child 1 is {urn:b}item, expected {urn:b}token"
    )


def test_a_namespace_change_fails() -> None:
    text = (
        f'<a:root {NS} numberOfResults="2"><a:token>t-1</a:token>'
        '<b:item xsi:type="a:Plan" id="1" name="x"/><b:item xsi:type="a:Plan" id="2" name="y"/>'
        "</a:root>"
    )
    assert "child 1 is {urn:a}token" in mismatch(text, exact=False)


def test_attribute_sets_and_stable_values_fail_with_their_path() -> None:
    missing = (
        f'<a:root {NS} numberOfResults="2"><b:token>t-1</b:token>'
        '<b:item xsi:type="a:Plan" id="1" name="x"/><b:item xsi:type="a:Plan" id="2"/></a:root>'
    )
    assert mismatch(missing, exact=False) == (
        "/{urn:a}root/{urn:b}item[2]: attributes differ; unexpected [], missing ['name']"
    )
    count = (
        f'<a:root {NS} numberOfResults="3"><b:token>t-1</b:token>'
        '<b:item xsi:type="a:Plan" id="1" name="x"/><b:item xsi:type="a:Plan" id="2" name="y"/>'
        "</a:root>"
    )
    assert mismatch(count, exact=False) == "/{urn:a}root/@numberOfResults: '3', expected '2'"
    typed = (
        f'<a:root {NS} numberOfResults="2"><b:token>t-1</b:token>'
        '<b:item xsi:type="b:Plan" id="1" name="x"/><b:item xsi:type="a:Plan" id="2" name="y"/>'
        "</a:root>"
    )
    assert "item[1]/@{http://www.w3.org/2001/XMLSchema-instance}type" in mismatch(
        typed, exact=False
    )


def test_missing_and_extra_children_fail() -> None:
    fewer = f'<a:root {NS} numberOfResults="2"><b:token>t-1</b:token></a:root>'
    assert mismatch(fewer, exact=False) == (
        "/{urn:a}root: 1 child elements, expected 3 (first missing: {urn:b}item)"
    )


def test_exact_compares_text() -> None:
    text = (
        f'<a:root {NS} numberOfResults="2"><b:token>t-2</b:token>'
        '<b:item xsi:type="a:Plan" id="1" name="x"/><b:item xsi:type="a:Plan" id="2" name="y"/>'
        "</a:root>"
    )
    assert mismatch(text, exact=True) == "/{urn:a}root/{urn:b}token/text(): 't-2', expected 't-1'"
    assert_same_xml(parse(text), GOLDEN, exact=False)


def test_json_structure_and_exact() -> None:
    golden = {"@type": "QueryResult", "numberOfResults": 1, "result": [{"id": "a", "n": 1}]}
    assert_same_json({**golden, "result": [{"id": "b", "n": 2}]}, golden, exact=False)
    with pytest.raises(TreeMismatch, match=r"^\$.result\[0\].id: 'b', expected 'a'$"):
        assert_same_json({**golden, "result": [{"id": "b", "n": 1}]}, golden, exact=True)
    with pytest.raises(TreeMismatch, match=r"^\$.@type: 'BulkResult', expected 'QueryResult'$"):
        assert_same_json({**golden, "@type": "BulkResult"}, golden, exact=False)
    with pytest.raises(TreeMismatch, match=r"missing \['n'\]"):
        assert_same_json({**golden, "result": [{"id": "a"}]}, golden, exact=False)
    with pytest.raises(TreeMismatch, match=r"^\$.result: 2 items, expected 1$"):
        assert_same_json({**golden, "result": [{"id": "a", "n": 1}] * 2}, golden, exact=False)
    with pytest.raises(TreeMismatch, match=r"a str, expected a int"):
        assert_same_json({**golden, "result": [{"id": "a", "n": "1"}]}, golden, exact=False)
    with pytest.raises(TreeMismatch, match=r"True, expected 1"):
        assert_same_json({**golden, "result": [{"id": "a", "n": True}]}, golden, exact=True)
