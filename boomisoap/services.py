"""The adapter: get / query / create / update / delete / get_many as dataclasses.

One generic :class:`ObjectService` serves every object type on either wire; what differs
between types lives in the field maps (``boomisoap.models``), and what differs between
wires lives behind the :class:`Wire` protocol.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from .errors import InvalidRequest, PagingError
from .models.fields import ObjectSpec, check_id, check_object
from .models.results import BulkAnswer, BulkItem, QueryPage, pair_bulk
from .query import Expr, bind

T = TypeVar("T")

BULK_LIMIT = 100


class Wire(Protocol):
    """One transport encoding of the Boomi operations (SOAP or REST-ish JSON)."""

    name: str

    def get(self, spec: ObjectSpec, object_id: str) -> Any: ...
    def query(self, spec: ObjectSpec, expr: Expr | None) -> QueryPage[Any]: ...
    def query_more(self, spec: ObjectSpec, token: str) -> QueryPage[Any]: ...
    def create(self, spec: ObjectSpec, obj: Any) -> Any: ...
    def update(self, spec: ObjectSpec, obj: Any) -> Any: ...
    def delete(self, spec: ObjectSpec, object_id: str) -> bool: ...
    def get_bulk(self, spec: ObjectSpec, ids: Sequence[str]) -> list[BulkAnswer[Any]]: ...


class QueryIterator(Generic[T]):
    """Iterates every result of a query, fetching the next page with queryMore on demand.

    Only one page is held at a time, so listing 10,000 objects needs the memory of 100.
    """

    def __init__(self, wire: Wire, spec: ObjectSpec, expr: Expr | None) -> None:
        self._wire = wire
        self._spec = spec
        self._expr = expr
        self._page: QueryPage[T] | None = None
        self._position = 0
        self.pages_fetched = 0
        # Every token followed so far: a service that hands one out again (the same token
        # each time, or a cycle of them) would be followed forever.
        self._tokens: set[str] = set()

    def __iter__(self) -> QueryIterator[T]:
        return self

    def __next__(self) -> T:
        while True:
            page = self._page
            if page is None:
                page = self._fetch(None)
            if self._position < len(page.results):
                self._position += 1
                return page.results[self._position - 1]
            if page.query_token is None:
                raise StopIteration
            self._fetch(page.query_token)

    def _fetch(self, token: str | None) -> QueryPage[T]:
        if token is None:
            page = self._wire.query(self._spec, self._expr)
        else:
            if token in self._tokens:
                raise PagingError(
                    f"the service gave a queryToken again after {self.pages_fetched} page(s); "
                    "following it would never end"
                )
            self._tokens.add(token)
            page = self._wire.query_more(self._spec, token)
        self._page = page
        self._position = 0
        self.pages_fetched += 1
        return page

    @property
    def number_of_results(self) -> int | None:
        """The count the service reported for the current page, once one was fetched."""
        return None if self._page is None else self._page.number_of_results


class ObjectService(Generic[T]):
    """The calls of one object type: ``apim.plans``, ``plat.accounts`` ..."""

    def __init__(self, wire: Wire, spec: ObjectSpec) -> None:
        self._wire = wire
        self.spec = spec

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec.type_name} over {self._wire.name}>"

    def _allow(self, operation: str) -> None:
        if operation not in self.spec.operations:
            raise InvalidRequest(
                f"{operation} is not supported for {self.spec.type_name}", field="operation"
            )
        if self.spec.deprecated:
            warnings.warn(
                f"{self.spec.type_name} is deprecated by Boomi; use {self.spec.deprecated}",
                DeprecationWarning,
                stacklevel=3,
            )

    def get(self, object_id: str) -> T:
        self._allow("get")
        result: T = self._wire.get(self.spec, check_id(self.spec, object_id))
        return result

    def query(self, where: Expr | None = None) -> QueryIterator[T]:
        """All objects matching ``where`` (all objects when None), page by page, lazily."""
        self._allow("query")
        return QueryIterator(self._wire, self.spec, bind(where, self.spec))

    def create(self, obj: T) -> T:
        self._allow("create")
        check_object(self.spec, obj, "create")
        result: T = self._wire.create(self.spec, obj)
        return result

    def update(self, obj: T) -> T:
        self._allow("update")
        check_object(self.spec, obj, "update")
        result: T = self._wire.update(self.spec, obj)
        return result

    def delete(self, object_id: str) -> bool:
        self._allow("delete")
        return self._wire.delete(self.spec, check_id(self.spec, object_id))

    def get_many(self, ids: Iterable[str]) -> list[BulkItem[T]]:
        """Bulk GET in chunks of 100; one item per id, in the order asked.

        Items fail independently: check ``item.ok`` or call ``item.unwrap()``.
        """
        self._allow("getBulk")
        if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
            # A string is iterable: get_many("abc") would ask for "a", "b" and "c".
            raise InvalidRequest(
                f"ids must be a list of ids, got {type(ids).__name__}", field="ids"
            )
        wanted = [check_id(self.spec, i) for i in ids]
        items: list[BulkItem[T]] = []
        for start in range(0, len(wanted), BULK_LIMIT):
            chunk = wanted[start : start + BULK_LIMIT]
            answered = self._wire.get_bulk(self.spec, chunk)
            items.extend(pair_bulk(chunk, answered, start, secret_id=self.spec.secret_id))
        return items
