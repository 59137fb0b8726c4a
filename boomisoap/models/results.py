"""Result containers shared by every service."""

from __future__ import annotations

import dataclasses
from typing import Generic, TypeVar

from ..errors import BoomiFault

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class QueryPage(Generic[T]):
    """One page of a query: at most 100 results and the token for the next page."""

    results: tuple[T, ...]
    number_of_results: int
    query_token: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class BulkItem(Generic[T]):
    """The outcome of one id of a bulk GET, in the order the ids were asked."""

    index: int
    id: str
    status_code: int
    result: T | None = None
    error_message: str | None = None

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
            self.error_message or f"{self.id}: status {self.status_code}",
            status_code=self.status_code,
        )
