"""The REST-ish JSON protocol handler for the APIM and Platform endpoints (docs/wire.md).

Routes are the same for every object type: the path segment names the spec (``plan``,
``contract``, ``apiKey``, ``application``, ``Account``) and the JSON codec does the rest.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .. import query as query_dsl
from .. import soapbody
from ..codec import associations
from ..codec.jsoncodec import from_json, to_json
from ..errors import BoomiFault, InvalidRequest
from ..models.fields import ObjectSpec
from ..models.registry import specs_for_service
from ..models.results import QueryPage
from ..xmlsafe import UnsafeXMLError, parse
from .httpio import Request, Response, json_error, json_response, wants_xml, xml_error
from .lifecycle import Lifecycle, retired_rest
from .objects import ObjectState
from .rules import Context
from .scrubbing import scrubbed
from .security import Authenticator

RESULT_TYPES = {"apim": "ApimQueryResult", "platform": "QueryResult"}
# Path segments after an object type that are actions, not ids.
_ACTIONS = frozenset({"", "query", "queryMore", "bulk"})


def _spellings(path: str) -> set[str]:
    # Boomi's pages write some types lower-case first (plan, apiKey) and some not
    # (Application, Account); whether the service minds is unknown, so the emulator takes
    # both spellings of the first letter (docs/choices.md).
    return {path, path[:1].lower() + path[1:], path[:1].upper() + path[1:]}


_SPECS = {
    service: {
        spelling: spec
        for spec in specs_for_service(service)
        for spelling in _spellings(spec.rest_path)
    }
    for service in ("apim", "platform")
}


_SECRET_ID_PATHS = frozenset(
    path for specs in _SPECS.values() for path, spec in specs.items() if spec.secret_id
)


def secret_ids_in_path(path: str) -> tuple[str, ...]:
    """Ids in a REST path that may be secrets (``/apiKey/{key}``), for a log line about a
    request not yet routed; when in doubt a segment is taken for one."""
    parts = path.split("/")
    return tuple(
        parts[i + 1]
        for i, part in enumerate(parts[:-1])
        if part in _SECRET_ID_PATHS and parts[i + 1] not in _ACTIONS
    )


class MethodNotAllowed(Exception):
    pass


class RestHandler:
    def __init__(
        self, state: ObjectState, auth: Authenticator, lifecycle: Lifecycle | None = None
    ) -> None:
        self.state = state
        self.auth = auth
        self.lifecycle = lifecycle or Lifecycle()

    def handle(
        self,
        service: str,
        account: str,
        segments: Sequence[str],
        request: Request,
    ) -> Response:
        spec: ObjectSpec | None = None
        try:
            user = self.auth.verify_basic(request.header("Authorization"))
            if service == "apim" and segments and segments[0] == "planAssociation":
                return self._plan_association(account, list(segments[1:]), request)
            if not segments or not segments[0]:
                raise InvalidRequest("the URL names no object type", field="objectType")
            spec = _SPECS[service].get(segments[0])
            if spec is None:
                raise InvalidRequest(f"{segments[0]} does not exist", field="objectType")
            retirement = self.lifecycle.retirement(spec)
            if retirement is not None:
                response = retired_rest(spec, retirement, request.base_url, account)
                response.object_type = spec.type_name
                return response
            response = self._route(service, account, spec, list(segments[1:]), request, user)
        except MethodNotAllowed:
            return json_error(405, f"{request.method} is not allowed on {request.path}")
        except BoomiFault as exc:
            response = error(scrubbed(exc, request, self.auth), xml=wants_xml(request))
        if spec is not None:
            response.object_type = spec.type_name
            if spec.secret_id and len(segments) > 1 and segments[1] not in _ACTIONS:
                response.secret_ids = (segments[1],)
            response.headers += self.lifecycle.headers(spec, request.base_url, account)
        return response

    def _route(
        self,
        service: str,
        account: str,
        spec: ObjectSpec,
        rest: list[str],
        request: Request,
        user: str,
    ) -> Response:
        method = request.method
        if rest in ([], [""]):
            _expect(method, "POST")
            return self._create(account, spec, request, user)
        if rest == ["query"] and method == "POST":
            found = self.state.query(account, spec, query_dsl.from_json(_json_body(request)))
            return _tagged(_page(service, spec, found), "query")
        if rest == ["queryMore"] and method == "POST":
            _, found = self.state.query_more(account, _token(request.body), spec)
            return _tagged(_page(service, spec, found), "queryMore")
        if rest == ["bulk"] and method == "POST" and "getBulk" in spec.operations:
            return _tagged(self._bulk(account, spec, request), "getBulk")
        if len(rest) == 1:
            if method == "GET":
                found = self.state.get(account, spec, rest[0])
                return _tagged(json_response(200, to_json(found, spec)), "get")
            if method == "DELETE":
                self.state.delete(account, spec, rest[0])
                return _tagged(json_response(200, True), "delete")
            raise MethodNotAllowed
        if len(rest) == 2 and rest[1] == "update":
            _expect(method, "POST")
            return self._update(account, spec, rest[0], request)
        raise InvalidRequest(f"{'/'.join(rest)} does not exist", field="path")

    def _create(self, account: str, spec: ObjectSpec, request: Request, user: str) -> Response:
        obj = _object(spec, _json_body(request))
        created = self.state.create(account, spec, obj, Context(user))
        return _tagged(json_response(200, to_json(created, spec)), "create")

    def _update(self, account: str, spec: ObjectSpec, object_id: str, request: Request) -> Response:
        document = _json_body(request)
        id_wire = spec.id_wire or "id"
        if isinstance(document, dict):
            sent = document.get(id_wire)
            if sent is not None and sent != object_id:
                raise InvalidRequest(f"{id_wire} does not match the URL", field=id_wire)
            document = {**document, id_wire: object_id}
        updated = self.state.update(account, spec, _object(spec, document))
        return _tagged(json_response(200, to_json(updated, spec)), "update")

    def _bulk(self, account: str, spec: ObjectSpec, request: Request) -> Response:
        document = _json_body(request)
        if not isinstance(document, dict) or document.get("type") != "GET":
            raise InvalidRequest('a bulk request must have "type": "GET"', field="type")
        entries = document.get("request")
        if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries
        ):
            raise InvalidRequest('request must be a list of {"id": ...}', field="request")
        items = self.state.get_bulk(account, spec, [e["id"] for e in entries])
        # Boomi's JSON ("Bulk GET operations"): BulkResult of BulkResponse items, a success
        # with statusCode and Result only, a failure with errorMessage, statusCode and id.
        answers: list[dict[str, Any]] = []
        for item in items:
            answer: dict[str, Any] = {"@type": "BulkResponse"}
            if item.result is not None:
                answer["Result"] = to_json(item.result, spec)
            answer.update(soapbody.bulk.answer(item))
            answers.append(answer)
        return json_response(200, {"@type": "BulkResult", "response": answers})

    def _plan_association(self, account: str, rest: list[str], request: Request) -> Response:
        # Boomi's REST-only "Add/Remove Plans to Deployments": POST or DELETE to
        # .../planAssociation with a PlanAssociations XML body; an empty 200 answer.
        if rest not in ([], [""]) or request.method not in ("POST", "DELETE"):
            raise MethodNotAllowed
        try:
            root = parse(request.body)
        except UnsafeXMLError as exc:
            raise InvalidRequest(
                f"the body is not a PlanAssociations document: {exc}", field="body"
            ) from None
        pairs = associations.from_xml(root)
        if request.method == "POST":
            self.state.associate(account, pairs)
        else:
            self.state.dissociate(account, pairs)
        response = Response(200, b"", [])
        return _tagged(response, "planAssociation")


def error(exc: BoomiFault, *, xml: bool = False) -> Response:
    status = exc.status_code or 500
    # Boomi's shapes: ``{"message"}`` (with docs/wire.md's statusCode and field beside
    # it) for JSON clients, ``<error><message/>`` for XML ones.
    response = xml_error(status, exc.message) if xml else json_error(status, exc.message, exc.field)
    if status == 401:
        response.headers.append(("WWW-Authenticate", 'Basic realm="boomisoap"'))
    return response


def _expect(method: str, allowed: str) -> None:
    if method != allowed:
        raise MethodNotAllowed


def _tagged(response: Response, operation: str) -> Response:
    response.operation = operation
    return response


def _json_body(request: Request) -> Any:
    if not request.body.strip():
        return None
    try:
        return json.loads(request.body)
    except RecursionError:
        # The C decoder recurses once per level (docs/security.md, "Limits").
        raise InvalidRequest("the body nests JSON too deeply", field="body") from None
    except ValueError:
        raise InvalidRequest("the body is not valid JSON", field="body") from None


def _token(body: bytes) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith('"'):
        # A JSON string is accepted as well as the documented text/plain body.
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = None
        text = decoded if isinstance(decoded, str) else text
    if not text:
        raise InvalidRequest("queryToken is required", field="queryToken")
    return text


def _object(spec: ObjectSpec, document: Any) -> Any:
    if not isinstance(document, dict):
        raise InvalidRequest(f"the body must be a {spec.type_name} JSON object", field="body")
    declared = document.get("@type")
    if declared is not None and declared != spec.type_name:
        raise InvalidRequest(f"{declared} does not exist here", field="@type")
    for key in document:
        if key != "@type" and key not in spec.by_wire:
            raise InvalidRequest(f"{key} does not exist", field=key)
    return from_json(document, spec)


def _page(service: str, spec: ObjectSpec, found: QueryPage[Any]) -> Response:
    document: dict[str, Any] = {
        "@type": RESULT_TYPES[service],
        "result": [to_json(item, spec) for item in found.results],
        "numberOfResults": found.number_of_results,
    }
    if found.query_token is not None:
        document["queryToken"] = found.query_token
    return json_response(200, document)
