"""boomisoap: a SOAP-first client and local emulator for the Boomi platform APIs.

The public names are re-exported here; every other module may change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .clients import ApimClient, PlatformClient
from .config import ConfigError
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
from .models.mft import (
    BillingDaily,
    BillingDailyActionItem,
    DailyTransfer,
    MonthToDateTransfer,
    TransferUsage,
)
from .models.mftpaths import MftPaths
from .pacing import RateLimitFallbackWarning, RedisRateLimit
from .query import Q

if TYPE_CHECKING:
    from .aio import AsyncApimClient, AsyncMftClient, AsyncPlatformClient
    from .rest.mft import MftClient

__version__ = "0.1.0"

__all__ = [
    "Account",
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
    "Plan",
    "PlanAssociation",
    "PlanStatus",
    "PlatformClient",
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
    if name == "MftClient":
        from .rest.mft import MftClient

        return MftClient
    if name in ("AsyncApimClient", "AsyncPlatformClient", "AsyncMftClient"):
        # Loaded on first use: the sync clients need no httpx.
        from . import aio

        return getattr(aio, name)
    raise AttributeError(f"module 'boomisoap' has no attribute {name!r}")
