"""AuditLog: the object the transport records exchanges into."""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

from ..logs import get_logger
from ..redact.rules import RedactionRules
from ..redact.structural import Redactor, secret_forms
from .batch import Batcher
from .capture import RequestSide, draft
from .chain import Chain
from .checkpoints import Checkpointing, anchors_of, read_anchor
from .errors import AuditError
from .exchange import Exchange
from .filters import Query
from .record import AuditRecord
from .signing import PrivateKey, PublicKey, SignedCheckpoint, Signer, as_public_key
from .stores import Sink, open_sink
from .verify import Head, VerifyReport

KeySource = str | os.PathLike[str] | bytes

_log = get_logger("boomisoap.audit")
_OPEN_BATCHED: weakref.WeakSet[AuditLog] = weakref.WeakSet()
_OPEN_LOCK = threading.Lock()


class AuditLog:
    """A tamper-evident trail of raw exchanges, redacted, in one store.

    Synchronous by default: :meth:`record` returns once the record is committed.
    With ``batch=True`` records are buffered and committed by a background thread
    (every ``batch_size`` records or ``flush_interval`` seconds), by :meth:`flush`,
    by :meth:`close`, and at interpreter exit.
    """

    def __init__(
        self,
        sink: Sink,
        *,
        hmac_key: bytes | None = None,
        batch: bool = False,
        rules: RedactionRules | None = None,
        log_bodies: bool = False,
        batch_size: int = 500,
        flush_interval: float = 0.25,
        signing_key: PrivateKey | str | os.PathLike[str] | None = None,
        checkpoint_every: int | None = 1000,
        checkpoint_seconds: float | None = None,
        anchor: str | Sequence[str] | None = None,
        public_key: PublicKey | KeySource | None = None,
    ) -> None:
        self.sink = sink
        self.public_key: PublicKey | None = None
        self._checkpointing: Checkpointing | None = None
        if signing_key is not None:
            signer = (
                Signer(signing_key)
                if isinstance(signing_key, PrivateKey)
                else Signer.from_file(signing_key)
            )
            self.public_key = signer.public_key
            self._checkpointing = Checkpointing(
                sink,
                signer,
                every=checkpoint_every,
                seconds=checkpoint_seconds,
                anchors=anchors_of(anchor),
            )
        if public_key is not None:
            self.public_key = as_public_key(public_key)
        self.log_bodies = log_bodies
        self._chain = Chain(hmac_key)
        self._redactor = Redactor(rules)
        self._closed = False
        self._batcher: Batcher | None = None
        if batch:
            self._batcher = Batcher(
                self._append, size=batch_size, interval=flush_interval, take=sink.flush_count
            )
            with _OPEN_LOCK:
                _OPEN_BATCHED.add(self)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        hmac_key: bytes | None = None,
        batch: bool = False,
        rules: RedactionRules | None = None,
        log_bodies: bool = False,
        read_only: bool = False,
        **options: Any,
    ) -> AuditLog:
        """Open the store at ``url``: ``sqlite:///abs/path``, ``sqlite:///:memory:``,
        ``jsonl:///abs/path[?max_bytes=N]``, ``postgresql://user@host:port/db``.

        ``signing_key`` (a PEM file readable by its owner only, or a key object) turns
        on signed checkpoints every ``checkpoint_every`` records and/or
        ``checkpoint_seconds`` seconds and at close, each also appended to ``anchor``
        (a file path, ``"syslog"``, or several); ``public_key`` is what ``verify``
        checks checkpoint signatures with (the signing key's own by default)."""
        sink = open_sink(url, read_only=read_only)
        return cls(
            sink, hmac_key=hmac_key, batch=batch, rules=rules, log_bodies=log_bodies, **options
        )

    @property
    def url(self) -> str:
        return self.sink.url

    @property
    def redactor(self) -> Redactor:
        """The redaction this log applies (built-in rules plus its own)."""
        return self._redactor

    @property
    def batched(self) -> bool:
        return self._batcher is not None

    # -- writing ------------------------------------------------------------------

    def prepare_request(
        self,
        url: str,
        headers: Mapping[str, str],
        body: bytes,
        *,
        secret_ids: Iterable[str] = (),
        known_secrets: Iterable[str] = (),
    ) -> RequestSide:
        """The request half of an exchange about to be sent, to redact early.

        ``secret_ids`` (ids that are secrets, an ApiKey's key) and ``known_secrets`` (the
        client's credentials) are removed wherever they appear; the exchange recorded must
        name the same ones. Call its ``run()`` while the request is on the wire (the
        transport does, while the server works) and pass it to :meth:`record` with the
        exchange: the redaction is then off the caller's critical path. Unrun, it is
        simply done by ``record``.
        """
        secrets = secret_forms(secret_ids, known_secrets)
        return RequestSide(url, headers, body, self._redactor, secrets)

    def record(
        self, exchange: Exchange, *, request: RequestSide | None = None
    ) -> AuditRecord | None:
        """Redact and store one exchange.

        Returns the committed record, or None in batch mode (the record is committed
        later).  Raises AuditError when the store cannot take it. ``request`` is what
        :meth:`prepare_request` returned for this exchange's request, if anything.
        """
        if self._closed:
            raise AuditError("audit log is closed")
        pending = draft(exchange, self._redactor, request)
        if self._batcher is not None:
            self._batcher.add(pending)
            self._emit(pending)
            return None
        sealed = self.sink.append([pending], self._chain)[0]
        if self._checkpointing is not None:
            self._checkpointing.appended(1)
        self._emit(sealed)
        return sealed

    def _append(self, drafts: list[AuditRecord]) -> None:
        self.sink.append(drafts, self._chain)
        if self._checkpointing is not None:
            self._checkpointing.appended(len(drafts))

    def _emit(self, r: AuditRecord) -> None:
        level = logging.INFO if r.outcome == "ok" else logging.WARNING
        if not _log.isEnabledFor(level):
            return
        meta = {
            "seq": r.seq or None,
            "stream": r.stream or None,
            "service": r.service,
            "operation": r.operation,
            "wire": r.wire,
            "method": r.method,
            "url": r.url,
            "status": r.status,
            "outcome": r.outcome,
            "duration": r.duration,
            "correlation_id": r.correlation_id,
            "object_type": r.object_type,
            "object_ids": list(r.object_ids),
            "account_id": r.account_id,
            "fault_code": r.fault_code,
            "status_code": r.status_code,
            "error_class": r.error_class,
            "attempt": r.attempt,
        }
        message = "audit %s %s.%s %s %s -> %s %s in %.3fs seq=%s cid=%s"
        args: list[object] = [
            r.service,
            r.object_type or "-",
            r.operation,
            r.method,
            r.url,
            r.status,
            r.outcome,
            r.duration,
            r.seq or "pending",
            r.correlation_id,
        ]
        if self.log_bodies:
            message += "\nrequest: %s\nresponse: %s"
            args.append(r.request_body.decode("utf-8", "replace"))
            body = r.response_body
            args.append("" if body is None else body.decode("utf-8", "replace"))
        _log.log(level, message, *args, extra={"audit": meta})

    def flush(self) -> None:
        """Commit buffered records now (batch mode); a no-op in synchronous mode."""
        if self._batcher is not None:
            self._batcher.flush()

    def close(self) -> None:
        """Flush, stop the flusher and release the store. Idempotent."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._batcher is not None:
                self._batcher.close()
            if self._checkpointing is not None and self._checkpointing.appended_any:
                self._checkpointing.now()  # the last tree head this log wrote
        finally:
            with _OPEN_LOCK:
                _OPEN_BATCHED.discard(self)
            self.sink.close()

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------

    def records(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        service: str | None = None,
        operation: str | None = None,
        object_id: str | None = None,
        outcome: str | None = None,
        correlation_id: str | None = None,
        stream: str | None = None,
    ) -> Iterator[AuditRecord]:
        """Committed records matching every given filter, oldest first per stream."""
        if not self._closed:
            self.flush()
        query = Query(
            since=since,
            until=until,
            service=service,
            operation=operation,
            object_id=object_id,
            outcome=outcome,
            correlation_id=correlation_id,
            stream=stream,
        )
        return self.sink.records(query)

    def get(self, seq: int, stream: str | None = None) -> AuditRecord | None:
        """The record at ``seq`` (in ``stream`` when the store has several)."""
        if not self._closed:
            self.flush()
        return next(iter(self.sink.records(Query(seq=seq, stream=stream))), None)

    def heads(self) -> dict[str, Head]:
        """Head markers (count, last hash) per stream: worth copying somewhere else
        now and then, as an anchor that even a rewrite of the whole store can't fake."""
        return self.sink.heads()

    def verify(
        self,
        *,
        workers: int | None = None,
        public_key: PublicKey | KeySource | None = None,
        anchor: str | os.PathLike[str] | None = None,
    ) -> VerifyReport:
        """Check every chain and head marker of the store, the Merkle tree of every
        stream and its checkpoints: their roots always, their signatures with
        ``public_key`` (or the log's own). ``anchor`` is a file of checkpoints kept
        outside the store (see ``anchor=``): they are checked as well, so a store
        rewritten or cut short behind them is found.

        Large JSONL and PostgreSQL stores are decoded by ``workers`` child processes
        while this one checks the chain (None: chosen by the store's size and the CPUs;
        0: everything in this process). Every hash is computed here either way.
        """
        if not self._closed:
            self.flush()
        key = self.public_key if public_key is None else as_public_key(public_key)
        anchored = read_anchor(anchor) if anchor is not None else []
        return self.sink.verify(self._chain, workers, key, anchored)

    # -- checkpoints, proofs and retention ----------------------------------------

    def checkpoint(self) -> SignedCheckpoint | None:
        """Sign and store a checkpoint of this writer's stream now (None when its
        tree head was signed already); needs ``signing_key``."""
        if self._checkpointing is None:
            raise AuditError("no signing key: open the log with signing_key= to sign checkpoints")
        self.flush()
        return self._checkpointing.now()

    def checkpoints(self, stream: str | None = None) -> list[SignedCheckpoint]:
        """The stored checkpoints (of ``stream``, or of every stream), by size."""
        return self.sink.checkpoints(stream)

    def _stream(self, stream: str | None) -> str:
        if stream is not None:
            return stream
        streams = sorted(self.heads())
        if len(streams) == 1:
            return streams[0]
        if not streams:
            raise AuditError("the store is empty")
        raise AuditError(f"the store has several streams, name one: {streams}")

    def prove(self, seq: int, stream: str | None = None) -> dict[str, Any]:
        """A self-contained inclusion proof of record ``seq`` (JSON-ready), against the
        latest signed checkpoint covering it; check it with ``proofs.check_proof``."""
        from .proofs import prove_record

        if not self._closed:
            self.flush()
        return prove_record(self.sink, seq, self._stream(stream))

    def prove_consistency(
        self, old_size: int, new_size: int | None = None, stream: str | None = None
    ) -> dict[str, Any]:
        """A consistency proof between the checkpoints at ``old_size`` and ``new_size``
        (the latest by default); check it with ``proofs.check_consistency``."""
        from .proofs import prove_consistency

        if not self._closed:
            self.flush()
        return prove_consistency(self.sink, self._stream(stream), old_size, new_size)

    def prune(self, before: datetime, stream: str | None = None) -> int:
        """Delete the leading records of ``stream`` started before ``before``, as far as
        a signed checkpoint covers them; their tree nodes, the checkpoints and a marker
        of where the chain now starts stay, so the store and every proof exported
        earlier still verify. Returns how many records were deleted."""
        from .retention import prune

        if not self._closed:
            self.flush()
        return prune(self.sink, self._stream(stream), before)


def _flush_at_exit() -> None:
    with _OPEN_LOCK:
        logs = list(_OPEN_BATCHED)
    for log in logs:
        try:
            log.close()
        except Exception as exc:  # exit must go on; say what was lost
            _log.error("audit records could not be flushed at exit: %s", exc)


atexit.register(_flush_at_exit)
