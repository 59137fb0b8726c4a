"""The hash chain: each record's (HMAC-)SHA-256 link to the one before it.

``hash = SHA-256(bytes.fromhex(prev_hash) || canonical)`` or HMAC-SHA-256 with the
store's key over the same bytes, ``canonical`` being the record's canonical encoding
(encoding.py); the first record of a stream has ``prev_hash = GENESIS`` (64 zeros).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterable

from .encoding import FRAME, HELPERS, canonical, sealed_meta_items
from .fields import compile_function
from .record import GENESIS, AuditRecord, placed

ALG_SHA256 = "sha256"
ALG_HMAC = "hmac-sha256"

_sha256 = hashlib.sha256

# The link of each record, over the previous one's raw digest: kept as it comes out of
# the hash, not parsed back from its hex form.
_LINK = {
    False: "_sha(prev_raw + encoded).digest()",
    True: "_hmac(key, prev_raw + encoded, _sha).digest()",
}


def _seal_source(name: str, link: str) -> str:
    # One function per record loop: the META list, the encoding and both hashes of a
    # record in straight-line code, each value read once (a call per step, and the
    # stream, seq and alg overrides meta_fields tests, cost as much again).
    encoded = FRAME.format(request="r.request_body", response="response", meta="meta")
    return (
        f"def {name}(drafts, stream, seq, alg, prev, key):\n"
        "    out = []\n"
        "    append = out.append\n"
        "    prev_raw = _fromhex(prev)\n"
        "    for r in drafts:\n"
        "        seq += 1\n"
        f"        meta = {sealed_meta_items()}\n"
        "        response = r.response_body\n"
        f"        encoded = {encoded}\n"
        f"        prev_raw = {link}\n"
        "        digest = prev_raw.hex()\n"
        "        append((_placed(r, stream, seq, alg, prev, digest), meta,"
        " _sha(b'\\x00' + encoded).digest()))\n"
        "        prev = digest\n"
        "    return out\n"
    )


_SEAL_NAMESPACE = {**HELPERS, "_placed": placed, "_hmac": hmac.new, "_fromhex": bytes.fromhex}
_Sealer = Callable[
    [Iterable[AuditRecord], str, int, str, str, bytes | None],
    list[tuple[AuditRecord, list[object], bytes]],
]
_SEAL: dict[bool, _Sealer] = {
    keyed: compile_function("seal", _seal_source("seal", link), dict(_SEAL_NAMESPACE))
    for keyed, link in _LINK.items()
}
"""By whether the chain is keyed: seal(drafts, stream, count, alg, last_hash, key), the
records after a head of ``count`` ending in ``last_hash``, as seal_all_with_leaves."""


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
        return self.seal_all_with_leaves([draft], stream, seq - 1, prev_hash)[0][0]

    def seal_all_with_leaves(
        self, drafts: Iterable[AuditRecord], stream: str, count: int, last_hash: str
    ) -> list[tuple[AuditRecord, list[object], bytes]]:
        """The drafts sealed after a stream head of ``count`` records ending in
        ``last_hash``, each with the META items its hash covered and its Merkle leaf hash
        (RFC 9162: SHA-256 of 0x00 and the canonical encoding; no key involved, so
        anyone holding the record can recompute it)."""
        return _SEAL[self._key is not None](
            drafts, stream, count, self.alg, last_hash or GENESIS, self._key
        )
