"""Where the MFT Accounting calls live: every URL path segment, read by client and emulator.

Boomi does not publish the Accounting paths. The closest published evidence is the sibling
"Activity" page of the same AFT Management API reference, which documents
``POST /api/Activity/getFileActivity``: an ``/api`` root, then the reference's section name,
then the operation. The defaults follow that family (``/api/Accounting/...``); the operation
segments keep this project's earlier names, for which nothing better is published. All of
them are configurable, and the emulator serves whatever set it is given (docs/mft.md).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping

from ..errors import InvalidRequest

# The Accounting operations, in the order of the reference page (Boomi's AFT Accounting reference).
OPERATIONS = ("transfer_quota", "transfer_usage", "month_to_date", "daily", "billing_daily")
# One path segment: URL-safe characters only, so a value is never re-encoded or split.
_SEGMENT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@-]+")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class MftPaths:
    """The MFT Accounting URL paths: ``{base}/{accounting}/{operation}``.

    ``base`` may be empty or hold several segments (``/mft/api/v1``), ``accounting`` may be
    empty; each operation's value is one or more segments (``billing/daily``). Leading and
    trailing slashes are ignored. A value that is not a URL path raises ``InvalidRequest``
    naming the field.
    """

    base: str = "/api"
    accounting: str = "Accounting"
    transfer_quota: str = "transferQuota"
    transfer_usage: str = "transferUsage"
    month_to_date: str = "monthToDate"
    daily: str = "daily"
    billing_daily: str = "billing/daily"

    def __post_init__(self) -> None:
        for fld in dataclasses.fields(self):
            value = getattr(self, fld.name)
            normal = _normal(fld.name, value, allow_empty=fld.name in ("base", "accounting"))
            object.__setattr__(self, fld.name, normal)

    def path(self, operation: str) -> str:
        """The absolute path of one operation (a name of :data:`OPERATIONS`)."""
        if operation not in OPERATIONS:
            raise InvalidRequest(f"{operation} is not an MFT Accounting operation", field=operation)
        group = f"/{self.accounting}" if self.accounting else ""
        return f"{self.base}{group}/{getattr(self, operation)}"

    def operation_of(self, path: str) -> str | None:
        """The operation served at ``path``, or None."""
        return next((op for op in OPERATIONS if self.path(op) == path), None)


def _normal(name: str, value: object, *, allow_empty: bool) -> str:
    where = f"paths.{name}"
    if not isinstance(value, str):
        raise InvalidRequest(f"{where} must be a string, got {type(value).__name__}", field=where)
    stripped = value.strip("/")
    if not stripped:
        if allow_empty:
            return ""
        raise InvalidRequest(f"{where} must not be empty", field=where)
    for segment in stripped.split("/"):
        if segment in (".", "..") or not _SEGMENT.fullmatch(segment):
            raise InvalidRequest(
                f"{where}: {segment!r} is not a URL path segment (letters, digits, -._~ ...)",
                field=where,
            )
    return "/" + stripped if name == "base" else stripped


# The layout of earlier releases: kept so existing configurations keep working; the emulator
# serves it beside the default.
LEGACY_MFT_PATHS = MftPaths(base="/mft/api/v1", accounting="accounting")


def mft_paths_from(
    values: Mapping[str, object] | Iterable[str], start: MftPaths | None = None
) -> MftPaths:
    """``start`` (the defaults) with some fields replaced: from a mapping (a config table) or
    from ``KEY=SEGMENT`` texts (command-line options). InvalidRequest names a bad entry."""
    pairs: dict[str, object] = {}
    if isinstance(values, Mapping):
        pairs.update(values)
    else:
        for text in values:
            key, sep, value = text.partition("=")
            if not sep:
                raise InvalidRequest(f"{text!r} is not KEY=SEGMENT", field="mft_paths")
            pairs[key.strip()] = value.strip()
    known = [f.name for f in dataclasses.fields(MftPaths)]
    for key in pairs:
        if key not in known:
            raise InvalidRequest(
                f"{key!r} is not an MFT path key (keys: {', '.join(known)})", field="mft_paths"
            )
    return dataclasses.replace(start or MftPaths(), **pairs)  # type: ignore[arg-type]
