"""Result containers shared by every service."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Generic, TypeVar

from ..errors import BoomiFault
from ..redact import redact_id, scrub

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class QueryPage(Generic[T]):
    """One page of a query: at most 100 results and the token for the next page."""

    results: tuple[T, ...]
    number_of_results: int
    query_token: str | None = None


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class BulkItem(Generic[T]):
    """The outcome of one id of a bulk GET, in the order the ids were asked.

    ``index`` (0-based, over the whole ``get_many`` call) and ``id`` are the request's,
    whatever the answer carried: Boomi's answers often carry neither.
    ``secret_id`` marks an id that is a secret (an ApiKey's key): ``repr`` and the error
    of :meth:`unwrap` then show it redacted; ``id`` itself stays the value asked for.
    """

    index: int
    id: str
    status_code: int
    result: T | None = None
    error_message: str | None = None
    secret_id: bool = False

    def __post_init__(self) -> None:
        # The server's message may echo a secret (a key asked for, the password).
        if self.error_message:
            object.__setattr__(self, "error_message", scrub(self.error_message))

    def __repr__(self) -> str:
        return (
            f"BulkItem(index={self.index!r}, id={redact_id(self.id, self.secret_id)!r}, "
            f"status_code={self.status_code!r}, result={self.result!r}, "
            f"error_message={self.error_message!r})"
        )

    @property
    def ok(self) -> bool:
        return self.result is not None and 200 <= self.status_code < 300

    def unwrap(self) -> T:
        """The result, or the matching BoomiFault subclass for a failed item."""
        if self.result is not None and self.ok:
            return self.result
        from ..errors import fault_class_for

        cls: type[BoomiFault] = fault_class_for(self.status_code)
        raise cls(
            self.error_message
            or f"{redact_id(self.id, self.secret_id)}: status {self.status_code}",
            status_code=self.status_code,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class BulkAnswer(Generic[T]):
    """One ``response`` item of a bulk answer as it arrived: every part is optional."""

    index: int | None = None
    id: str | None = None
    status_code: int | None = None
    result: T | None = None
    error_message: str | None = None


NO_ANSWER = "no answer for this id"


def pair_bulk(
    ids: Sequence[str],
    answers: Sequence[BulkAnswer[T]],
    offset: int = 0,
    *,
    secret_id: bool = False,
) -> list[BulkItem[T]]:
    """One BulkItem per id, in the order asked: answers paired by index, else id, else order.

    Indexes are used when every answer has one and together they number the request
    (0-based, or 1-based); otherwise an answer naming an id takes the first unclaimed slot
    of that id (exact, then ignoring case: Boomi's own example answers
    ``not_a_real_process_ID`` for ``not_a_real_process_id``); the rest fill the unclaimed
    slots in order. An id left without an answer is a failed item (500).
    """
    slots: list[BulkAnswer[T] | None] = [None] * len(ids)
    indexes = [a.index for a in answers]
    start = _numbering(indexes, len(ids))
    if start is not None:
        for answer in answers:
            assert answer.index is not None
            slots[answer.index - start] = answer
    else:
        rest: list[BulkAnswer[T]] = []
        for answer in answers:
            slot = _slot_of(ids, slots, answer.id)
            if slot is None:
                rest.append(answer)
            else:
                slots[slot] = answer
        free = (i for i, taken in enumerate(slots) if taken is None)
        for answer, slot in zip(rest, free, strict=False):
            slots[slot] = answer
    return [_item(offset + i, object_id, slots[i], secret_id) for i, object_id in enumerate(ids)]


def _numbering(indexes: Sequence[int | None], count: int) -> int | None:
    if len(indexes) != count or any(i is None for i in indexes):
        return None
    present = set(indexes)
    for start in (0, 1):
        if present == set(range(start, start + count)):
            return start
    return None


def _slot_of(ids: Sequence[str], slots: Sequence[object], answer_id: str | None) -> int | None:
    if not answer_id:
        return None
    for same in (str.__eq__, lambda a, b: a.casefold() == b.casefold()):
        for position, object_id in enumerate(ids):
            if slots[position] is None and same(object_id, answer_id):
                return position
    return None


def _item(index: int, object_id: str, answer: BulkAnswer[T] | None, secret_id: bool) -> BulkItem[T]:
    if answer is None:
        return BulkItem(index, object_id, 500, None, NO_ANSWER, secret_id)
    status = answer.status_code
    if status is None:
        # Boomi's successful items always carry statusCode; without one, a Result is
        # taken as success and its absence as a server-side failure.
        status = 200 if answer.result is not None else 500
    return BulkItem(index, object_id, status, answer.result, answer.error_message, secret_id)
