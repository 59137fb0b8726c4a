"""The MFT Accounting REST handler (docs/wire.md): bearer API key, JSON arrays."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import BoomiFault, InvalidRequest
from .accounting import AccountingState
from .httpio import Request, Response, json_error, json_response
from .security import verify_bearer

INT32_MAX = 2**31 - 1


class MftHandler:
    def __init__(self, state: AccountingState, api_key: str) -> None:
        self.state = state
        self.api_key = api_key
        self._routes: dict[str, tuple[str, Callable[[dict[str, str]], Any]]] = {
            "transferQuota": ("transfer_quota", lambda _: self.state.transfer_quota()),
            "transferUsage": ("transfer_usage", lambda _: self.state.transfer_usage()),
            "monthToDate": ("month_to_date", self._month_to_date),
            "daily": ("daily", self._daily),
            "billing/daily": ("billing_daily", self._billing_daily),
        }

    def handle(self, segments: Sequence[str], request: Request) -> Response:
        route = self._routes.get("/".join(segments[1:])) if segments[:1] == ["accounting"] else None
        try:
            verify_bearer(request.header("Authorization"), self.api_key)
            if route is None:
                return json_error(404, f"{request.path} does not exist")
            if request.method != "GET":
                return json_error(405, f"{request.method} is not allowed on {request.path}")
            operation, answer = route
            response = json_response(200, answer(request.params()))
            response.operation = operation
            return response
        except BoomiFault as exc:
            response = json_error(exc.status_code or 500, exc.message, exc.field)
            if exc.status_code == 401:
                response.headers.append(("WWW-Authenticate", 'Bearer realm="boomisoap-mft"'))
            return response

    def _month_to_date(self, params: dict[str, str]) -> Any:
        org, month, year = _org(params, "orgid", None), _month(params, "monthnum"), _year(params)
        return self.state.month_to_date(org, month, year)

    def _daily(self, params: dict[str, str]) -> Any:
        org, month, year = _org(params, "orgid", None), _month(params, "monthnum"), _year(params)
        return self.state.daily(org, month, year)

    def _billing_daily(self, params: dict[str, str]) -> Any:
        return self.state.billing_daily(
            _year(params), _month(params, "month"), _org(params, "orgId", 0)
        )


def _int(params: dict[str, str], name: str, default: int | None, low: int, high: int) -> int:
    text = params.get(name)
    if text is None or not text.strip():
        if default is None:
            raise InvalidRequest(f"{name} is required", field=name)
        return default
    try:
        value = int(text)
    except ValueError:
        raise InvalidRequest(f"{name} must be an integer", field=name) from None
    if not low <= value <= high:
        raise InvalidRequest(f"{name} must be between {low} and {high}", field=name)
    return value


def _org(params: dict[str, str], name: str, default: int | None) -> int:
    return _int(params, name, default, 0, INT32_MAX)


def _month(params: dict[str, str], name: str) -> int:
    return _int(params, name, None, 1, 12)


def _year(params: dict[str, str]) -> int:
    return _int(params, "year", None, 1, 9999)
