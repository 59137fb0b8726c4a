"""The async face of the object services: ``await apim.plans.get(...)``, ``async for``
over ``query``, and ``get_many`` sending its chunks concurrently.

The checks, the bulk chunking and pairing and the paging rules are the sync service's
(``boomisoap.services.Operations`` and ``Pager``); these classes only await the sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

from ..calls import Operation
from ..models.fields import ObjectSpec
from ..models.results import BulkItem
from ..query import Expr
from ..services import Operations, Paged, Pager, Wire

T = TypeVar("T")

Run = Callable[[Operation[Any]], Awaitable[Any]]


class AsyncQueryIterator(Paged[T]):
    """Iterates every result of a query (``async for``), fetching pages on demand."""

    def __init__(self, pager: Pager[T], run: Run) -> None:
        self._pager = pager
        self._run = run

    def __aiter__(self) -> AsyncQueryIterator[T]:
        return self

    async def __anext__(self) -> T:
        while (fetch := self._pager.wanted()) is not None:
            self._pager.arrived(await self._run(fetch))
        return self._pager.take(StopAsyncIteration)

    async def all(self) -> list[T]:
        """Every result, in order (all pages fetched)."""
        return [item async for item in self]


class AsyncObjectService(Generic[T]):
    """The calls of one object type on an async client: ``apim.plans`` ..."""

    def __init__(self, wire: Wire, spec: ObjectSpec, run: Run) -> None:
        self._calls: Operations[T] = Operations(wire, spec)
        self._run = run
        self.spec = spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.type_name} over {self._calls.wire.name}>"

    async def get(self, object_id: str) -> T:
        result: T = await self._run(self._calls.get(object_id))
        return result

    def query(self, where: Expr | None = None) -> AsyncQueryIterator[T]:
        """All objects matching ``where`` (all when None), page by page: ``async for``."""
        return AsyncQueryIterator(self._calls.query(where), self._run)

    async def create(self, obj: T) -> T:
        result: T = await self._run(self._calls.create(obj))
        return result

    async def update(self, obj: T) -> T:
        result: T = await self._run(self._calls.update(obj))
        return result

    async def delete(self, object_id: str) -> bool:
        result: bool = await self._run(self._calls.delete(object_id))
        return result

    async def get_many(self, ids: Iterable[str]) -> list[BulkItem[T]]:
        """Bulk GET in chunks of 100, the chunks sent concurrently (each paced by the
        client's rate budget); one item per id, in the order asked."""
        chunks = self._calls.bulk(ids)
        tasks = [
            asyncio.ensure_future(self._run(self._calls.get_chunk(chunk))) for _, chunk in chunks
        ]
        try:
            answers = await asyncio.gather(*tasks)
        except BaseException:
            # One chunk failed (or the caller gave up): the others are not left running.
            for task in tasks:
                task.cancel()
            raise
        items: list[BulkItem[T]] = []
        for (start, chunk), answered in zip(chunks, answers, strict=True):
            items.extend(self._calls.pair(start, chunk, answered))
        return items
