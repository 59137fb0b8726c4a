"""The ``--where`` filter language: a small textual form of the :data:`boomisoap.Q` DSL.

Grammar (keywords are case-insensitive)::

    expr       := term ("or" term)*
    term       := factor ("and" factor)*
    factor     := "(" expr ")" | comparison
    comparison := PROPERTY ("=" | "!=" | "<" | "<=" | ">" | ">=") VALUE
                | PROPERTY ("like" | "starts-with" | "contains") VALUE
                | PROPERTY ("not-contains" | "not" "contains") VALUE
                | PROPERTY "between" VALUE "and" VALUE
                | PROPERTY "is" ["not"] "null"
    VALUE      := 'quoted' (a quote inside is doubled: 'it''s') | bare-word

Every comparison is checked against the object type's field map (query properties and the
operators their kind allows), so a mistake is reported here, with the column it starts at,
before anything is sent.
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import InvalidRequest
from ..models.fields import ObjectSpec
from ..query import ARITY, Expr, Group, Simple, bind

COMPARISONS = {
    "=": "EQUALS",
    "!=": "NOT_EQUALS",
    "<": "LESS_THAN",
    "<=": "LESS_THAN_OR_EQUAL",
    ">": "GREATER_THAN",
    ">=": "GREATER_THAN_OR_EQUAL",
}
WORD_OPERATORS = {
    "like": "LIKE",
    "starts-with": "STARTS_WITH",
    "contains": "CONTAINS",
    "not-contains": "NOT_CONTAINS",
}
KEYWORDS = frozenset({"and", "or", "between", "is", "not", "null", *WORD_OPERATORS})
# How each operator is written in --where, for help texts and messages.
SPELLING = {
    **{v: k for k, v in COMPARISONS.items()},
    **{v: k for k, v in WORD_OPERATORS.items()},
    "BETWEEN": "between X and Y",
    "IS_NULL": "is null",
    "IS_NOT_NULL": "is not null",
}

# A bare word: property names, enum values, numbers, ISO dates, LIKE patterns.
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^']|'')*'?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<paren>[()])
  | (?P<word>[A-Za-z0-9_.:+%*\-]+)
    """,
    re.VERBOSE,
)


class WhereError(ValueError):
    """A ``--where`` expression that cannot be parsed; ``position`` is a 0-based column."""

    def __init__(self, text: str, position: int, message: str) -> None:
        super().__init__(message)
        self.text = text
        self.position = position
        self.message = message

    def render(self) -> str:
        """The message, the expression and a caret under the offending column."""
        return (
            f"{self.message} (column {self.position + 1})\n  {self.text}\n  {' ' * self.position}^"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "string" | "op" | "paren" | "word" | "end"
    text: str
    position: int

    @property
    def keyword(self) -> str | None:
        lowered = self.text.lower()
        return lowered if self.kind == "word" and lowered in KEYWORDS else None

    def describe(self) -> str:
        return "the end of the expression" if self.kind == "end" else repr(self.text)


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise WhereError(text, position, f"unexpected character {text[position]!r}")
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "string" and (len(value) < 2 or not value.endswith("'") or _odd_end(value)):
            raise WhereError(text, position, "unterminated quoted string")
        if kind == "op" and value == "<>":
            value = "!="
        if kind != "space":
            tokens.append(Token(kind, value, position))
        position = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def _odd_end(quoted: str) -> bool:
    # 'it''s' ends in a lone quote; 'it'' ends inside the string (an escaped quote).
    inner = quoted[1:-1]
    return inner.endswith("'") and (len(inner) - len(inner.rstrip("'"))) % 2 == 1


@dataclasses.dataclass(frozen=True, slots=True)
class _Located:
    """A comparison with the columns of its property, operator and first value."""

    expr: Simple
    position: int
    operator: int
    value: int


class _Parser:
    def __init__(self, text: str, spec: ObjectSpec | None) -> None:
        self.text = text
        self.spec = spec
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, message: str, token: Token | None = None) -> WhereError:
        token = token or self.current
        return WhereError(self.text, token.position, message)

    def parse(self) -> Expr:
        if self.current.kind == "end":
            raise self.error("empty expression: expected a property name")
        expr = self.expression()
        if self.current.kind != "end":
            raise self.error(f"expected 'and', 'or' or the end, found {self.current.describe()}")
        return expr

    def expression(self) -> Expr:
        expr = self.term()
        while self.current.keyword == "or":
            self.advance()
            expr = expr | self.term()
        return expr

    def term(self) -> Expr:
        expr = self.factor()
        while self.current.keyword == "and":
            self.advance()
            expr = expr & self.factor()
        return expr

    def factor(self) -> Expr:
        token = self.current
        if token.kind == "paren" and token.text == "(":
            self.advance()
            expr = self.expression()
            if not (self.current.kind == "paren" and self.current.text == ")"):
                raise self.error(f"expected ')', found {self.current.describe()}")
            self.advance()
            return expr
        return self.comparison()

    def comparison(self) -> Expr:
        prop = self.current
        if prop.kind != "word" or prop.keyword is not None or not _is_name(prop.text):
            raise self.error(f"expected a property name, found {prop.describe()}")
        self.advance()
        operator = self.current
        value_at = self.tokens[self.index + 1].position if operator.kind != "end" else 0
        simple: Simple
        if operator.kind == "op":
            self.advance()
            simple = Simple(COMPARISONS[operator.text], prop.text, (self.value(operator),))
        elif operator.keyword in WORD_OPERATORS:
            self.advance()
            simple = Simple(
                WORD_OPERATORS[operator.text.lower()], prop.text, (self.value(operator),)
            )
        elif operator.keyword == "not":
            self.advance()
            if self.current.keyword != "contains":
                found = self.current.describe()
                raise self.error(f"expected 'contains' after 'not', found {found}")
            self.advance()
            simple = Simple("NOT_CONTAINS", prop.text, (self.value(operator),))
        elif operator.keyword == "between":
            self.advance()
            low = self.value(operator)
            if self.current.keyword != "and":
                raise self.error(f"expected 'and' in 'between', found {self.current.describe()}")
            self.advance()
            simple = Simple("BETWEEN", prop.text, (low, self.value(operator)))
        elif operator.keyword == "is":
            self.advance()
            negated = self.current.keyword == "not"
            if negated:
                self.advance()
            if self.current.keyword != "null":
                raise self.error(f"expected 'null', found {self.current.describe()}")
            self.advance()
            simple = Simple("IS_NOT_NULL" if negated else "IS_NULL", prop.text, ())
        else:
            raise self.error(
                "expected an operator (= != < <= > >= like starts-with contains not-contains "
                "between is), "
                f"found {operator.describe()}"
            )
        self.check(_Located(simple, prop.position, operator.position, value_at))
        return simple

    def value(self, after: Token) -> str:
        token = self.current
        if token.kind == "string":
            self.advance()
            return token.text[1:-1].replace("''", "'")
        if token.kind == "word" and token.keyword is None:
            self.advance()
            return token.text
        raise self.error(f"expected a value after {after.text!r}, found {token.describe()}")

    def check(self, located: _Located) -> None:
        """Check one comparison against the field map, reporting at its property."""
        if self.spec is None:
            return
        try:
            bind(located.expr, self.spec)
        except InvalidRequest as exc:
            message = exc.message
            position = located.value
            if exc.message.endswith("does not exist"):
                names = ", ".join(f.wire for f in self.spec.fields if f.queryable)
                message = f"{exc.message} for {self.spec.type_name} (query properties: {names})"
                position = located.position
            elif "is not allowed on" in exc.message:
                position = located.operator
            raise WhereError(self.text, position, message) from None


def operators_text(spec: ObjectSpec) -> str:
    """The ``--where`` spellings of the operators some property of ``spec`` takes."""
    allowed = {op for f in spec.fields if f.queryable for op in spec.operators_for(f)}
    return ", ".join(SPELLING[op] for op in SPELLING if op in allowed)


def _is_name(text: str) -> bool:
    return re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) is not None


def parse_where(text: str, spec: ObjectSpec | None = None) -> Expr:
    """Parse ``text`` into a query expression, checked against ``spec`` when given.

    Raises :class:`WhereError` with the column of the offending token.
    """
    return _Parser(text, spec).parse()


def to_text(expr: Expr) -> str:
    """The ``--where`` text of an expression (the inverse of :func:`parse_where`)."""
    if isinstance(expr, Group):
        inner = f" {expr.operator} ".join(_grouped(e, expr.operator) for e in expr.expressions)
        return inner
    assert isinstance(expr, Simple)
    args = [_quote(str(a)) for a in expr.arguments]
    if expr.operator == "BETWEEN":
        return f"{expr.property} between {args[0]} and {args[1]}"
    if ARITY.get(expr.operator) == 0:
        return f"{expr.property} is {'not ' if expr.operator == 'IS_NOT_NULL' else ''}null"
    return f"{expr.property} {SPELLING[expr.operator]} {args[0]}"


def _grouped(expr: Expr, parent: str) -> str:
    text = to_text(expr)
    return f"({text})" if isinstance(expr, Group) and expr.operator != parent else text


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"
