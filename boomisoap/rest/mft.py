"""The MFT (AFT Management API) client: Accounting over JSON with a bearer API key.

Paths come from :class:`MftPaths` (every segment configurable, docs/mft.md); query
parameters and row shapes are in docs/wire.md (MFT Accounting); the rows
are the dataclasses of :mod:`boomisoap.models.mft`. Requests go through the same
:class:`HttpTransport` as APIM and Platform calls, so retries, pacing, correlation ids and
the audit trail behave the same way.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar
from urllib.parse import urlencode, urlsplit

from .. import options
from ..clients import check_history
from ..deprecation import DeprecationNotice, DeprecationNotices
from ..errors import EnvelopeValidationError, InvalidRequest
from ..httpconfig import Timeout, http_options
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
from ..options import open_audit
from ..pacing import RateLimit, pacer_for
from ..transport import Call, HttpRequest, HttpResponse, HttpTransport
from . import responses
from .wire import JSON

if TYPE_CHECKING:
    import requests

    from ..audit import AuditLog
    from ..history import History

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


class AccountingService:
    """``MftClient.accounting``: the five calls of Boomi's AFT Accounting reference."""

    def __init__(
        self, transport: HttpTransport, base_url: str, api_key: str, paths: MftPaths
    ) -> None:
        self._transport = transport
        self._root = base_url
        self.paths = paths
        self._headers = {"Accept": JSON, "Authorization": f"Bearer {api_key}"}
        self._secrets = (api_key,)

    def __repr__(self) -> str:
        return f"<AccountingService {self._root}{self.paths.base}>"

    def _get(
        self,
        operation: str,
        params: dict[str, int],
        read: Callable[[Any], T],
        object_type: str | None = None,
    ) -> T:
        url = f"{self._root}{self.paths.path(operation)}"
        if params:
            url += "?" + urlencode(params)
        call = Call(service="mft", operation=operation, wire="rest", object_type=object_type)
        request = HttpRequest("GET", url, self._headers)

        def parse(response: HttpResponse) -> T:
            excerpt = functools.partial(
                responses.excerpt_of, self._transport, response.body, self._secrets
            )
            responses.raise_for_status(response, excerpt=excerpt, secrets=self._secrets)
            return read(responses.load(response, excerpt=excerpt))

        return self._transport.exchange(call, request, parse)

    def _rows(self, operation: str, params: dict[str, int], spec: ObjectSpec) -> list[Any]:
        def read(document: Any) -> list[Any]:
            return responses.read_list(document, spec)

        return self._get(operation, params, read, spec.type_name)

    def transfer_quota(self) -> int:
        """The customer's transfer quota (``GET .../transferQuota``, an int32)."""
        return self._get("transfer_quota", {}, _read_quota)

    def transfer_usage(self) -> list[TransferUsage]:
        """The customer's transfer usage rows (``GET .../transferUsage``)."""
        return self._rows("transfer_usage", {}, TRANSFER_USAGE)

    def month_to_date(self, org_id: int, month: int, year: int) -> list[MonthToDateTransfer]:
        """Month-to-date statistics; ``org_id=0`` covers every organization the key sees."""
        org_id, month, year = _period(org_id, month, year)
        params = {"orgid": org_id, "monthnum": month, "year": year}
        return self._rows("month_to_date", params, MONTH_TO_DATE)

    def daily(self, org_id: int, month: int, year: int) -> list[DailyTransfer]:
        """Daily statistics of one month; ``org_id=0`` covers every organization."""
        org_id, month, year = _period(org_id, month, year)
        params = {"orgid": org_id, "monthnum": month, "year": year}
        return self._rows("daily", params, DAILY)

    def billing_daily(self, year: int, month: int, org_id: int = 0) -> list[BillingDaily]:
        """Daily billing rows per flow endpoint; ``org_id=0`` (the default) means all."""
        org_id, month, year = _period(org_id, month, year)
        params = {"year": year, "month": month, "orgId": org_id}
        return self._rows("billing_daily", params, BILLING_DAILY)


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


class MftClient:
    """Client of the MFT (AFT Management) API; ``.accounting`` holds its calls.

    The API key is sent as ``Authorization: Bearer <key>`` and is kept out of every
    message, repr and (through the audit redaction) audit record.
    """

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
        # HTTP options (see docs/client.md, HTTP configuration), checked before anything else.
        http = http_options(
            session=session,
            verify=verify,
            cert=cert,
            proxies=proxies,
            timeout=timeout,
            deadline=deadline,
        )
        history = check_history(history)
        # Every other option is checked before anything is built from it (boomisoap.options).
        base_url = options.base_url(base_url)
        api_key = options.text("api_key", api_key, secret=True, header=True)
        retries = options.count("retries", retries)
        rate_limit = options.rate_limit(rate_limit)
        correlation_id = options.optional_text("correlation_id", correlation_id, header=True)
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
        self.audit = open_audit(audit)
        # Clients of one key share a bucket (in this process, or the fleet's through
        # Redis), keyed without the key itself.
        key_id = "mft:" + hashlib.sha256(api_key.encode()).hexdigest()[:16]
        bucket = pacer_for(rate_limit, urlsplit(self.base_url).netloc, key_id)
        self.transport = HttpTransport(
            timeout=http.timeout,
            retries=retries,
            bucket=bucket,
            audit=self.audit,
            close_audit=isinstance(audit, str),
            correlation_id=correlation_id,
            secrets=(api_key,),
            http=http,
            history=history,
        )
        # As for APIM and Platform: deprecation headers on any answer warn once per call type.
        self._deprecations = DeprecationNotices()
        self.transport.observers.append(self._deprecations)
        self.accounting = AccountingService(self.transport, self.base_url, api_key, paths)

    @property
    def deprecations(self) -> Mapping[str, DeprecationNotice]:
        """Row type (or call name) -> the deprecation the service signalled for it."""
        return self._deprecations.by_type

    @property
    def history(self) -> History | None:
        """The last ``history=N`` exchanges, redacted (None when history is off)."""
        return self.transport.history

    def reload_environment(self) -> None:
        """Read the proxy and CA bundle environment variables again."""
        self.transport.reload_environment()

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

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> MftClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def base_path(self) -> str:
        return self.paths.base

    def __repr__(self) -> str:
        return f"MftClient(base_url={self.base_url!r}, paths={self.paths!r})"
