"""The query filter DSL: ``Q.status == "ENABLED"`` -> Boomi's QueryFilter, and back.

Expressions are plain immutable values. :func:`bind` checks them against an object type's
field map (property names, operators its kind allows, argument counts and values) and
turns every argument into its wire text; the XML and JSON writers, the readers the emulator
uses, and the emulator's evaluator all work on bound expressions.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .errors import InvalidRequest
from .models.fields import ARITY as ARITY  # re-exported: the DSL's public table of counts
from .models.fields import TEXT_ARGUMENT, Field, ObjectSpec, check_text
from .namespaces import API, XSI

GROUPING = ("and", "or")
# Boomi documents no nesting limit. Real filters nest a few levels; past this one a filter
# is refused with InvalidRequest (docs/security.md, "Limits") instead of exhausting the
# interpreter's recursion limit in the client or the emulator.
MAX_FILTER_DEPTH = 64


def _check_depth(depth: int) -> None:
    if depth > MAX_FILTER_DEPTH:
        raise InvalidRequest(
            f"the filter nests deeper than {MAX_FILTER_DEPTH} expressions",
            field="nestedExpression",
        )


class Expr:
    """Base of query expressions; ``&`` and ``|`` build ``and`` / ``or`` groups."""

    def __and__(self, other: Expr) -> Group:
        return _group("and", self, other)

    def __or__(self, other: Expr) -> Group:
        return _group("or", self, other)


@dataclasses.dataclass(frozen=True, slots=True)
class Simple(Expr):
    operator: str
    property: str
    arguments: tuple[Any, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class Group(Expr):
    operator: str
    expressions: tuple[Expr, ...]


def _group(operator: str, left: Expr, right: Expr) -> Group:
    if not isinstance(right, Expr):
        raise TypeError(f"cannot combine a query expression with {type(right).__name__}")
    parts: list[Expr] = []
    for side in (left, right):
        # (a & b) & c is one "and" of three, as Boomi's own examples nest them.
        if isinstance(side, Group) and side.operator == operator:
            parts.extend(side.expressions)
        else:
            parts.append(side)
    return Group(operator, tuple(parts))


class Property:
    """``Q.<name>``: a Boomi property name waiting for an operator."""

    __slots__ = ("name",)
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, name: str) -> None:
        self.name = name

    def _simple(self, operator: str, *arguments: Any) -> Simple:
        return Simple(operator, self.name, arguments)

    def __eq__(self, value: object) -> Simple:  # type: ignore[override]
        return self._simple("EQUALS", value)

    def __ne__(self, value: object) -> Simple:  # type: ignore[override]
        return self._simple("NOT_EQUALS", value)

    def __lt__(self, value: Any) -> Simple:
        return self._simple("LESS_THAN", value)

    def __le__(self, value: Any) -> Simple:
        return self._simple("LESS_THAN_OR_EQUAL", value)

    def __gt__(self, value: Any) -> Simple:
        return self._simple("GREATER_THAN", value)

    def __ge__(self, value: Any) -> Simple:
        return self._simple("GREATER_THAN_OR_EQUAL", value)

    def like(self, pattern: str) -> Simple:
        """SQL-style pattern: ``%`` any run of characters, ``_`` one character."""
        return self._simple("LIKE", pattern)

    def starts_with(self, prefix: str) -> Simple:
        return self._simple("STARTS_WITH", prefix)

    def contains(self, text: str) -> Simple:
        """The value holds ``text`` anywhere (case-sensitive; no wildcards)."""
        return self._simple("CONTAINS", text)

    def not_contains(self, text: str) -> Simple:
        """The value does not hold ``text``; an absent value matches (as ``!=`` does)."""
        return self._simple("NOT_CONTAINS", text)

    def between(self, low: Any, high: Any) -> Simple:
        return self._simple("BETWEEN", low, high)

    def is_null(self) -> Simple:
        return self._simple("IS_NULL")

    def is_not_null(self) -> Simple:
        return self._simple("IS_NOT_NULL")

    def __repr__(self) -> str:
        return f"Q.{self.name}"


class _QueryBuilder:
    def __getattr__(self, name: str) -> Property:
        if name.startswith("__"):
            raise AttributeError(name)
        return Property(name)

    def __getitem__(self, name: str) -> Property:
        return Property(name)


Q = _QueryBuilder()


# Binding -----------------------------------------------------------------------------


def bind(expr: Expr | None, spec: ObjectSpec, depth: int = 1) -> Expr | None:
    """Check ``expr`` against ``spec`` and render every argument as wire text."""
    if expr is None:
        return None
    _check_depth(depth)
    if isinstance(expr, Group):
        if expr.operator not in GROUPING:
            raise InvalidRequest(f"{expr.operator} is not a grouping operator", field="operator")
        if not expr.expressions:
            raise InvalidRequest("a grouping expression needs operands", field="nestedExpression")
        return Group(expr.operator, tuple(_bound(e, spec, depth + 1) for e in expr.expressions))
    if not isinstance(expr, Simple):
        raise InvalidRequest(f"not a query expression: {type(expr).__name__}", field="expression")
    fld = spec.query_field(expr.property)
    if expr.operator not in ARITY:
        raise InvalidRequest(f"{expr.operator} is not a query operator", field="operator")
    allowed = spec.operators_for(fld)
    if expr.operator not in allowed:
        raise InvalidRequest(
            f"{expr.operator} is not allowed on {expr.property} "
            f"({spec.type_name} takes {', '.join(allowed)} there)",
            field=expr.property,
        )
    expected = ARITY[expr.operator]
    if len(expr.arguments) != expected:
        raise InvalidRequest(
            f"{expr.operator} takes {expected} argument(s), got {len(expr.arguments)}",
            field=expr.property,
        )
    # The camelCase wire name, whichever spelling the caller used (Account's ACCOUNTID).
    return Simple(expr.operator, fld.wire, tuple(_argument(fld, expr, a) for a in expr.arguments))


def _bound(expr: Expr, spec: ObjectSpec, depth: int) -> Expr:
    bound = bind(expr, spec, depth)
    assert bound is not None
    return bound


def _argument(fld: Field, expr: Simple, value: Any) -> str:
    if expr.operator in TEXT_ARGUMENT and not isinstance(value, str):
        raise InvalidRequest(f"{expr.operator} takes a string", field=expr.property)
    try:
        if isinstance(value, str):
            check_text(value)
            if expr.operator in TEXT_ARGUMENT:
                return value
            return fld.kind.to_text(fld.kind.from_text(value))
        return fld.kind.to_text(fld.kind.check(value))
    except ValueError as exc:
        raise InvalidRequest(f"{expr.property}: {exc}", field=expr.property) from None


# XML ---------------------------------------------------------------------------------

_XSI_TYPE = f"{{{XSI}}}type"


def write_query_config(parent: Any, expr: Expr | None) -> Any:
    """Append ``api:queryConfig/api:QueryFilter[/api:expression]`` to ``parent``."""
    config = etree.SubElement(parent, f"{{{API}}}queryConfig")
    query_filter = etree.SubElement(config, f"{{{API}}}QueryFilter")
    if expr is not None:
        _write_expression(query_filter, "expression", expr)
    return config


def _write_expression(parent: Any, local: str, expr: Expr) -> None:
    element = etree.SubElement(parent, f"{{{API}}}{local}", nsmap={"xsi": XSI, "api": API})
    if isinstance(expr, Group):
        element.set("operator", expr.operator)
        element.set(_XSI_TYPE, "api:GroupingExpression")
        for nested in expr.expressions:
            _write_expression(element, "nestedExpression", nested)
    elif isinstance(expr, Simple):
        element.set("operator", expr.operator)
        element.set("property", expr.property)
        element.set(_XSI_TYPE, "api:SimpleExpression")
        for argument in expr.arguments:
            etree.SubElement(element, f"{{{API}}}argument").text = str(argument)


def read_query_config(config: Any) -> Expr | None:
    """Read an ``api:queryConfig`` element back into an (unbound) expression."""
    query_filter = config.find(f"{{{API}}}QueryFilter")
    if query_filter is None:
        raise InvalidRequest("QueryFilter is required", field="QueryFilter")
    expression = query_filter.find(f"{{{API}}}expression")
    return None if expression is None else _read_expression(expression)


def _read_expression(element: Any, depth: int = 1) -> Expr:
    _check_depth(depth)
    declared = (element.get(_XSI_TYPE) or "").rpartition(":")[2]
    if declared == "GroupingExpression":
        nested = element.findall(f"{{{API}}}nestedExpression")
        operands = tuple(_read_expression(e, depth + 1) for e in nested)
        return Group(element.get("operator", ""), operands)
    if declared == "SimpleExpression":
        arguments = tuple(a.text or "" for a in element.findall(f"{{{API}}}argument"))
        return Simple(element.get("operator", ""), element.get("property", ""), arguments)
    raise InvalidRequest(f"{declared or 'expression'} does not exist", field="xsi:type")


# JSON --------------------------------------------------------------------------------


def to_json(expr: Expr | None) -> dict[str, Any]:
    """The ``{"QueryFilter": {...}}`` body of a REST query (the layout of Boomi's Plan page)."""
    if expr is None:
        return {"QueryFilter": {}}
    return {"QueryFilter": {"expression": _expression_json(expr)}}


def _expression_json(expr: Expr) -> dict[str, Any]:
    if isinstance(expr, Group):
        return {
            "operator": expr.operator,
            "nestedExpression": [_expression_json(e) for e in expr.expressions],
        }
    assert isinstance(expr, Simple)
    return {"argument": list(expr.arguments), "operator": expr.operator, "property": expr.property}


def from_json(document: Any) -> Expr | None:
    if document is None or document == {}:
        return None
    if not isinstance(document, dict) or not isinstance(document.get("QueryFilter"), dict):
        raise InvalidRequest("QueryFilter is required", field="QueryFilter")
    expression = document["QueryFilter"].get("expression")
    return None if expression is None else _read_json(expression)


def _read_json(node: Any, depth: int = 1) -> Expr:
    _check_depth(depth)
    if not isinstance(node, dict):
        raise InvalidRequest("an expression must be a JSON object", field="expression")
    if "nestedExpression" in node:
        nested = node["nestedExpression"]
        if not isinstance(nested, list):
            raise InvalidRequest("nestedExpression must be a list", field="nestedExpression")
        operands = tuple(_read_json(n, depth + 1) for n in nested)
        return Group(str(node.get("operator", "")), operands)
    arguments = node.get("argument", [])
    if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
        raise InvalidRequest("argument must be a list of strings", field="argument")
    return Simple(str(node.get("operator", "")), str(node.get("property", "")), tuple(arguments))


# Evaluation (the emulator's query engine) -----------------------------------------------


def matches(expr: Expr | None, spec: ObjectSpec, obj: Any) -> bool:
    """Whether ``obj`` satisfies a bound expression, comparing typed values."""
    if expr is None:
        return True
    if isinstance(expr, Group):
        results: Iterator[bool] = (matches(e, spec, obj) for e in expr.expressions)
        return all(results) if expr.operator == "and" else any(results)
    assert isinstance(expr, Simple)
    fld = spec.by_wire[expr.property]
    value = getattr(obj, fld.name)
    op = expr.operator
    if op == "IS_NULL":
        return value is None
    if op == "IS_NOT_NULL":
        return value is not None
    if value is None:
        # The negative operators match an absent value; nothing else does.
        return op in ("NOT_EQUALS", "NOT_CONTAINS")
    if op == "LIKE":
        return _like(expr.arguments[0]).fullmatch(str(value)) is not None
    if op == "STARTS_WITH":
        return str(value).startswith(expr.arguments[0])
    if op == "CONTAINS":
        return expr.arguments[0] in str(value)
    if op == "NOT_CONTAINS":
        return expr.arguments[0] not in str(value)
    args = [fld.kind.from_text(a) for a in expr.arguments]
    comparisons = {
        "EQUALS": lambda: value == args[0],
        "NOT_EQUALS": lambda: value != args[0],
        "GREATER_THAN": lambda: value > args[0],
        "GREATER_THAN_OR_EQUAL": lambda: value >= args[0],
        "LESS_THAN": lambda: value < args[0],
        "LESS_THAN_OR_EQUAL": lambda: value <= args[0],
        "BETWEEN": lambda: args[0] <= value <= args[1],
    }
    return bool(comparisons[op]())


_LIKE_CACHE: dict[str, re.Pattern[str]] = {}


def _like(pattern: str) -> re.Pattern[str]:
    compiled = _LIKE_CACHE.get(pattern)
    if compiled is None:
        parts = ("." if c == "_" else ".*" if c == "%" else re.escape(c) for c in pattern)
        compiled = re.compile("".join(parts), re.DOTALL)
        _LIKE_CACHE[pattern] = compiled
    return compiled
