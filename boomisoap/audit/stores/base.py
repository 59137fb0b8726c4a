"""What every store offers the AuditLog."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager

from ..chain import Chain
from ..filters import Query
from ..merkle import Frontier, NodeGetter
from ..record import AuditRecord
from ..signing import PublicKey, SignedCheckpoint
from ..verify import Head, VerifyReport


class Sink(ABC):
    """A store of one or more hash chains ("streams").

    ``append`` must be atomic: it reads the stream head, seals the drafts after it and
    makes records and the new head durable together, excluding every other writer
    (thread, process or machine) of the same stream meanwhile.
    """

    url: str
    stream: str
    """The stream this sink's appends go to."""

    @abstractmethod
    def append(self, drafts: Sequence[AuditRecord], chain: Chain) -> list[AuditRecord]:
        """Seal and store drafts at the end of this writer's stream; return them sealed."""

    def flush_count(self, waiting: int) -> int:
        """How many of ``waiting`` drafts a batching log's flusher thread appends at
        once: all of them, unless the store writes some counts in fewer steps.

        Each step that lets go of the GIL (a statement, a write) costs the flusher a
        switch interval (5 ms) to take it back from a caller busy recording, so a busy
        log's flusher keeps up only when its appends take few of them."""
        return waiting

    @abstractmethod
    def records(self, query: Query) -> Iterator[AuditRecord]:
        """Committed records matching ``query``, by stream then seq."""

    @abstractmethod
    def verify(
        self,
        chain: Chain,
        workers: int | None = None,
        public_key: PublicKey | None = None,
        anchored: Sequence[SignedCheckpoint] = (),
    ) -> VerifyReport:
        """Check every stream against its chain and head marker, its Merkle tree and
        its checkpoints (their signatures too, given ``public_key``); ``workers``
        processes decode records for stores that support it (None: by the store's size).
        ``anchored`` checkpoints (kept outside the store) are checked as if stored."""

    @abstractmethod
    def tree_head(self, stream: str | None = None) -> Frontier:
        """The committed Merkle tree head of ``stream`` (this sink's own by default)."""

    @abstractmethod
    def nodes(self, stream: str | None = None) -> AbstractContextManager[NodeGetter]:
        """A look-up of the stored tree nodes of ``stream``, open for the block."""

    @abstractmethod
    def add_checkpoint(self, cp: SignedCheckpoint) -> None:
        """Store a signed checkpoint."""

    @abstractmethod
    def checkpoints(self, stream: str | None = None) -> list[SignedCheckpoint]:
        """Stored checkpoints (of ``stream``, or all), by size."""

    @abstractmethod
    def pruned(self, stream: str | None = None) -> int:
        """How many leading records of ``stream`` were pruned."""

    @abstractmethod
    def prune(self, stream: str, through: int) -> int:
        """Delete records 1..``through`` of ``stream``, keeping its tree; how many went."""

    @abstractmethod
    def heads(self) -> dict[str, Head]:
        """The head marker of every stream."""

    @abstractmethod
    def close(self) -> None:
        """Release connections, files and locks."""
