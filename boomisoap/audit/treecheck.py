"""Verify a stream's Merkle tree and signed checkpoints while its chain is walked.

The verifier recomputes every leaf from the records and every node from the leaves
(starting from the stored nodes of a pruned prefix), and compares as it goes: each
stored node (which names the record that completed it), each checkpoint's root at the
size it signs, and at the end the stored frontier. Checkpoint signatures are checked
when a public key is given; without one the roots are still compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from .merkle import Frontier, NodeGetter, nodes_for, root_of
from .signing import PublicKey, SignedCheckpoint

Problem = tuple[int | None, str]
_sha256 = hashlib.sha256


@dataclass
class StreamTree:
    """What a store holds of one stream's tree, for verification."""

    frontier: Frontier | None  # the stored tree head; None: the store has none
    nodes: Iterator[tuple[int, bytes]]  # stored (position, hash) in position order
    node: NodeGetter  # look-up of one stored node
    checkpoints: list[SignedCheckpoint] = field(default_factory=list)
    pruned: int = 0  # records 1..pruned were pruned


class TreeCheck:
    def __init__(self, stream: str, tree: StreamTree, public_key: PublicKey | None) -> None:
        # The same checkpoint stored and anchored is checked once.
        unique = {(c.stream, c.size, c.root, c.signature): c for c in tree.checkpoints}
        tree.checkpoints = [c for c in unique.values() if c.stream == stream]
        self.stream = stream
        self.tree = tree
        self.public_key = public_key
        self.problem: Problem | None = None
        self.checked_signatures = 0
        self._good_through = tree.pruned  # records covered by the last matching checkpoint
        self._due: dict[int, list[SignedCheckpoint]] = {}
        self._nodes = tree.nodes
        self._next_stored: tuple[int, bytes] | None = None
        self._stored_done = tree.frontier is None
        # The recomputed tree, kept as a mutable frontier (size and the roots of its
        # full subtrees): a Frontier object per record costs more than the hashing.
        self._size = 0
        self._stack: list[bytes] = []
        self._checked_through = 0 if tree.frontier is None else tree.frontier.size
        try:
            self._start()
        except (KeyError, ValueError) as exc:
            self.problem = (tree.pruned or None, f"pruned part of the tree unreadable: {exc}")

    def _start(self) -> None:
        tree = self.tree
        for cp in sorted(tree.checkpoints, key=lambda c: c.size):
            if cp.stream != self.stream:
                continue
            if self.public_key is not None:
                wrong = cp.check(self.public_key)
                if wrong:
                    self.problem = (cp.size or None, f"checkpoint at size {cp.size}: {wrong}")
                    return
                self.checked_signatures += 1
            if cp.size <= tree.pruned:
                # Behind the pruned prefix only the stored nodes remain to compare with.
                if root_of(cp.size, tree.node).hex() != cp.root:
                    self.problem = (
                        cp.size or None,
                        f"checkpoint at size {cp.size}: root differs from the stored tree "
                        "of the pruned records",
                    )
                    return
            else:
                self._due.setdefault(cp.size, []).append(cp)
        if tree.pruned:
            start = Frontier.from_nodes(tree.pruned, tree.node)
            self._size, self._stack = start.size, list(start.hashes)
        first = nodes_for(tree.pruned)
        self._advance_stored(first)

    def _advance_stored(self, first: int) -> None:
        """The next stored node at or after position ``first``."""
        while not self._stored_done:
            item = next(self._nodes, None)
            if item is None:
                self._stored_done = True
                self._next_stored = None
                return
            if item[0] >= first:
                self._next_stored = item
                return

    @property
    def frontier(self) -> Frontier:
        """The tree recomputed from the records so far."""
        return Frontier(self._size, tuple(self._stack))

    def add(self, seq: int, leaf: bytes) -> Problem | None:
        """Take the next record's leaf; a problem (record seq, reason) or None."""
        if self.problem is not None:
            return self.problem
        # Frontier.extend for one leaf, each completed node compared with the stored
        # one as it is made (inline: this runs for every record of the store).
        size = self._size
        stack = self._stack
        check = seq <= self._checked_through
        nodes = self._nodes
        pos = 2 * size - size.bit_count()
        h = leaf
        if check:
            stored = self._next_stored
            if stored is None or stored[0] != pos or stored[1] != h:
                return self._mismatch(seq, pos, h, leaf=True)
            item = next(nodes, None)
            self._next_stored = item if item is None or item[0] > pos else self._skip(item, pos)
        k = size
        while k & 1:
            h = _sha256(b"\x01" + stack.pop() + h).digest()
            pos += 1
            if check:
                stored = self._next_stored
                if stored is None or stored[0] != pos or stored[1] != h:
                    return self._mismatch(seq, pos, h, leaf=False)
                item = next(nodes, None)
                if item is not None and item[0] <= pos:
                    item = self._skip(item, pos)
                self._next_stored = item
            k >>= 1
        stack.append(h)
        self._size = size + 1
        if seq in self._due:
            for cp in self._due.pop(seq):
                if self.frontier.root().hex() != cp.root:
                    first = self._good_through + 1
                    self.problem = (
                        first,
                        f"records {first}..{seq} differ from what the checkpoint at size {seq} "
                        "signed: rewritten behind it",
                    )
                    return self.problem
                self._good_through = seq
        return None

    def _skip(self, item: tuple[int, bytes] | None, pos: int) -> tuple[int, bytes] | None:
        """The first stored node after position ``pos``, from ``item`` on (a store's
        nodes come in position order; those of a damaged one may repeat)."""
        while item is not None and item[0] <= pos:
            item = next(self._nodes, None)
        return item

    def _mismatch(self, seq: int, pos: int, h: bytes, *, leaf: bool) -> Problem:
        """The problem of a stored node at ``pos`` that is missing or differs from ``h``."""
        stored = self._next_stored
        if stored is None or stored[0] != pos:
            self.problem = (seq, f"record {seq}: its tree node {pos} is missing")
        else:
            what = "leaf hash" if leaf else f"tree node {pos}"
            self.problem = (
                seq,
                f"record {seq}: its {what} in the stored tree differs from the record "
                "(record or tree altered)",
            )
        return self.problem

    def finish(self, count: int) -> Problem | None:
        """After the last record (``count`` in all)."""
        if self.problem is not None:
            return self.problem
        if self._due:
            size = min(self._due)
            return (
                count + 1,
                f"tail truncated: a checkpoint signs {size} records, found {count}",
            )
        stored = self.tree.frontier
        if stored is not None and stored.size == count and stored != self.frontier:
            return (count or None, "stored tree head differs from the records")
        if stored is not None and stored.size > count:
            return (count + 1, f"tail truncated: the tree holds {stored.size} records")
        return None

    def note(self) -> str:
        parts = []
        if self.tree.frontier is None or self.tree.frontier.size < self.frontier.size:
            parts.append("no Merkle tree stored for all records (chain and recomputed tree only)")
        cps = len([c for c in self.tree.checkpoints if c.stream == self.stream])
        if cps:
            signed = f", {self.checked_signatures} signatures good" if self.public_key else ""
            parts.append(f"{cps} checkpoint(s) match{signed}")
        if self.tree.pruned:
            parts.append(f"records 1..{self.tree.pruned} pruned")
        return "; ".join(parts)
