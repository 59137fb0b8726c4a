"""AuditRecord <-> JSON-ready dict, the line format of JSONL stores and exports."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from .chain import META_FIELDS, canonical_fields, pairs_text, strings_text
from .record import AuditRecord, Headers, format_time, parse_time
from .verify import Link

FORMAT = 1
# Where the decoded line holds a list that META carries as its JSON text.
_SEQ, _DURATION = META_FIELDS.index("seq"), META_FIELDS.index("duration")
_AS_TEXT = (
    (META_FIELDS.index("request_headers"), pairs_text),
    (META_FIELDS.index("response_headers"), pairs_text),
    (META_FIELDS.index("object_ids"), strings_text),
)


def _body_out(out: dict[str, object], name: str, body: bytes | None) -> None:
    if body is None:
        out[name] = None
        return
    try:
        # Text keeps a store greppable; bytes that are not UTF-8 go in base64.
        out[name] = body.decode("utf-8")
    except UnicodeDecodeError:
        out[name + "_b64"] = base64.b64encode(body).decode("ascii")


def _body_in(data: Mapping[str, Any], name: str) -> bytes | None:
    if name + "_b64" in data:
        return base64.b64decode(data[name + "_b64"], validate=True)
    value = data[name]
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name} is not a string")
    return value.encode("utf-8")


def _headers_in(value: Any) -> Headers:
    return tuple((str(k), str(v)) for k, v in value)


def record_to_dict(r: AuditRecord) -> dict[str, object]:
    out: dict[str, object] = {
        "format": FORMAT,
        "stream": r.stream,
        "seq": r.seq,
        "writer": r.writer,
        "alg": r.alg,
        "service": r.service,
        "operation": r.operation,
        "wire": r.wire,
        "method": r.method,
        "url": r.url,
        "request_headers": [list(p) for p in r.request_headers],
        "started_at": format_time(r.started_at),
        "duration": r.duration,
        "outcome": r.outcome,
        "correlation_id": r.correlation_id,
        "status": r.status,
        "response_headers": [list(p) for p in r.response_headers],
        "object_type": r.object_type,
        "object_ids": list(r.object_ids),
        "account_id": r.account_id,
        "fault_code": r.fault_code,
        "status_code": r.status_code,
        "error_class": r.error_class,
        "attempt": r.attempt,
        "prev_hash": r.prev_hash,
        "hash": r.hash,
    }
    _body_out(out, "request_body", r.request_body)
    _body_out(out, "response_body", r.response_body)
    return out


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def record_from_dict(d: Mapping[str, Any]) -> AuditRecord:
    """Rebuild a record; raises KeyError, TypeError or ValueError on a damaged dict."""
    request = _body_in(d, "request_body")
    if request is None:
        raise ValueError("request_body missing")
    return AuditRecord(
        seq=int(d["seq"]),
        stream=str(d["stream"]),
        writer=str(d["writer"]),
        alg=str(d["alg"]),
        service=str(d["service"]),
        operation=str(d["operation"]),
        wire=str(d["wire"]),
        method=str(d["method"]),
        url=str(d["url"]),
        request_headers=_headers_in(d["request_headers"]),
        request_body=request,
        started_at=parse_time(d["started_at"]),
        duration=float(d["duration"]),
        outcome=str(d["outcome"]),
        correlation_id=str(d["correlation_id"]),
        status=_opt_int(d["status"]),
        response_headers=_headers_in(d["response_headers"]),
        response_body=_body_in(d, "response_body"),
        object_type=_opt_str(d["object_type"]),
        object_ids=tuple(str(x) for x in d["object_ids"]),
        account_id=_opt_str(d["account_id"]),
        fault_code=_opt_str(d["fault_code"]),
        status_code=_opt_int(d["status_code"]),
        error_class=_opt_str(d["error_class"]),
        attempt=int(d["attempt"]),
        prev_hash=str(d["prev_hash"]),
        hash=str(d["hash"]),
    )


def link_from_dict(d: Mapping[str, Any]) -> Link:
    """What verify needs of a stored line, without building an AuditRecord: the
    canonical encoding comes straight from the decoded JSON (see chain.py)."""
    request = _body_in(d, "request_body")
    if request is None:
        raise ValueError("request_body missing")
    meta = [d[name] for name in META_FIELDS]
    meta[_SEQ] = int(meta[_SEQ])
    meta[_DURATION] = repr(float(meta[_DURATION]))
    for at, text in _AS_TEXT:
        meta[at] = text(meta[at])
    encoded = canonical_fields(meta, request, _body_in(d, "response_body"))
    return Link(int(d["seq"]), str(d["stream"]), str(d["alg"]), str(d["prev_hash"]),
                str(d["hash"]), encoded)  # fmt: skip
