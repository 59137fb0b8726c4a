"""Compare XML and JSON documents with the golden ones, naming the first path that differs.

Two strengths:
- ``exact``: element names (by namespace URI, never by prefix), their order, attribute names
  and values, ``xsi:type`` as a resolved QName, and text (stripped). For requests: what a
  client sends must be what Boomi documents, value for value.
- ``structure``: element names, order and namespaces, and attribute SETS (names only), with
  the values of ``stable`` attributes (statusCode, numberOfResults, ``xsi:type`` ...) and no
  text. For the emulator's answers, whose ids, tokens and timestamps are its own.

JSON follows the same idea: ``exact`` compares values; ``structure`` compares key sets,
list lengths and the values of ``stable`` keys (``@type``, statusCode, numberOfResults).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from lxml import etree

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
WSSE_SECURITY = (
    "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}Security"
)
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
STABLE_XML = frozenset({XSI_TYPE, "statusCode", "numberOfResults", "type"})
STABLE_JSON = frozenset({"@type", "statusCode", "numberOfResults", "type"})


class TreeMismatch(AssertionError):
    """The first difference between two documents, with its path."""


def parse(data: bytes | str) -> Any:
    if isinstance(data, str):
        data = data.encode()
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser=parser)


def body_child(envelope: Any) -> Any:
    """The one element inside ``Envelope/Body``."""
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    if body is None:
        raise TreeMismatch(f"no soap Body in {etree.tostring(envelope)[:200]!r}")
    children = [c for c in body if isinstance(c.tag, str)]
    if len(children) != 1:
        raise TreeMismatch(f"Body holds {len(children)} elements, expected 1")
    return children[0]


def _step(element: Any, position: int | None) -> str:
    name = etree.QName(element)
    where = f"{{{name.namespace}}}{name.localname}" if name.namespace else name.localname
    return where if position is None else f"{where}[{position}]"


def _attribute_value(element: Any, name: str) -> str:
    value = element.get(name)
    if name == XSI_TYPE and value is not None:
        prefix, _, local = value.rpartition(":")
        return f"{{{element.nsmap.get(prefix or None)}}}{local}"
    return value


def _children(element: Any, ignore: Collection[str]) -> list[Any]:
    return [c for c in element if isinstance(c.tag, str) and c.tag not in ignore]


def assert_same_xml(
    actual: Any,
    expected: Any,
    *,
    exact: bool,
    stable: Collection[str] = STABLE_XML,
    ignore: Collection[str] = (WSSE_SECURITY,),
) -> None:
    """Raise :class:`TreeMismatch` naming the first path where ``actual`` leaves ``expected``."""
    _compare_xml(actual, expected, "/" + _step(expected, None), exact, stable, ignore)


def _compare_xml(
    actual: Any,
    expected: Any,
    path: str,
    exact: bool,
    stable: Collection[str],
    ignore: Collection[str],
) -> None:
    if actual.tag != expected.tag:
        raise TreeMismatch(f"{path}: element is {_step(actual, None)}, expected {expected.tag}")
    got, want = set(actual.attrib), set(expected.attrib)
    if got != want:
        extra, missing = sorted(got - want), sorted(want - got)
        raise TreeMismatch(f"{path}: attributes differ; unexpected {extra}, missing {missing}")
    for name in sorted(want):
        if exact or name in stable:
            a, e = _attribute_value(actual, name), _attribute_value(expected, name)
            if a != e:
                raise TreeMismatch(f"{path}/@{name}: {a!r}, expected {e!r}")
    if exact:
        a_text, e_text = (actual.text or "").strip(), (expected.text or "").strip()
        if a_text != e_text:
            raise TreeMismatch(f"{path}/text(): {a_text!r}, expected {e_text!r}")
    a_children, e_children = _children(actual, ignore), _children(expected, ignore)
    for index, (a_child, e_child) in enumerate(zip(a_children, e_children, strict=False)):
        same_name = [c for c in e_children if c.tag == e_child.tag]
        position = same_name.index(e_child) + 1 if len(same_name) > 1 else None
        child_path = f"{path}/{_step(e_child, position)}"
        if a_child.tag != e_child.tag:
            raise TreeMismatch(
                f"{path}: child {index + 1} is {_step(a_child, None)}, expected {e_child.tag}"
            )
        _compare_xml(a_child, e_child, child_path, exact, stable, ignore)
    if len(a_children) != len(e_children):
        longer = a_children if len(a_children) > len(e_children) else e_children
        first = longer[min(len(a_children), len(e_children))]
        raise TreeMismatch(
            f"{path}: {len(a_children)} child elements, expected {len(e_children)}"
            f" (first {'unexpected' if longer is a_children else 'missing'}: {first.tag})"
        )


def assert_same_json(
    actual: Any, expected: Any, *, exact: bool, stable: Collection[str] = STABLE_JSON
) -> None:
    """The JSON counterpart of :func:`assert_same_xml`; paths look like ``$.result[3].name``."""
    _compare_json(actual, expected, "$", exact, stable)


def _compare_json(
    actual: Any, expected: Any, path: str, exact: bool, stable: Collection[str]
) -> None:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise TreeMismatch(f"{path}: {type(actual).__name__}, expected an object")
        got, want = set(actual), set(expected)
        if got != want:
            extra, missing = sorted(got - want), sorted(want - got)
            raise TreeMismatch(f"{path}: keys differ; unexpected {extra}, missing {missing}")
        for key in expected:
            child = f"{path}.{key}"
            scalar = not isinstance(expected[key], dict | list)
            if not exact and key in stable and scalar and actual[key] != expected[key]:
                raise TreeMismatch(f"{child}: {actual[key]!r}, expected {expected[key]!r}")
            _compare_json(actual[key], expected[key], child, exact, stable)
    elif isinstance(expected, list):
        if not isinstance(actual, list):
            raise TreeMismatch(f"{path}: {type(actual).__name__}, expected an array")
        for index, (a, e) in enumerate(zip(actual, expected, strict=False)):
            _compare_json(a, e, f"{path}[{index}]", exact, stable)
        if len(actual) != len(expected):
            raise TreeMismatch(f"{path}: {len(actual)} items, expected {len(expected)}")
    elif exact:
        # bool is an int in Python: compare the JSON types too.
        if type(actual) is not type(expected) or actual != expected:
            raise TreeMismatch(f"{path}: {actual!r}, expected {expected!r}")
    elif type(actual) is not type(expected) and not (
        isinstance(actual, int | float)
        and isinstance(expected, int | float)
        and not isinstance(actual, bool)
        and not isinstance(expected, bool)
    ):
        raise TreeMismatch(
            f"{path}: a {type(actual).__name__}, expected a {type(expected).__name__}"
        )
