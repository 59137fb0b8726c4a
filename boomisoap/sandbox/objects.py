"""The state of APIM and Platform objects: one generic CRUD, query and bulk path.

Every operation takes an object spec from the registry and works on dataclasses; the
protocol handlers (SOAP, REST) only translate the wire to these calls and back. Each call
is one transaction. Errors are the library's own fault classes with their status codes,
which the handlers turn into SOAP faults or JSON errors.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from ..codec.jsoncodec import from_json, to_json
from ..errors import Conflict, InvalidRequest, NotFound
from ..models.apim import PlanAssociation
from ..models.fields import STRING, Field, ObjectSpec, check_id, check_object, check_text
from ..models.registry import spec_for
from ..models.results import BulkItem, QueryPage
from ..query import Expr, Group, Simple, bind, matches
from ..redact import redact_id
from . import rules
from .storage import Row, Store, Transaction
from .tokens import QueryTokens

PAGE_SIZE = 100
BULK_LIMIT = 100


class ObjectState:
    def __init__(self, store: Store, tokens: QueryTokens, *, page_size: int = PAGE_SIZE) -> None:
        self.store = store
        self.tokens = tokens
        self.page_size = page_size

    # reads -----------------------------------------------------------------------------

    def get(self, account: str, spec: ObjectSpec, object_id: str) -> Any:
        _require(spec, "get")
        check_id(spec, object_id)
        row = self.store.get(account, spec.type_name, object_id)
        return _load(spec, _visible(spec, row, object_id))

    def get_bulk(self, account: str, spec: ObjectSpec, ids: Sequence[str]) -> list[BulkItem[Any]]:
        _require(spec, "getBulk")
        if not ids:
            raise InvalidRequest("a bulk request needs at least one id", field="request")
        if len(ids) > BULK_LIMIT:
            raise InvalidRequest(
                f"a bulk request takes at most {BULK_LIMIT} ids, got {len(ids)}", field="request"
            )
        items: list[BulkItem[Any]] = []
        with self.store.transaction() as tx:
            for index, object_id in enumerate(ids):
                try:
                    check_text(object_id)
                except ValueError as exc:
                    # Items fail independently: this one alone is a bad request.
                    items.append(BulkItem(index, object_id, 400, None, f"id: {exc}"))
                    continue
                row = tx.get(account, spec.type_name, object_id) if object_id else None
                try:
                    result = _load(spec, _visible(spec, row, object_id))
                except NotFound as exc:
                    # Boomi's "Bulk GET operations" page answers an unknown id with 400.
                    items.append(BulkItem(index, object_id, 400, None, exc.message))
                else:
                    items.append(BulkItem(index, object_id, 200, result))
        return items

    def query(self, account: str, spec: ObjectSpec, expr: Expr | None) -> QueryPage[Any]:
        _require(spec, "query")
        bound = bind(expr, spec)
        return self._page(account, spec, bound, after=0)

    def query_more(
        self, account: str, token: str, spec: ObjectSpec | None = None
    ) -> tuple[ObjectSpec, QueryPage[Any]]:
        """The next page behind ``token``; ``spec`` (REST: the path's type) must match."""
        cursor = self.tokens.redeem(account, token)
        if spec is not None and spec.type_name != cursor.type_name:
            raise InvalidRequest(
                f"queryToken belongs to a {cursor.type_name} query", field="queryToken"
            )
        found = spec_for(cursor.type_name)
        page = self._page(account, found, cursor.expr, after=cursor.after)
        if page.query_token is None:
            # The query is exhausted: the token that reached its end is spent.
            self.tokens.revoke(token)
        return found, page

    def _page(
        self, account: str, spec: ObjectSpec, expr: Expr | None, *, after: int
    ) -> QueryPage[Any]:
        size = self.page_size
        prefixes, rest = _in_sql(expr, spec)
        scope: dict[str, Any] = {
            "after": after,
            "include_deleted": rules.keeps_deleted(spec),
            # The account's own record is not one of its children.
            "skip_id": account if spec.type_name == "Account" else None,
            "prefixes": prefixes,
        }
        with self.store.transaction() as tx:
            if rest is None:
                # SQLite applies the whole filter: the row past the page says there is
                # more, and is never decoded.
                found = tx.texts(account, spec.type_name, limit=size + 1, **scope)
                more = len(found) > size
                del found[size:]
                results = [_decode(spec.type_name, text) for _, text in found]
                last_seq = found[-1][0] if found else after
            else:
                results, last_seq, more = [], after, False
                for row in tx.scan(account, spec.type_name, **scope):
                    obj = _load(spec, row)
                    if not matches(rest, spec, obj):
                        continue
                    if len(results) == size:
                        more = True
                        break
                    results.append(obj)
                    last_seq = row.seq
        token = self.tokens.issue(account, spec.type_name, expr, last_seq) if more else None
        return QueryPage(tuple(results), len(results), token)

    # writes ----------------------------------------------------------------------------

    def create(self, account: str, spec: ObjectSpec, obj: Any, context: rules.Context) -> Any:
        _require(spec, "create")
        check_object(spec, obj, "create")
        defaults = rules.CREATE_DEFAULTS.get(spec.type_name, {})
        values: dict[str, Any] = {}
        for fld in spec.fields:
            if fld.server_assigned:
                # Whatever the caller sent for these is replaced: the server owns them.
                values[fld.name] = rules.assigned_value(spec, fld, context)
            elif getattr(obj, fld.name) is None and fld.name in defaults:
                values[fld.name] = defaults[fld.name]
        created = dataclasses.replace(obj, **values)
        object_id = _id_of(spec, created)
        with self.store.transaction() as tx:
            self._check_references(tx, account, spec, created)
            tx.insert(account, spec.type_name, object_id, to_json(created, spec))
        return created

    def update(self, account: str, spec: ObjectSpec, obj: Any) -> Any:
        """Full replacement of the writable fields; server-owned ones cannot change."""
        _require(spec, "update")
        check_object(spec, obj, "update")
        object_id = _id_of(spec, obj)
        defaults = rules.CREATE_DEFAULTS.get(spec.type_name, {})
        with self.store.transaction() as tx:
            row = _existing(spec, tx.get(account, spec.type_name, object_id), object_id)
            stored = _load(spec, row)
            values: dict[str, Any] = {}
            for fld in spec.fields:
                new, old = getattr(obj, fld.name), getattr(stored, fld.name)
                if fld.name == spec.id_field:
                    continue
                if fld.server_assigned or fld.immutable:
                    if new is not None and new != old:
                        raise InvalidRequest(f"{fld.wire} cannot be changed", field=fld.wire)
                    values[fld.name] = old
                elif new is None and fld.name in defaults:
                    values[fld.name] = old
                else:
                    values[fld.name] = new
            updated = dataclasses.replace(stored, **values)
            self._check_references(tx, account, spec, updated)
            tx.replace(account, spec.type_name, object_id, to_json(updated, spec))
        return updated

    def delete(self, account: str, spec: ObjectSpec, object_id: str) -> bool:
        _require(spec, "delete")
        check_id(spec, object_id)
        with self.store.transaction() as tx:
            row = _existing(spec, tx.get(account, spec.type_name, object_id), object_id)
            if spec.type_name in rules.GUARDED_BY_LINKS:
                holders = tx.links_of(account, object_id)
                if holders:
                    kind, ref = holders[0]
                    raise Conflict(
                        f"{_named(spec, object_id)} is in use by {kind} {ref}",
                        field=spec.id_wire,
                    )
            document = dict(row.document)
            if rules.keeps_deleted(spec):
                document["deleted"] = True
            tx.replace(account, spec.type_name, object_id, document, deleted=True)
        return True

    def _check_references(self, tx: Transaction, account: str, spec: ObjectSpec, obj: Any) -> None:
        for name, type_name in rules.REFERENCES.get(spec.type_name, {}).items():
            value = getattr(obj, name)
            if value is None:
                continue
            row = tx.get(account, type_name, value)
            if row is None or row.deleted:
                wire = spec.by_name[name].wire
                raise InvalidRequest(f"{wire}: {type_name} {value} does not exist", field=wire)

    # plan links (deployments via REST planAssociation, subscriptions via admin calls) ---

    def link(self, account: str, kind: str, plan_id: str, ref: str) -> None:
        spec = spec_for("Plan")
        with self.store.transaction() as tx:
            row = tx.get(account, spec.type_name, plan_id)
            _visible(spec, row, plan_id)
            tx.link(account, kind, plan_id, ref)

    def unlink(self, account: str, kind: str, plan_id: str, ref: str) -> bool:
        with self.store.transaction() as tx:
            return tx.unlink(account, kind, plan_id, ref)

    def associate(self, account: str, associations: Sequence[PlanAssociation]) -> None:
        """REST ``planAssociation`` POST: all the plans are added, or none is (Boomi)."""
        spec = spec_for("Plan")
        with self.store.transaction() as tx:
            for association in associations:
                plan_id = association.plan_id
                _visible(spec, tx.get(account, spec.type_name, plan_id), plan_id)
                tx.link(account, "deployment", plan_id, deployment_ref(association))

    def dissociate(self, account: str, associations: Sequence[PlanAssociation]) -> None:
        """REST ``planAssociation`` DELETE: all are removed, or none is (NotFound)."""
        with self.store.transaction() as tx:
            for association in associations:
                plan_id, ref = association.plan_id, deployment_ref(association)
                if not tx.unlink(account, "deployment", plan_id, ref):
                    # Raising rolls the transaction back: nothing is removed.
                    raise NotFound(f"Plan {plan_id} is not associated with {ref}", field="planId")

    # administration (seeding, tests) ---------------------------------------------------

    def put(self, account: str, obj: Any, spec: ObjectSpec) -> None:
        """Store ``obj`` as given, bypassing every rule (seed data, test set-up)."""
        object_id = _id_of(spec, obj)
        document = to_json(obj, spec)
        with self.store.transaction() as tx:
            if tx.get(account, spec.type_name, object_id) is None:
                tx.insert(account, spec.type_name, object_id, document)
            else:
                tx.replace(account, spec.type_name, object_id, document)

    def count(self, account: str | None, type_name: str, *, include_deleted: bool = False) -> int:
        with self.store.transaction() as tx:
            return tx.count(account, type_name, include_deleted=include_deleted)


def deployment_ref(association: PlanAssociation) -> str:
    """How a deployment is named in the link table and in a Conflict's message."""
    return f"{association.component_id} in environment {association.environment_id}"


def _require(spec: ObjectSpec, operation: str) -> None:
    if operation not in spec.operations:
        raise InvalidRequest(
            f"{operation} is not supported for {spec.type_name}", field="operation"
        )


def _id_of(spec: ObjectSpec, obj: Any) -> str:
    assert spec.id_field is not None
    object_id = getattr(obj, spec.id_field)
    return check_id(spec, object_id)


def _load(spec: ObjectSpec, row: Row) -> Any:
    return _decode(spec.type_name, row.text)


@lru_cache(maxsize=4096)
def _decode(type_name: str, text: str) -> Any:
    # Objects are frozen dataclasses, so one decoded instance can serve every request that
    # reads the same stored JSON; a changed object has a different text and a new entry.
    return from_json(json.loads(text), spec_for(type_name))


def _in_sql(expr: Expr | None, spec: ObjectSpec) -> tuple[list[tuple[str, str]], Expr | None]:
    """The STARTS_WITH conditions the database can apply, and the rest of ``expr``.

    Only conjuncts are taken (the parts of top-level "and" groups), so a row the database
    leaves out could never have matched; the rest, None when nothing is left, is evaluated
    on the decoded objects. The taken ones are on plain string properties, whose stored
    JSON value is the very string ``matches`` would compare.
    """
    prefixes: list[tuple[str, str]] = []
    rest: list[Expr] = []
    pending = [] if expr is None else [expr]
    while pending:
        part = pending.pop(0)
        if isinstance(part, Group) and part.operator == "and":
            pending[:0] = part.expressions
        elif (
            isinstance(part, Simple)
            and part.operator == "STARTS_WITH"
            and _plain_text(spec.by_wire[part.property])
        ):
            prefixes.append((part.property, part.arguments[0]))
        else:
            rest.append(part)
    if not rest:
        return prefixes, None
    return prefixes, rest[0] if len(rest) == 1 else Group("and", tuple(rest))


def _plain_text(fld: Field) -> bool:
    return fld.kind is STRING and fld.nested is None and not fld.many


def _named(spec: ObjectSpec, object_id: str) -> str:
    # An ApiKey's id is its key: the emulator's messages (and so its logs) never echo it.
    return f"{spec.type_name} {redact_id(object_id, spec.secret_id)}"


def _visible(spec: ObjectSpec, row: Row | None, object_id: str) -> Row:
    """The row a get may answer: missing, and deleted-and-hidden, are both 404."""
    if row is None or (row.deleted and not rules.keeps_deleted(spec)):
        raise NotFound(f"{_named(spec, object_id)} does not exist", field=spec.id_wire)
    return row


def _existing(spec: ObjectSpec, row: Row | None, object_id: str) -> Row:
    """The row an update or delete may change: a deleted object is gone for good (410)."""
    if row is None:
        raise NotFound(f"{_named(spec, object_id)} does not exist", field=spec.id_wire)
    if row.deleted:
        raise NotFound(
            f"{_named(spec, object_id)} was deleted and cannot be changed or restored",
            status_code=410,
            field=spec.id_wire,
        )
    return row
