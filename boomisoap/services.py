"""The adapter: get / query / create / update / delete / get_many as dataclasses.

One generic :class:`ObjectService` serves every object type on either wire; what differs
between types lives in the field maps (``boomisoap.models``), and what differs between
wires lives behind the :class:`Wire` protocol. A wire describes each call as an
:class:`~boomisoap.calls.Operation` without sending it; the checks before a call, the
chunking and pairing of bulk answers and the rules of paging are :class:`Operations`
and :class:`Pager`, free of I/O, which the sync service here and the async one
(``boomisoap.aio.services``) both drive.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from .calls import Operation
from .deprecation import caller_level
from .errors import InvalidRequest, PagingError
from .models.fields import ObjectSpec, check_id, check_object
from .models.results import BulkAnswer, BulkItem, QueryPage, pair_bulk
from .query import Expr, bind

T = TypeVar("T")
R = TypeVar("R")

BULK_LIMIT = 100

Run = Callable[[Operation[R]], R]


class Wire(Protocol):
    """One transport encoding of the Boomi operations (SOAP or REST-ish JSON): each
    method describes the exchange; a transport sends it."""

    name: str

    def get(self, spec: ObjectSpec, object_id: str) -> Operation[Any]: ...
    def query(self, spec: ObjectSpec, expr: Expr | None) -> Operation[QueryPage[Any]]: ...
    def query_more(self, spec: ObjectSpec, token: str) -> Operation[QueryPage[Any]]: ...
    def create(self, spec: ObjectSpec, obj: Any) -> Operation[Any]: ...
    def update(self, spec: ObjectSpec, obj: Any) -> Operation[Any]: ...
    def delete(self, spec: ObjectSpec, object_id: str) -> Operation[bool]: ...
    def get_bulk(
        self, spec: ObjectSpec, ids: Sequence[str]
    ) -> Operation[list[BulkAnswer[Any]]]: ...


# The wire methods that describe an exchange (what a BoundWire sends when called).
OPERATIONS = frozenset(
    {"get", "query", "query_more", "create", "update", "delete", "get_bulk", "plan_associations"}
)


class BoundWire:
    """A wire whose operations are sent as they are called, by ``run`` (a transport's):
    ``client._wire.get(spec, id)`` returns the object. Everything else is the wire's."""

    def __init__(self, wire: Any, run: Callable[[Operation[Any]], Any]) -> None:
        self._described = wire
        self._run = run

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._described, name)
        if name not in OPERATIONS:
            return attribute
        run = self._run

        def send(*args: Any) -> Any:
            return run(attribute(*args))

        return send

    def __repr__(self) -> str:
        return repr(self._described)


class Pager(Generic[T]):
    """The paging of one query, free of I/O: which page to ask for next, and the items of
    the one at hand. Only one page is held at a time."""

    def __init__(self, wire: Wire, spec: ObjectSpec, expr: Expr | None) -> None:
        self._wire = wire
        self._spec = spec
        self._expr = expr
        self.page: QueryPage[T] | None = None
        self._position = 0
        self.pages_fetched = 0
        # Every token followed so far: a service that hands one out again (the same token
        # each time, or a cycle of them) would be followed forever.
        self._tokens: set[str] = set()

    def _held(self) -> bool:
        page = self.page
        return page is not None and self._position < len(page.results)

    def wanted(self) -> Operation[QueryPage[T]] | None:
        """The page to fetch before the next item can be taken; None when an item is at
        hand or the last page is done (then :meth:`take` says which)."""
        return None if self._held() else self.next_page()

    def take(self, stop: type[Exception]) -> T:
        """The next item of the page at hand; raises ``stop`` when there is none (the
        iteration's own end: StopIteration, or StopAsyncIteration)."""
        if not self._held():
            raise stop
        assert self.page is not None
        self._position += 1
        return self.page.results[self._position - 1]

    def next_page(self) -> Operation[QueryPage[T]] | None:
        """The exchange that fetches the next page; None when the last page is done."""
        page = self.page
        if page is None:
            return self._wire.query(self._spec, self._expr)
        token = page.query_token
        if token is None:
            return None
        if token in self._tokens:
            raise PagingError(
                f"the service gave a queryToken again after {self.pages_fetched} page(s); "
                "following it would never end"
            )
        self._tokens.add(token)
        return self._wire.query_more(self._spec, token)

    def arrived(self, page: QueryPage[T]) -> None:
        self.page = page
        self._position = 0
        self.pages_fetched += 1

    @property
    def number_of_results(self) -> int | None:
        """The count the service reported for the current page, once one was fetched."""
        return None if self.page is None else self.page.number_of_results


class Paged(Generic[T]):
    """What a query iterator tells of its paging, sync or async."""

    _pager: Pager[T]

    @property
    def pages_fetched(self) -> int:
        return self._pager.pages_fetched

    @property
    def number_of_results(self) -> int | None:
        """The count the service reported for the current page, once one was fetched."""
        return self._pager.number_of_results


class QueryIterator(Paged[T]):
    """Iterates every result of a query, fetching the next page with queryMore on demand.

    Only one page is held at a time, so listing 10,000 objects needs the memory of 100.
    """

    def __init__(self, pager: Pager[T], run: Run[Any]) -> None:
        self._pager = pager
        self._run = run

    def __iter__(self) -> QueryIterator[T]:
        return self

    def __next__(self) -> T:
        while (fetch := self._pager.wanted()) is not None:
            self._pager.arrived(self._run(fetch))
        return self._pager.take(StopIteration)


class Operations(Generic[T]):
    """The calls of one object type as exchanges to send, each checked before it exists
    (a typed error naming the field, before anything is sent)."""

    def __init__(self, wire: Wire, spec: ObjectSpec) -> None:
        self.wire = wire
        self.spec = spec

    def allow(self, operation: str) -> None:
        if operation not in self.spec.operations:
            raise InvalidRequest(
                f"{operation} is not supported for {self.spec.type_name}", field="operation"
            )
        if self.spec.deprecated:
            warnings.warn(
                f"{self.spec.type_name} is deprecated by Boomi; use {self.spec.deprecated}",
                DeprecationWarning,
                stacklevel=caller_level(),
            )

    def get(self, object_id: str) -> Operation[T]:
        self.allow("get")
        return self.wire.get(self.spec, check_id(self.spec, object_id))

    def query(self, where: Expr | None) -> Pager[T]:
        self.allow("query")
        return Pager(self.wire, self.spec, bind(where, self.spec))

    def create(self, obj: T) -> Operation[T]:
        self.allow("create")
        check_object(self.spec, obj, "create")
        return self.wire.create(self.spec, obj)

    def update(self, obj: T) -> Operation[T]:
        self.allow("update")
        check_object(self.spec, obj, "update")
        return self.wire.update(self.spec, obj)

    def delete(self, object_id: str) -> Operation[bool]:
        self.allow("delete")
        return self.wire.delete(self.spec, check_id(self.spec, object_id))

    def bulk(self, ids: Iterable[str]) -> list[tuple[int, list[str]]]:
        """The chunks of 100 (with where each starts) a bulk GET of ``ids`` is sent in."""
        self.allow("getBulk")
        if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
            # A string is iterable: get_many("abc") would ask for "a", "b" and "c".
            raise InvalidRequest(
                f"ids must be a list of ids, got {type(ids).__name__}", field="ids"
            )
        wanted = [check_id(self.spec, i) for i in ids]
        return [
            (start, wanted[start : start + BULK_LIMIT])
            for start in range(0, len(wanted), BULK_LIMIT)
        ]

    def get_chunk(self, chunk: Sequence[str]) -> Operation[list[BulkAnswer[Any]]]:
        return self.wire.get_bulk(self.spec, chunk)

    def pair(
        self, start: int, chunk: Sequence[str], answered: list[BulkAnswer[Any]]
    ) -> list[BulkItem[T]]:
        """One item per id of a chunk, in the order asked."""
        return pair_bulk(chunk, answered, start, secret_id=self.spec.secret_id)


class ObjectService(Generic[T]):
    """The calls of one object type: ``apim.plans``, ``plat.accounts`` ..."""

    def __init__(self, wire: Wire, spec: ObjectSpec, run: Run[Any]) -> None:
        self._calls: Operations[T] = Operations(wire, spec)
        self._run = run
        self.spec = spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.type_name} over {self._calls.wire.name}>"

    def get(self, object_id: str) -> T:
        result: T = self._run(self._calls.get(object_id))
        return result

    def query(self, where: Expr | None = None) -> QueryIterator[T]:
        """All objects matching ``where`` (all objects when None), page by page, lazily."""
        return QueryIterator(self._calls.query(where), self._run)

    def create(self, obj: T) -> T:
        result: T = self._run(self._calls.create(obj))
        return result

    def update(self, obj: T) -> T:
        result: T = self._run(self._calls.update(obj))
        return result

    def delete(self, object_id: str) -> bool:
        result: bool = self._run(self._calls.delete(object_id))
        return result

    def get_many(self, ids: Iterable[str]) -> list[BulkItem[T]]:
        """Bulk GET in chunks of 100; one item per id, in the order asked.

        Items fail independently: check ``item.ok`` or call ``item.unwrap()``.
        """
        items: list[BulkItem[T]] = []
        for start, chunk in self._calls.bulk(ids):
            answered = self._run(self._calls.get_chunk(chunk))
            items.extend(self._calls.pair(start, chunk, answered))
        return items
