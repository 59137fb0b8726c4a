"""Result containers shared by every service."""

from __future__ import annotations

import dataclasses
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
