"""The one hardened XML parser every component uses on bytes from the network.

No DTD is loaded, no entity is expanded, nothing is fetched or opened, and depth and size
are bounded: a document that needs any of these is refused, never partly processed.

The DOCTYPE rule is enforced on the text, whatever the encoding: the bytes are decoded
here (BOM, the XML 1.0 Appendix F byte patterns, then the declared encoding), a DOCTYPE
is refused before libxml2 sees anything, and libxml2 is then given UTF-8 with its own
encoding detection switched off, so it cannot read the document differently from this
check. Behind that, a resolver refuses every external reference libxml2 might still try
to open, before any file is touched, with one message whatever the file system holds.
"""

from __future__ import annotations

import codecs
import re
import threading
from typing import Any

from lxml import etree

from .errors import BoomiError
from .redact import scrub

MAX_DEPTH = 256
MAX_BYTES = 10 * 1024 * 1024

_DOCTYPE_REFUSED = "a DOCTYPE or ENTITY declaration is not allowed"
_BYTES = (bytes, bytearray)

# Longest match first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
# XML 1.0 Appendix F: without a BOM, the zero bytes around the first character tell the
# width and the byte order. Any printable first character counts, not only "<?xml".
_NO_BOM = (
    (re.compile(rb"\x00\x00\x00[^\x00]"), "utf-32-be"),
    (re.compile(rb"[^\x00]\x00\x00\x00"), "utf-32-le"),
    (re.compile(rb"\x00[^\x00]"), "utf-16-be"),
    (re.compile(rb"[^\x00]\x00"), "utf-16-le"),
)
_NOT_PLAIN = (b"\x00", b"?")
_DECLARED_BYTES = re.compile(rb"""\A<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")


class UnsafeXMLError(BoomiError):
    """The document is not well-formed, or uses a feature refused for safety."""

    def __init__(self, reason: str) -> None:
        # libxml2's reason may quote the document (a server's echo of a secret).
        reason = scrub(reason)
        super().__init__(f"XML refused: {reason}")
        self.reason = reason


class _External(Exception):
    """Raised by the resolver so that no external reference is ever opened."""


class _RefuseAll(etree.Resolver):  # type: ignore[misc]
    # lxml asks the parser's resolvers before libxml2's default loader opens anything;
    # raising here aborts the parse, so neither a file (a FIFO would block the thread)
    # nor a URL is touched, and the outcome cannot depend on whether the target exists.
    def resolve(self, system_url: Any, public_id: Any, context: Any) -> Any:
        raise _External


def _new_parser() -> Any:
    parser = etree.XMLParser(
        encoding="utf-8",  # the bytes handed over are always UTF-8 (see _utf8)
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )
    parser.resolvers.add(_RefuseAll())
    return parser


_PARSERS = threading.local()


def _parser() -> Any:
    """This thread's parser: lxml parsers must not be shared between threads, and building
    one (with its resolver) for every document costs more than the parse of a small one."""
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = _new_parser()
    return parser


def _encoding(data: bytes) -> tuple[str, int]:
    """The codec of ``data`` and the length of its BOM."""
    if data[:1] == b"<" and data[1:2] not in _NOT_PLAIN:
        # The common case: no BOM starts with "<", Appendix F's patterns need a zero byte
        # among the first two and a declaration starts "<?": plain UTF-8, as below.
        return "utf-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    head = data[:4]
    for pattern, name in _NO_BOM:
        if pattern.match(head):
            return name, 0
    declared = _DECLARED_BYTES.match(data[:512])
    if declared is None:
        return "utf-8", 0
    label = declared.group(1).decode("ascii")
    try:
        info = codecs.lookup(label)
    except LookupError:
        raise UnsafeXMLError(f"unsupported encoding {label!r}") from None
    if not getattr(info, "_is_text_encoding", True):
        raise UnsafeXMLError(f"unsupported encoding {label!r}")
    if info.name.startswith(("utf-16", "utf-32")):
        # A wide encoding declared over single-byte text: the declaration is false.
        raise UnsafeXMLError(f"the bytes do not match the declared encoding {label!r}")
    return info.name, 0


def _utf8(data: bytes) -> bytes:
    """``data`` as UTF-8, refused when it holds a DOCTYPE in any encoding."""
    name, bom = _encoding(data)
    if name == "utf-8":
        # XML keywords are case-sensitive and ENTITY can only appear inside a DOCTYPE.
        if b"<!DOCTYPE" in data:
            raise UnsafeXMLError(_DOCTYPE_REFUSED)
        return data
    try:
        text = data[bom:].decode(name)
    except (UnicodeDecodeError, LookupError):
        raise UnsafeXMLError(f"not well-formed: the bytes are not valid {name}") from None
    if "<!DOCTYPE" in text:
        raise UnsafeXMLError(_DOCTYPE_REFUSED)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeXMLError(f"not well-formed: the bytes are not valid {name}") from None


def parse(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` into an lxml element, refusing DTDs, entities and oversize input."""
    if not isinstance(data, _BYTES):
        raise UnsafeXMLError("expected bytes")
    if len(data) > max_bytes:
        raise UnsafeXMLError(f"document of {len(data)} bytes exceeds {max_bytes}")
    # A DOCTYPE is never legitimate in SOAP (SOAP 1.1 section 3); refusing it outright
    # removes XXE, external DTDs and entity expansion attacks in one check.
    utf8 = _utf8(bytes(data))
    try:
        root = etree.fromstring(utf8, parser=_parser())
    except _External:
        raise UnsafeXMLError(_DOCTYPE_REFUSED) from None
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"not well-formed: {exc.msg}") from None
    if root is None:
        raise UnsafeXMLError("empty document")
    if root.getroottree().docinfo.doctype:
        raise UnsafeXMLError(_DOCTYPE_REFUSED)
    # Each level of nesting opens with a "<": a document with no more than max_depth of
    # them cannot be too deep, and counting bytes is far cheaper than walking the tree.
    if utf8.count(b"<") > max_depth:
        _check_depth(root, max_depth)
    return root


def _check_depth(root: Any, max_depth: int) -> None:
    # One XPath that selects the elements at depth max_depth + 1 (the root is at depth 1):
    # libxml2 walks the tree level by level in C, where a Python loop over start and end
    # events cost as much as the schema validation of a 100-object answer.
    if _too_deep(max_depth)(root):
        raise UnsafeXMLError(f"nesting deeper than {max_depth} elements")


_DEPTH_CHECKS = threading.local()


def _too_deep(max_depth: int) -> Any:
    """This thread's compiled check for ``max_depth`` (compiled XPath expressions, like
    parsers, are kept per thread)."""
    checks: dict[int, Any] | None = getattr(_DEPTH_CHECKS, "checks", None)
    if checks is None:
        checks = _DEPTH_CHECKS.checks = {}
    check = checks.get(max_depth)
    if check is None:
        check = checks[max_depth] = etree.XPath("boolean(" + "/*" * (max_depth + 1) + ")")
    return check
