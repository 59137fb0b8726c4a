"""The MFT (AFT Management API) client: Accounting over JSON with a bearer API key.

Paths come from :class:`MftPaths` (every segment configurable, docs/mft.md); query
parameters and row shapes are in docs/wire.md (MFT Accounting); the rows
are the dataclasses of :mod:`boomisoap.models.mft`. Requests go through the same
:class:`~boomisoap.transport.HttpTransport` as APIM and Platform calls (or the async one,
``boomisoap.aio.AsyncMftClient``), so retries, pacing, correlation ids and the audit trail
behave the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlencode

from .. import options
from ..calls import Call, HttpRequest, HttpResponse, Operation
from ..errors import EnvelopeValidationError, InvalidRequest
from ..httpconfig import Timeout
from ..models.fields import INT32, ObjectSpec
from ..models.mft import (
    BILLING_DAILY,
    DAILY,
    MONTH_TO_DATE,
    TRANSFER_USAGE,
    BillingDaily,
    DailyTransfer,
    MonthToDateTransfer,
    TransferUsage,
)
from ..models.mftpaths import MftPaths
from ..pacing import RateLimit
from ..redact import SecretSet, excerpt_of
from ..setup import ClientBase, Closing, check_common, check_http
from ..transport import HttpTransport
from . import responses
from .wire import JSON

if TYPE_CHECKING:
    import requests

    from ..audit import AuditLog

T = TypeVar("T")

DEFAULT_PATHS = MftPaths()
DEFAULT_BASE_PATH = DEFAULT_PATHS.base
YEARS = (2000, 2100)  # a conservative window; the service's own limits are unpublished
ORG_ID_MAX = 2**31 - 1  # Boomi's reference types orgid as int32


def _int_argument(name: str, value: Any, low: int, high: int) -> int:
    # bool is an int in Python; True as a month is a caller's mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(f"{name} must be an integer, got {type(value).__name__}", field=name)
    if not low <= value <= high:
        raise InvalidRequest(f"{name} must be between {low} and {high}, got {value}", field=name)
    return value


def _period(org_id: Any, month: Any, year: Any) -> tuple[int, int, int]:
    return (
        _int_argument("org_id", org_id, 0, ORG_ID_MAX),
        _int_argument("month", month, 1, 12),
        _int_argument("year", year, *YEARS),
    )


class AccountingCalls:
    """The five calls of Boomi's AFT Accounting reference as exchanges, arguments checked."""

    def __init__(self, base_url: str, api_key: str, paths: MftPaths, secrets: SecretSet) -> None:
        self._root = base_url
        self.paths = paths
        self._headers = {"Accept": JSON, "Authorization": f"Bearer {api_key}"}
        # The key is held by the client's secret set (and this header) only.
        self._secrets = secrets

    def _get(
        self,
        operation: str,
        params: dict[str, int],
        read: Callable[[Any], T],
        object_type: str | None = None,
    ) -> Operation[T]:
        url = f"{self._root}{self.paths.path(operation)}"
        if params:
            url += "?" + urlencode(params)
        call = Call(service="mft", operation=operation, wire="rest", object_type=object_type)
        request = HttpRequest("GET", url, self._headers)

        def parse(response: HttpResponse) -> T:
            hidden = self._secrets.credentials()
            shown = functools.partial(excerpt_of, response.body, hidden)
            responses.raise_for_status(response, excerpt=shown, secrets=hidden)
            return read(responses.load(response, excerpt=shown))

        return Operation(call, request, parse)

    def _rows(self, operation: str, params: dict[str, int], spec: ObjectSpec) -> Operation[Any]:
        def read(document: Any) -> list[Any]:
            return responses.read_list(document, spec)

        return self._get(operation, params, read, spec.type_name)

    def transfer_quota(self) -> Operation[int]:
        return self._get("transfer_quota", {}, _read_quota)

    def transfer_usage(self) -> Operation[list[TransferUsage]]:
        rows: Operation[list[TransferUsage]] = self._rows("transfer_usage", {}, TRANSFER_USAGE)
        return rows

    def month_to_date(
        self, org_id: int, month: int, year: int
    ) -> Operation[list[MonthToDateTransfer]]:
        org_id, month, year = _period(org_id, month, year)
        params = {"orgid": org_id, "monthnum": month, "year": year}
        rows: Operation[list[MonthToDateTransfer]] = self._rows(
            "month_to_date", params, MONTH_TO_DATE
        )
        return rows

    def daily(self, org_id: int, month: int, year: int) -> Operation[list[DailyTransfer]]:
        org_id, month, year = _period(org_id, month, year)
        params = {"orgid": org_id, "monthnum": month, "year": year}
        rows: Operation[list[DailyTransfer]] = self._rows("daily", params, DAILY)
        return rows

    def billing_daily(
        self, year: int, month: int, org_id: int = 0
    ) -> Operation[list[BillingDaily]]:
        org_id, month, year = _period(org_id, month, year)
        params = {"year": year, "month": month, "orgId": org_id}
        rows: Operation[list[BillingDaily]] = self._rows("billing_daily", params, BILLING_DAILY)
        return rows


class AccountingService:
    """``MftClient.accounting``: the five calls of Boomi's AFT Accounting reference."""

    def __init__(self, calls: AccountingCalls, run: Callable[[Operation[Any]], Any]) -> None:
        self._calls = calls
        self._run = run
        self.paths = calls.paths

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._calls._root}{self.paths.base}>"

    def transfer_quota(self) -> int:
        """The customer's transfer quota (``GET .../transferQuota``, an int32)."""
        quota: int = self._run(self._calls.transfer_quota())
        return quota

    def transfer_usage(self) -> list[TransferUsage]:
        """The customer's transfer usage rows (``GET .../transferUsage``)."""
        rows: list[TransferUsage] = self._run(self._calls.transfer_usage())
        return rows

    def month_to_date(self, org_id: int, month: int, year: int) -> list[MonthToDateTransfer]:
        """Month-to-date statistics; ``org_id=0`` covers every organization the key sees."""
        rows: list[MonthToDateTransfer] = self._run(self._calls.month_to_date(org_id, month, year))
        return rows

    def daily(self, org_id: int, month: int, year: int) -> list[DailyTransfer]:
        """Daily statistics of one month; ``org_id=0`` covers every organization."""
        rows: list[DailyTransfer] = self._run(self._calls.daily(org_id, month, year))
        return rows

    def billing_daily(self, year: int, month: int, org_id: int = 0) -> list[BillingDaily]:
        """Daily billing rows per flow endpoint; ``org_id=0`` (the default) means all."""
        rows: list[BillingDaily] = self._run(self._calls.billing_daily(year, month, org_id))
        return rows


def _read_quota(document: Any) -> int:
    try:
        quota: int = INT32.check(document)
    except ValueError as exc:
        raise EnvelopeValidationError("/", str(exc), direction="response") from None
    return quota


def _base_path(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidRequest("base_path must be a string", field="base_path")
    if value.strip("/"):
        # The path is joined to base_url as it is: no query, fragment or control character.
        options.text("base_path", value, header=True)
        if any(c in value for c in "?#%\\ "):
            raise InvalidRequest("base_path must be a plain URL path", field="base_path")
    return value


class MftClientBase(ClientBase):
    """The setup of an MFT client, sync or async."""

    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        base_path: str | None = None,
        paths: MftPaths | None = None,
        timeout: Timeout = 30.0,
        retries: int = 5,
        rate_limit: RateLimit = 10.0,
        audit: AuditLog | str | None = None,
        correlation_id: str | None = None,
        session: requests.Session | None = None,
        verify: bool | str | None = None,
        cert: str | tuple[str, str] | None = None,
        proxies: dict[str, str] | None = None,
        deadline: float | None = None,
        history: int = 0,
    ) -> None:
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
        base_url = options.base_url(base_url)
        api_key = options.text("api_key", api_key, secret=True, header=True)
        common = check_common(
            http, history, retries=retries, rate_limit=rate_limit, correlation_id=correlation_id
        )
        if paths is None:
            paths = DEFAULT_PATHS
        elif not isinstance(paths, MftPaths):
            raise InvalidRequest(
                f"paths must be an MftPaths, got {type(paths).__name__}", field="paths"
            )
        if base_path is not None:
            # The older argument: replaces only the root of ``paths``.
            base_path = _base_path(base_path)
            try:
                paths = dataclasses.replace(paths, base=base_path)
            except InvalidRequest as exc:
                raise InvalidRequest(
                    exc.message.replace("paths.base", "base_path"), field="base_path"
                ) from None
        self.base_url = base_url
        self.paths = paths
        # Clients of one key share a bucket (in this process, or the fleet's through
        # Redis), keyed without the key itself.
        key_id = "mft:" + hashlib.sha256(api_key.encode()).hexdigest()[:16]
        self._connect(common, audit=audit, base_url=base_url, account=key_id, secrets=(api_key,))
        self._calls = AccountingCalls(self.base_url, api_key, paths, self.transport.secrets)
        self._serve()

    def _serve(self) -> None:
        """Make ``accounting`` (sync or async)."""
        raise NotImplementedError

    @classmethod
    def from_env(
        cls,
        profile: str | None = None,
        *,
        config: str | None = None,
        environ: Mapping[str, str] | None = None,
        **options: Any,
    ) -> Self:
        """A client from ``BOOMI_MFT_API_KEY``, ``BOOMI_BASE_URL`` and the other variables
        and profiles the CLI reads (see :meth:`ApimClient.from_env`)."""
        from ..config import mft_kwargs, settings_from_env

        settings = settings_from_env(profile, config=config, environ=environ, given=options)
        return cls(**mft_kwargs(settings, options))

    @property
    def base_path(self) -> str:
        return self.paths.base

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, paths={self.paths!r})"


class MftClient(Closing, MftClientBase):
    """Client of the MFT (AFT Management) API; ``.accounting`` holds its calls.

    The API key is sent as ``Authorization: Bearer <key>`` and is kept out of every
    message, repr and (through the audit redaction) audit record.
    """

    transport: HttpTransport

    def _serve(self) -> None:
        self.accounting = AccountingService(self._calls, self.transport.run)
