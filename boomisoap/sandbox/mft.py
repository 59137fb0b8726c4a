"""The MFT Accounting REST handler (docs/wire.md): bearer API key, JSON arrays.

It answers at the paths of the :class:`MftPaths` sets it is given, the client's own table,
so a client configured with custom paths and an emulator started with the same ones agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..errors import BoomiFault, InvalidRequest
from ..models.mftpaths import LEGACY_MFT_PATHS, MftPaths
from .accounting import AccountingState
from .httpio import Request, Response, json_error, json_response
from .security import verify_bearer

INT32_MAX = 2**31 - 1
# Served by default: the client's default paths and the layout of earlier releases.
DEFAULT_PATH_SETS = (MftPaths(), LEGACY_MFT_PATHS)


def path_sets(paths: MftPaths | Iterable[MftPaths] | None) -> tuple[MftPaths, ...]:
    """``mft_paths`` as a tuple of sets (None: the defaults), or InvalidRequest."""
    if paths is None:
        return DEFAULT_PATH_SETS
    found = (paths,) if isinstance(paths, MftPaths) else tuple(paths)
    if not found or not all(isinstance(p, MftPaths) for p in found):
        raise InvalidRequest("mft_paths must be MftPaths (one or several)", field="mft_paths")
    return found


class MftHandler:
    def __init__(
        self,
        state: AccountingState,
        api_key: str,
        paths: MftPaths | Iterable[MftPaths] | None = None,
    ) -> None:
        self.state = state
        self.api_key = api_key
        self.path_sets = path_sets(paths)
        self._answers: dict[str, Callable[[dict[str, str]], Any]] = {
            "transfer_quota": lambda _: self.state.transfer_quota(),
            "transfer_usage": lambda _: self.state.transfer_usage(),
            "month_to_date": self._month_to_date,
            "daily": self._daily,
            "billing_daily": self._billing_daily,
        }
        self._routes = {p.path(op): op for p in reversed(self.path_sets) for op in self._answers}

    def serves(self, path: str) -> bool:
        """Whether ``path`` is one of the configured MFT paths (the router asks first)."""
        return path in self._routes

    def handle(self, request: Request) -> Response:
        operation = self._routes.get(request.path)
        try:
            verify_bearer(request.header("Authorization"), self.api_key)
            if operation is None:
                return json_error(404, f"{request.path} does not exist")
            if request.method != "GET":
                return json_error(405, f"{request.method} is not allowed on {request.path}")
            answer = self._answers[operation]
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
