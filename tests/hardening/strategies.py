"""Hypothesis strategies derived from the field maps, so every object type is covered."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from hypothesis import strategies as st

from boomisoap.models.fields import (
    BOOLEAN,
    DATETIME,
    INT32,
    INT64,
    NON_NEGATIVE_INT64,
    STRING,
    TEXT_ARGUMENT,
    Field,
    Kind,
    ObjectSpec,
)
from boomisoap.query import ARITY, Expr, Group, Simple

# Characters XML 1.0 can carry: no surrogates, no C0 controls except tab, newline, return.
XML_TEXT = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(chr(c) for c in range(32) if c not in (9, 10, 13))
        + "\ufffe\uffff",
    ),
    max_size=20,
)
NON_EMPTY_TEXT = XML_TEXT.filter(lambda s: s.strip() != "")


def values(kind: Kind) -> st.SearchStrategy[Any]:
    if kind is NON_NEGATIVE_INT64:
        return st.integers(0, 2**63 - 1)
    if kind is INT64:
        return st.integers(-(2**63), 2**63 - 1)
    if kind is INT32:
        return st.integers(-(2**31), 2**31 - 1)
    if kind is BOOLEAN:
        return st.booleans()
    if kind is DATETIME:
        return st.datetimes(timezones=st.just(UTC))
    if kind is STRING:
        return XML_TEXT
    enum = getattr(kind, "enum", None)
    if enum is not None:
        return st.sampled_from(list(enum))
    raise AssertionError(f"no strategy for {kind.name}")


def field_values(fld: Field) -> st.SearchStrategy[Any]:
    if fld.nested is not None:
        return objects(fld.nested)
    if fld.required:
        return NON_EMPTY_TEXT if fld.kind is STRING else values(fld.kind)
    return values(fld.kind)


def objects(spec: ObjectSpec) -> st.SearchStrategy[Any]:
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for fld in spec.fields:
        strategy = field_values(fld)
        parts[fld.name] = strategy if fld.required else st.none() | strategy
    return st.fixed_dictionaries(parts).map(lambda kwargs: spec.cls(**kwargs))


def _argument(fld: Field, operator: str) -> st.SearchStrategy[str]:
    if operator in TEXT_ARGUMENT:
        return XML_TEXT
    return values(fld.kind).map(lambda v: fld.kind.to_text(v))


def simple_expressions(spec: ObjectSpec) -> st.SearchStrategy[Expr]:
    queryable = [f for f in spec.fields if f.queryable]

    @st.composite
    def build(draw: st.DrawFn) -> Expr:
        fld = draw(st.sampled_from(queryable))
        operator = draw(st.sampled_from(spec.operators_for(fld)))
        arguments = tuple(draw(_argument(fld, operator)) for _ in range(ARITY[operator]))
        return Simple(operator, fld.wire, arguments)

    return build()


def expressions(spec: ObjectSpec) -> st.SearchStrategy[Expr]:
    return st.recursive(
        simple_expressions(spec),
        lambda inner: st.builds(
            Group,
            st.sampled_from(["and", "or"]),
            st.lists(inner, min_size=1, max_size=3).map(tuple),
        ),
        max_leaves=6,
    )
