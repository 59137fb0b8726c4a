"""The canonical encoding of a record: the bytes its hash and its Merkle leaf cover.

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

(the order is each field's META position in :class:`~boomisoap.audit.record.AuditRecord`;
:data:`META_FIELDS` lists it). ``request_headers``, ``response_headers`` and
``object_ids`` enter META as strings holding their own compact JSON (the same writer):
headers an array of [name, value] pairs in stored order, object_ids an array of
strings; this is also how SQL stores keep them, so a verifier can hash stored columns
without decoding them.  ``seq``, ``status``, ``status_code`` and ``attempt`` are JSON
integers (or null); ``started_at`` the string ``YYYY-MM-DDTHH:MM:SS.ffffffZ``;
``duration`` the string of Python's shortest round-trip ``repr`` of the float.  That
JSON writer escapes only ``"``, ``\\`` and control characters (``\\n \\r \\t \\b \\f``,
others ``\\u00XX``) and writes everything else as UTF-8, so the bytes are fully
determined.

A record's hash is computed over ``prev_hash`` and these bytes (see chain.py). Bodies
enter through their digests, so a verifier hashes each body once and the rest is a
small JSON document.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from .fields import by_meta, compile_function
from .record import FIELDS, AuditRecord, body_in, format_time

MAGIC = b"boomisoap-audit/1\n"
ENCODING_VERSION = 1

_sha256 = hashlib.sha256
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
# The string encoder _dumps uses: with it, the fixed shapes of META (header pairs and
# ids, all strings) are written without the general encoder's per-call setup.
_string = json.encoder.encode_basestring
_NO_RESPONSE = b"\x00"

META = by_meta(FIELDS)
META_FIELDS: tuple[str, ...] = tuple(s.name for s in META)
"""The META items in canonical order: the one list every store's layout and every
verifier reads."""


def pairs_text(pairs: Iterable[tuple[str, str]]) -> str:
    """The compact JSON (as _dumps writes it) of (name, value) string pairs, byte for
    byte; raises TypeError or ValueError on anything else (a damaged stored record)."""
    return "[" + ",".join(["[" + _string(k) + "," + _string(v) + "]" for k, v in pairs]) + "]"


def strings_text(items: Iterable[str]) -> str:
    """The compact JSON (as _dumps writes it) of a sequence of strings, byte for byte."""
    return "[" + ",".join(map(_string, items)) + "]"


def _meta_encoder() -> Callable[[list[object]], str]:
    """_dumps for a META list without its per-call setup: the C encoder _dumps builds
    on every call, built once (checked to write the same bytes, else _dumps itself)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _dumps
    settings = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
    try:
        encode = make(
            None, settings.default, _string, None, ":", ",", False, False, settings.allow_nan
        )
    except TypeError:  # another C signature: not worth guessing
        return _dumps
    join = "".join

    def meta_text(meta: list[object]) -> str:
        return join(encode(meta, 0))

    sample: list[object] = ['s\u00e9\n"', 1, None, True, 1.5, '[["a","\\u0001"]]']
    return meta_text if meta_text(sample) == _dumps(sample) else _dumps


meta_text = _meta_encoder()
"""The compact JSON of a META list, as _dumps writes it."""

FRAME_OF_TEXT = (
    "_join((_MAGIC, _sha({request}).digest(), "
    "_NO_RESPONSE if {response} is None else _ONE + _sha({response}).digest(), "
    "({text}).encode('utf-8', 'surrogatepass')))"
)
"""frame() as an expression over the META text ``{text}``, for the code derived from
the field list: ``{response}`` must be a plain name (it is read twice)."""
FRAME = FRAME_OF_TEXT.replace("{text}", "_meta_text({meta})")
"""FRAME_OF_TEXT over the META list ``{meta}``."""


def frame(request_body: bytes, response_body: bytes | None, meta: list[object]) -> bytes:
    """The canonical encoding of bodies and META items (already in their META forms)."""
    response = _NO_RESPONSE if response_body is None else b"\x01" + _sha256(response_body).digest()
    return b"".join(
        (
            MAGIC,
            _sha256(request_body).digest(),
            response,
            meta_text(meta).encode("utf-8", "surrogatepass"),
        )
    )


def as_bytes(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return bytes(value)


HELPERS: dict[str, Any] = {
    "_pairs_text": pairs_text,
    "_strings_text": strings_text,
    "_format_time": format_time,
    "_datetime": datetime,
    "_frame": frame,
    "_as_bytes": as_bytes,
    "_join": b"".join,
    "_MAGIC": MAGIC,
    "_sha": _sha256,
    "_NO_RESPONSE": _NO_RESPONSE,
    "_ONE": b"\x01",
    "_meta_text": meta_text,
    "_json_string": _string,
    "_body_in": body_in,
}
"""What the META templates of fields.py call, for code derived from the field list."""


def meta_items(template: str, value_of: Callable[[Any], str]) -> str:
    """The source of the META list, each item ``template`` of the field's Kind applied
    to ``value_of(spec)``."""
    return "[" + ", ".join(getattr(s.kind, template).format(x=value_of(s)) for s in META) + "]"


def sealed_meta_items() -> str:
    """The source of the META list of draft ``r`` as it is sealed: the sealed items
    (stream, seq, alg) are locals of those names, already in their META forms."""
    items = (s.name if s.sealed else (s.kind.meta or "").format(x=f"r.{s.name}") for s in META)
    return "[" + ", ".join(items) + "]"


def _meta_fields_source() -> str:
    def value(s: Any) -> str:
        # stream, seq and alg may be given: where the draft is being sealed.
        return f"(r.{s.name} if {s.name} is None else {s.name})" if s.sealed else f"r.{s.name}"

    return (
        "def meta_fields(r, stream=None, seq=None, alg=None):\n"
        f"    return {meta_items('meta', value)}\n"
    )


def _canonical_of_dict_source() -> str:
    items = meta_items("json_meta", lambda s: f"d[{s.name!r}]")
    return (
        "def canonical_of_dict(d):\n"
        "    request = _body_in(d, 'request_body')\n"
        "    if request is None:\n"
        "        raise ValueError('request_body missing')\n"
        "    response = _body_in(d, 'response_body')\n"
        f"    return {FRAME.format(request='request', response='response', meta=items)}\n"
    )


meta_fields: Callable[..., list[object]] = compile_function(
    "meta_fields", _meta_fields_source(), dict(HELPERS)
)
"""meta_fields(r, stream=None, seq=None, alg=None): the META items of ``r`` (with
stream, seq, alg overridden when given). They are also the text forms SQL stores keep
in their columns (see stores.sqlrows), so a store builds its row from this list
instead of encoding twice."""

canonical_of_dict: Callable[[Mapping[str, Any]], bytes] = compile_function(
    "canonical_of_dict", _canonical_of_dict_source(), dict(HELPERS)
)
"""The canonical encoding straight from a record's decoded JSON form, without building
an AuditRecord (what verify needs of a JSONL line); raises on a damaged dict."""


def canonical(
    r: AuditRecord, stream: str | None = None, seq: int | None = None, alg: str | None = None
) -> bytes:
    """The canonical encoding of ``r`` (with stream, seq, alg overridden when given)
    without its prev_hash and hash."""
    return frame(r.request_body, r.response_body, meta_fields(r, stream, seq, alg))


def leaf_of(encoded: bytes) -> bytes:
    """The Merkle leaf hash of a record whose canonical encoding is ``encoded``."""
    return _sha256(b"\x00" + encoded).digest()
