"""Request envelopes built by zeep from the WSDL, with values taken from the field maps."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models.fields import ObjectSpec
from ..namespaces import API
from ..query import Expr, Group, Simple


class EnvelopeBuilder:
    """Builds the request envelope of each operation of one service through zeep.

    zeep applies the wsse plugins (UsernameToken, Timestamp, signature) as it builds, so
    the returned envelope is the one to send.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        self._types: dict[str, Any] = {}

    def _type(self, namespace: str, name: str) -> Any:
        key = f"{{{namespace}}}{name}"
        found = self._types.get(key)
        if found is None:
            found = self._types[key] = self._client.get_type(key)
        return found

    def _message(self, operation: str, **parts: Any) -> Any:
        return self._client.create_message(self._client.service, operation, **parts)

    def get(self, spec: ObjectSpec, object_id: str) -> Any:
        return self._message("get", objectType=spec.type_name, objectId=object_id)

    def delete(self, spec: ObjectSpec, object_id: str) -> Any:
        return self._message("delete", objectType=spec.type_name, objectId=object_id)

    def query(self, spec: ObjectSpec, expr: Expr | None) -> Any:
        query_filter = {} if expr is None else {"expression": self._expression(expr)}
        return self._message(
            "query", objectType=spec.type_name, queryConfig={"QueryFilter": query_filter}
        )

    def query_more(self, token: str) -> Any:
        return self._message("queryMore", queryToken=token)

    def create(self, spec: ObjectSpec, obj: Any) -> Any:
        return self._message("create", object=self._object(spec, obj, "create"))

    def update(self, spec: ObjectSpec, obj: Any) -> Any:
        return self._message("update", object=self._object(spec, obj, "update"))

    def get_bulk(self, spec: ObjectSpec, ids: Sequence[str]) -> Any:
        # Each item is written <api:request xsi:type="api:BulkId" id=".."/>, as in Boomi's
        # "Bulk GET operations" page: the declared item type is the abstract base.
        bulk_id = self._type(API, "BulkId")
        return self._message(
            "getBulk",
            objectType=spec.type_name,
            bulkObject={"type": "GET", "request": [bulk_id(id=i) for i in ids]},
        )

    def _object(self, spec: ObjectSpec, obj: Any, operation: str) -> Any:
        values: dict[str, Any] = {}
        for fld in spec.fields:
            value = getattr(obj, fld.name)
            # Server-assigned fields are never sent on create; on update the id must be.
            if value is None or (operation == "create" and fld.server_assigned):
                continue
            if fld.nested is None:
                values[fld.wire] = fld.kind.to_text(value)
        return self._type(spec.namespace, spec.type_name)(**values)

    def _expression(self, expr: Expr) -> Any:
        api = API
        if isinstance(expr, Group):
            nested = [self._expression(e) for e in expr.expressions]
            return self._type(api, "GroupingExpression")(
                operator=expr.operator, nestedExpression=nested
            )
        assert isinstance(expr, Simple)
        return self._type(api, "SimpleExpression")(
            operator=expr.operator, property=expr.property, argument=list(expr.arguments)
        )
