"""Redaction of secrets in bodies, headers, URLs and free text before anything is kept.

Bodies are redacted by splicing (see xmlsplice and jsonsplice): the result is
byte-identical to the input except inside each secret value, which becomes
``REDACTED``.  Bodies are handled as latin-1 text, which maps every byte to one
character, so character spans are byte spans and UTF-8 multi-byte sequences pass
through untouched; UTF-16 documents are decoded and re-encoded with their own codec.

Every function takes an optional ``found`` set that collects the secret values it
hid (as bytes); :func:`scrub` then removes echoes of those values elsewhere in the
same exchange, e.g. a password repeated in a fault message or an API key from the
URL in an opaque body.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from urllib.parse import unquote_plus

from ..xmlsafe import UnsafeXMLError
from .jsonsplice import NotJSON, redact_json_pairs, redact_json_text
from .live import MIN_LENGTH, variants
from .live import scrub as scrub_values
from .markers import REDACTED
from .names import AUTH_SCHEMES, AUTHORIZATION, FREE_TEXT_NAMES, is_secret_name
from .rules import CompiledRules, RedactionRules
from .splice import Span, splice
from .xmlsplice import DoctypeFound, redact_xml_text, xpath_targets

# The logger of the audit trail, whose records this redaction mostly serves.
_log = logging.getLogger("boomisoap.audit")

Headers = tuple[tuple[str, str], ...]
MARK = REDACTED.encode("ascii")
# Shorter values are not scrubbed as echoes: too likely to hit unrelated text.
MIN_ECHO = 6

_AUTH_SCHEME = re.compile(r"^\s*([A-Za-z][A-Za-z0-9_-]*)\s+(\S.*)$", re.S)
_FORM_PAIR = re.compile(r"(?:^|(?<=[&;]))([^=&;]*)=([^&;]*)")
_URL_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/?#@:]*:)([^/?#@]*)@")
_URL_QUERY_PAIR = re.compile(r"([?&;])([^=&;#]*)=([^&;#]*)")
_TEXT_AUTH = re.compile(rf"(?i)\b({AUTH_SCHEMES})(\s+)([A-Za-z0-9._~+/=-]{{4,}})")
_TEXT_PAIR = re.compile(
    rf"(?i)\b({FREE_TEXT_NAMES})"
    r"([\"']?\s*[=:]\s*[\"']?)([^\s\"'&,;<>]+)"
)


def _rules(rules: RedactionRules | CompiledRules | None) -> CompiledRules:
    if isinstance(rules, CompiledRules):
        return rules
    return CompiledRules.build(rules)


def _adder(found: set[bytes] | None, codec: str = "utf-8") -> Callable[[str], None] | None:
    if found is None:
        return None

    def add(value: str) -> None:
        try:
            found.add(value.encode(codec))
        except UnicodeEncodeError:
            found.add(value.encode("utf-8"))

    return add


def _decode(data: bytes) -> tuple[str, str, bytes]:
    """(text, codec, bom): a text whose character spans map back through ``codec``."""
    utf16 = _UTF16.get(data[:2])
    if utf16 is not None:
        codec, bom = utf16
        try:
            return data[bom:].decode(codec), codec, data[:bom]
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1", b""


# The first two bytes of a UTF-16 document: its codec and the length of its BOM.
_UTF16 = {
    b"\xff\xfe": ("utf-16-le", 2),
    b"\xfe\xff": ("utf-16-be", 2),
    b"<\x00": ("utf-16-le", 0),
    b"\x00<": ("utf-16-be", 0),
}


def _first_char(text: str) -> str:
    for ch in text[:256]:
        if ch not in " \t\r\n\ufeffï»¿":
            return ch
    return ""


def redact_body(
    data: bytes | None,
    content_type: str | None = None,
    rules: RedactionRules | CompiledRules | None = None,
    found: set[bytes] | None = None,
) -> bytes | None:
    """Redact one request or response body; ``None`` and empty bodies pass through."""
    if not data:
        return data
    compiled = _rules(rules)
    text, codec, bom = _decode(bytes(data))
    collect = _adder(found, codec if codec == "latin-1" else "utf-8")
    first = _first_char(text)
    ctype = (content_type or "").lower()
    if first == "<" or (first not in "{[" and "xml" in ctype):
        out = _redact_xml(bytes(data), text, compiled, collect)
        if out is None:
            return MARK
    elif first in "{[" or "json" in ctype:
        try:
            out = redact_json_text(text, compiled.json_key_is_secret, collect)
        except (NotJSON, ValueError, RecursionError):
            out = redact_text(redact_json_pairs(text, compiled.json_key_is_secret, collect))
    elif "x-www-form-urlencoded" in ctype:
        out = _redact_form(text, collect)
    else:
        out = redact_text(text)
    return bom + out.encode(codec)


def _redact_xml(
    data: bytes, text: str, rules: CompiledRules, collect: Callable[[str], None] | None
) -> str | None:
    targets = None
    if rules.xpaths:
        try:
            targets = xpath_targets(data, rules)
        except UnsafeXMLError as exc:
            # Built-in and name rules still apply; only the XPath ones need a parse.
            _log.warning("audit redaction: XPath rules skipped, body not parseable: %s", exc.reason)
    try:
        return redact_xml_text(text, rules, targets, collect)
    except DoctypeFound:
        # Internal entities can move a secret anywhere; keep nothing of such a body.
        return None


def _with_unquoted(collect: Callable[[str], None] | None) -> Callable[[str], None] | None:
    if collect is None:
        return None

    def both(raw: str) -> None:
        collect(raw)
        collect(unquote_plus(raw))

    return both


def _redact_form(text: str, collect: Callable[[str], None] | None = None) -> str:
    spans: list[Span] = []
    for m in _FORM_PAIR.finditer(text):
        if is_secret_name(unquote_plus(m.group(1))):
            spans.append((m.start(2), m.end(2), REDACTED))
    return splice(text, spans, _with_unquoted(collect))


def _credentials(value: str, add: Callable[[str], None]) -> None:
    """Collect what an Authorization or Cookie value carries, for echo scrubbing."""
    add(value.strip())
    m = _AUTH_SCHEME.match(value)
    if m:
        add(m.group(2).strip())
        if m.group(1).lower() == "basic":
            try:
                user_pass = base64.b64decode(m.group(2).strip(), validate=True)
            except (binascii.Error, ValueError):
                return
            _, _, password = user_pass.decode("utf-8", "replace").partition(":")
            add(password)
    for part in value.split(";"):
        _, eq, cookie = part.partition("=")
        if eq:
            add(cookie.strip())


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]] | None,
    rules: RedactionRules | CompiledRules | None = None,
    found: set[bytes] | None = None,
) -> Headers:
    """Headers as (name, value) pairs in their order, secret values replaced.

    ``Authorization`` keeps its scheme (``Basic ***REDACTED***``) for diagnosis.
    """
    if headers is None:
        return ()
    compiled = _rules(rules)
    add = _adder(found)
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    out: list[tuple[str, str]] = []
    for name, value in pairs:
        name, value = str(name), str(value)
        if compiled.header_is_secret(name):
            if add is not None:
                _credentials(value, add)
            m = _AUTH_SCHEME.match(value) if AUTHORIZATION in name.lower() else None
            value = f"{m.group(1)} {REDACTED}" if m else REDACTED
        out.append((name, value))
    return tuple(out)


def redact_url(url: str, found: set[bytes] | None = None) -> str:
    """Hide a password in the user-info part and values of secret query parameters."""
    if "@" not in url and "?" not in url:
        return url  # neither a user-info part nor a query: nothing can be secret
    spans: list[Span] = []
    m = _URL_USERINFO.match(url)
    if m:
        spans.append((m.start(2), m.end(2), REDACTED))
    query_at = url.find("?")
    if query_at >= 0:
        for q in _URL_QUERY_PAIR.finditer(url, query_at):
            if is_secret_name(unquote_plus(q.group(2))):
                spans.append((q.start(3), q.end(3), REDACTED))
    return splice(url, spans, _with_unquoted(_adder(found)))


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Redact a free string (a log line, an exception excerpt).

    Removes every value in ``secrets`` (and its XML-escaped form), credentials after
    ``Bearer``/``Basic``, ``password=...``-style pairs, and secret XML values in any
    fragment of markup the string holds (even truncated).
    """
    if "<" in text:
        try:
            text = redact_xml_text(text, _rules(None))
        except DoctypeFound:
            return REDACTED
    text = _TEXT_AUTH.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _TEXT_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return _scrub_values(text, secrets)


def _scrub_values(text: str, secrets: Iterable[str]) -> str:
    # The given values in every escaped form; short ones too, as before (the caller
    # named them), which boomisoap.redact skips for the live secrets.
    secrets = [s for s in secrets if s]
    text = scrub_values(text, secrets, live=False)
    for secret in sorted((s for s in secrets if len(s) < MIN_LENGTH), key=len, reverse=True):
        escaped = secret.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace(escaped, REDACTED).replace(secret, REDACTED)
    return text


def echo_values(found: Iterable[bytes]) -> list[bytes]:
    """The collected values worth scrubbing elsewhere, longest first."""
    # bytes.find, not "in", here and below: "in" first tries its operand as an integer
    # byte and raises (and clears) a TypeError for every bytes operand, which costs
    # more than the search itself.
    # Of a value and the marker, only the shorter can lie inside the other.
    usable = {
        v
        for v in found
        if len(v.strip()) >= MIN_ECHO
        and (v.find(MARK) < 0 if len(v) >= len(MARK) else MARK.find(v) < 0)
    }
    return sorted(usable, key=len, reverse=True)


def scrub(data: bytes, values: list[bytes]) -> bytes:
    """Replace every occurrence of the (echo_values-filtered) secrets in ``data``."""
    for value in values:
        if data.find(value) >= 0:
            data = data.replace(value, MARK)
    return data


def scrub_str(text: str, values: list[bytes]) -> str:
    for value in values:
        secret = value.decode("utf-8", "replace")
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def scrub_headers(headers: Headers, echoes: list[bytes]) -> Headers:
    """Headers with the echoes of secrets (see :func:`echo_values`) removed from values."""
    joined = "\n".join(v for _, v in headers).encode("utf-8", "surrogatepass")
    if not any(joined.find(e) >= 0 for e in echoes):
        return headers
    return tuple((k, scrub_str(v, echoes)) for k, v in headers)


def scrub_echoes(
    url: str, headers: Headers, body: bytes, echoes: list[bytes]
) -> tuple[str, Headers, bytes]:
    """A redacted request's URL, headers and body with the echoes removed as well."""
    if not echoes or not echoed(echoes, url, headers, body):
        return url, headers, body
    return scrub_str(url, echoes), scrub_headers(headers, echoes), scrub(body, echoes)


def echoed(echoes: list[bytes], url: str, headers: Headers, body: bytes | None) -> bool:
    """Whether an echo may occur in a URL, headers and a body: False only when none
    does, and scrubbing them would then change nothing.

    One search per echo over all of them together, instead of one per echo in each
    part. A text holds an ASCII echo exactly when its UTF-8 form holds the same bytes;
    other echoes are compared as decoded text (see :func:`scrub_str`), so they are
    always looked for part by part."""
    if not all(echo.isascii() for echo in echoes):
        return True
    texts = "\n".join([url, *(value for _, value in headers)])
    joined = texts.encode("utf-8", "surrogatepass") + b"\n" + (body or b"")
    return any(joined.find(echo) >= 0 for echo in echoes)


def secret_forms(object_ids: Iterable[str], known: Iterable[str]) -> frozenset[bytes]:
    """Secret ids (ApiKey keys) and a client's known secrets, in every form a URL or a
    body may hold them, as bytes for the echo scrubbing."""
    return _secret_forms(tuple(object_ids), tuple(known))


@lru_cache(maxsize=256)
def _secret_forms(object_ids: tuple[str, ...], known: tuple[str, ...]) -> frozenset[bytes]:
    # Cached: a client sends the same few credentials with every exchange.
    return frozenset(v.encode("utf-8") for value in (*object_ids, *known) for v in variants(value))


def secret_field_values(body: bytes, content_type: str | None) -> list[str]:
    """The values a body holds under secret names (an ApiKey's ``key``), to be scrubbed
    by value wherever they are echoed later."""
    if not body:
        return []
    found: set[bytes] = set()
    redact_body(body, content_type, found=found)
    return [value.decode("utf-8", "replace") for value in found]


class Redactor:
    """Built-in rules plus ``rules``, compiled once and applied to every exchange."""

    def __init__(self, rules: RedactionRules | None = None) -> None:
        self.rules = CompiledRules.build(rules)

    def body(
        self, data: bytes | None, content_type: str | None, found: set[bytes] | None = None
    ) -> bytes | None:
        return redact_body(data, content_type, self.rules, found)

    def headers(
        self, headers: Mapping[str, str] | None, found: set[bytes] | None = None
    ) -> Headers:
        return redact_headers(headers, self.rules, found)

    @staticmethod
    def url(url: str, found: set[bytes] | None = None) -> str:
        return redact_url(url, found)


def content_type(headers: Mapping[str, str] | None) -> str | None:
    """The Content-Type value of a header mapping, whatever the case of its name."""
    if not headers:
        return None
    for name, value in headers.items():
        if name.lower() == "content-type":
            return value
    return None
