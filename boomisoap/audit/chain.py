"""The hash chain: each record's (HMAC-)SHA-256 link to the one before it.

``hash = SHA-256(bytes.fromhex(prev_hash) || canonical)`` or HMAC-SHA-256 with the
store's key over the same bytes, ``canonical`` being the record's canonical encoding
(encoding.py); the first record of a stream has ``prev_hash = GENESIS`` (64 zeros).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from .encoding import canonical, frame, meta_fields
from .record import GENESIS, AuditRecord, placed

ALG_SHA256 = "sha256"
ALG_HMAC = "hmac-sha256"

_sha256 = hashlib.sha256


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
            prev_hash, frame(draft.request_body, draft.response_body, meta), self.alg
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
        # Each link is hashed over the previous one's raw digest: kept as it comes
        # out of the hash, not parsed back from its hex form.
        prev_raw = bytes.fromhex(prev)
        key, alg = self._key, self.alg
        for i, d in enumerate(drafts, start=count + 1):
            meta = meta_fields(d, stream, i, alg)
            encoded = frame(d.request_body, d.response_body, meta)
            if key is not None:
                prev_raw = hmac.new(key, prev_raw + encoded, hashlib.sha256).digest()
            else:
                prev_raw = _sha256(prev_raw + encoded).digest()
            digest = prev_raw.hex()
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
