"""Keeping a stream's Merkle tree beside its chain: what the three stores share.

Each store keeps, per stream, the tree head (size and frontier, written in the same
transaction as the records and head marker) and every completed node at its position
(see merkle.node_position). A store written before the tree existed, or by an older
writer, has a tree shorter than its chain: the next append first extends the tree
over the records it lacks (``catch_up``), so the tree is built once, without a
separate migration step.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..encoding import leaf_of
from ..errors import AuditError
from ..merkle import Frontier


def catch_up(
    frontier: Frontier, encoded: Iterable[tuple[int, bytes]]
) -> tuple[Frontier, list[tuple[int, bytes]]]:
    """Extend ``frontier`` over stored records (seq, canonical encoding) after it."""
    nodes: list[tuple[int, bytes]] = []
    for seq, data in encoded:
        if seq != frontier.size + 1:
            raise AuditError(
                f"cannot build the Merkle tree: record {frontier.size + 1} is missing "
                f"(found {seq}); run verify"
            )
        frontier, more = frontier.extend((leaf_of(data),))
        nodes.extend(more)
    return frontier, nodes
