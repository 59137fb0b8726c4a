"""The hash chain: canonical encoding of a record and its (HMAC-)SHA-256 link.

Canonical encoding, version 1::

    canonical = MAGIC || SHA-256(request_body) || R || META
    MAGIC     = b"boomisoap-audit/1\n"
    R         = 0x00                            when response_body is None
              | 0x01 || SHA-256(response_body)  otherwise
    META      = UTF-8 of the compact JSON array (Python json.dumps with
                ensure_ascii=False, separators=(",", ":")) of, in this order:
                stream, seq, writer, alg, service, operation, wire, method, url,
                request_headers, started_at, duration, outcome, correlation_id, status,
                response_headers, object_type, object_ids, account_id, fault_code,
                status_code, error_class, attempt

``request_headers``, ``response_headers`` and ``object_ids`` enter META as strings
holding their own compact JSON (the same writer): headers an array of [name, value]
pairs in stored order, object_ids an array of strings; this is also how SQL stores keep
them, so a verifier can hash stored columns without decoding them.  ``seq``,
``status``, ``status_code`` and ``attempt`` are JSON integers (or null);
``started_at`` the string ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; ``duration`` the string of
Python's shortest round-trip ``repr`` of the float.  That JSON writer escapes only
``"``, ``\\`` and control characters (``\\n \\r \\t \\b \\f``, others ``\\u00XX``)
and writes everything else as UTF-8, so the bytes are fully determined.

``hash = SHA-256(bytes.fromhex(prev_hash) || canonical)`` or HMAC-SHA-256 with the
store's key over the same bytes; the first record of a stream has
``prev_hash = GENESIS`` (64 zeros).  Bodies enter through their digests, so a verifier
hashes each body once and the rest is a small JSON document.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from .record import GENESIS, AuditRecord, format_time, placed

MAGIC = b"boomisoap-audit/1\n"
ENCODING_VERSION = 1
ALG_SHA256 = "sha256"
ALG_HMAC = "hmac-sha256"

_sha256 = hashlib.sha256
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The string encoder _dumps uses: with it, the fixed shapes of META (header pairs and
# ids, all strings) are written without the general encoder's per-call setup.
_string = json.encoder.encode_basestring
_NO_RESPONSE = b"\x00"


def pairs_text(pairs: Iterable[tuple[str, str]]) -> str:
    """The compact JSON (as _dumps writes it) of (name, value) string pairs, byte for
    byte; raises TypeError or ValueError on anything else (a damaged stored record)."""
    return "[" + ",".join(["[" + _string(k) + "," + _string(v) + "]" for k, v in pairs]) + "]"


def strings_text(items: Iterable[str]) -> str:
    """The compact JSON (as _dumps writes it) of a sequence of strings, byte for byte."""
    return "[" + ",".join(map(_string, items)) + "]"


def _frame(request_body: bytes, response_body: bytes | None, meta: list[object]) -> bytes:
    response = _NO_RESPONSE if response_body is None else b"\x01" + _sha256(response_body).digest()
    return b"".join(
        (
            MAGIC,
            _sha256(request_body).digest(),
            response,
            _dumps(meta).encode("utf-8", "surrogatepass"),
        )
    )


META_FIELDS: tuple[str, ...] = (
    "stream",
    "seq",
    "writer",
    "alg",
    "service",
    "operation",
    "wire",
    "method",
    "url",
    "request_headers",
    "started_at",
    "duration",
    "outcome",
    "correlation_id",
    "status",
    "response_headers",
    "object_type",
    "object_ids",
    "account_id",
    "fault_code",
    "status_code",
    "error_class",
    "attempt",
)
"""The META items in canonical order: the one list every store's layout and every
verifier reads. :func:`meta_fields` writes them in this order from a record."""
_SEQ, _STARTED, _DURATION = (META_FIELDS.index(n) for n in ("seq", "started_at", "duration"))


def meta_fields(
    r: AuditRecord, stream: str | None = None, seq: int | None = None, alg: str | None = None
) -> list[object]:
    """The META items of ``r`` (with stream, seq, alg overridden when given).

    Items 0-9, 10 and 12-22 are also the text forms SQL stores keep in their columns
    (see sinks.rows), so a sink builds its row from this list instead of encoding twice.
    """
    return [
        r.stream if stream is None else stream,
        int(r.seq if seq is None else seq),
        r.writer,
        r.alg if alg is None else alg,
        r.service,
        r.operation,
        r.wire,
        r.method,
        r.url,
        pairs_text(r.request_headers),
        format_time(r.started_at),
        repr(float(r.duration)),
        r.outcome,
        r.correlation_id,
        r.status,
        pairs_text(r.response_headers),
        r.object_type,
        strings_text(r.object_ids),
        r.account_id,
        r.fault_code,
        r.status_code,
        r.error_class,
        r.attempt,
    ]


def canonical(
    r: AuditRecord, stream: str | None = None, seq: int | None = None, alg: str | None = None
) -> bytes:
    """The canonical encoding of ``r`` (with stream, seq, alg overridden when given)
    without its prev_hash and hash."""
    return _frame(r.request_body, r.response_body, meta_fields(r, stream, seq, alg))


def canonical_row(row: Sequence[Any], meta_at: Sequence[int], bodies_at: tuple[int, int]) -> bytes:
    """canonical() computed straight from a stored row: ``meta_at`` gives the column of
    each META item, ``bodies_at`` those of the request and response bodies.

    Header and id columns hold the JSON text META needs and ``started_at`` its text
    (or a datetime), so nothing is decoded: verify reads each row once and hashes it.
    """
    meta: list[object] = [row[i] for i in meta_at]
    meta[_SEQ] = int(row[meta_at[_SEQ]])
    started = meta[_STARTED]
    if isinstance(started, datetime):
        meta[_STARTED] = format_time(started)
    meta[_DURATION] = repr(float(row[meta_at[_DURATION]]))
    response = row[bodies_at[1]]
    return _frame(
        _as_bytes(row[bodies_at[0]]), None if response is None else _as_bytes(response), meta
    )


def canonical_fields(
    fields: Sequence[Any], request_body: bytes, response_body: bytes | None
) -> bytes:
    """canonical() from already-serialised META items (stores that keep them as text)."""
    return _frame(request_body, response_body, list(fields))


def leaf_of(encoded: bytes) -> bytes:
    """The Merkle leaf hash of a record whose canonical encoding is ``encoded``."""
    return _sha256(b"\x00" + encoded).digest()


def _as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


class Chain:
    """Computes record hashes with SHA-256, or HMAC-SHA-256 when given a key."""

    def __init__(self, hmac_key: bytes | None = None) -> None:
        self._key = hmac_key
        self.alg = ALG_HMAC if hmac_key else ALG_SHA256

    @property
    def keyed(self) -> bool:
        return self._key is not None

    def digest(
        self,
        record: AuditRecord,
        prev_hash: str | None = None,
        *,
        stream: str | None = None,
        seq: int | None = None,
        alg: str | None = None,
    ) -> str:
        """The hash ``record`` must carry (placed at stream/seq/alg when given)."""
        prev = record.prev_hash if prev_hash is None else prev_hash
        return self.link(
            prev, canonical(record, stream, seq, alg), record.alg if alg is None else alg
        )

    def link(self, prev_hash: str, encoded: bytes, alg: str) -> str:
        """The hash of a record whose canonical encoding is ``encoded``."""
        data = bytes.fromhex(prev_hash) + encoded
        if alg == ALG_HMAC:
            if self._key is None:
                raise KeyError("an HMAC key is needed")
            return hmac.new(self._key, data, hashlib.sha256).hexdigest()
        return hashlib.sha256(data).hexdigest()

    def seal(self, draft: AuditRecord, stream: str, seq: int, prev_hash: str) -> AuditRecord:
        """The draft placed at ``seq`` after ``prev_hash``, with its hash computed."""
        return self.seal_with_meta(draft, stream, seq, prev_hash)[0]

    def seal_with_meta(
        self, draft: AuditRecord, stream: str, seq: int, prev_hash: str
    ) -> tuple[AuditRecord, list[object]]:
        """:meth:`seal`, also returning the META items the hash covered."""
        meta = meta_fields(draft, stream, seq, self.alg)
        digest = self.link(
            prev_hash, _frame(draft.request_body, draft.response_body, meta), self.alg
        )
        return placed(draft, stream, seq, self.alg, prev_hash, digest), meta

    def seal_all_with_leaves(
        self, drafts: Iterable[AuditRecord], stream: str, count: int, last_hash: str
    ) -> list[tuple[AuditRecord, list[object], bytes]]:
        """:meth:`seal_all_with_meta`, each record also with its Merkle leaf hash
        (RFC 9162: SHA-256 of 0x00 and the canonical encoding; no key involved, so
        anyone holding the record can recompute it)."""
        out: list[tuple[AuditRecord, list[object], bytes]] = []
        prev = last_hash or GENESIS
        key, alg = self._key, self.alg
        for i, d in enumerate(drafts, start=count + 1):
            meta = meta_fields(d, stream, i, alg)
            encoded = _frame(d.request_body, d.response_body, meta)
            data = bytes.fromhex(prev) + encoded
            if key is not None:
                digest = hmac.new(key, data, hashlib.sha256).hexdigest()
            else:
                digest = _sha256(data).hexdigest()
            out.append(
                (placed(d, stream, i, alg, prev, digest), meta, _sha256(b"\x00" + encoded).digest())
            )
            prev = digest
        return out

    def seal_all(
        self, drafts: Iterable[AuditRecord], stream: str, count: int, last_hash: str
    ) -> list[AuditRecord]:
        """Seal drafts after a stream head of ``count`` records ending in ``last_hash``."""
        return [record for record, _ in self.seal_all_with_meta(drafts, stream, count, last_hash)]

    def seal_all_with_meta(
        self, drafts: Iterable[AuditRecord], stream: str, count: int, last_hash: str
    ) -> list[tuple[AuditRecord, list[object]]]:
        """:meth:`seal_all`, each record with the META items its hash covered."""
        out: list[tuple[AuditRecord, list[object]]] = []
        prev = last_hash or GENESIS
        for i, draft in enumerate(drafts, start=count + 1):
            sealed = self.seal_with_meta(draft, stream, i, prev)
            out.append(sealed)
            prev = sealed[0].hash
        return out
