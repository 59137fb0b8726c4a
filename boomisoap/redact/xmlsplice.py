"""Redact secrets in raw XML by splicing, so every other byte stays as sent.

The document is never re-serialised: a tolerant tokenizer finds start tags,
attribute values (single or double quoted), character data (with entity references
and CDATA sections) and end tags as character spans, resolves namespace prefixes
in scope, and the spans of secret values are replaced by the marker.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .. import xmlsafe
from .markers import REDACTED
from .names import (
    SECRET_ELEMENTS_CI,
    SECRET_ELEMENTS_EXACT,
    SECRET_NAMES_CI,
    SECRET_NAMES_EXACT,
    is_secret_name,
)
from .rules import CompiledRules
from .splice import Span, splice

# One piece of markup; character data is what lies between two matches.  Possessive
# quantifiers keep a malformed document linear; a "<" that starts no token is left
# in a gap and so handled as character data.
_TOKEN = re.compile(
    r"<(?:"
    r"(?P<cdata>!\[CDATA\[.*?\]\]>)"
    r"|!--.*?-->"
    r"|\?.*?\?>"
    r"|(?P<doctype>!DOCTYPE)"
    r"|/(?P<end>[^\s>]*+)\s*+>"
    r"|(?P<start>[^\s<>/!?][^\s<>/]*+)(?P<attrs>(?:[^>\"'<]++|\"[^\"<]*+\"|'[^'<]*+')*+)>"
    r")",
    re.S,
)
_ATTR = re.compile(r"([^\s=/>\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);")
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
XML_NS = "http://www.w3.org/XML/1998/namespace"
_XMLNS = re.compile(r"(?:^|\s)xmlns(?::([^\s=]+))?\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def unescape(value: str) -> str:
    """Resolve the five predefined entities and character references."""
    if "&" not in value:
        return value

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref.startswith("#x"):
            return chr(int(ref[2:], 16))
        if ref.startswith("#"):
            return chr(int(ref[1:]))
        return _ENTITIES[ref]

    return _ENTITY.sub(one, value)


class _Frame:
    """An open element.  Runs of character data are kept only for redacted ones."""

    __slots__ = ("has_child", "qname", "redact", "runs", "scope", "secret_args")

    def __init__(self, qname: str, scope: dict[str, str], redact: bool, secret_args: bool) -> None:
        self.qname = qname
        self.scope = scope
        self.redact = redact
        self.secret_args = secret_args
        self.runs: list[tuple[int, int]] = []
        self.has_child = False


@dataclass(frozen=True, slots=True)
class _Targets:
    """Elements (by document order of start tags) and attributes picked by XPath rules."""

    elements: frozenset[int] = frozenset()
    attributes: frozenset[tuple[int, str]] = frozenset()


_NO_TARGETS = _Targets()


class DoctypeFound(Exception):
    """The document has a DOCTYPE: entities could carry secrets anywhere."""


def redact_xml_text(
    text: str,
    rules: CompiledRules,
    targets: _Targets | None = None,
    collect: Callable[[str], None] | None = None,
) -> str:
    """Return ``text`` with secret values replaced; raises DoctypeFound on a DOCTYPE.

    ``collect`` receives each hidden value raw, and again with references resolved
    when that reads differently.
    """
    spans = _secret_spans(text, rules, targets or _NO_TARGETS, _decode_name(text))
    if collect is None:
        return splice(text, spans)

    def both(raw: str) -> None:
        collect(raw)
        # Most values hold no CDATA section: no substitution to set up for them.
        plain = unescape(_CDATA.sub(_cdata_text, raw) if "<![CDATA[" in raw else raw)
        if plain != raw:
            collect(plain)

    return splice(text, spans, both)


def _cdata_text(m: re.Match[str]) -> str:
    return m.group(1)


def _decode_name(text: str) -> bool:
    # Text decoded as latin-1 from UTF-8 bytes carries non-ASCII names as mojibake;
    # they are re-decoded before being compared with rules.
    return not text.isascii()


def _fix(name: str, mojibake: bool) -> str:
    if mojibake and not name.isascii():
        try:
            return name.encode("latin-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return name
    return name


def _secret_spans(text: str, rules: CompiledRules, targets: _Targets, mojibake: bool) -> list[Span]:
    if (
        (mojibake and not rules.ascii_names)
        or rules.element_clark
        or rules.attribute_clark
        or targets.elements
        or targets.attributes
    ):
        return _scan(
            text, 0, rules, targets, mojibake, _candidate_hits(text, rules), subtree=False
        )[0]
    first, last = _name_bounds(text, rules, mojibake)
    if last < 0:
        return []
    # Fast path: one C-level regex match skips every stretch of markup that cannot
    # hold a secret (no secret element name, no candidate attribute); only the
    # interesting elements are walked in Python, each as its own subtree.
    spans: list[Span] = []
    # In an ASCII text the skip pattern also takes the secret element it stops at,
    # when that holds only character data (a Password, a Nonce): see _step_pattern.
    step = not mojibake
    boring = _step_pattern(rules) if step else _boring_pattern(rules)
    # Markup before the first name is skipped without the pattern, whose cost per
    # character is many times that of the substring searches placing the name.
    pos = _tag_before(text, first) if step else 0
    size = len(text)
    while True:
        if pos > last:
            # Every span comes from a tag at or after pos naming a secret, and no
            # such name starts past ``last``: the rest of the body is left as it is.
            return spans
        skipped = boring.match(text, pos)
        if skipped is not None:
            if step and (start := skipped.start("value")) >= 0:
                if skipped.end("value") > start:
                    spans.append((start, skipped.end("value"), REDACTED))
                pos = skipped.end()
                continue
            pos = skipped.end()
        if pos >= size:
            return spans
        m = _TOKEN.match(text, pos)
        if m is None:
            pos += 1  # a stray "<": character data outside any secret element
            continue
        if m.lastgroup == "doctype":
            raise DoctypeFound
        if m.lastgroup != "attrs":
            pos = m.end()
            continue
        finished = _finish_tag(text, m, rules, targets, mojibake, spans)
        if finished:
            pos = finished
            continue
        # The boring pattern already passed over every tag without a candidate
        # attribute, so inside a subtree each tag's attributes are parsed (hits=None).
        found, end = _scan(text, pos, rules, targets, mojibake, None, subtree=True)
        spans.extend(found)
        pos = max(end, m.end())


_NEEDLES: dict[tuple[frozenset[str], frozenset[str]], tuple[str, ...]] = {}


def _needles(rules: CompiledRules) -> tuple[str, ...]:
    """Lower-case substrings of which every secret element or attribute name (a query
    ``property``, a DOCTYPE) holds at least one, in any case."""
    key = (rules.element_locals, rules.attribute_locals)
    needles = _NEEDLES.get(key)
    if needles is None:
        names = {
            *SECRET_ELEMENTS_CI,
            *SECRET_ELEMENTS_EXACT,
            *SECRET_NAMES_CI,
            *SECRET_NAMES_EXACT,
            *rules.element_locals,
            *rules.attribute_locals,
            "property",
            "<!doctype",
        }
        lowered_names = {n.lower() for n in names}
        # A name holding another one ("apikey" holds "key") is found through it.
        # Names sharing a stem ("passwd", "password") are found through the stem.
        stemmed = {next((s for s in _STEMS if s in n), n) for n in lowered_names}
        kept = {n for n in stemmed if not any(m != n and m in n for m in stemmed)}
        # The names most documents hold come first: once one is found, every later
        # search only looks behind it (see _name_bounds).
        needles = tuple(sorted(kept, key=lambda n: (n not in _USUAL, n)))
        _NEEDLES[key] = needles
    return needles


# The secret names of Boomi's traffic: a UsernameToken's Password and Nonce, an
# ApiKey's key.
_USUAL = frozenset({"key", "nonce", "passw"})
# Stems of several built-in names each: one search instead of one per name.
_STEMS = ("passw", "access", "refresh")


def _name_bounds(text: str, rules: CompiledRules, mojibake: bool) -> tuple[int, int]:
    """Where the first and the last occurrence of a secret name (see :func:`_needles`)
    start in ``text``, in any case; (-1, -1) when there is none: then nothing can be
    redacted, and a body without secrets (most responses) costs a few substring
    searches.

    Only an ASCII text gives exact positions: a non-ASCII one (whose lower-casing
    may move characters, and whose names are re-decoded before being compared) gets
    (0, its length) when a name occurs, so that it is walked from start to end."""
    lowered = text.lower()
    usual, rare, longest = _needle_groups(rules)
    if mojibake:
        for needle in (*usual, *rare):
            if needle in lowered:
                return 0, len(text)
        return -1, -1
    # Each search only looks past the last name found so far: the later a name
    # stands, the shorter the searches after it. The rare names are first looked for
    # with "in" on the rest of the text, which costs less than a bounded search.
    rfind = lowered.rfind
    last = -1
    for needle in usual:
        at = rfind(needle, last + 1)
        if at > last:
            last = at
    tail = lowered[last + 1 :] if last >= 0 else lowered
    for needle in rare:
        if needle in tail:
            at = rfind(needle, last + 1)
            if at > last:
                last = at
                tail = lowered[last + 1 :]
    if last < 0:
        return -1, -1
    # The first occurrence, searched the same way from the other end: only before
    # the first one found so far.
    find = lowered.find
    first = last
    for needle in usual:
        at = find(needle, 0, first + len(needle) - 1)
        if 0 <= at < first:
            first = at
    head = lowered[: first + longest - 1]
    for needle in rare:
        if needle in head:
            at = find(needle, 0, first + len(needle) - 1)
            if 0 <= at < first:
                first = at
                head = lowered[: first + longest - 1]
    return first, last


_Groups = tuple[tuple[str, ...], tuple[str, ...], int]
_GROUPS: dict[tuple[str, ...], _Groups] = {}


def _needle_groups(rules: CompiledRules) -> _Groups:
    """The needles (:func:`_needles`) of the names most documents hold, the others,
    and the length of the longest."""
    needles = _needles(rules)
    groups = _GROUPS.get(needles)
    if groups is None:
        groups = (
            tuple(n for n in needles if n in _USUAL),
            tuple(n for n in needles if n not in _USUAL),
            max(map(len, needles), default=0),
        )
        _GROUPS[needles] = groups
    return groups


def _tag_before(text: str, at: int) -> int:
    """A position at or before ``at`` from which the fast path reads ``text`` as it
    would from its start, given that no secret name occurs before ``at``: the "<"
    last before it when that starts a token, else 0.

    That "<" starts a token unless it lies inside one: a comment, PI, CDATA section
    or DOCTYPE begun before it (each "<!--" and "<?" before it must be closed before
    it, and no other "<!" may come first), or an end tag whose name runs into it
    ("</a<b>": the character before it must be ">" or a space). A start tag holds no
    "<". The tokens before it are then the ones the skip pattern passes over: none
    holds a secret name, so each is skipped, and the pattern's repetition reaches
    the "<" as a boundary whether it starts there or at 0."""
    c = text.rfind("<", 0, at + 1)
    if c <= 0 or text[c - 1] not in _BEFORE_TAG:
        return 0
    for opener, closer in (("<!", "-->"), ("<?", "?>")):
        q = text.find(opener, 0, c)
        while q >= 0:
            if opener == "<!" and not text.startswith("<!--", q):
                return 0
            # Where the token begun here would end; every occurrence is checked, so
            # one inside another token is only a needless test.
            end = text.find(closer, q + len(opener) + (2 if opener == "<!" else 0))
            if end < 0 or end + len(closer) > c:
                return 0
            q = text.find(opener, q + 1, c)
    return c


# Characters no end tag name holds (\s for ASCII, shortened to the usual ones) and ">".
_BEFORE_TAG = frozenset("> \t\r\n")


_END_AT = re.compile(r"</([^\s>]*+)\s*+>")


def _finish_tag(
    text: str,
    m: re.Match[str],
    rules: CompiledRules,
    targets: _Targets,
    mojibake: bool,
    spans: list[Span],
) -> int:
    """The common cases of a start tag the fast path stopped at, finished without the
    walk; returns where to go on, or 0 when the walk must decide.

    An ordinary element with a secret attribute (an ApiKey's ``key``): the values are
    hidden, go on after the tag. A secret element holding only character data (a
    Password, a Nonce): the content is hidden, go on after its end tag. Children,
    CDATA, comments or a query expression on a secret property need the walk.
    """
    qname = m.group("start")
    a_start, a_end = m.span("attrs")
    after = m.end()
    local = qname[qname.rfind(":") + 1 :]  # after the last colon, as _scan reads it
    if not rules.element_is_secret(_fix(local, mojibake) if mojibake else local, None):
        found: list[Span] = []
        if _tag_attributes(text, a_start, a_end, rules, targets, mojibake, found):
            return 0
        spans.extend(found)
        return after
    if text[after - 2] == "/":
        return 0
    close = text.find("<", after)
    end = _END_AT.match(text, close) if close >= 0 else None
    if end is None or end.group(1) != qname:
        return 0
    _tag_attributes(text, a_start, a_end, rules, targets, mojibake, spans)
    if close > after:
        spans.append((after, close, REDACTED))
    return end.end()


def _scan(
    text: str,
    begin: int,
    rules: CompiledRules,
    targets: _Targets,
    mojibake: bool,
    hits: list[int] | None,
    *,
    subtree: bool,
) -> tuple[list[Span], int]:
    """Walk every token from ``begin``; with ``subtree``, only the element starting
    there (stopping right after its start tag when it cannot hide content).
    Returns the spans and where the walk stopped."""
    spans: list[Span] = []
    stack: list[_Frame] = []
    root_scope: dict[str, str] = {"xml": XML_NS}
    # Namespace scopes only matter to rules that name a namespace; the built-in ones
    # match local names in any namespace, so the common case skips all bookkeeping.
    ns_rules = bool(rules.element_clark or rules.attribute_clark or targets.attributes)
    # Positions of "name=" that could be a secret attribute, found in one C-level pass;
    # a start tag is parsed attribute by attribute only when it holds one of them.
    attr_elements = {i for i, _ in targets.attributes}
    run_start = -1
    run_end = -1
    element_index = 0
    pos = begin
    top: _Frame | None = None

    def finish(frame: _Frame) -> None:
        for start, end in frame.runs:
            # Indentation between child elements is layout, not a value.
            if frame.has_child and text[start:end].isspace():
                continue
            spans.append((start, end, REDACTED))

    for m in _TOKEN.finditer(text, begin):
        start = m.start()
        kind = m.lastgroup
        if top is not None and top.redact:
            if start > pos and run_start < 0:
                run_start = pos
            if kind == "cdata":
                if run_start < 0:
                    run_start = start
                run_end = pos = m.end()
                continue
            if start > pos:
                run_end = start
            if run_start >= 0:
                top.runs.append((run_start, run_end))
                run_start = -1
        pos = m.end()
        if kind == "attrs":  # the last group of a start tag
            a_start, a_end = m.span("attrs")
            qname = m.group("start")
            scope = top.scope if top is not None else root_scope
            if ns_rules and "xmlns" in m.group("attrs"):
                scope = _declare(text, a_start, a_end, scope, mojibake)
            prefix, _, local = qname.rpartition(":")
            if mojibake:
                local = _fix(local, mojibake)
            uri = (scope.get(prefix) or None) if ns_rules else None
            redact = (
                (top is not None and (top.redact or (top.secret_args and local == "argument")))
                or rules.element_is_secret(local, uri)
                or element_index in targets.elements
            )
            secret_args = False
            if (
                hits is None
                or (hits and _any_between(hits, a_start, a_end))
                or element_index in attr_elements
            ):
                secret_args = _attributes(
                    text, a_start, a_end, scope, rules, targets, element_index, spans, mojibake,
                    ns_rules,
                )  # fmt: skip
            if top is not None:
                top.has_child = True
            element_index += 1
            if text[pos - 2] != "/":
                top = _Frame(qname, scope, redact, secret_args)
                stack.append(top)
            if subtree and len(stack) <= 1 and not (stack and (redact or secret_args)):
                return spans, pos
        elif kind == "end":
            name = m.group("end")
            if top is not None and top.qname == name:
                stack.pop()
                if top.redact:
                    finish(top)
                top = stack[-1] if stack else None
                if subtree and top is None:
                    return spans, pos
                continue
            for depth in range(len(stack) - 1, -1, -1):
                if stack[depth].qname == name:
                    while len(stack) > depth:
                        done = stack.pop()
                        if done.redact:
                            finish(done)
                    break
            top = stack[-1] if stack else None
            if subtree and top is None:
                return spans, pos
        elif kind == "doctype":
            raise DoctypeFound
    if top is not None and top.redact:
        if pos < len(text):
            run_start = pos if run_start < 0 else run_start
            run_end = len(text)
        if run_start >= 0:
            top.runs.append((run_start, run_end))
    while stack:
        done = stack.pop()
        if done.redact:
            finish(done)
    return spans, len(text)


_CANDIDATES: dict[frozenset[str], re.Pattern[str]] = {}  # by the user's attribute names


def _candidate_hits(text: str, rules: CompiledRules) -> list[int] | None:
    """Positions of every ``name=`` whose name might be a secret attribute (or a query
    filter's ``property``), found in one pass over the lower-cased text; None when
    positions cannot be trusted and every tag must be parsed."""
    key = rules.attribute_locals | {local for _, local in rules.attribute_clark}
    pattern = _CANDIDATES.get(key)
    if pattern is None:
        names = {*SECRET_NAMES_CI, *SECRET_NAMES_EXACT, "property", *key}
        lowered_names = {n.lower() for n in names}
        alternatives = "|".join(
            sorted((re.escape(n) for n in lowered_names), key=len, reverse=True)
        )
        # Case-insensitive regexes are several times slower than lower() plus a
        # case-sensitive one; the leading [\s:] anchors at the start of a local name.
        pattern = re.compile(rf"[\s:](?:{alternatives})\s*+=")
        _CANDIDATES[key] = pattern
    lowered = text.lower()
    if len(lowered) != len(text):  # a few non-latin-1 characters change length
        return None
    return [m.start() + 1 for m in pattern.finditer(lowered)]


_Patterns = tuple[re.Pattern[str], re.Pattern[str]]
# Every "prefix:" of an element name, taken whole: what follows is its local name
# as _scan reads it (after the last colon).
_LAST_LOCAL = r"(?:[^\s<>/:]*+:)*+"
_BORING: dict[tuple[frozenset[str], frozenset[str]], _Patterns] = {}


def _alternatives(names: set[str]) -> str:
    return "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))


def _guard(names: set[str], guard: str) -> str:
    # An empty name (a rule's) starts with any character: no guard can stand for it.
    return "" if "" in names else guard


def _initials(names: Iterable[str]) -> str:
    """A character class body holding the first character of every name."""
    return "".join(sorted({_class_escape(n[0]) for n in names if n}))


def _class_escape(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


def _boring_pattern(rules: CompiledRules) -> re.Pattern[str]:
    """Matches a stretch of character data, comments, PIs, CDATA, end tags and start
    tags that neither have a secret element name nor a candidate attribute name."""
    return _skip_patterns(rules)[0]


def _step_pattern(rules: CompiledRules) -> re.Pattern[str]:
    """The boring pattern, then, where it stops, a whole secret element holding only
    character data: a start tag of a secret element name without any candidate
    attribute (as the boring pattern reads attributes), its character data (group
    ``value``, possibly empty) and its own end tag right after. That is the case
    _finish_tag hides without the walk, and it hides exactly that span; anything else
    leaves the group out and is taken from the boring pattern's end as before.

    For ASCII texts only: the element name is matched as element_is_secret compares
    it (the case-insensitive names through their ASCII case variants)."""
    return _skip_patterns(rules)[1]


def _case_variants(name: str) -> str:
    """A pattern matching, in an ASCII text, exactly the names whose lower() is
    ``name``."""
    return "".join(
        f"[{ch}{ch.upper()}]" if ch.isascii() and ch.isalpha() else re.escape(ch) for ch in name
    )


def _skip_patterns(rules: CompiledRules) -> _Patterns:
    key = (rules.element_locals, rules.attribute_locals)
    patterns = _BORING.get(key)
    if patterns is None:
        exact_names = {*SECRET_ELEMENTS_EXACT, *rules.element_locals}
        attr_names = {*SECRET_NAMES_CI, *SECRET_NAMES_EXACT, "property", *rules.attribute_locals}
        exact = _alternatives(exact_names)
        ci = _alternatives(set(SECRET_ELEMENTS_CI))
        attrs = _alternatives(attr_names)
        # Each alternation is guarded by the class of its names' first characters
        # (same flags, so it admits exactly the characters the alternation can start
        # with): most names are turned away by one test instead of one per name.
        element = (
            _guard(
                exact_names,
                rf"(?=[{_initials(exact_names)}]|(?i:[{_initials(SECRET_ELEMENTS_CI)}]))",
            )
            + rf"(?:(?i:{ci})|{exact})"
        )
        attribute = _guard(attr_names, rf"(?=(?i:[{_initials(attr_names)}]))") + rf"(?i:{attrs})"
        # Namespace declarations, which _attributes never hides, skip the name test.
        attributes = (
            r"(?:\s++(?:xmlns(?::[^\s=<>/\"']*+)?(?=[\s=])"
            rf"|(?!(?:[^\s=<>/:]*+:)?{attribute}\s*+=)[^\s=<>/\"']++)\s*+=\s*+"
            r"(?:\"[^\"<]*+\"|'[^'<]*+'))*+"
        )
        start_tag = (
            rf"<(?!{_LAST_LOCAL}{element}[\s/>])[^\s<>/!?][^\s<>/]*+"
            rf"{attributes}\s*+/?>"
        )
        # End tags as _TOKEN reads them: a "</" whose name runs into another tag
        # ("</<Password>") is no end tag, and must not hide that tag.
        skip = (
            r"(?:[^<]++|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|</[^\s>]*+\s*+>|"
            + start_tag
            + r")*+"
        )
        secret_name = "|".join(
            sorted(
                [_case_variants(n) for n in SECRET_ELEMENTS_CI]
                # A name holding a colon is never an element's local name.
                + [re.escape(n) for n in exact_names if ":" not in n],
                key=len,
                reverse=True,
            )
        )
        element_text = (
            rf"(?:<(?=[^\s<>/!?])(?P<qname>{_LAST_LOCAL}(?:{secret_name}))(?=[\s>])"
            rf"{attributes}\s*+>(?P<value>[^<]*+)</(?P=qname)\s*+>)?"
        )
        patterns = (re.compile(skip, re.S), re.compile(skip + element_text, re.S))
        _BORING[key] = patterns
    return patterns


def _any_between(hits: list[int], start: int, end: int) -> bool:
    i = bisect_left(hits, start - 1)
    return i < len(hits) and hits[i] < end


def _declare(
    text: str, start: int, end: int, scope: dict[str, str], mojibake: bool
) -> dict[str, str]:
    """The scope in force inside a tag that may declare namespaces."""
    inner = dict(scope)
    for d in _XMLNS.finditer(text, start, end):
        value = d.group(2) if d.group(2) is not None else d.group(3)
        inner[d.group(1) or ""] = _fix(unescape(value), mojibake)
    return inner


_ATTRIBUTE_CANDIDATES: dict[frozenset[str], frozenset[str]] = {}


def _attribute_candidates(rules: CompiledRules) -> frozenset[str]:
    """Lower-cased, every local name _attributes acts on without namespaced rules:
    the secret names, the rules' attribute names, and ``property``."""
    found = _ATTRIBUTE_CANDIDATES.get(rules.attribute_locals)
    if found is None:
        names = {*SECRET_NAMES_EXACT, *SECRET_NAMES_CI, *rules.attribute_locals, "property"}
        found = frozenset(n.lower() for n in names)
        _ATTRIBUTE_CANDIDATES[rules.attribute_locals] = found
    return found


def _attributes(
    text: str,
    start: int,
    end: int,
    scope: dict[str, str],
    rules: CompiledRules,
    targets: _Targets,
    index: int,
    spans: list[Span],
    mojibake: bool,
    ns_rules: bool,
) -> bool:
    """Add spans of secret attribute values; True when the tag is a query expression
    on a secret property (its ``argument`` children then carry the secret)."""
    secret_args = False
    # Without namespaced rules only a few local names (in any case) can matter: the
    # others are passed over with one lookup.
    candidates = None if ns_rules else _attribute_candidates(rules)
    for a in _ATTR.finditer(text, start, end):
        aname = a.group(1)
        alocal = aname[aname.find(":") + 1 :]
        if mojibake:
            alocal = _fix(alocal, mojibake)
        if candidates is not None and alocal.lower() not in candidates:
            continue
        if _attribute(a, aname, alocal, scope, rules, targets, index, spans, ns_rules):
            secret_args = True
    return secret_args


def _attribute(
    a: re.Match[str],
    aname: str,
    alocal: str,
    scope: dict[str, str],
    rules: CompiledRules,
    targets: _Targets,
    index: int,
    spans: list[Span],
    ns_rules: bool,
) -> bool:
    """One attribute (groups as _ATTR's): a span when its value is secret; True when
    it is the ``property`` of a query expression on a secret property."""
    group = 2 if a.group(2) is not None else 3
    if alocal == "xmlns" or aname.startswith("xmlns:"):
        return False
    if is_secret_name(alocal) or alocal in rules.attribute_locals:
        spans.append((a.start(group), a.end(group), REDACTED))
    elif ns_rules and (apfx := aname[: max(aname.find(":"), 0)]):
        auri = scope.get(apfx)
        clark = f"{{{auri}}}{alocal}" if auri else alocal
        if rules.attribute_is_secret(alocal, auri) or (index, clark) in targets.attributes:
            spans.append((a.start(group), a.end(group), REDACTED))
    elif ns_rules and (index, alocal) in targets.attributes:
        spans.append((a.start(group), a.end(group), REDACTED))
    elif alocal == "property" and ":" not in aname and is_secret_name(unescape(a.group(group))):
        return True
    return False


def _tag_attributes(
    text: str,
    start: int,
    end: int,
    rules: CompiledRules,
    targets: _Targets,
    mojibake: bool,
    spans: list[Span],
) -> bool:
    """:func:`_attributes` of a tag outside any namespace scope, as the fast path
    reads it."""
    if mojibake or not rules.ascii_names:
        return _attributes(text, start, end, {}, rules, targets, -1, spans, mojibake, False)
    return _candidate_attributes(text, start, end, rules, spans)


def _candidate_attributes(
    text: str, start: int, end: int, rules: CompiledRules, spans: list[Span]
) -> bool:
    """What :func:`_attributes` does without namespaced rules, for an ASCII text and
    ASCII rule names: one regular expression match passes over the attributes that
    are no candidates (as _ATTR.finditer reads them) and stops at the next one."""
    pattern = _next_candidate(rules)
    needles = _needles(rules)
    secret_args = False
    a = pattern.match(text, start, end)
    while a is not None:
        aname = a.group(1)
        alocal = aname[aname.find(":") + 1 :]
        if _attribute(a, aname, alocal, {}, rules, _NO_TARGETS, -1, spans, False):
            secret_args = True
        # Every candidate holds a needle: where none is left, neither is a candidate,
        # and the substring searches cost a fraction of the pattern passing the rest.
        pos = a.end()
        rest = text[pos:end].lower()
        a = pattern.match(text, pos, end) if any(n in rest for n in needles) else None
    return secret_args


_NEXT_CANDIDATE: dict[frozenset[str], re.Pattern[str]] = {}
_NAME_CHAR = r"[^\s=/>\"']"
# _ATTR without its groups.
_ANY_ATTR = _NAME_CHAR + r"""+\s*=\s*(?:"[^"]*"|'[^']*')"""


def _trie(names: Iterable[str]) -> str:
    """An expression matching exactly ``names``, each character tried once: sharing
    their first characters, most names are turned away by one test instead of one
    per name."""
    by_first: dict[str, list[str]] = {}
    for n in names:
        by_first.setdefault(n[:1], []).append(n[1:])
    branches = [
        re.escape(first) + (_trie(rests) if rests != [""] else "")
        for first, rests in sorted(by_first.items(), reverse=True)
    ]
    # An empty name (and an empty rest) sorts last: the longer ones are tried first.
    return "(?:" + "|".join(branches) + ")"


def _next_candidate(rules: CompiledRules) -> re.Pattern[str]:
    """From where _ATTR.finditer would look next: every attribute it would find that is
    no candidate (see :func:`_attribute_candidates`), every character where it finds
    none, then the candidate it finds next, with _ATTR's groups.

    A candidate's local name follows the first colon, and is compared ignoring case,
    which for ASCII names is what lower() and the candidates' set do."""
    pattern = _NEXT_CANDIDATE.get(rules.attribute_locals)
    if pattern is None:
        names = _trie(_attribute_candidates(rules))
        # Only a non-empty name is one (an empty candidate is the local name of "p:").
        name = rf"(?={_NAME_CHAR})(?:[^\s=/>\"':]*+:)?+(?i:{names})"
        value = r"""\s*=\s*(?:"([^"]*)"|'([^']*)')"""
        candidate = rf"{name}\s*=\s*(?:\"[^\"]*\"|'[^']*')"
        # Spaces start no name: finditer passes over them one by one, this all at once.
        pattern = re.compile(
            rf"(?:\s*+(?!{candidate})(?:{_ANY_ATTR}|.))*+\s*+({name}){value}", re.S
        )
        _NEXT_CANDIDATE[rules.attribute_locals] = pattern
    return pattern


def xpath_targets(data: bytes, rules: CompiledRules) -> _Targets:
    """Elements and attributes the XPath rules select, located on a parsed copy.

    Raises xmlsafe.UnsafeXMLError when the document cannot be parsed safely.
    """
    if not rules.xpaths:
        return _Targets()
    root = xmlsafe.parse(data)
    order: dict[Any, int] = {el: i for i, el in enumerate(root.iter(etree.Element))}
    elements: set[int] = set()
    attributes: set[tuple[int, str]] = set()
    for expr in rules.xpaths:
        result = root.xpath(expr, namespaces=dict(rules.namespaces))
        for item in result if isinstance(result, list) else []:
            if isinstance(item, etree._Element):
                if item in order:
                    elements.add(order[item])
            elif getattr(item, "is_attribute", False):
                attributes.add((order[item.getparent()], str(item.attrname)))
            elif getattr(item, "is_text", False) and item.getparent() in order:
                elements.add(order[item.getparent()])
    return _Targets(frozenset(elements), frozenset(attributes))
