"""RFC 9162 Merkle tree hashing, kept incrementally, with inclusion and consistency proofs.

Hashing (RFC 9162 §2.1.1)::

    MTH({})       = SHA-256()
    leaf hash     = SHA-256(0x00 || entry)
    MTH(D[n])     = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power
                    of two smaller than n

A writer keeps only the *frontier*: the roots of the full subtrees that make up the
tree, one per set bit of its size, largest first (at most 64 hashes). Appending a leaf
merges equal-sized subtrees and yields the nodes it completed; stores keep every
completed node (leaves at level 0, about two nodes per record in all) at a position
that depends only on (level, index), so a proof is a few dozen look-ups and never a
re-read of the records.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
_sha256 = hashlib.sha256

NodeGetter = Callable[[int, int], bytes]
"""(level, index) -> the stored hash of the full subtree over leaves
[index * 2**level, (index + 1) * 2**level)."""


def leaf_hash(entry: bytes) -> bytes:
    return _sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def node_position(level: int, index: int) -> int:
    """Where node (level, index) sits in the order nodes are completed (0-based).

    Appending leaf k stores the leaf, then the nodes it completes, one per trailing
    one bit of k; the leaves before it have stored 2k - popcount(k) nodes.
    """
    last = ((index + 1) << level) - 1
    return 2 * last - last.bit_count() + level


def nodes_for(size: int) -> int:
    """How many nodes a tree of ``size`` leaves has stored."""
    return 2 * size - size.bit_count()


def _largest_power_below(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


@dataclass(frozen=True, slots=True)
class Frontier:
    """A tree of ``size`` leaves as the roots of its full subtrees, largest first."""

    size: int
    hashes: tuple[bytes, ...]

    @classmethod
    def empty(cls) -> Frontier:
        return cls(0, ())

    def root(self) -> bytes:
        if not self.hashes:
            return EMPTY_ROOT
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r

    def extend(self, leaves: Iterable[bytes]) -> tuple[Frontier, list[tuple[int, bytes]]]:
        """The frontier after appending ``leaves``, and the (position, hash) of every
        node completed on the way, in position order."""
        size = self.size
        stack = list(self.hashes)
        nodes: list[tuple[int, bytes]] = []
        for h in leaves:
            pos = 2 * size - size.bit_count()
            nodes.append((pos, h))
            k = size
            while k & 1:
                h = node_hash(stack.pop(), h)
                pos += 1
                nodes.append((pos, h))
                k >>= 1
            stack.append(h)
            size += 1
        return Frontier(size, tuple(stack)), nodes

    def to_bytes(self) -> bytes:
        return b"".join(self.hashes)

    @classmethod
    def from_bytes(cls, size: int, data: bytes) -> Frontier:
        hashes = tuple(data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE))
        if len(hashes) != size.bit_count() or len(data) % HASH_SIZE:
            raise ValueError(f"a frontier of {len(hashes)} hashes cannot describe {size} leaves")
        return cls(size, hashes)

    @classmethod
    def from_nodes(cls, size: int, node: NodeGetter) -> Frontier:
        """The frontier of the first ``size`` leaves, read from stored nodes."""
        hashes = []
        start = 0
        for level in range(size.bit_length() - 1, -1, -1):
            if size >> level & 1:
                hashes.append(node(level, start >> level))
                start += 1 << level
        return cls(size, tuple(hashes))


def subtree_root(lo: int, hi: int, node: NodeGetter) -> bytes:
    """MTH of leaves [lo, hi) from stored nodes; lo is aligned to the largest power of
    two not above hi - lo, as every range of RFC 9162's proofs is."""
    n = hi - lo
    if n & (n - 1) == 0:
        level = n.bit_length() - 1
        return node(level, lo >> level)
    k = _largest_power_below(n)
    return node_hash(subtree_root(lo, lo + k, node), subtree_root(lo + k, hi, node))


def root_of(size: int, node: NodeGetter) -> bytes:
    return EMPTY_ROOT if size == 0 else subtree_root(0, size, node)


def inclusion_proof(index: int, size: int, node: NodeGetter) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1, leaf-most hash first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size}")
    path: list[bytes] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_below(hi - lo)
        if index < lo + k:
            path.append(subtree_root(lo + k, hi, node))
            hi = lo + k
        else:
            path.append(subtree_root(lo, lo + k, node))
            lo += k
    path.reverse()
    return path


def consistency_proof(old: int, new: int, node: NodeGetter) -> list[bytes]:
    """PROOF(old, D[new]) of RFC 9162 §2.1.4.1 (empty when old is 0 or old == new)."""
    if not 0 <= old <= new:
        raise ValueError(f"no consistency proof from size {old} to size {new}")
    if old in (0, new):
        return []
    path: list[bytes] = []
    lo, hi, m, whole = 0, new, old, True
    while True:
        n = hi - lo
        if m == n:
            if not whole:
                path.append(subtree_root(lo, hi, node))
            break
        k = _largest_power_below(n)
        if m <= k:
            path.append(subtree_root(lo + k, hi, node))
            hi = lo + k
        else:
            path.append(subtree_root(lo, lo + k, node))
            lo += k
            m -= k
            whole = False
    path.reverse()
    return path


def verify_inclusion(
    leaf: bytes, index: int, size: int, path: Sequence[bytes], root: bytes
) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size or index < 0:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, path: Sequence[bytes]
) -> bool:
    """RFC 9162 §2.1.4.2 (plus the trivial cases: equal sizes, an empty old tree)."""
    if old > new or old < 0:
        return False
    if old == new:
        return not path and old_root == new_root
    if old == 0:
        return not path and old_root == EMPTY_ROOT
    if not path:
        return False
    items = list(path)
    if old & (old - 1) == 0:
        items.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = items[0]
    for c in items[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
