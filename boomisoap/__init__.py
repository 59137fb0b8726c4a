"""boomisoap: a SOAP-first client and local emulator for the Boomi platform APIs.

The public names are re-exported here; every other module may change.
"""

from __future__ import annotations

from importlib import import_module as _import_module
from typing import TYPE_CHECKING, Any

from .clients import ApimClient, PlatformClient
from .deprecation import DeprecationNotice
from .errors import (
    AuthenticationError,
    BoomiError,
    BoomiFault,
    Conflict,
    DeadlineExceeded,
    EnvelopeValidationError,
    InvalidRequest,
    NotFound,
    RateLimited,
    Retired,
    SecurityError,
    ServiceUnavailable,
    SignatureError,
    TransportError,
)
from .history import History
from .models import (
    Account,
    AccountStatus,
    ApiKey,
    Application,
    BulkItem,
    Contract,
    License,
    Licensing,
    Molecule,
    Plan,
    PlanAssociation,
    PlanStatus,
    QueryPage,
    QuotaLimitUnit,
    RateLimitUnit,
    SupportLevel,
)
from .models.extras import Extras, UnknownFieldWarning
from .pacing import RateLimitFallbackWarning, RedisRateLimit
from .query import Q
from .version import __version__ as __version__

if TYPE_CHECKING:
    from .aio import AsyncApimClient, AsyncMftClient, AsyncPlatformClient
    from .config import ConfigError
    from .models.mft import (
        BillingDaily,
        BillingDailyActionItem,
        DailyTransfer,
        MonthToDateTransfer,
        TransferUsage,
    )
    from .models.mftpaths import MftPaths
    from .models.partner import (
        AccountProvision,
        AccountProvisionResult,
        ProvisionProduct,
        ProvisionStatus,
    )
    from .partner import PartnerClient
    from .rest.mft import MftClient

# Loaded on first use, so a program with an APIM or Platform client does not build the
# MFT and partner object maps at import, nor the config file reader (nor load httpx,
# which only the async clients use): each name and the module that defines it.
_ON_FIRST_USE = {
    "MftClient": "rest.mft",
    **dict.fromkeys(("AsyncApimClient", "AsyncPlatformClient", "AsyncMftClient"), "aio"),
    **dict.fromkeys(
        (
            "BillingDaily",
            "BillingDailyActionItem",
            "DailyTransfer",
            "MonthToDateTransfer",
            "TransferUsage",
        ),
        "models.mft",
    ),
    **dict.fromkeys(
        ("AccountProvision", "AccountProvisionResult", "ProvisionProduct", "ProvisionStatus"),
        "models.partner",
    ),
    "ConfigError": "config",
    "MftPaths": "models.mftpaths",
    "PartnerClient": "partner",
}


__all__ = [
    "Account",
    "AccountProvision",
    "AccountProvisionResult",
    "AccountStatus",
    "ApiKey",
    "ApimClient",
    "Application",
    "AsyncApimClient",
    "AsyncMftClient",
    "AsyncPlatformClient",
    "AuthenticationError",
    "BillingDaily",
    "BillingDailyActionItem",
    "BoomiError",
    "BoomiFault",
    "BulkItem",
    "ConfigError",
    "Conflict",
    "Contract",
    "DailyTransfer",
    "DeadlineExceeded",
    "DeprecationNotice",
    "EnvelopeValidationError",
    "Extras",
    "History",
    "InvalidRequest",
    "License",
    "Licensing",
    "MftClient",
    "MftPaths",
    "Molecule",
    "MonthToDateTransfer",
    "NotFound",
    "PartnerClient",
    "Plan",
    "PlanAssociation",
    "PlanStatus",
    "PlatformClient",
    "ProvisionProduct",
    "ProvisionStatus",
    "Q",
    "QueryPage",
    "QuotaLimitUnit",
    "RateLimitFallbackWarning",
    "RateLimitUnit",
    "RateLimited",
    "RedisRateLimit",
    "Retired",
    "SecurityError",
    "ServiceUnavailable",
    "SignatureError",
    "SupportLevel",
    "TransferUsage",
    "TransportError",
    "UnknownFieldWarning",
]


def __getattr__(name: str) -> Any:
    module = _ON_FIRST_USE.get(name)
    if module is None:
        raise AttributeError(f"module 'boomisoap' has no attribute {name!r}")
    return getattr(_import_module(f".{module}", __name__), name)
