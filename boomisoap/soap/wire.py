"""The SOAP 1.1 wire: one method per Boomi operation, each describing a single exchange
(an :class:`~boomisoap.calls.Operation`, sent by a transport)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from lxml import etree

from .. import soapbody
from ..calls import Call, HttpRequest, HttpResponse, Operation, is_xml
from ..models.extras import Unknown
from ..models.fields import ObjectSpec, hidden_ids
from ..models.results import BulkAnswer, QueryPage
from ..query import Expr
from ..redact import SecretSet, excerpt_of
from ..urlpath import segment
from ..validation import validate_envelope
from . import responses
from .envelopes import EnvelopeBuilder

T = TypeVar("T")

SOAP_PATHS = {"apim": "/apim/api/soap/v1/", "platform": "/api/soap/v1/"}


class SoapWire:
    """Sends Boomi operations as SOAP envelopes built by zeep from the WSDL."""

    name = "soap"

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        account_id: str,
        secrets: SecretSet,
        plugins: list[Any],
        validate: bool | str = True,
        response_verifier: Any = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.service = service
        self.account_id = account_id
        # The account id is data: encoded as one path segment (urlpath).
        path = SOAP_PATHS[service] + segment(account_id, "account_id")
        self.url = base_url.rstrip("/") + path
        # The client's secrets: what an error quoting the answer must not show.
        self.secrets = secrets
        self.validate = validate
        self._builder = EnvelopeBuilder(service, plugins)
        self._verifier = response_verifier
        self._headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '""',
            "Accept": "text/xml",
            **(extra_headers or {}),
        }

    def envelope(self, operation: str, *args: Any) -> bytes:
        """The request envelope an operation would send, validated, as bytes."""
        envelope = getattr(self._builder, operation)(*args)
        if self.validate:
            validate_envelope(envelope, direction="request")
        return bytes(etree.tostring(envelope, encoding="utf-8", xml_declaration=True))

    def _operation(
        self,
        operation: str,
        spec: ObjectSpec | None,
        ids: Sequence[str],
        build: Callable[[], bytes],
        read: Callable[[Any, Unknown], T],
    ) -> Operation[T]:
        # Built per attempt: a retry carries a fresh Nonce and Created (see exchange()).
        body = build()
        call = Call(
            service=self.service,
            operation=operation,
            wire="soap",
            object_type=None if spec is None else spec.type_name,
            object_ids=tuple(ids),
            account_id=self.account_id,
            secret_ids=spec is not None and spec.secret_id,
            secret_fields=spec is not None and spec.has_secrets,
        )
        request = HttpRequest("POST", self.url, self._headers, body)

        def parse(response: HttpResponse) -> T:
            # Faults arrive as HTTP 500 and must be as authentic as results: every XML
            # answer is verified (ResponseVerifier may be told to allow unsigned faults).
            if self._verifier is not None and is_xml(response):
                self._verifier.verify(response.body)
            hidden = (*self.secrets.credentials(), *hidden_ids(spec, ids))
            child, unknown = responses.response_body(
                response,
                validate=self.validate,
                # Only when an error quotes it: scrubbing a body costs as much as a call.
                excerpt=lambda: excerpt_of(response.body, hidden),
                object_type=call.object_type,
                secrets=hidden,
            )
            return read(child, unknown)

        return Operation(call, request, parse, rebuild=build)

    def get(self, spec: ObjectSpec, object_id: str) -> Operation[Any]:
        build = self._builder_of("get", spec, object_id)
        return self._operation("get", spec, [object_id], build, soapbody.result.read)

    def query(self, spec: ObjectSpec, expr: Expr | None) -> Operation[QueryPage[Any]]:
        build = self._builder_of("query", spec, expr)
        return self._operation("query", spec, [], build, soapbody.page.read)

    def query_more(self, spec: ObjectSpec, token: str) -> Operation[QueryPage[Any]]:
        build = self._builder_of("query_more", token)
        return self._operation("queryMore", spec, [], build, soapbody.page.read)

    def create(self, spec: ObjectSpec, obj: Any) -> Operation[Any]:
        build = self._builder_of("create", spec, obj)
        return self._operation("create", spec, [], build, soapbody.result.read)

    def update(self, spec: ObjectSpec, obj: Any) -> Operation[Any]:
        object_id = getattr(obj, spec.id_field) if spec.id_field else None
        build = self._builder_of("update", spec, obj)
        ids = [object_id] if object_id else []
        return self._operation("update", spec, ids, build, soapbody.result.read)

    def delete(self, spec: ObjectSpec, object_id: str) -> Operation[bool]:
        build = self._builder_of("delete", spec, object_id)
        return self._operation("delete", spec, [object_id], build, soapbody.successful.read)

    def get_bulk(self, spec: ObjectSpec, ids: Sequence[str]) -> Operation[list[BulkAnswer[Any]]]:
        build = self._builder_of("get_bulk", spec, list(ids))
        return self._operation(
            "getBulk",
            spec,
            ids,
            build,
            lambda child, unknown: soapbody.bulk.read(child, spec, unknown),
        )

    def _builder_of(self, operation: str, *args: Any) -> Callable[[], bytes]:
        return lambda: self.envelope(operation, *args)
