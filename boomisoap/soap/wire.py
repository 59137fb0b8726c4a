"""The SOAP 1.1 wire: one method per Boomi operation, each a single exchange."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from lxml import etree

from ..models.extras import Unknown
from ..models.fields import ObjectSpec, hidden_ids
from ..models.results import BulkAnswer, QueryPage
from ..query import Expr
from ..transport import Call, HttpRequest, HttpResponse, HttpTransport, is_xml, scrub
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
        transport: HttpTransport,
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
        self.transport = transport
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

    def _exchange(
        self,
        operation: str,
        spec: ObjectSpec | None,
        ids: Sequence[str],
        build: Callable[[], bytes],
        read: Callable[[Any, Unknown], T],
    ) -> T:
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
            hidden = (*self.transport.secrets.credentials(), *hidden_ids(spec, ids))

            def excerpt() -> str:
                # Scrubbed before it is cut: a cut could leave a secret's head behind.
                # Only when an error quotes it: scrubbing a body costs as much as a call.
                text = scrub(response.body.decode("utf-8", errors="replace"), hidden)
                return self.transport.excerpt(text.encode("utf-8"))

            child, unknown = responses.response_body(
                response,
                validate=self.validate,
                excerpt=excerpt,
                object_type=call.object_type,
                secrets=hidden,
            )
            return read(child, unknown)

        return self.transport.exchange(call, request, parse, rebuild=build)

    def get(self, spec: ObjectSpec, object_id: str) -> Any:
        build = self._builder_of("get", spec, object_id)
        return self._exchange("get", spec, [object_id], build, responses.read_result)

    def query(self, spec: ObjectSpec, expr: Expr | None) -> QueryPage[Any]:
        build = self._builder_of("query", spec, expr)
        return self._exchange("query", spec, [], build, responses.read_page)

    def query_more(self, spec: ObjectSpec, token: str) -> QueryPage[Any]:
        build = self._builder_of("query_more", token)
        return self._exchange("queryMore", spec, [], build, responses.read_page)

    def create(self, spec: ObjectSpec, obj: Any) -> Any:
        build = self._builder_of("create", spec, obj)
        return self._exchange("create", spec, [], build, responses.read_result)

    def update(self, spec: ObjectSpec, obj: Any) -> Any:
        object_id = getattr(obj, spec.id_field) if spec.id_field else None
        build = self._builder_of("update", spec, obj)
        ids = [object_id] if object_id else []
        return self._exchange("update", spec, ids, build, responses.read_result)

    def delete(self, spec: ObjectSpec, object_id: str) -> bool:
        build = self._builder_of("delete", spec, object_id)
        return self._exchange("delete", spec, [object_id], build, responses.read_successful)

    def get_bulk(self, spec: ObjectSpec, ids: Sequence[str]) -> list[BulkAnswer[Any]]:
        build = self._builder_of("get_bulk", spec, list(ids))
        return self._exchange(
            "getBulk",
            spec,
            ids,
            build,
            lambda child, unknown: responses.read_bulk(child, spec, unknown),
        )

    def _builder_of(self, operation: str, *args: Any) -> Callable[[], bytes]:
        return lambda: self.envelope(operation, *args)
