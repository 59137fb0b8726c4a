"""Walk a stream's records in stored order and check every link of the chain."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple, final

from .chain import ALG_HMAC, ALG_SHA256, Chain
from .encoding import canonical
from .record import GENESIS, AuditRecord

if TYPE_CHECKING:
    from .treecheck import TreeCheck


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Outcome of :meth:`AuditLog.verify`.

    ``checked`` counts the records found intact before the first break (all of them
    when ``ok``); ``first_broken`` is the seq of the first record that is missing,
    altered, out of place or unlinked, in ``stream``.
    """

    checked: int
    ok: bool
    first_broken: int | None
    reason: str
    stream: str | None = None
    streams: int = 1


@dataclass(frozen=True, slots=True)
class Head:
    """The head marker stored beside a stream: how many records, and the last hash."""

    count: int
    last_hash: str


@final  # so that ``type(entry) is Corrupt`` narrows both ways
@dataclass(frozen=True, slots=True)
class Corrupt:
    """A stored entry that could not even be decoded into a record."""

    reason: str


class Link(NamedTuple):
    """What verify needs of a stored record: its place, its hashes and its canonical
    encoding (SQL stores compute it from the row without building an AuditRecord).
    A tuple, so that verification workers pass it on cheaply."""

    seq: int
    stream: str
    alg: str
    prev_hash: str
    hash: str
    encoded: bytes


Entry = AuditRecord | Link | Corrupt
Reread = Callable[[Link], Entry]
"""The entry of the record last given, read again the exact way: for a store whose
links come from a faster reading that is exact only when the hash matches."""
_sha256 = hashlib.sha256


def _broken(stream: str, checked: int, seq: int | None, reason: str) -> VerifyReport:
    return VerifyReport(checked, False, seq, reason, stream)


def verify_stream(
    stream: str,
    entries: Iterable[Entry],
    head: Head | None,
    chain: Chain,
    tree: TreeCheck | None = None,
    pruned: Head | None = None,
    reread: Reread | None = None,
) -> VerifyReport:
    """Check ``entries`` (in stored order) form the chain 1..n that ``head`` describes
    (from ``pruned.count + 1`` after ``pruned.last_hash`` when a prefix was pruned), and
    feed each record's leaf to ``tree``, which checks the Merkle tree and checkpoints.
    A Link whose hash does not match is judged on its ``reread`` entry, if given."""
    base = 0 if pruned is None else pruned.count
    report = _walk(stream, entries, head, chain, tree, pruned, reread)
    last = report.checked  # _walk counts by seq
    report = replace(report, checked=max(0, last - base))
    if tree is None or not report.ok:
        return report
    problem = tree.finish(last)
    if problem is not None:
        return _broken(stream, report.checked, problem[0], problem[1])
    note = tree.note()
    reason = report.reason if base == 0 else f"{report.checked} records intact"
    return replace(report, reason=reason + (f"; {note}" if note else ""))


def _walk(
    stream: str,
    entries: Iterable[Entry],
    head: Head | None,
    chain: Chain,
    tree: TreeCheck | None,
    pruned: Head | None,
    reread: Reread | None,
) -> VerifyReport:
    expected = 1 if pruned is None else pruned.count + 1
    prev = GENESIS if pruned is None else pruned.last_hash
    # The common case inline (every record of a store gets here): the expected
    # algorithm, a matching prev_hash; anything else is worded by _check_one.
    alg = ALG_HMAC if chain.keyed else ALG_SHA256
    link = chain.link
    add = None if tree is None else tree.add
    for entry in entries:
        if type(entry) is Corrupt:
            return _broken(stream, expected - 1, expected, f"record {expected}: {entry.reason}")
        r = entry  # narrowed by the test above, without a call per record
        if r.seq != expected or r.stream != stream:
            return _broken(
                stream,
                expected - 1,
                expected,
                f"expected record {expected} of stream {stream!r}, found record {r.seq} "
                f"of stream {r.stream!r}: records deleted, inserted or reordered",
            )
        if r.alg != alg or r.prev_hash != prev:
            problem = _check_one(r, prev, chain)
            return _broken(stream, expected - 1, r.seq, f"record {r.seq}: {problem}")
        encoded = r.encoded if type(r) is Link else canonical(r)  # type: ignore[arg-type]
        if link(prev, encoded, alg) != r.hash:
            exact = None if reread is None or type(r) is not Link else reread(r)
            if type(exact) is Corrupt:
                return _broken(stream, expected - 1, expected, f"record {expected}: {exact.reason}")
            if exact is None or link(prev, exact.encoded, alg) != r.hash:  # type: ignore[union-attr]
                altered = f"record {r.seq}: hash mismatch: the record was altered"
                return _broken(stream, expected - 1, r.seq, altered)
            encoded = exact.encoded  # type: ignore[union-attr]
        if add is not None:
            found = add(r.seq, _sha256(b"\x00" + encoded).digest())  # the Merkle leaf
            if found is not None:
                return _broken(stream, expected - 1, found[0], found[1])
        prev = r.hash
        expected += 1
    checked = expected - 1
    if head is None:
        if checked == 0:
            return VerifyReport(0, True, None, "empty", stream)
        return _broken(stream, checked, None, "head marker missing: truncation cannot be ruled out")
    if head.count > checked:
        return _broken(
            stream,
            checked,
            checked + 1,
            f"tail truncated: head marker counts {head.count} records, found {checked}",
        )
    if head.count < checked:
        return _broken(
            stream,
            head.count,
            head.count + 1,
            f"records beyond the head marker ({checked} found, marker counts {head.count})",
        )
    if head.last_hash != prev:
        return _broken(
            stream, checked - 1, checked or None, "head marker hash differs from the last record"
        )
    return VerifyReport(checked, True, None, f"{checked} records intact", stream)


def _check_one(r: AuditRecord | Link, prev: str, chain: Chain) -> str:
    """What is wrong with a record whose prev_hash or algorithm is not the expected one."""
    if r.prev_hash != prev:
        return "prev_hash does not match the previous record"
    if r.alg not in (ALG_SHA256, ALG_HMAC):
        return f"unknown hash algorithm {r.alg!r}"
    if r.alg == ALG_HMAC and not chain.keyed:
        return "HMAC-protected: the key is needed to verify it"
    if chain.keyed and r.alg != ALG_HMAC:
        return "not HMAC-protected although a key was given"
    raise AssertionError("called for a record that needs no explanation")


def combine(reports: Sequence[VerifyReport]) -> VerifyReport:
    """One report for several streams: the first broken one, or all counted."""
    total = sum(r.checked for r in reports)
    for r in reports:
        if not r.ok:
            return VerifyReport(total, False, r.first_broken, r.reason, r.stream, len(reports))
    if not reports:
        return VerifyReport(0, True, None, "empty", None, 0)
    stream = reports[0].stream if len(reports) == 1 else None
    reason = f"{total} records intact in {len(reports)} stream(s)"
    # What each stream's check adds (its tree, checkpoints, pruning) after the count.
    notes = [r.reason.split("; ", 1)[1] for r in reports if "; " in r.reason]
    if len(reports) == 1 and notes:
        reason += "; " + notes[0]
    elif notes:
        reason += "; " + "; ".join(
            f"{r.stream}: {r.reason.split('; ', 1)[1]}" for r in reports if "; " in r.reason
        )
    return VerifyReport(total, True, None, reason, stream, len(reports))
