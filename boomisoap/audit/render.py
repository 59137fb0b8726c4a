"""Human-readable renderings of records for the command line."""

from __future__ import annotations

import json

from .record import AuditRecord, format_time


def body_text(body: bytes | None) -> str:
    if body is None:
        return "(none)"
    if not body:
        return "(empty)"
    return body.decode("utf-8", "replace")


def pretty_text(body: bytes | None) -> str:
    """A body for reading and diffing: XML and JSON indented, anything else as text.

    Two answers that differ only in layout (one line vs indented, attribute spacing)
    give the same text, so a diff shows what changed, not how it was written.
    """
    if not body:
        return body_text(body)
    stripped = body.lstrip()
    if stripped[:1] in (b"{", b"["):
        try:
            return json.dumps(json.loads(body), ensure_ascii=False, indent=2)
        except ValueError:
            return body_text(body)
    if stripped[:1] == b"<":
        from lxml import etree

        from ..xmlsafe import UnsafeXMLError, parse

        try:
            root = parse(body)
        except UnsafeXMLError:
            return body_text(body)
        for element in root.iter():
            if element.text is not None and not element.text.strip() and len(element):
                element.text = None
            if element.tail is not None and not element.tail.strip():
                element.tail = None
        return str(etree.tostring(root, encoding="unicode", pretty_print=True)).rstrip("\n")
    return body_text(body)


def summary_line(r: AuditRecord) -> str:
    ids = ",".join(r.object_ids) or "-"
    return (
        f"{r.seq:>7} {r.stream} {format_time(r.started_at)} {r.service}.{r.operation} "
        f"{r.method} {r.status if r.status is not None else '-'} {r.outcome} "
        f"obj={r.object_type or '-'}:{ids} cid={r.correlation_id}"
    )


def full_text(r: AuditRecord) -> str:
    lines = [
        f"record {r.seq} of stream {r.stream}  ({r.alg})",
        f"  hash      {r.hash}",
        f"  prev_hash {r.prev_hash}",
        f"  {r.service} {r.operation} over {r.wire}, attempt {r.attempt}, writer {r.writer}",
        f"  {r.method} {r.url}",
        f"  started {format_time(r.started_at)}, {r.duration:.3f}s, status "
        f"{r.status if r.status is not None else '-'}, outcome {r.outcome}",
        f"  correlation {r.correlation_id}",
    ]
    if r.object_type or r.object_ids or r.account_id:
        lines.append(
            f"  account {r.account_id or '-'}, {r.object_type or '-'} [{', '.join(r.object_ids)}]"
        )
    if r.fault_code or r.status_code is not None or r.error_class:
        lines.append(
            f"  fault {r.fault_code or '-'}, status code {r.status_code}, "
            f"error {r.error_class or '-'}"
        )
    lines.append("--- request headers")
    lines.extend(f"{k}: {v}" for k, v in r.request_headers)
    lines.append(f"--- request body ({len(r.request_body)} bytes)")
    lines.append(body_text(r.request_body))
    lines.append("--- response headers")
    lines.extend(f"{k}: {v}" for k, v in r.response_headers)
    size = "-" if r.response_body is None else str(len(r.response_body))
    lines.append(f"--- response body ({size} bytes)")
    lines.append(body_text(r.response_body))
    return "\n".join(lines)


def extension(body: bytes | None, content_type: str | None) -> str:
    """File extension for an exported body."""
    ctype = (content_type or "").lower()
    head = (body or b"").lstrip()[:1]
    if "json" in ctype or head in (b"{", b"["):
        return "json"
    if "xml" in ctype or head == b"<":
        return "xml"
    return "bin"
