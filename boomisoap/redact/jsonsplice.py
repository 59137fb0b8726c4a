"""Redact secrets in raw JSON by splicing, so every other byte stays as sent.

A small recursive-descent reader records the character span of every value; the
spans of values under secret keys are replaced.  A string keeps its quotes and only
its content becomes the marker; any other value (number, object, array) becomes the
marker as a JSON string, so the document stays valid JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .markers import REDACTED
from .names import is_secret_name
from .splice import Span, splice

_TOKEN = re.compile(
    r"[ \t\n\r]*(?:(\"(?:[^\"\\]|\\.)*\")|([{}\[\]:,])"
    r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null))",
    re.S,
)
_MAX_DEPTH = 256
# Fallback for text that is not valid JSON: "name": "value" pairs found by pattern.
_PAIR = re.compile(r"\"((?:[^\"\\]|\\.)*)\"\s*:\s*\"((?:[^\"\\]|\\.)*)\"", re.S)


class NotJSON(ValueError):
    """The text is not one valid JSON value."""


@dataclass(slots=True)
class _Node:
    kind: str  # "s" string, "o" object, "a" array, "n" number or literal, "z" null
    start: int
    end: int
    members: list[tuple[str, _Node]] = field(default_factory=list)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def token(self) -> tuple[int, int, str, int]:
        """(start, end, kind, group) of the next token; kind "" at the end of text."""
        m = _TOKEN.match(self.text, self.pos)
        if m is None:
            if self.text[self.pos :].strip():
                raise NotJSON(f"unexpected text at {self.pos}")
            return (len(self.text), len(self.text), "", 0)
        group = m.lastindex or 0
        start = m.start(group)
        self.pos = m.end()
        return (start, m.end(), m.group(group), group)

    def value(self, depth: int) -> _Node:
        if depth > _MAX_DEPTH:
            raise NotJSON("nested too deeply")
        start, end, tok, group = self.token()
        if group == 1:
            return _Node("s", start, end)
        if group == 3:
            return _Node("z" if tok == "null" else "n", start, end)
        if tok == "{":
            return self._object(start, depth)
        if tok == "[":
            return self._array(start, depth)
        raise NotJSON(f"unexpected {tok!r} at {start}")

    def _object(self, start: int, depth: int) -> _Node:
        node = _Node("o", start, start)
        first = True
        while True:
            kstart, kend, tok, group = self.token()
            if tok == "}" and first:
                node.end = kend
                return node
            if group != 1:
                raise NotJSON(f"expected a key at {kstart}")
            key = json.loads(tok)
            if self.token()[2] != ":":
                raise NotJSON(f"expected ':' after key at {kend}")
            node.members.append((key, self.value(depth + 1)))
            first = False
            _, end, tok, _ = self.token()
            if tok == "}":
                node.end = end
                return node
            if tok != ",":
                raise NotJSON(f"expected ',' or '}}' at {end}")

    def _array(self, start: int, depth: int) -> _Node:
        node = _Node("a", start, start)
        save = self.pos
        _, end, tok, _ = self.token()
        if tok == "]":
            node.end = end
            return node
        self.pos = save
        while True:
            node.members.append(("", self.value(depth + 1)))
            _, end, tok, _ = self.token()
            if tok == "]":
                node.end = end
                return node
            if tok != ",":
                raise NotJSON(f"expected ',' or ']' at {end}")


def parse_spans(text: str) -> _Node:
    reader = _Reader(text)
    node = reader.value(0)
    if reader.token()[2] != "":
        raise NotJSON("trailing data after the JSON value")
    return node


def _hide(node: _Node, spans: list[Span]) -> None:
    if node.kind == "s":
        spans.append((node.start + 1, node.end - 1, REDACTED))
    elif node.kind != "z":
        spans.append((node.start, node.end, f'"{REDACTED}"'))


def _hide_leaves(node: _Node, spans: list[Span]) -> None:
    if node.kind in ("o", "a"):
        for _, child in node.members:
            _hide_leaves(child, spans)
    else:
        _hide(node, spans)


def _walk(node: _Node, text: str, secret_key: Callable[[str], bool], spans: list[Span]) -> None:
    if node.kind == "a":
        for _, child in node.members:
            _walk(child, text, secret_key, spans)
        return
    if node.kind != "o":
        return
    # A query filter on a secret property ({"property": "key", "argument": [...]})
    # carries the secret in its arguments.
    secret_args = any(
        k == "property" and v.kind == "s" and is_secret_name(json.loads(text[v.start : v.end]))
        for k, v in node.members
    )
    for key, child in node.members:
        if secret_key(key):
            _hide(child, spans)
        elif secret_args and key == "argument":
            _hide_leaves(child, spans)
        else:
            _walk(child, text, secret_key, spans)


def _both(collect: Callable[[str], None] | None) -> Callable[[str], None] | None:
    if collect is None:
        return None

    def both(raw: str) -> None:
        collect(raw)
        try:
            value = json.loads(f'"{raw}"')
        except ValueError:
            return
        collect(str(value))

    return both


def redact_json_text(
    text: str, secret_key: Callable[[str], bool], collect: Callable[[str], None] | None = None
) -> str:
    """Return ``text`` with the values of secret keys replaced; NotJSON if invalid.

    ``collect`` receives each hidden value, raw and unescaped.
    """
    spans: list[Span] = []
    _walk(parse_spans(text), text, secret_key, spans)
    return splice(text, spans, _both(collect))


def redact_json_pairs(
    text: str, secret_key: Callable[[str], bool], collect: Callable[[str], None] | None = None
) -> str:
    """Best effort for broken JSON: hide string values of secret keys found by pattern."""
    spans: list[Span] = []
    for m in _PAIR.finditer(text):
        try:
            key = json.loads(f'"{m.group(1)}"')
        except ValueError:
            key = m.group(1)
        if secret_key(key):
            spans.append((m.start(2), m.end(2), REDACTED))
    return splice(text, spans, _both(collect))
