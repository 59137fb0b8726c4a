"""The emulator's Partner API: account hierarchies, the override, Account CREATE/DELETE
and Account Provision, on ``/partner/api/soap/v1/{account}`` and
``/partner/api/rest/v1/{account}/...`` (docs/partner.md).

The override (REST ``overrideAccount``, SOAP ``api:accountId`` header block) is honoured
only for an account in the authenticated account's hierarchy; anything else gets one
refusal, the same bytes whether the target account exists, belongs to another partner or
does not exist. The effective account (the override, else the authenticated one) is the
key of the data (each sub-account's objects are its own) and of the per-account rate limit.
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .. import soapbody
from ..codec.jsoncodec import from_json, to_json
from ..codec.xmlcodec import read_object, spec_from_xsi_type, write_object
from ..errors import AuthenticationError, BoomiFault, InvalidRequest, NotFound
from ..models.fields import check_id, check_object
from ..models.override import REST_PARAMETER, SOAP_PARAMETER, refuse_override
from ..models.partner import (
    ACCOUNT_PROVISION,
    ACCOUNT_PROVISION_RESULT,
    PARTNER_ACCOUNT,
    PRODUCT,
    Account,
    AccountProvision,
    AccountProvisionResult,
    ProvisionStatus,
)
from ..models.platform import ACCOUNT, AccountStatus
from ..namespaces import API, XSI
from ..xmlsafe import UnsafeXMLError, parse
from .app import _foreign, _rate_limited
from .httpio import BodyTooLarge, Request, Response, json_error, json_response, read_body, wants_xml
from .objects import ObjectState
from .rest import _SPECS as REST_SPECS
from .rest import RestHandler, error
from .soap import Answer, SoapHandler, _render, override_header

if TYPE_CHECKING:
    from .app import SandboxApp
    from .security import Authenticator

# One refusal for every override outside the hierarchy (docs/partner.md): the same status
# and text whether the target exists or not, so that a refusal tells nothing about it.
NOT_IN_HIERARCHY = "The account override is not in the hierarchy of the authenticated account"
DEFAULT_PROVISION_DELAY = 1.0  # seconds until a provisioning completes
_BODY = "{http://schemas.xmlsoap.org/soap/envelope/}Body"


def refusal(field: str) -> BoomiFault:
    return AuthenticationError(NOT_IN_HIERARCHY, status_code=403, field=field)


class Hierarchy:
    """Which account manages which: child -> parent, safe to share between threads."""

    def __init__(self, parents: Mapping[str, str] | None = None) -> None:
        self._parent: dict[str, str] = {}
        self._lock = threading.Lock()
        for child, parent in (parents or {}).items():
            self.add(child, parent)

    def add(self, child: str, parent: str) -> None:
        with self._lock:
            if child == parent or self._reaches(parent, child):
                raise ValueError(f"{child} cannot be a sub-account of {parent}")
            self._parent[child] = parent

    def remove(self, child: str) -> None:
        with self._lock:
            self._parent.pop(child, None)

    def manages(self, partner: str, account: str) -> bool:
        """True when ``account`` is ``partner`` or below it."""
        with self._lock:
            return account == partner or self._reaches(account, partner)

    def children(self, partner: str) -> list[str]:
        with self._lock:
            return sorted(c for c, p in self._parent.items() if p == partner)

    def _reaches(self, account: str, ancestor: str) -> bool:
        seen: set[str] = set()
        current: str | None = account
        while current is not None and current not in seen:
            if current == ancestor:
                return True
            seen.add(current)
            current = self._parent.get(current)
        return False


@dataclasses.dataclass(slots=True)
class _Provisioning:
    account_id: str
    started: float


class PartnerState:
    """Sub-accounts and provisionings, over the emulator's object state."""

    def __init__(
        self,
        objects: ObjectState,
        hierarchy: Hierarchy,
        *,
        provision_delay: float = DEFAULT_PROVISION_DELAY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if provision_delay < 0:
            raise ValueError("provision_delay must be >= 0")
        self.objects = objects
        self.hierarchy = hierarchy
        self.provision_delay = provision_delay
        self._clock = clock
        self._provisions: dict[str, _Provisioning] = {}
        self._lock = threading.Lock()

    def effective(self, partner: str, override: str | None, field: str) -> str:
        if override is None:
            return partner
        if not self.hierarchy.manages(partner, override):
            raise refusal(field)
        return override

    def add_sub_account(self, partner: str, account: Account, *, listed: bool = False) -> None:
        """Record ``account`` below ``partner``: in the partner's Account list (unless it is
        ``listed`` there already) and in its own."""
        self.hierarchy.add(account.account_id, partner)
        if not listed:
            self.objects.put(partner, account, ACCOUNT)
        self.objects.put(account.account_id, account, ACCOUNT)

    def create_account(self, partner: str, request: Account) -> Account:
        check_object(PARTNER_ACCOUNT, request, "create")
        return self._new_account(
            partner, request.name or "", AccountStatus.TRIAL, request.expiration_date
        )

    def _new_account(
        self, partner: str, name: str, status: AccountStatus, expiration: datetime | None
    ) -> Account:
        name = name.strip()
        slug = "".join(c for c in name.lower() if c.isalnum())[:16] or "account"
        suffix = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
        created = Account(
            account_id=f"{slug}-{suffix}",
            name=name,
            status=status,
            date_created=datetime.now(UTC).replace(microsecond=0),
            expiration_date=expiration,
            widget_account=False,
        )
        self.add_sub_account(partner, created)
        return created

    def delete_account(self, partner: str, account_id: str, field: str) -> None:
        check_id(PARTNER_ACCOUNT, account_id)
        if account_id == partner or not self.hierarchy.manages(partner, account_id):
            raise refusal(field)
        found = self.objects.get(partner, ACCOUNT, account_id)
        deleted = dataclasses.replace(found, status=AccountStatus.DELETED)
        self.objects.put(partner, deleted, ACCOUNT)
        self.objects.put(account_id, deleted, ACCOUNT)
        self.hierarchy.remove(account_id)

    def provision(self, partner: str, request: AccountProvision) -> AccountProvisionResult:
        check_object(ACCOUNT_PROVISION, request, "create")
        if request.id is not None:
            if request.id == partner or not self.hierarchy.manages(partner, request.id):
                raise refusal("id")
            account_id = request.id
        else:
            # A provisioned account is not a trial: its status is the one asked for.
            status = request.status or AccountStatus.ACTIVE
            created = self._new_account(
                partner, request.name or "", status, request.expiration_date
            )
            account_id = created.account_id
        provision_id = "prov-" + secrets.token_hex(8)
        with self._lock:
            self._provisions[provision_id] = _Provisioning(account_id, self._clock())
        return AccountProvisionResult(
            id=provision_id, account_id=account_id, status=ProvisionStatus.PENDING
        )

    def provision_status(self, partner: str, provision_id: str) -> AccountProvisionResult:
        check_id(ACCOUNT_PROVISION_RESULT, provision_id)
        with self._lock:
            found = self._provisions.get(provision_id)
        if found is None or not self.hierarchy.manages(partner, found.account_id):
            raise NotFound(f"AccountProvision {provision_id} does not exist", field="id")
        done = self._clock() - found.started >= self.provision_delay
        status = ProvisionStatus.COMPLETED if done else ProvisionStatus.PENDING
        return AccountProvisionResult(id=provision_id, account_id=found.account_id, status=status)


class PartnerSoapHandler(SoapHandler):
    """The SOAP handler with the override read from each wrapper's ``accountId`` (after
    authentication) and the Partner-only operations."""

    takes_override = True

    def __init__(self, partner: PartnerState, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partner = partner
        plain = dict(self._operations)
        plain["execute"] = self._execute
        plain["create"] = self._partner_create
        plain["delete"] = self._partner_delete
        plain["get"] = self._partner_get
        self._operations = {name: self._overridden(name, op) for name, op in plain.items()}

    def _overridden(
        self, operation: str, run: Callable[[str, str, Any, str], Answer]
    ) -> Callable[[str, str, Any, str], Answer]:
        def with_override(service: str, account: str, child: Any, user: str) -> Answer:
            found = override_header(child)
            override = None if found is None else (found.text or "").strip() or None
            if override is not None:
                refuse_override(_subject_type(service, child), operation, SOAP_PARAMETER)
            effective = self.partner.effective(account, override, SOAP_PARAMETER)
            return run(service, effective, child, user)

        return with_override

    def _partner_create(self, service: str, account: str, child: Any, user: str) -> Answer:
        element = child.find(f"{{{soapbody.wrapper.RESULT_NS[service]}}}object")
        is_account = element is not None and spec_from_xsi_type(element).type_name == "Account"
        if service == "platform" and is_account:
            # The service assigns the id: whatever was sent for it is replaced.
            element.set("accountId", "")
            request = read_object(element, PARTNER_ACCOUNT)
            created = self.partner.create_account(account, request)
            envelope = soapbody.result.write(service, "create", created, ACCOUNT)
            return Answer(self._render(envelope), ACCOUNT)
        return self._create(service, account, child, user)

    def _partner_delete(self, service: str, account: str, child: Any, user: str) -> Answer:
        if service == "platform" and _object_type(service, child) == "Account":
            object_id = (child.findtext(f"{{{API}}}objectId") or "").strip()
            self.partner.delete_account(account, object_id, "objectId")
            return Answer(self._render(soapbody.successful.write(service)), ACCOUNT)
        return self._delete(service, account, child, user)

    def _partner_get(self, service: str, account: str, child: Any, user: str) -> Answer:
        if service == "platform" and _object_type(service, child) == "AccountProvision":
            object_id = (child.findtext(f"{{{API}}}objectId") or "").strip()
            found = self.partner.provision_status(account, object_id)
            envelope = soapbody.result.write(service, "get", found, ACCOUNT_PROVISION_RESULT)
            return Answer(self._render(envelope), None)
        return self._get(service, account, child, user)

    def _execute(self, service: str, account: str, child: Any, user: str) -> Answer:
        if service != "platform" or _object_type(service, child) != "AccountProvision":
            raise InvalidRequest("execute is supported for AccountProvision", field="objectType")
        element = child.find(f"{{{API}}}object")
        if element is None:
            raise InvalidRequest("object is required", field="object")
        result = self.partner.provision(account, _read_provision(element))
        envelope, wrapper = soapbody.wrapper.write(service, "execute")
        write_object(wrapper, f"{{{API}}}results", result, ACCOUNT_PROVISION_RESULT)
        return Answer(_render(envelope, 200, self.validate_responses), None)


class PartnerEndpoint:
    """Routes ``/partner/api/...`` and records what it served, per effective account."""

    def __init__(
        self,
        partner: PartnerState,
        soap: PartnerSoapHandler,
        rest: RestHandler,
        auth: Authenticator,
    ) -> None:
        self.partner = partner
        self.soap = soap
        self.rest = rest
        self.auth = auth
        # (monotonic time, effective account, HTTP status) of every request answered.
        self.served: list[tuple[float, str, int]] = []
        self._lock = threading.Lock()

    def serves(self, parts: list[str]) -> bool:
        return parts[:1] == ["partner"]

    def dispatch(
        self, app: SandboxApp, parts: list[str], environ: Mapping[str, Any], request: Request
    ) -> tuple[str, Response]:
        rest = parts[1:]
        if rest[:3] == ["api", "soap", "v1"] and len(rest) == 4:
            wire = "soap"
        elif rest[:3] == ["api", "rest", "v1"] and len(rest) > 4:
            wire = "rest"
        else:
            return "http", json_error(404, f"{request.path} does not exist")
        account = rest[3]
        try:
            request.body = read_body(environ, app.max_body)
        except BodyTooLarge:
            fault = BoomiFault(f"the request body exceeds {app.max_body} bytes", status_code=413)
            return wire, (self.soap.fault(fault) if wire == "soap" else error(fault))
        if wire == "soap":
            response, key = self._soap(app, account, request)
        else:
            response, key = self._rest(app, account, rest[4:], request)
        with self._lock:
            self.served.append((time.monotonic(), key, response.status))
        return wire, response

    def count(self, account: str, status: int | None = 200) -> int:
        """How many requests were answered for ``account`` (with ``status``; None: any)."""
        with self._lock:
            return sum(1 for _, a, s in self.served if a == account and status in (None, s))

    def _key(self, account: str, override: str | None) -> str:
        # The rate budget spent: the override's when it is one the account may use (an
        # outsider cannot spend another hierarchy's budget), else the account's own.
        if override is not None and self.partner.hierarchy.manages(account, override):
            return override
        return account

    def _soap(self, app: SandboxApp, account: str, request: Request) -> tuple[Response, str]:
        if request.method == "GET":
            # ?wsdl: wsdl/partner.wsdl (the Platform objects; the APIM ones keep apim.wsdl).
            return app._description("partner", request.base_url + request.path, request), account
        if request.method != "POST":
            return json_error(405, f"{request.method} is not allowed on a SOAP endpoint"), account
        service, override = _peek(request.body, self.soap.max_body)
        key = self._key(account, override)
        if not app._allowed(key):
            return self.soap.fault(_rate_limited(app.limiter)), key
        if account != app.account_id:
            return self.soap.fault(_foreign(account)), key
        return self.soap.handle(service, account, request), key

    def _rest(
        self, app: SandboxApp, account: str, segments: list[str], request: Request
    ) -> tuple[Response, str]:
        override = request.params().get(REST_PARAMETER) or None
        key = self._key(account, override)
        if not app._allowed(key):
            return error(_rate_limited(app.limiter), xml=wants_xml(request)), key
        if account != app.account_id:
            return error(_foreign(account), xml=wants_xml(request)), key
        try:
            # Authenticated before the override is looked at: an unauthenticated caller
            # learns nothing of the hierarchy.
            self.auth.verify_basic(request.header("Authorization"))
            type_name = segments[0] if segments else ""
            operation = _rest_operation(request.method, segments)
            if override is not None:
                refuse_override(type_name, operation, REST_PARAMETER)
            effective = self.partner.effective(account, override, REST_PARAMETER)
            own = self._partner_only(account, type_name, operation, segments, request)
            if own is not None:
                return own, key
        except BoomiFault as exc:
            return error(exc, xml=wants_xml(request)), key
        apim = type_name in REST_SPECS["apim"] or type_name == "planAssociation"
        service = "apim" if apim else "platform"
        return self.rest.handle(service, effective, segments, request), key

    def _partner_only(
        self, account: str, type_name: str, operation: str, segments: list[str], request: Request
    ) -> Response | None:
        if type_name == "Account" and operation == "create":
            body = _json(request)
            if not isinstance(body, dict):
                raise InvalidRequest("the body must be an Account JSON object", field="body")
            request_account = from_json({**body, "accountId": ""}, PARTNER_ACCOUNT)
            created = self.partner.create_account(account, request_account)
            return _tagged(json_response(200, to_json(created, ACCOUNT)), "create", "Account")
        if type_name == "Account" and operation == "delete":
            self.partner.delete_account(account, segments[1], "id")
            return _tagged(json_response(200, True), "delete", "Account")
        if type_name == "AccountProvision" and operation == "execute":
            body = _json(request)
            if not isinstance(body, dict):
                raise InvalidRequest(
                    "the body must be an AccountProvision JSON object", field="body"
                )
            result = self.partner.provision(account, from_json(body, ACCOUNT_PROVISION))
            document = to_json(result, ACCOUNT_PROVISION_RESULT)
            return _tagged(json_response(200, document), "execute", "AccountProvision")
        if type_name == "AccountProvision" and operation == "get":
            result = self.partner.provision_status(account, segments[1])
            document = to_json(result, ACCOUNT_PROVISION_RESULT)
            return _tagged(json_response(200, document), "get", "AccountProvision")
        if type_name == "AccountProvision":
            raise InvalidRequest(f"{'/'.join(segments)} does not exist", field="path")
        return None


def _tagged(response: Response, operation: str, object_type: str) -> Response:
    response.operation = operation
    response.object_type = object_type
    return response


def _json(request: Request) -> Any:
    import json

    try:
        return json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        raise InvalidRequest("the body is not valid JSON", field="body") from None


def _rest_operation(method: str, segments: list[str]) -> str:
    """The operation a REST request stands for (the rule of which ones take an override)."""
    rest = segments[1:]
    if rest in ([], [""]):
        return "create" if method == "POST" else method.lower()
    if len(rest) == 1 and rest[0] in ("query", "queryMore", "bulk", "execute"):
        return {"bulk": "getBulk"}.get(rest[0], rest[0])
    if len(rest) == 1:
        return {"GET": "get", "DELETE": "delete"}.get(method, method.lower())
    if len(rest) == 2 and rest[1] == "update":
        return "update"
    return method.lower()


def _object_type(service: str, child: Any) -> str:
    return (child.findtext(f"{{{soapbody.wrapper.RESULT_NS[service]}}}objectType") or "").strip()


def _subject_type(service: str, child: Any) -> str | None:
    named = _object_type(service, child)
    if named:
        return named
    element = child.find(f"{{{soapbody.wrapper.RESULT_NS[service]}}}object")
    if element is None:
        return None
    declared = element.get(f"{{{XSI}}}type", "")
    return declared.rpartition(":")[2] or None


def _read_provision(element: Any) -> AccountProvision:
    # The product items are a list, which the XML codec does not read: each is read here
    # with the product field map, the rest by the codec.
    products = tuple(read_object(p, PRODUCT) for p in element.iterchildren(f"{{{API}}}product"))
    for product in element.findall(f"{{{API}}}product"):
        element.remove(product)
    plain: AccountProvision = read_object(element, ACCOUNT_PROVISION)
    return dataclasses.replace(plain, products=products)


def _peek(body: bytes, max_body: int) -> tuple[str, str | None]:
    """The service a partner SOAP request is for (by its wrapper's namespace) and the
    override it names, before authentication (the rate limit is charged first)."""
    try:
        envelope = parse(body, max_bytes=max_body)
    except (UnsafeXMLError, ValueError):
        return "platform", None
    found = envelope.find(_BODY)
    child = None if found is None else next(iter(found), None)
    if child is None or not isinstance(child.tag, str):
        return "platform", None
    service = (
        "apim" if child.tag.startswith(f"{{{soapbody.wrapper.WRAPPER_NS['apim']}}}") else "platform"
    )
    found = override_header(child)
    override = None if found is None else found.text
    return service, (override or "").strip() or None


def seed_hierarchy(state: PartnerState, children: Iterable[tuple[str, str, str]]) -> None:
    """Add ``(account id, name, parent)`` accounts: an account already in its parent's
    Account list keeps its record there; the others get one (``seed.sub_account``)."""
    from .seed import sub_account

    children = list(children)
    with state.objects.store.transaction() as tx:
        listed = {
            row.id: row.document
            for parent in {p for _, _, p in children}
            for row in tx.scan(parent, ACCOUNT.type_name)
        }
    for account_id, name, parent in children:
        known = listed.get(account_id)
        record = sub_account(account_id, name) if known is None else from_json(known, ACCOUNT)
        if account_id == parent:
            # A partner of its own, at the top of another hierarchy.
            state.objects.put(account_id, record, ACCOUNT)
        else:
            state.add_sub_account(parent, record, listed=known is not None)
