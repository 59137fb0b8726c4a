"""The one hardened XML parser every component uses on bytes from the network.

No DTD is loaded, no entity is expanded, nothing is fetched, and depth and size are
bounded: a document that needs any of these is refused, never partly processed.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .errors import BoomiError
from .redact import scrub

MAX_DEPTH = 256
MAX_BYTES = 10 * 1024 * 1024


class UnsafeXMLError(BoomiError):
    """The document is not well-formed, or uses a feature refused for safety."""

    def __init__(self, reason: str) -> None:
        # libxml2's reason may quote the document (a server's echo of a secret).
        reason = scrub(reason)
        super().__init__(f"XML refused: {reason}")
        self.reason = reason


def _new_parser() -> Any:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )


def parse(data: bytes, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``data`` into an lxml element, refusing DTDs, entities and oversize input."""
    if not isinstance(data, bytes | bytearray):
        raise UnsafeXMLError("expected bytes")
    if len(data) > max_bytes:
        raise UnsafeXMLError(f"document of {len(data)} bytes exceeds {max_bytes}")
    # A DOCTYPE is never legitimate in SOAP (SOAP 1.1 section 3); refusing it outright
    # removes XXE, external DTDs and entity expansion attacks in one check.
    # XML keywords are case-sensitive and ENTITY can only appear inside a DOCTYPE.
    if b"<!DOCTYPE" in data:
        raise UnsafeXMLError("a DOCTYPE or ENTITY declaration is not allowed")
    try:
        # lxml parsers are not thread-safe to share; a fresh one per call is cheap.
        root = etree.fromstring(bytes(data), parser=_new_parser())
    except etree.XMLSyntaxError as exc:
        raise UnsafeXMLError(f"not well-formed: {exc.msg}") from None
    if root is None:
        raise UnsafeXMLError("empty document")
    # The byte check above only sees an ASCII-compatible DOCTYPE: one written in UTF-16 or
    # UTF-32 passes it. The parser has neither loaded nor expanded anything (see
    # _new_parser), but the promise is that a DOCTYPE is refused whatever the encoding.
    if root.getroottree().docinfo.doctype:
        raise UnsafeXMLError("a DOCTYPE or ENTITY declaration is not allowed")
    _check_depth(root, max_depth)
    return root


def _check_depth(root: Any, max_depth: int) -> None:
    # iterwalk is a C loop; counting start/end events keeps the check linear.
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        if event == "start":
            depth += 1
            if depth > max_depth:
                raise UnsafeXMLError(f"nesting deeper than {max_depth} elements")
        else:
            depth -= 1
