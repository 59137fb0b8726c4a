"""Pruning old records without losing what verification needs.

Only a prefix of a stream can go (the chain then starts after a marker holding the
last pruned record's hash), and only as far as a stored signed checkpoint covers: the
tree nodes of the pruned records stay, so the checkpoint's root, new proofs of the
remaining records, consistency proofs and every proof exported earlier still verify.
"""

from __future__ import annotations

from datetime import datetime

from .errors import AuditError
from .filters import Query
from .record import utc
from .stores import Sink


def prunable(sink: Sink, stream: str, before: datetime) -> int:
    """How many leading records of ``stream`` started before ``before`` and are covered
    by a signed checkpoint (records are in seq order; the first one at or after
    ``before`` ends the prefix)."""
    limit = max((cp.size for cp in sink.checkpoints(stream)), default=0)
    if limit == 0:
        raise AuditError(
            f"stream {stream!r} has no signed checkpoint: nothing can be pruned provably"
        )
    moment = utc(before)
    through = sink.pruned(stream)
    for record in sink.records(Query(stream=stream)):
        if record.seq > limit or record.started_at >= moment:
            break
        through = record.seq
    return through


def prune(sink: Sink, stream: str, before: datetime) -> int:
    through = prunable(sink, stream, before)
    if through <= sink.pruned(stream):
        return 0
    if sink.tree_head(stream).size < through:
        raise AuditError(f"stream {stream!r}: the Merkle tree does not cover record {through}")
    return sink.prune(stream, through)
