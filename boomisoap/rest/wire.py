"""The REST-ish JSON wire: the SOAP wire's operations as Boomi's JSON calls (docs/wire.md).

Each method describes one exchange (an :class:`~boomisoap.calls.Operation`) that the
client's transport sends, so pacing, retries, correlation ids and the audit trail are the
SOAP wire's, and the objects go through the same field maps (``boomisoap.codec.jsoncodec``)
into the same dataclasses.
"""

from __future__ import annotations

import base64
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from ..calls import Call, HttpRequest, HttpResponse, Operation
from ..codec import associations as plan_associations
from ..codec.jsoncodec import to_json
from ..errors import InvalidRequest
from ..models.apim import PlanAssociation
from ..models.extras import Unknown
from ..models.fields import ObjectSpec, hidden_ids
from ..models.registry import spec_for
from ..models.results import BulkAnswer, QueryPage
from ..query import Expr
from ..query import to_json as query_json
from ..redact import SecretSet, excerpt_of
from ..urlpath import segment
from . import responses

T = TypeVar("T")

REST_PATHS = {"apim": "/apim/api/rest/v1/", "platform": "/api/rest/v1/"}
JSON = "application/json"
XML = "application/xml"
TEXT = "text/plain; charset=utf-8"

Reader = Callable[[HttpResponse, responses.Excerpt], T]


def encode(document: Any) -> bytes:
    """Compact UTF-8 JSON; Python ints are written exactly, whatever their size."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def basic_credentials(username: str, password: str) -> str:
    """The ``Authorization`` value of HTTP Basic authentication (RFC 7617, UTF-8)."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def _document(read: Callable[[Any], T]) -> Reader[T]:
    # Most calls answer one JSON document; delete has its own reader for ``{true}``.
    def reader(response: HttpResponse, excerpt: responses.Excerpt) -> T:
        return read(responses.load(response, excerpt=excerpt))

    return reader


class RestWire:
    """Sends Boomi operations as JSON requests with HTTP Basic authentication."""

    name = "rest"

    def __init__(
        self,
        *,
        service: str,
        base_url: str,
        account_id: str,
        secrets: SecretSet,
        username: str,
        password: str,
        validate: bool | str = True,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        self.service = service
        # docs/client.md, "Validation modes": unknown keys and enumeration values are kept
        # (True, False) or refused ("strict"); a wrongly typed known value is always an error.
        self.unknown: Unknown = "refuse" if validate == "strict" else "keep"
        self.account_id = account_id
        self.root = base_url.rstrip("/") + REST_PATHS[service] + segment(account_id, "account_id")
        authorization = basic_credentials(username, password)
        # The encoded credentials are as secret as the password: a server echoing the
        # Authorization header must not leak them into an exception or a log record.
        # The password lives in the client's secret set (and this header) only.
        secrets.add_credentials(password, authorization, authorization.partition(" ")[2])
        self._secrets = secrets
        self._headers = {"Accept": JSON, "Authorization": authorization, **(extra_headers or {})}

    def __repr__(self) -> str:
        return f"<RestWire {self.service} {self.root}>"

    def url(self, spec: ObjectSpec, *segments: str) -> str:
        """``{root}/{rest_path}/{segment}/...``; ids are percent-encoded whole (urlpath)."""
        field = spec.id_field or "id"
        return "/".join((self.root, spec.rest_path, *(segment(s, field) for s in segments)))

    def _target(self, operation: str, spec: ObjectSpec, url: str) -> str:
        """The URL an operation is sent to (a subclass may add to it, checked first)."""
        return url

    def _operation(
        self,
        operation: str,
        spec: ObjectSpec,
        ids: Sequence[str],
        method: str,
        url: str,
        read: Reader[T],
        body: bytes | None = None,
        content_type: str = JSON,
    ) -> Operation[T]:
        url = self._target(operation, spec, url)
        call = Call(
            service=self.service,
            operation=operation,
            wire="rest",
            object_type=spec.type_name,
            object_ids=tuple(ids),
            account_id=self.account_id,
            secret_ids=spec.secret_id,
            secret_fields=spec.has_secrets,
        )
        headers = {**self._headers, "Content-Type": content_type}
        http_request = HttpRequest(method, url, headers, body or b"")

        def parse(response: HttpResponse) -> T:
            hidden = self._secrets.credentials() + hidden_ids(spec, ids)
            shown = functools.partial(excerpt_of, response.body, hidden)
            responses.raise_for_status(
                response, excerpt=shown, secrets=hidden, object_type=spec.type_name
            )
            return read(response, shown)

        return Operation(call, http_request, parse)

    def _object_reader(self, spec: ObjectSpec) -> Reader[Any]:
        return _document(
            lambda document: responses.read_object(document, spec, unknown=self.unknown)
        )

    def _page_reader(self, spec: ObjectSpec) -> Reader[QueryPage[Any]]:
        return _document(lambda document: responses.read_page(document, spec, unknown=self.unknown))

    def get(self, spec: ObjectSpec, object_id: str) -> Operation[Any]:
        url = self.url(spec, object_id)
        return self._operation("get", spec, [object_id], "GET", url, self._object_reader(spec))

    def query(self, spec: ObjectSpec, expr: Expr | None) -> Operation[QueryPage[Any]]:
        body = encode(query_json(expr))
        url = self.url(spec, "query")
        return self._operation("query", spec, [], "POST", url, self._page_reader(spec), body)

    def query_more(self, spec: ObjectSpec, token: str) -> Operation[QueryPage[Any]]:
        # Boomi takes the bare token as a text/plain body, not a JSON string.
        url = self.url(spec, "queryMore")
        reader = self._page_reader(spec)
        body = token.encode("utf-8")
        return self._operation("queryMore", spec, [], "POST", url, reader, body, TEXT)

    def create(self, spec: ObjectSpec, obj: Any) -> Operation[Any]:
        # Boomi's documented request bodies carry no "@type" (the URL names the type).
        # What is sent on create is the spec's rule, shared with the SOAP wire.
        sent = {fld.wire for fld in spec.sendable("create")}
        document = {k: v for k, v in to_json(obj, spec, typed=False).items() if k in sent}
        # Boomi's object pages create at ``/{type}/`` with the trailing slash.
        url = self.url(spec) + "/"
        reader = self._object_reader(spec)
        return self._operation("create", spec, [], "POST", url, reader, encode(document))

    def update(self, spec: ObjectSpec, obj: Any) -> Operation[Any]:
        object_id = getattr(obj, spec.id_field) if spec.id_field else ""
        url = self.url(spec, object_id, "update")
        ids = [object_id] if object_id else []
        body = encode(to_json(obj, spec, typed=False))
        return self._operation("update", spec, ids, "POST", url, self._object_reader(spec), body)

    def delete(self, spec: ObjectSpec, object_id: str) -> Operation[bool]:
        url = self.url(spec, object_id)
        return self._operation("delete", spec, [object_id], "DELETE", url, _read_successful)

    def get_bulk(self, spec: ObjectSpec, ids: Sequence[str]) -> Operation[list[BulkAnswer[Any]]]:
        body = encode({"type": "GET", "request": [{"id": i} for i in ids]})
        url = self.url(spec, "bulk")
        reader = _document(lambda answer: responses.read_bulk(answer, spec, unknown=self.unknown))
        return self._operation("getBulk", spec, ids, "POST", url, reader, body)

    def plan_associations(
        self, method: str, associations: Iterable[PlanAssociation]
    ) -> Operation[None]:
        """Boomi's REST-only ``planAssociation``: POST adds plans to deployments, DELETE
        removes them; the body is the ``PlanAssociations`` XML, the answer an empty 200."""
        if method not in ("POST", "DELETE"):
            raise InvalidRequest("method must be POST or DELETE", field="method")
        found = plan_associations.checked(associations)
        spec = spec_for("Plan")
        url = f"{self.root}/planAssociation"
        body = plan_associations.to_xml(found)
        ids = [a.plan_id for a in found]
        return self._operation("planAssociation", spec, ids, method, url, _ignored, body, XML)


def _ignored(response: HttpResponse, excerpt: responses.Excerpt) -> None:
    # Boomi answers an empty 200; whatever body comes with a success means nothing more.
    return None


def _read_successful(response: HttpResponse, excerpt: responses.Excerpt) -> bool:
    return responses.read_successful(response, excerpt=excerpt)
