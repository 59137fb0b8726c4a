"""The Partner API client: act on the sub-accounts a partner manages (docs/partner.md).

:class:`PartnerClient` talks to ``/partner/api/soap/v1/{accountId}`` and
``/partner/api/rest/v1/{accountId}/...`` through the same :class:`ObjectService` and field
maps as the other clients. What it adds:

- the account override: per client (``override_account=``) and per call
  (``with partner.override("sub-1"): ...``), sent as Boomi's REST ``overrideAccount`` query
  parameter or SOAP ``accountId`` parameter, and refused before sending for the calls that
  take none (Account CREATE/DELETE, Account Provision);
- Account CREATE (a name, a trial expiration at most 90 days ahead) and DELETE;
- Account Provision, answered by an :class:`AccountProvisionResult` that can be polled
  until COMPLETED;
- one rate budget per effective account (the override, else the authenticated account),
  on the local limiter and on the fleet one alike.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from . import options
from .clients import _check_envelope_text, _Client
from .errors import DeadlineExceeded, InvalidRequest
from .models.apim import ApiKey, Application, Contract, Plan
from .models.fields import ObjectSpec, check_id, check_object
from .models.partner import (
    ACCOUNT_PROVISION,
    ACCOUNT_PROVISION_RESULT,
    PARTNER_ACCOUNT,
    Account,
    AccountProvision,
    AccountProvisionResult,
)
from .models.registry import spec_for
from .pacing import pacer_for
from .services import ObjectService, Wire

if TYPE_CHECKING:
    from .transport import Pacer

OVERRIDE_FIELD = "override_account"
_UNSET: Any = object()


def check_override(value: Any) -> str | None:
    """An account override as the client takes it: None, or an account id."""
    if value is None:
        return None
    try:
        return options.account_id(value, OVERRIDE_FIELD)
    except InvalidRequest as exc:
        raise InvalidRequest(exc.message, field=OVERRIDE_FIELD) from None


class AccountPacer:
    """The transport's pacer, choosing a bucket by the effective account of each request.

    Boomi limits Partner API calls per effective account: two sub-accounts driven through
    one client each get their own budget, and the partner's own calls a third.
    """

    def __init__(
        self, rate_limit: Any, host: str, authenticated: str, override: Callable[[], str | None]
    ) -> None:
        self._rate_limit = rate_limit
        self._host = host
        self._authenticated = authenticated
        self._override = override
        self._buckets: dict[str, Pacer | None] = {}
        self._lock = threading.Lock()

    def current(self) -> Pacer | None:
        account = self._override() or self._authenticated
        bucket = self._buckets.get(account, _UNSET)
        if bucket is _UNSET:
            with self._lock:
                bucket = self._buckets.get(account, _UNSET)
                if bucket is _UNSET:
                    bucket = self._buckets[account] = pacer_for(
                        self._rate_limit, self._host, account
                    )
        return bucket  # type: ignore[no-any-return]

    def reserve(self) -> float:
        bucket = self.current()
        return 0.0 if bucket is None else bucket.reserve()

    def penalize(self, seconds: float) -> None:
        penalize = getattr(self.current(), "penalize", None)
        if penalize is not None:
            penalize(seconds)


class PartnerClient(_Client):
    """Partner API: the APIM and Platform objects of the partner or of a sub-account
    (through the override), plus Account CREATE/DELETE and Account Provision."""

    service = "partner"

    def __init__(self, *, override_account: str | None = None, **kwargs: Any) -> None:
        self._default_override = check_override(override_account)
        self._call_override: ContextVar[Any] = ContextVar("override_account", default=_UNSET)
        self._family_wires: dict[str, Wire] = {}
        super().__init__(**kwargs)
        rate_limit = options.rate_limit(kwargs.get("rate_limit", 10.0))
        if rate_limit is not None:
            host = urlsplit(self.base_url).netloc
            self.transport.bucket = AccountPacer(
                rate_limit, host, self.account_id, self.effective_override
            )
        self.accounts: ObjectService[Account] = self._family_objects("partner", PARTNER_ACCOUNT)
        self.plans: ObjectService[Plan] = self._family_objects("apim", spec_for("Plan"))
        self.contracts: ObjectService[Contract] = self._family_objects("apim", spec_for("Contract"))
        self.api_keys: ObjectService[ApiKey] = self._family_objects("apim", spec_for("ApiKey"))
        self.applications: ObjectService[Application] = self._family_objects(
            "apim", spec_for("Application")
        )

    def _family_objects(self, family: str, spec: ObjectSpec) -> ObjectService[Any]:
        return ObjectService(self._family_wires[family], spec, self.transport.run)

    # wires: the generic ones on the partner path, one per object family -----------------

    def _rest_wire(self, **kw: Any) -> Wire:
        from .rest.partner import PartnerRestWire

        kw.pop("service")
        for family in ("apim", "partner"):
            wire = PartnerRestWire(family=family, override=self.effective_override, **kw)
            self._family_wires[family] = wire
        return self._family_wires["partner"]

    def _soap_wire(self, **kw: Any) -> Wire:
        from .soap.partner import PartnerSoapWire

        kw.pop("service")
        for family in ("apim", "partner"):
            wire = PartnerSoapWire(family=family, override=self.effective_override, **kw)
            self._family_wires[family] = wire
        return self._family_wires["partner"]

    def envelope(self, operation: str, *args: Any) -> bytes:
        """The SOAP request an operation would send, on the wire of its object's family."""
        spec = next((a for a in args if isinstance(a, ObjectSpec)), None)
        if spec is None or spec.service != "apim" or self.wire_name != "soap":
            return super().envelope(operation, *args)
        _check_envelope_text(args)
        return bytes(self._family_wires["apim"].envelope(operation, *args))  # type: ignore[attr-defined]

    # the override ---------------------------------------------------------------------

    @property
    def override_account(self) -> str | None:
        """The client's own override (``override_account=``), None when it has none."""
        return self._default_override

    def effective_override(self) -> str | None:
        """The override of the current call: the innermost :meth:`override` block's, else
        the client's (None: the call acts on the authenticated account)."""
        value = self._call_override.get()
        return self._default_override if value is _UNSET else value

    def effective_account(self) -> str:
        """The account the current call acts on (and whose rate budget it spends)."""
        return self.effective_override() or self.account_id

    @contextlib.contextmanager
    def override(self, account: str | None) -> Iterator[None]:
        """Calls made in the block (in this thread or task) act on ``account``;
        ``override(None)`` acts on the authenticated account despite the client's own."""
        token = self._call_override.set(check_override(account))
        try:
            yield
        finally:
            self._call_override.reset(token)

    def _refuse_override(self, what: str) -> None:
        if self.effective_override() is not None:
            raise InvalidRequest(
                f"{what} takes no account override ({OVERRIDE_FIELD})", field=OVERRIDE_FIELD
            )

    # Account CREATE / DELETE ----------------------------------------------------------

    def create_account(self, name: str, expiration_date: datetime) -> Account:
        """A sub-account named ``name`` on trial until ``expiration_date`` (at most 90
        days ahead, checked before sending); the answer carries its new id."""
        self._refuse_override("Account create")
        return self.accounts.create(
            Account(account_id="", name=name, expiration_date=expiration_date)
        )

    def delete_account(self, account_id: str) -> bool:
        self._refuse_override("Account delete")
        return self.accounts.delete(account_id)

    # Account Provision ----------------------------------------------------------------

    def provision(self, request: AccountProvision) -> AccountProvisionResult:
        """Start an Account Provision; the result's status is PENDING until it completes."""
        self._refuse_override("Account Provision")
        check_object(ACCOUNT_PROVISION, request, "create")
        wire: Any = self._described
        result: AccountProvisionResult = self.transport.run(
            wire.execute(ACCOUNT_PROVISION, request)
        )
        return result

    def provision_status(self, provision_id: str) -> AccountProvisionResult:
        self._refuse_override("Account Provision")
        checked = check_id(ACCOUNT_PROVISION_RESULT, provision_id)
        wire: Any = self._described
        result: AccountProvisionResult = self.transport.run(wire.provision_status(checked))
        return result

    def wait_provisioned(
        self,
        provision: AccountProvisionResult | str,
        *,
        timeout: float = 300.0,
        interval: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> AccountProvisionResult:
        """Poll :meth:`provision_status` every ``interval`` seconds until COMPLETED;
        DeadlineExceeded after ``timeout`` seconds."""
        if isinstance(provision, AccountProvisionResult):
            if provision.completed:
                return provision
            provision = provision.id
        ends = time.monotonic() + timeout
        polls = 0
        while True:
            result = self.provision_status(provision)
            polls += 1
            if result.completed:
                return result
            if time.monotonic() + interval > ends:
                raise DeadlineExceeded(
                    f"Account Provision {provision} was still {result.status} after "
                    f"{polls} poll{'s' if polls != 1 else ''} ({timeout:g}s)",
                    attempts=polls,
                    sent=True,
                )
            sleep(interval)

    def __enter__(self) -> PartnerClient:
        return self

    def __repr__(self) -> str:
        return super().__repr__()[:-1] + f", override_account={self._default_override!r})"
