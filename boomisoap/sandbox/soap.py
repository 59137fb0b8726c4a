"""The SOAP 1.1 protocol handler for the APIM and Platform endpoints.

Each request is parsed with the hardened parser, its X.509 signature checked when the
sandbox trusts certificates, authenticated from its Security header (read as WSS4J reads
it, not through the schema), its Body validated strictly against the same XSD the client
uses, dispatched to the object state and answered with an envelope
that is validated in turn (then signed, when the sandbox has a signer). Every failure is a
SOAP 1.1 Fault whose detail carries the status code the client maps to its exception classes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from lxml import etree

from .. import soapbody
from ..codec.xmlcodec import read_object, spec_from_xsi_type
from ..errors import BoomiFault, EnvelopeValidationError, InvalidRequest
from ..models.fields import ObjectSpec
from ..models.registry import spec_for
from ..namespaces import API, SOAP12_ENV, SOAP_ENV, XSI
from ..query import read_query_config
from ..soapbody.wrapper import RESULT_NS, WRAPPER_NS
from ..validation import validate_element, validate_envelope
from ..xmlsafe import UnsafeXMLError, parse
from .bulkresults import result_copies
from .httpio import Request, Response
from .lifecycle import Lifecycle, retired_soap_body, retired_soap_status
from .objects import ObjectState
from .prepared import PreparedGet, PreparedGets
from .rules import Context
from .scrubbing import scrubbed
from .security import Authenticator, read_header

if TYPE_CHECKING:
    from .signing import MessageSignatures

LOG = logging.getLogger("boomisoap.sandbox")
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
_ENVELOPE = f"{{{SOAP_ENV}}}Envelope"
_SOAP_NS = f"{{{SOAP_ENV}}}"
_HEADER = f"{{{SOAP_ENV}}}Header"
_BODY = f"{{{SOAP_ENV}}}Body"
# The wrappers' children named by the handlers, per service (soapbody.wrapper.RESULT_NS).
_OBJECT_TYPE = {service: f"{{{ns}}}objectType" for service, ns in RESULT_NS.items()}
_OBJECT_ID = {service: f"{{{ns}}}objectId" for service, ns in RESULT_NS.items()}
_OBJECT = {service: f"{{{ns}}}object" for service, ns in RESULT_NS.items()}
_ACCOUNT_ID = f"{{{API}}}accountId"
AUTH_FAULT_STATUS = 403  # what Boomi documents for bad credentials
AUTH_FAULT_STATUSES = (401, 403, 500)


def checked_auth_fault_status(value: object) -> int:
    """``value`` if it is an HTTP status authentication faults may travel with."""
    if isinstance(value, bool) or value not in AUTH_FAULT_STATUSES:
        allowed = ", ".join(map(str, AUTH_FAULT_STATUSES))
        raise ValueError(f"auth_fault_status must be one of {allowed}, not {value!r}")
    return int(value)


class Answer:
    """A handled operation: the rendered response and the object type it concerned."""

    __slots__ = ("body", "spec", "status")

    def __init__(self, rendered: tuple[int, bytes], spec: ObjectSpec | None) -> None:
        self.status, self.body = rendered
        self.spec = spec


class SoapHandler:
    # The wrappers' optional accountId is the Partner API's override: refused elsewhere.
    takes_override = False

    def __init__(
        self,
        state: ObjectState,
        auth: Authenticator,
        *,
        max_body: int,
        validate_responses: bool = True,
        signatures: MessageSignatures | None = None,
        auth_fault_status: int = AUTH_FAULT_STATUS,
        lifecycle: Lifecycle | None = None,
    ) -> None:
        self.auth_fault_status = checked_auth_fault_status(auth_fault_status)
        self.lifecycle = lifecycle or Lifecycle()
        self.state = state
        self.auth = auth
        self.max_body = max_body
        self.validate_responses = validate_responses
        self.signatures = signatures
        self._operations: dict[str, Callable[[str, str, Any, str], Answer]] = {
            "get": self._get,
            "query": self._query,
            "queryMore": self._query_more,
            "create": self._create,
            "update": self._update,
            "delete": self._delete,
            "getBulk": self._get_bulk,
        }
        # Gets read once per distinct body (prepared.py): not with signatures, whose check
        # needs the parsed message, nor where the Body's accountId overrides the account.
        self._prepared = PreparedGets() if signatures is None and not self.takes_override else None

    def handle(self, service: str, account: str, request: Request) -> Response:
        operation = ""
        secret_ids: tuple[str, ...] = ()
        try:
            prepared = None if self._prepared is None else self._prepared.get(service, request.body)
            if prepared is not None:
                # The same bytes as a get already read: only the judgements are made again.
                self.auth.verify_header(prepared.header)
                operation = "get"
                retired = self._retired_type(prepared.spec, account, request)
                if retired is not None:
                    retired.operation = operation
                    return retired
                secret_ids = prepared.secret_ids
                answer = self._get_answer(service, account, prepared.spec, prepared.object_id)
            else:
                envelope = _parse(request.body, self.max_body)
                signed = None
                if self.signatures is not None:
                    # Before the UsernameToken: a forged message must not consume its nonce.
                    signed = self.signatures.check_request(envelope)
                header = read_header(envelope)
                user = self.auth.verify_header(header, signed)
                _normalise_wrapper(service, envelope)
                child = _validated(envelope)
                operation = _operation(service, child)
                if not self.takes_override:
                    _refuse_override(service, child)
                retired = self._retired(service, account, child, request)
                if retired is not None:
                    retired.operation = operation
                    return retired
                secret_ids = _secret_ids(service, child)
                run = self._operations.get(operation)
                if run is None:
                    # In the schema for the Partner API (execute), not served here.
                    raise InvalidRequest(
                        f"{operation} does not exist on this endpoint", field=operation
                    )
                if self._prepared is not None and run == self._get:
                    typed, object_id = _typed_id(service, child)
                    found = PreparedGet(header, typed, object_id, secret_ids)
                    self._prepared.remember(service, request.body, found)
                    answer = self._get_answer(service, account, typed, object_id)
                else:
                    answer = run(service, account, child, user)
        except BoomiFault as exc:
            failed = self.fault(scrubbed(exc, request, self.auth), operation)
            failed.secret_ids = secret_ids
            return failed
        headers = [("Content-Type", XML_CONTENT_TYPE)]
        spec = answer.spec
        if spec is not None:
            headers += self.lifecycle.headers(spec, request.base_url, account)
        response = Response(answer.status, self._sealed(answer.body), headers)
        response.operation = operation
        response.object_type = None if spec is None else spec.type_name
        response.secret_ids = secret_ids
        return response

    def fault(self, exc: BoomiFault, operation: str = "") -> Response:
        status = exc.status_code or 500
        envelope = soapbody.fault.write(status, exc.message, exc.field, code=exc.fault_code)
        # docs/wire.md: faults travel with HTTP 500, except the rate limit (503) and an
        # oversized body (413), which keep their own status, and authentication faults,
        # which travel with auth_fault_status: Boomi's 403 by default, or WS-I Basic
        # Profile R1126's 500 for clients that read a Fault only from an HTTP 500.
        if status in (401, 403):
            http_status = self.auth_fault_status
        else:
            http_status = status if status in (413, 503) else 500
        status, body = _render(envelope, http_status, self.validate_responses, fault=True)
        response = Response(status, self._sealed(body), [("Content-Type", XML_CONTENT_TYPE)])
        response.operation = operation
        return response

    def _retired(self, service: str, account: str, child: Any, request: Request) -> Response | None:
        """The answer for an operation on a retired type, before anything is done."""
        if not self.lifecycle.retired:
            return None
        return self._retired_type(_subject(service, child), account, request)

    def _retired_type(
        self, spec: ObjectSpec | None, account: str, request: Request
    ) -> Response | None:
        retirement = self.lifecycle.retirement(spec)
        if spec is None or retirement is None:
            return None
        status, headers = retired_soap_status(retirement, request.base_url, account)
        body = retired_soap_body(spec, retirement, request.base_url, account)
        response = Response(
            status, self._sealed(body), [("Content-Type", XML_CONTENT_TYPE), *headers]
        )
        response.object_type = spec.type_name
        return response

    def _render(self, envelope: Any) -> tuple[int, bytes]:
        return _render(envelope, 200, self.validate_responses)

    def _sealed(self, body: bytes) -> bytes:
        """The bytes to send: signed last, after validation and outside the get cache."""
        return body if self.signatures is None else self.signatures.sign_response(body)

    # operations ------------------------------------------------------------------------

    def _get(self, service: str, account: str, child: Any, user: str) -> Answer:
        spec, object_id = _typed_id(service, child)
        return self._get_answer(service, account, spec, object_id)

    def _get_answer(self, service: str, account: str, spec: ObjectSpec, object_id: str) -> Answer:
        found = self.state.get(account, spec, object_id)
        return Answer(_result(service, "get", found, spec.type_name, self.validate_responses), spec)

    def _query(self, service: str, account: str, child: Any, user: str) -> Answer:
        spec = _spec(service, child)
        config = child.find(f"{{{API}}}queryConfig")
        if config is None:
            # Optional in Boomi's Platform schema, but a query needs one.
            raise InvalidRequest("queryConfig is required", field="queryConfig")
        expr = read_query_config(config)
        found = self.state.query(account, spec, expr)
        return Answer(self._render(soapbody.page.write(service, "query", found, spec)), spec)

    def _query_more(self, service: str, account: str, child: Any, user: str) -> Answer:
        # APIM: apim:queryToken (apim.xsd); Platform: the wrapper's own api:queryToken.
        token = (child.findtext(f"{{{RESULT_NS[service]}}}queryToken") or "").strip()
        if not token:
            raise InvalidRequest("queryToken is required", field="queryToken")
        spec, found = self.state.query_more(account, token)
        if spec.service != service:
            raise InvalidRequest("queryToken is unknown or expired", field="queryToken")
        return Answer(self._render(soapbody.page.write(service, "queryMore", found, spec)), spec)

    def _create(self, service: str, account: str, child: Any, user: str) -> Answer:
        spec, obj = _object(service, child)
        created = self.state.create(account, spec, obj, Context(user))
        return Answer(self._render(soapbody.result.write(service, "create", created, spec)), spec)

    def _update(self, service: str, account: str, child: Any, user: str) -> Answer:
        spec, obj = _object(service, child)
        updated = self.state.update(account, spec, obj)
        return Answer(self._render(soapbody.result.write(service, "update", updated, spec)), spec)

    def _delete(self, service: str, account: str, child: Any, user: str) -> Answer:
        spec, object_id = _typed_id(service, child)
        self.state.delete(account, spec, object_id)
        return Answer(self._render(soapbody.successful.write(service)), spec)

    def _get_bulk(self, service: str, account: str, child: Any, user: str) -> Answer:
        spec = _spec(service, child)
        request = child.find(f"{{{API}}}bulkObject")
        if request is None:
            raise InvalidRequest("bulkObject is required", field="bulkObject")
        if request.get("type") != "GET":
            raise InvalidRequest("only bulk GET is supported", field="type")
        ids = [_bulk_id(entry) for entry in request.iterchildren(f"{{{API}}}request")]
        items = self.state.get_bulk(account, spec, ids)
        copies = result_copies(service, spec)
        envelope = soapbody.bulk.write(service, items, spec, result=copies.append)
        return Answer(self._render(envelope), spec)


def override_header(child: Any) -> Any:
    """The Partner API's ``api:accountId`` header block of the envelope holding ``child``."""
    header = _first(child.getparent().getparent(), _HEADER)
    return None if header is None else _first(header, _ACCOUNT_ID)


def _refuse_override(service: str, child: Any) -> None:
    if override_header(child) is not None:
        raise InvalidRequest(
            "accountId (the account override) is a Partner API parameter: use /partner/api/",
            field="accountId",
        )


def _normalise_wrapper(service: str, envelope: Any) -> None:
    """Platform wrappers of the older ``soap.api`` namespace read as the current ones."""
    if service != "platform":
        return
    body = _first(envelope, _BODY)
    if body is not None:
        for child in body:
            soapbody.wrapper.normalise(child)


def _bulk_id(entry: Any) -> str:
    # A request item is the abstract base typed by xsi:type: only api:BulkId names an id.
    declared = entry.get(f"{{{XSI}}}type", "")
    prefix, _, local = declared.rpartition(":")
    if local != "BulkId" or entry.nsmap.get(prefix or None) != API:
        raise InvalidRequest('a bulk request item must be xsi:type="api:BulkId"', field="request")
    return (entry.get("id") or "").strip()


def _render(
    envelope: Any, status: int, validate: bool, *, fault: bool = False
) -> tuple[int, bytes]:
    """The bytes of an outgoing envelope, validated first unless switched off.

    A response that fails validation is the emulator's own bug: it is logged and answered
    with a Server fault (500) instead of being sent.
    """
    if validate:
        try:
            if fault:
                validate_element(soapbody.fault.service_fault_of(envelope), direction="response")
            else:
                validate_envelope(envelope, direction="response")
        except EnvelopeValidationError as exc:
            LOG.error("invalid response envelope: %s", exc)
            envelope = soapbody.fault.write(500, f"the emulator built an invalid response: {exc}")
            status = 500
    return status, soapbody.envelope.to_bytes(envelope)


@lru_cache(maxsize=4096)
def _result(
    service: str, operation: str, obj: Any, type_name: str, validate: bool
) -> tuple[int, bytes]:
    # Objects are frozen dataclasses: the answer to a get of an unchanged object is the
    # same bytes every time, so it is built and validated once.
    envelope = soapbody.result.write(service, operation, obj, spec_for(type_name))
    return _render(envelope, 200, validate)


def _parse(body: bytes, max_bytes: int) -> Any:
    try:
        envelope = parse(body, max_bytes=max_bytes)
    except UnsafeXMLError as exc:
        raise InvalidRequest(str(exc), field="/") from None
    if envelope.tag == f"{{{SOAP12_ENV}}}Envelope":
        raise InvalidRequest(
            "a SOAP 1.2 envelope was sent to a SOAP 1.1 endpoint",
            field="/Envelope",
            fault_code="VersionMismatch",
        )
    if envelope.tag != _ENVELOPE:
        raise InvalidRequest("the request is not a SOAP 1.1 Envelope", field="/")
    _check_structure(envelope)
    # A comment splits an element's text, and lxml's .text stops at the first one: the
    # schema saw "4d50decd" where the handler would read "4d50". Read what the schema saw.
    etree.strip_tags(envelope, etree.Comment)
    return envelope


def _check_structure(envelope: Any) -> None:
    """SOAP 1.1 section 3/4: no processing instructions; Header?, Body in that order.

    The validator only looks at the first Body's child and the Security blocks, so a
    second Header, a Header after the Body or a Body hidden inside a Header or Body would
    otherwise pass, and another SOAP stack might read a different Body or token.
    """
    if _has_processing_instruction(envelope):
        raise InvalidRequest(
            "a SOAP message must not contain processing instructions", field="/Envelope"
        )
    parts = [c.tag for c in envelope if isinstance(c.tag, str) and c.tag.startswith(_SOAP_NS)]
    if parts not in ([_BODY], [_HEADER, _BODY]):
        names = ", ".join(tag.rpartition("}")[2] for tag in parts) or "nothing"
        raise InvalidRequest(
            f"the Envelope must hold an optional Header then one Body, not {names}",
            field="/Envelope",
        )
    for element in envelope.iterdescendants(f"{_SOAP_NS}*"):
        if element.getparent() is not envelope:
            local = element.tag.rpartition("}")[2]
            raise InvalidRequest(
                f"a SOAP {local} element is not allowed inside the Header or the Body",
                field="/Envelope",
            )


def _has_processing_instruction(envelope: Any) -> bool:
    """Whether the document holds a processing instruction, inside the Envelope or beside
    it (``//processing-instruction()``, without an XPath evaluation per request)."""
    if next(envelope.iter(etree.ProcessingInstruction), None) is not None:
        return True
    beside = (*envelope.itersiblings(preceding=True), *envelope.itersiblings())
    return any(isinstance(node, etree._ProcessingInstruction) for node in beside)


def _first(parent: Any, tag: str) -> Any:
    """``parent.find(tag)`` for a child's plain tag: a loop over the few children costs
    less than lxml's path look-up."""
    for element in parent:
        if element.tag == tag:
            return element
    return None


def _text_of(parent: Any, tag: str) -> str | None:
    """``parent.findtext(tag)``: the first such child's text ("" if it has none)."""
    element = _first(parent, tag)
    return None if element is None else element.text or ""


def _validated(envelope: Any) -> Any:
    try:
        return validate_envelope(envelope, direction="request")
    except EnvelopeValidationError as exc:
        raise InvalidRequest(
            f"invalid request at {exc.path}: {exc.reason}", field=exc.path
        ) from None


def _operation(service: str, child: Any) -> str:
    namespace, _, local = str(child.tag)[1:].partition("}")
    if namespace != WRAPPER_NS[service] or local.endswith("Response"):
        raise InvalidRequest(f"{local} does not exist on this endpoint", field=local)
    return local


def _spec(service: str, child: Any) -> ObjectSpec:
    type_name = (_text_of(child, _OBJECT_TYPE[service]) or "").strip()
    if not type_name:
        # Optional in Boomi's Platform schema: the rule that one is needed is the handler's.
        raise InvalidRequest("objectType is required", field="objectType")
    return spec_for(type_name, service)


def _subject(service: str, child: Any) -> ObjectSpec | None:
    """The object type an operation is about (None for queryMore, which names none)."""
    try:
        if _first(child, _OBJECT_TYPE[service]) is not None:
            return _spec(service, child)
        element = _first(child, _OBJECT[service])
        return None if element is None else spec_from_xsi_type(element)
    except InvalidRequest:
        return None


def _typed_id(service: str, child: Any) -> tuple[ObjectSpec, str]:
    spec = _spec(service, child)
    object_id = (_text_of(child, _OBJECT_ID[service]) or "").strip()
    if not object_id:
        # xs:string (and optional) in Boomi's schemas: the rule is the handler's.
        raise InvalidRequest("objectId must not be empty", field="objectId")
    return spec, object_id


def _secret_ids(service: str, child: Any) -> tuple[str, ...]:
    """The objectId of a get or delete when it is a secret (an ApiKey's key)."""
    element = _first(child, _OBJECT_ID[service])
    if element is None:
        return ()
    try:
        spec = _spec(service, child)
    except BoomiFault:
        return ()
    object_id = (element.text or "").strip() if spec.secret_id else ""
    return (object_id,) if object_id else ()


def _object(service: str, child: Any) -> tuple[ObjectSpec, Any]:
    element = _first(child, _OBJECT[service])
    spec = spec_for(spec_from_xsi_type(element).type_name, service)
    return spec, read_object(element, spec)
