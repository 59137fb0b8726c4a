"""Request envelopes: what each operation sends, said once, written by lxml or by zeep.

Each method states an operation's *parts* (the wrapper's children by their schema names,
values already wire text) from the field maps. By default they are written directly with
lxml from the WSDL's operation definitions (:mod:`boomisoap.soap.fastenvelope`); with
``engine="zeep"`` zeep's ``create_message`` writes the same parts from the same WSDL. zeep is
the reference: tests/test_fast_envelope.py proves both envelopes equal for every operation
and object type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from ..models.fields import ObjectSpec
from ..namespaces import API
from ..query import Expr, Group, Simple
from .fastenvelope import Part, Typed, add_header_blocks, apply_headers, writer

Engine = Literal["lxml", "zeep"]
ENGINES: tuple[Engine, ...] = ("lxml", "zeep")


class EnvelopeBuilder:
    """Builds the request envelope of each operation of one service, WS-Security applied.

    The wsse plugins (UsernameToken, Timestamp, signature) are applied in order to the
    built envelope, as zeep's ``Compose`` does, so the returned envelope is the one to send.
    """

    def __init__(
        self, service: str, plugins: Sequence[Any] = (), *, engine: Engine = "lxml"
    ) -> None:
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}")
        self.service = service
        self.engine = engine
        self.plugins = tuple(plugins)
        # Read when the client is made (once per process), not inside its first call and
        # that call's deadline, as zeep's WSDL was.
        self._writer = writer(service) if engine == "lxml" else None
        self._zeep: Any = None
        self._types: dict[str, Any] = {}

    def get(self, spec: ObjectSpec, object_id: str) -> Any:
        return self._message("get", objectType=spec.type_name, objectId=object_id)

    def delete(self, spec: ObjectSpec, object_id: str) -> Any:
        return self._message("delete", objectType=spec.type_name, objectId=object_id)

    def query(self, spec: ObjectSpec, expr: Expr | None) -> Any:
        query_filter = {} if expr is None else {"expression": _expression(expr)}
        return self._message(
            "query", objectType=spec.type_name, queryConfig={"QueryFilter": query_filter}
        )

    def query_more(self, token: str) -> Any:
        return self._message("queryMore", queryToken=token)

    def create(self, spec: ObjectSpec, obj: Any) -> Any:
        return self._message("create", object=_object(spec, obj, "create"))

    def update(self, spec: ObjectSpec, obj: Any) -> Any:
        return self._message("update", object=_object(spec, obj, "update"))

    def get_bulk(self, spec: ObjectSpec, ids: Sequence[str]) -> Any:
        # Each item is written <api:request xsi:type="api:BulkId" id=".."/>, as in Boomi's
        # "Bulk GET operations" page: the declared item type is the abstract base.
        requests = [Typed(API, "BulkId", {"id": i}) for i in ids]
        return self._message(
            "getBulk", objectType=spec.type_name, bulkObject={"type": "GET", "request": requests}
        )

    def _message(self, operation: str, header_blocks: Sequence[Any] = (), **parts: Part) -> Any:
        """``operation``'s envelope of ``parts``, with ``header_blocks`` (lxml elements) in
        its SOAP Header beside the wsse plugins' own."""
        if self.engine == "zeep":
            client = self._zeep_client()
            values = {name: self._zeep_value(value) for name, value in parts.items()}
            if header_blocks:
                values["_soapheaders"] = list(header_blocks)
            # zeep applies the same plugins (composed) as it builds.
            return client.create_message(client.service, operation, **values)
        assert self._writer is not None
        envelope = self._writer.envelope(operation, parts)
        if header_blocks:
            add_header_blocks(envelope, header_blocks)
        return apply_headers(envelope, self.plugins)

    # -- zeep, the reference -----------------------------------------------------------------

    def _zeep_client(self) -> Any:
        if self._zeep is None:
            from .factory import zeep_client

            self._zeep = zeep_client(self.service, list(self.plugins))
        return self._zeep

    def _zeep_value(self, value: Part) -> Any:
        if isinstance(value, Typed):
            key = f"{{{value.namespace}}}{value.name}"
            found = self._types.get(key)
            if found is None:
                found = self._types[key] = self._zeep_client().get_type(key)
            return found(**{k: self._zeep_value(v) for k, v in value.values.items()})
        if isinstance(value, Mapping):
            return {k: self._zeep_value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._zeep_value(v) for v in value]
        return value


def _object(spec: ObjectSpec, obj: Any, operation: str) -> Typed:
    values: dict[str, str] = {}
    for fld in spec.sendable(operation):
        value = getattr(obj, fld.name)
        # No object sent over SOAP has a nested field (only Account, which is read only).
        if value is not None and fld.nested is None:
            values[fld.wire] = fld.kind.to_text(value)
    return Typed(spec.namespace, spec.type_name, values)


def _expression(expr: Expr) -> Typed:
    if isinstance(expr, Group):
        nested = [_expression(e) for e in expr.expressions]
        return Typed(
            API, "GroupingExpression", {"operator": expr.operator, "nestedExpression": nested}
        )
    assert isinstance(expr, Simple)
    return Typed(
        API,
        "SimpleExpression",
        {"operator": expr.operator, "property": expr.property, "argument": list(expr.arguments)},
    )
