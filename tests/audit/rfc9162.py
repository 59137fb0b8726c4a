"""RFC 9162 written out again from the RFC's text, for checking the library's trees and
proofs: nothing here imports boomisoap.audit.merkle (or anything of the library's tree).

§2.1.1   MTH({}) = SHA-256(); MTH({d0}) = SHA-256(0x00 || d0);
         MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k < n <= 2k, k = 2^i
§2.1.3.2 verifying an inclusion proof
§2.1.4.2 verifying a consistency proof
"""

from __future__ import annotations

import hashlib


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def mth_of_leaf_hashes(leaves: list[bytes]) -> bytes:
    """MTH where each entry's leaf hash SHA-256(0x00 || d) is already given."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return sha256(b"\x01" + mth_of_leaf_hashes(leaves[:k]) + mth_of_leaf_hashes(leaves[k:]))


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, path: list[bytes], root: bytes
) -> bool:
    # 1. Compare leaf_index from the inclusion_proof against tree_size; if leaf_index
    #    is greater than or equal to tree_size, then fail the proof verification.
    if leaf_index >= tree_size:
        return False
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn = leaf_index
    sn = tree_size - 1
    # 3. Set r to hash.
    r = leaf
    # 4. For each value p in the inclusion_path array:
    for p in path:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn % 2 == 1 or fn == sn:
            # i. Set r to HASH(0x01 || p || r).
            r = sha256(b"\x01" + p + r)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally until
            #     either LSB(fn) is set or fn is 0.
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            # Otherwise: set r to HASH(0x01 || r || p).
            r = sha256(b"\x01" + r + p)
        # c. Finally, right-shift both fn and sn one time.
        fn //= 2
        sn //= 2
    # 5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r
    #    and the root_hash are equal, then the log has proven the inclusion of hash.
    return sn == 0 and r == root


def verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, path: list[bytes]
) -> bool:
    # (0 < first < second: the proof of equal trees is empty and not checked here.)
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if not path:
        return False
    path = list(path)
    # 2. If first is an exact power of 2, then prepend first_hash to the
    #    consistency_path array.
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    # 3. Set fn to first - 1 and sn to second - 1.
    fn = first - 1
    sn = second - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is
    #    not set.
    while fn % 2 == 1:
        fn //= 2
        sn //= 2
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return False
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn % 2 == 1 or fn == sn:
            # i. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
            fr = sha256(b"\x01" + c + fr)
            sr = sha256(b"\x01" + c + sr)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally until
            #     either LSB(fn) is set or fn is 0.
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn //= 2
                    sn //= 2
        else:
            # Otherwise: set sr to HASH(0x01 || sr || c).
            sr = sha256(b"\x01" + sr + c)
        # c. Finally, right-shift both fn and sn one time.
        fn //= 2
        sn //= 2
    # 7. After completing iterating through the consistency_path array as described
    #    above, verify that the fr calculated is equal to the first_hash supplied,
    #    that the sr calculated is equal to the second_hash supplied, and that sn is 0.
    return fr == first_hash and sr == second_hash and sn == 0
