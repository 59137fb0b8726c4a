"""The public clients: ApimClient and PlatformClient (MftClient lives in boomisoap.rest).

Their setup (options, credentials, transport, wire) is :class:`ApiClientBase`, shared
with the async clients of ``boomisoap.aio``; only how calls are sent differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Self

from . import options
from .calls import Operation
from .errors import InvalidRequest
from .httpconfig import Timeout
from .models.apim import ApiKey, Application, Contract, Plan, PlanAssociation
from .models.fields import ObjectSpec, check_text
from .models.platform import Account
from .models.registry import spec_for
from .options import DEFAULT_BASE_URL, TOKEN_USER_PREFIX
from .pacing import RateLimit
from .services import BoundWire, ObjectService, Wire
from .setup import (
    ClientBase,
    Closing,
    check_common,
    check_http,
)
from .transport import HttpTransport

if TYPE_CHECKING:
    import requests

    from .audit import AuditLog

__all__ = ["ApimClient", "PlatformClient"]


def _check_envelope_text(args: tuple[Any, ...]) -> None:
    """Text XML cannot carry, named as the calls name it (``envelope`` skips the rules)."""
    spec = next((a for a in args if isinstance(a, ObjectSpec)), None)
    for value in args:
        if isinstance(value, str):
            # A bare string is an id, or the token of query_more (the one call without a spec).
            _check_one(spec.id_wire or "id" if spec else "queryToken", value)
        elif spec is not None and isinstance(value, spec.cls):
            for fld in spec.fields:
                if isinstance(getattr(value, fld.name), str):
                    _check_one(fld.wire, getattr(value, fld.name))


def _check_one(name: str, text: str) -> None:
    try:
        check_text(text)
    except ValueError as exc:
        raise InvalidRequest(f"{name}: {exc}", field=name) from None


class ApiClientBase(ClientBase):
    """The setup of an APIM or Platform client, sync or async."""

    service = ""

    def __init__(
        self,
        *,
        account_id: str,
        username: str,
        password: str | None = None,
        token: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        wire: str = "soap",
        password_digest: bool = False,
        timestamp: bool = False,
        signer: Any = None,
        verify_responses: Any = None,
        audit: AuditLog | str | None = None,
        validate: bool | str = True,
        timeout: Timeout = 30.0,
        retries: int = 5,
        rate_limit: RateLimit = 10.0,
        correlation_id: str | None = None,
        otp: str | None = None,
        session: requests.Session | None = None,
        verify: bool | str | None = None,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
        deadline: float | None = None,
        history: int = 0,
    ) -> None:
        if wire not in ("soap", "rest"):
            raise InvalidRequest("wire must be 'soap' or 'rest'", field="wire")
        if not (isinstance(validate, bool) or validate == "strict"):
            raise InvalidRequest("validate must be True, False or 'strict'", field="validate")
        http, history = check_http(
            transport_class=self.transport_class,
            session=session,
            verify=verify,
            cert=cert,
            proxies=proxies,
            timeout=timeout,
            deadline=deadline,
            history=history,
        )
        # Every other option is checked before anything is built from it (boomisoap.options).
        account_id = options.account_id(account_id)
        username = options.username(username, wire)
        base_url = options.base_url(base_url)
        common = check_common(
            http, history, retries=retries, rate_limit=rate_limit, correlation_id=correlation_id
        )
        otp = options.optional_text("otp", otp, secret=True, header=True)
        if (password is None) == (token is None):
            raise InvalidRequest("give exactly one of password or token", field="password")
        password = options.optional_text("password", password, secret=True)
        token = options.optional_text("token", token, secret=True)
        if token is not None:
            # Boomi API tokens authenticate as BOOMI_TOKEN.<user> with the token as password.
            if not username.startswith(TOKEN_USER_PREFIX):
                username = TOKEN_USER_PREFIX + username
            password = token
        assert password is not None
        self.account_id = account_id
        self.username = username
        self.base_url = base_url
        self.wire_name = wire
        self._connect(
            common,
            audit=audit,
            base_url=base_url,
            account=account_id,
            secrets=(password, otp or ""),
        )
        extra_headers = {"X-Boomi-OTP": otp} if otp else {}
        # The wire describes the exchanges; the transport sends them.
        self._described: Wire = self._make_wire(
            wire,
            password=password,
            password_digest=password_digest,
            timestamp=timestamp,
            signer=signer,
            verify_responses=verify_responses,
            validate=validate,
            extra_headers=extra_headers,
        )

    def _make_wire(
        self,
        wire: str,
        *,
        password: str,
        password_digest: bool,
        timestamp: bool,
        signer: Any,
        verify_responses: Any,
        validate: bool | str,
        extra_headers: dict[str, str],
    ) -> Wire:
        if wire == "rest":
            return self._rest_wire(
                service=self.service,
                base_url=self.base_url,
                account_id=self.account_id,
                secrets=self.transport.secrets,
                username=self.username,
                password=password,
                validate=validate,
                extra_headers=extra_headers,
            )
        from .wsse.username import Timestamp, UsernameToken

        token = UsernameToken(
            self.username,
            self.transport.secrets.holder("password", password),
            digest=password_digest,
            remember=self.transport.secrets.add_recent,
        )
        plugins: list[Any] = [token]
        if timestamp and signer is None:
            plugins.insert(0, Timestamp())
        if signer is not None:
            plugins.append(signer)
        verifier = verify_responses
        if verify_responses is not None and not hasattr(verify_responses, "verify"):
            from .wsse.signature import ResponseVerifier

            verifier = ResponseVerifier(verify_responses)
        return self._soap_wire(
            service=self.service,
            base_url=self.base_url,
            account_id=self.account_id,
            secrets=self.transport.secrets,
            plugins=plugins,
            validate=validate,
            response_verifier=verifier,
            extra_headers=extra_headers,
        )

    # The wire classes: a hook for the Partner API client (boomisoap.partner), whose wires
    # are these with the partner path and the account override.
    def _rest_wire(self, **options: Any) -> Wire:
        from .rest.wire import RestWire

        return RestWire(**options)

    def _soap_wire(self, **options: Any) -> Wire:
        from .soap.wire import SoapWire

        return SoapWire(**options)

    def envelope(self, operation: str, *args: Any) -> bytes:
        """The SOAP request an operation would send, without sending it (for ESB bridges)."""
        build = getattr(self._described, "envelope", None)
        if build is None:
            raise InvalidRequest("envelopes exist on the SOAP wire only", field="wire")
        _check_envelope_text(args)
        result: bytes = build(operation, *args)
        return result

    def _plan_associations(
        self, method: str, associations: Iterable[PlanAssociation]
    ) -> Operation[None]:
        plan_associations = getattr(self._described, "plan_associations", None)
        if plan_associations is None:
            raise InvalidRequest(
                "plan associations exist on the REST wire only (wire='rest')", field="wire"
            )
        operation: Operation[None] = plan_associations(method, associations)
        return operation

    @classmethod
    def from_env(
        cls,
        profile: str | None = None,
        *,
        config: str | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Self:
        """A client from the ``BOOMI_*`` variables and config profiles the CLI reads.

        Keyword ``options`` beat the environment, which beats the profile (``profile``,
        else ``$BOOMISOAP_PROFILE``, else ``[default]``) of the config file (``config``,
        else ``$BOOMISOAP_CONFIG``, else ``~/.config/boomisoap/config.toml``), which beats
        the defaults. A config file holding a secret must be private to its owner.
        """
        from .config import client_kwargs, settings_from_env

        settings = settings_from_env(profile, config=config, environ=environ, given=options)
        return cls(**client_kwargs(settings, options))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(account_id={self.account_id!r}, username={self.username!r}, "
            f"base_url={self.base_url!r}, wire={self.wire_name!r})"
        )


class _Client(Closing, ApiClientBase):
    """A client whose calls block until answered (requests underneath)."""

    transport: HttpTransport

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # Each operation of the wire, sent as it is called (``client._wire.get(spec, id)``).
        self._wire: Any = BoundWire(self._described, self.transport.run)

    def _objects(self, type_name: str) -> ObjectService[Any]:
        return ObjectService(self._described, spec_for(type_name, self.service), self.transport.run)


class ApimClient(_Client):
    """API Management: Plans, Contracts (deprecated), API keys and Applications."""

    service = "apim"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plans: ObjectService[Plan] = self._objects("Plan")
        self.contracts: ObjectService[Contract] = self._objects("Contract")
        self.api_keys: ObjectService[ApiKey] = self._objects("ApiKey")
        self.applications: ObjectService[Application] = self._objects("Application")

    def __enter__(self) -> ApimClient:
        return self

    def associate_plans(self, associations: Iterable[PlanAssociation]) -> None:
        """Add plans to API deployments (Boomi's REST-only ``planAssociation`` POST).

        All or nothing: if one association is refused, none is made.
        """
        self.transport.run(self._plan_associations("POST", associations))

    def dissociate_plans(self, associations: Iterable[PlanAssociation]) -> None:
        """Remove plans from API deployments (``planAssociation`` DELETE with a body)."""
        self.transport.run(self._plan_associations("DELETE", associations))


class PlatformClient(_Client):
    """Platform API: Accounts (get, bulk get, query)."""

    service = "platform"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.accounts: ObjectService[Account] = self._objects("Account")

    def __enter__(self) -> PlatformClient:
        return self
