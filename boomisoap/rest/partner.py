"""The REST wire on the Partner API endpoint (``/partner/api/rest/v1/{accountId}/...``).

The generic :class:`RestWire` with the effective override sent as Boomi's
``overrideAccount`` query parameter, plus the Partner-only AccountProvision ``execute``
and its status poll.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ..calls import Operation
from ..codec.jsoncodec import to_json
from ..models.fields import ObjectSpec
from ..models.override import REST_PARAMETER, refuse_override
from ..models.partner import ACCOUNT_PROVISION, ACCOUNT_PROVISION_RESULT, AccountProvisionResult
from ..urlpath import segment
from . import responses
from .wire import RestWire, encode

PARTNER_REST_PATH = "/partner/api/rest/v1/"
Override = Callable[[], str | None]


class PartnerRestWire(RestWire):
    def __init__(self, *, family: str, override: Override, **options: Any) -> None:
        super().__init__(service="apim" if family == "apim" else "platform", **options)
        self.service = "partner"
        self.override = override
        self.root = (
            options["base_url"].rstrip("/")
            + PARTNER_REST_PATH
            + segment(options["account_id"], "account_id")
        )

    def _target(self, operation: str, spec: ObjectSpec, url: str) -> str:
        account = self.override()
        if account is None:
            return url
        # Checked before anything is sent; the value is data, percent-encoded whole.
        refuse_override(spec.type_name, operation, "override_account")
        return url + ("&" if "?" in url else "?") + f"{REST_PARAMETER}={quote(account, safe='')}"

    def execute(self, spec: ObjectSpec, obj: Any) -> Operation[AccountProvisionResult]:
        body = encode(to_json(obj, spec, typed=False))
        url = self.url(spec, "execute")
        return self._operation("execute", spec, [], "POST", url, _result_reader(self), body)

    def provision_status(self, provision_id: str) -> Operation[AccountProvisionResult]:
        url = self.url(ACCOUNT_PROVISION, provision_id)
        return self._operation(
            "get", ACCOUNT_PROVISION, [provision_id], "GET", url, _result_reader(self)
        )


def _result_reader(wire: RestWire) -> Callable[[Any, Any], AccountProvisionResult]:
    def read(response: Any, excerpt: Any) -> AccountProvisionResult:
        document = responses.load(response, excerpt=excerpt)
        result: AccountProvisionResult = responses.read_object(
            document, ACCOUNT_PROVISION_RESULT, unknown=wire.unknown
        )
        return result

    return read
