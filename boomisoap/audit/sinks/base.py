"""What every store offers the AuditLog."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence

from ..chain import Chain
from ..query import Query
from ..record import AuditRecord
from ..verify import Head, VerifyReport


class Sink(ABC):
    """A store of one or more hash chains ("streams").

    ``append`` must be atomic: it reads the stream head, seals the drafts after it and
    makes records and the new head durable together, excluding every other writer
    (thread, process or machine) of the same stream meanwhile.
    """

    url: str

    @abstractmethod
    def append(self, drafts: Sequence[AuditRecord], chain: Chain) -> list[AuditRecord]:
        """Seal and store drafts at the end of this writer's stream; return them sealed."""

    @abstractmethod
    def records(self, query: Query) -> Iterator[AuditRecord]:
        """Committed records matching ``query``, by stream then seq."""

    @abstractmethod
    def verify(self, chain: Chain, workers: int | None = None) -> VerifyReport:
        """Check every stream against its chain and head marker; ``workers`` processes
        decode records for stores that support it (None: decided by the store's size)."""

    @abstractmethod
    def heads(self) -> dict[str, Head]:
        """The head marker of every stream."""

    @abstractmethod
    def close(self) -> None:
        """Release connections, files and locks."""
